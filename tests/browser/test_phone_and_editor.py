"""The meeting page on a phone, and the discussion editor, in real headless Chromium.

The seed's DAG028 has twelve areas (Minutes and Actions first, then CR023 Decision, …).
On a phone (390 px) the navigation folds behind a Menu button, the areas fold to their
titles, and the jump list opens the area chosen. The PMO writes a discussion item with the
editor's Bold button and a bulleted list; what is stored is the sanitised HTML the report
prints, with the ref written in it linked.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from meetings.models import DiscussionItem

pytestmark = pytest.mark.browser


def _axe_clean(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, results.generate_report()


def test_the_meeting_page_on_a_phone_folds_areas_and_jumps_to_one(open_page, seeded):
    page = open_page("member", width=390)
    page.goto("/meetings/DAG028/")
    menu = page.get_by_role("button", name="Menu")
    assert menu.is_visible()
    assert not page.get_by_role("navigation", name="Main").is_visible()
    menu.click()
    # The page's script answers the click: wait for it (Playwright's expect retries).
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    menu.click()
    # Every area folded to its title; the page is a fraction of its unfolded height.
    bodies = page.locator("section.area > .area-body")
    assert bodies.count() == 12
    assert all(bodies.nth(i).is_hidden() for i in range(12))
    folded_height = page.evaluate("document.documentElement.scrollHeight")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    jump = page.get_by_role("navigation", name="Areas of DAG028")
    jump.get_by_role("link", name="CR023 Decision").click()
    cr023 = page.locator("section.area", has=page.get_by_role("heading", name="CR023 Decision"))
    # The jump unfolds the area from the script's hashchange handler: wait for it.
    expect(cr023.locator(".area-body")).to_be_visible()
    assert "DAG-DEC68" in cr023.inner_text()
    toggle = cr023.locator(".area-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.click()
    expect(cr023.locator(".area-body")).to_be_hidden()
    _axe_clean(page)
    # On a wide screen nothing is folded and there is no Menu button.
    wide = open_page("member", width=1280)
    wide.goto("/meetings/DAG028/")
    assert not wide.get_by_role("button", name="Menu").is_visible()
    assert wide.locator("section.area > .area-body").first.is_visible()
    assert wide.evaluate("document.documentElement.scrollHeight") > 2 * folded_height


@pytest.mark.parametrize("width", [1280, 390])
def test_the_pmo_writes_discussion_with_the_editor(open_page, seeded, width):
    page = open_page("pmo", width=width)
    page.goto("/meetings/DAG029/discussion/new/")
    page.get_by_label("Area").fill("Editor check")
    editor = page.get_by_role("textbox", name="Discussion")
    editor.click()
    page.keyboard.type("The chair noted ")
    page.get_by_role("button", name="Bold (Ctrl+B)").click()
    page.keyboard.type("no objections")
    page.get_by_role("button", name="Bold (Ctrl+B)").click()
    page.keyboard.type(" to ACTION DAG28-02.")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Bulleted list").click()
    page.keyboard.type("first point")
    page.keyboard.press("Enter")
    page.keyboard.type("second point")
    _axe_clean(page)
    page.get_by_role("button", name="Add discussion").click()
    page.wait_for_url("**/meetings/DAG029/**")
    item = DiscussionItem.objects.get(meeting__ref="DAG029", agenda_item__title="Editor check")
    assert "<b>no objections</b>" in item.text
    assert "<li>first point</li><li>second point</li>" in item.text
    assert "<ul>" in item.text
    shown = page.locator(".discussion-text", has_text="no objections")
    assert shown.locator("b", has_text="no objections").count() == 1
    assert shown.locator("li").all_inner_texts() == ["first point", "second point"]
    assert (
        shown.get_by_role("link", name="DAG28-02")
        .get_attribute("href")
        .endswith("/actions/DAG28-02/")
    )
