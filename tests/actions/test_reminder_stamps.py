"""Reminder rows filled in from a stamp (``composer.reminders.stamps``) are exactly what the
template engine renders: the same text, escaped in the same places."""

from __future__ import annotations

import itertools

import pytest
from django.template import Context, engines
from django.template.loader import get_template

from composer.reminders.stamps import TemplateStamp

DESCRIPTIONS = [
    "Programme to do a thing",
    'Fish & chips <b>bold</b> "quoted" it\'s',
    "\x00&1\x00 a marker-like text",
    "Ünïcödé — ‘quotes’ 🙂",
]


def _values(description: str, close: str, overdue: bool, by_meeting: bool) -> dict:
    return {
        "ref": "DAG28-01",
        "description": description,
        "due": "Wed 11 Oct 2023",
        "state": "overdue by 3 days",
        "overdue": overdue,
        "by_meeting": by_meeting,
        "url": "https://tracker.example.org/actions/DAG28-01/?a=1&b=2",
        "act_close_url": close,
        "act_redate_url": "https://tracker.example.org/act/__ACT_1_redate__/",
        "act_note_url": "https://tracker.example.org/act/__ACT_1_note__/",
    }


@pytest.mark.parametrize(
    ("name", "autoescape"),
    [("actions/emails/reminder_row.html", True), ("actions/emails/reminder_row.txt", False)],
)
def test_a_stamped_row_is_the_rendered_row(name, autoescape):
    template = get_template(name).template
    stamp = TemplateStamp(template, autoescape=autoescape)
    assert stamp.is_stampable
    closes = ["", "https://tracker.example.org/act/__ACT_1_close__/"]
    for description, close, overdue, by_meeting in itertools.product(
        DESCRIPTIONS, closes, [True, False], [True, False]
    ):
        values = _values(description, close, overdue, by_meeting)
        expected = template.render(Context(values, autoescape=autoescape))
        stamped = stamp.render(values)
        assert stamped == expected
        assert type(stamped) is type(expected)  # safe, as the engine's output is
    assert all(pieces is not None for pieces in stamp._shapes.values())


def test_a_template_that_changes_its_values_is_rendered_by_the_engine():
    template = (
        engines["django"].from_string("{{ a|upper }}/{{ b|truncatechars:4 }}/{{ c }}").template
    )
    stamp = TemplateStamp(template)
    assert not stamp.is_stampable  # seen on the compiled template, before any row
    for a, b in [("1", "long text"), ("x", "tiny"), ("<y>", "tiny")]:
        values = {"a": a, "b": b, "c": "&"}
        assert stamp.render(values) == template.render(Context(values))
    assert not stamp._shapes


def test_a_template_that_compares_a_value_is_rendered_by_the_engine():
    # A comparison's answer depends on the value, not on whether it is empty: a stamp made
    # from the first row would print every later row as that first one.
    template = (
        engines["django"]
        .from_string('{% if state == "overdue" %}LATE {% endif %}{{ ref }}')
        .template
    )
    stamp = TemplateStamp(template)
    assert not stamp.is_stampable
    assert stamp.render({"state": "due", "ref": "DAG28-01"}) == "DAG28-01"
    assert stamp.render({"state": "overdue", "ref": "DAG28-02"}) == "LATE DAG28-02"


def test_a_template_that_only_prints_and_tests_its_values_is_stamped():
    template = engines["django"].from_string("{{ a }}{% if b %}!{% endif %}").template
    stamp = TemplateStamp(template)
    assert stamp.is_stampable
    for a, b in [("x&y", True), ("<z>", False), ("w", True)]:
        values = {"a": a, "b": b}
        assert stamp.render(values) == template.render(Context(values))
    assert all(pieces is not None for pieces in stamp._shapes.values())


def test_values_other_than_text_and_flags_are_rendered_by_the_engine():
    template = engines["django"].from_string("{{ n }} {{ s }}").template
    stamp = TemplateStamp(template)
    assert stamp.render({"n": 1234, "s": "<"}) == "1234 &lt;"
    assert not stamp._shapes
