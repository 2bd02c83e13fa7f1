"""Discussion HTML as the editor writes it: kept what the report prints, nothing else."""

from __future__ import annotations

from composer.report_text import discussion_cell_html
from core.templatetags.governance import link_refs
from core.text import discussion_text_clean


def test_lists_paragraphs_and_safe_links_are_kept():
    html = (
        '<p>See <a href="https://example.org/doc" onclick="x()">the paper</a></p>'
        "<ul><li>one</li><li>two</li></ul>"
    )
    assert discussion_text_clean(html) == (
        '<p>See <a href="https://example.org/doc" rel="noopener noreferrer">the paper</a></p>'
        "<ul><li>one</li><li>two</li></ul>"
    )


def test_script_links_styles_and_other_tags_are_removed_their_text_kept():
    html = (
        '<a href="javascript:alert(1)">bad</a> <div style="color:red">block</div>'
        '<img src="x" onerror="y()"><script>z()</script><h1>Title</h1><a href="/admin/">!</a>'
    )
    assert discussion_text_clean(html) == "bad blockTitle!"


def test_a_ref_inside_a_written_link_is_not_linked_again():
    html = '<a href="https://example.org/DAG28-02">ACTION DAG28-02 notes</a> and DAG28-02'
    linked = str(link_refs(html, {"DAG28-02": "action"}))
    assert linked.count('class="ref-link"') == 1
    assert linked.endswith(
        'and <a class="ref-link" href="/actions/DAG28-02/" title="DAG28-02">DAG28-02</a>'
    )
    cell = discussion_cell_html(html, ["DAG"], {"DAG28-02": "action-DAG28-02"})
    assert cell.count('href="#action-DAG28-02"') == 1


def test_the_editors_nested_and_empty_paragraphs_come_out_as_valid_html():
    # What the editor writes after a bulleted list and an Enter at the end.
    html = "<p>Intro<ul><li>a</li></ul><p>x</p></p><p><br></p>"
    assert discussion_text_clean(html) == "<p>Intro</p><ul><li>a</li></ul><p>x</p>"
