"""The register's keyset pager in Chromium: First, Previous, Next and Last links move
through two pages of actions (the seed report's and 55 more) and every page passes
axe-core (no serious or critical violation), at 1280 and 390 px; with ``SCREENSHOTS_DIR``
set the pages are saved as PNGs to look at. My actions pages through the same pager (the
55 are owned by "Chair": the chair's)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.actors import SYSTEM


@pytest.fixture
def many(seeded):
    from actions.services import action_create

    for n in range(55):
        action_create(
            meeting=seeded["dag029"], description=f"Item {n}", owners=["Chair"], acting_user=SYSTEM
        )
    return seeded


def _axe(page, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    shots = os.environ.get("SCREENSHOTS_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{shots}/{name}.png", full_page=True)
    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{name}: " + "; ".join(bad)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_pager_moves_through_the_register(open_page, many, width):
    from actions.models import Action

    total = Action.objects.count()
    assert 50 < total <= 100
    page = open_page("member", width=width)
    page.goto("/actions/?sort=due_date")
    rows = page.locator("#register-results tbody tr[id^='r-']")
    expect(rows).to_have_count(50)
    pager = page.get_by_role("navigation", name="Pages")
    expect(pager).to_contain_text(f"{total} in all")
    expect(pager.get_by_role("link", name="First")).to_have_count(0)
    _axe(page, f"register-first-{width}")
    pager.get_by_role("link", name="Next").click()
    page.wait_for_url("**cursor=**")
    expect(rows).to_have_count(total - 50)
    expect(pager.get_by_role("link", name="Next")).to_have_count(0)
    pager.get_by_role("link", name="Previous").click()
    expect(rows).to_have_count(50)
    pager.get_by_role("link", name="Last").click()
    page.wait_for_url("**cursor=last**")
    expect(rows).to_have_count(50)
    _axe(page, f"register-last-{width}")
    pager.get_by_role("link", name="First").click()
    expect(pager.get_by_role("link", name="First")).to_have_count(0)
    assert "sort=due_date" in page.url


@pytest.mark.parametrize("width", [1280, 390])
def test_my_actions_pages_through_the_same_pager(open_page, many, width):
    page = open_page("chair", width=width)
    page.goto("/actions/mine/")
    items = page.locator("li.mine-item")
    expect(items).to_have_count(50)
    pager = page.get_by_role("navigation", name="Pages")
    expect(pager.get_by_role("link", name="First")).to_have_count(0)
    _axe(page, f"mine-first-{width}")
    pager.get_by_role("link", name="Next").click()
    page.wait_for_url("**cursor=**")
    rest = items.count()
    assert 0 < rest < 50
    pager.get_by_role("link", name="Previous").click()
    expect(items).to_have_count(50)
    pager.get_by_role("link", name="Last").click()
    page.wait_for_url("**cursor=last**")
    expect(items).to_have_count(50)
    _axe(page, f"mine-last-{width}")
