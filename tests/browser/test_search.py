"""The search box in the header, in Chromium at 1280 and 390 px: a member finds a discussion
paragraph of DAG028 by a word from it ("webhook", written once in the seed) and opens it;
axe-core finds no serious or critical violation on ``/search/``. With ``SCREENSHOTS_DIR``
set the page is saved there."""

from __future__ import annotations

import os

import pytest


@pytest.mark.parametrize("width", [1280, 390])
def test_a_member_finds_a_discussion_paragraph_from_the_header(seeded, open_page, width):
    from axe_playwright_python.sync_playwright import Axe

    page = open_page("member", width=width)
    box = page.get_by_role("search", name="Search everything").get_by_role("searchbox")
    box.fill("webhook")
    box.press("Enter")
    page.wait_for_url("**/search/?q=webhook")
    hit = page.locator(".search-hit").first
    assert hit.locator("mark").first.inner_text() == "webhook"
    assert "DIP webhook subscription" in hit.inner_text()
    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
    ]
    assert serious == [], results.generate_report()
    if os.environ.get("SCREENSHOTS_DIR"):
        page.screenshot(
            path=os.path.join(os.environ["SCREENSHOTS_DIR"], f"search-{width}.png"), full_page=True
        )
    hit.get_by_role("link").first.click()
    page.wait_for_url("**/meetings/DAG028/#discussion-*")
    assert "DIP webhook subscription" in page.locator(":target").inner_text()
