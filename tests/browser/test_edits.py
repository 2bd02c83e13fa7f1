"""A stale save in two browser pages, and the history card, in real Chromium.

Two PMO pages open DAG28-07's edit form (the seed report's Testing Team action); the first
saves a new due date, the second's save is refused with what changed and keeps its input.
The action page with its history is checked with axe-core (bundled by
axe-playwright-python, nothing fetched) at 1280 and 390 px; with ``SCREENSHOTS_DIR`` set the
pages are saved as PNGs to look at.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from actions.models import Action


def _shot(page, name: str) -> None:
    shots = os.environ.get("SCREENSHOTS_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{shots}/{name}.png", full_page=True)


def test_a_stale_save_in_a_second_page_is_refused_and_keeps_its_input(open_page, seeded):
    first, second = open_page("pmo"), open_page("pmo")
    for page in (first, second):
        page.goto("/actions/DAG28-07/edit/")
    first.get_by_label("Due date").fill("2023-11-08")
    first.get_by_role("button", name="Save").click()
    first.wait_for_url("**/actions/DAG28-07/")
    second.get_by_label("Description").fill("Testing Team to confirm the test plan")
    second.get_by_role("button", name="Save").click()
    alert = second.get_by_role("alert")
    assert "was changed by someone else" in alert.inner_text()
    assert "Due date: 11 Oct 2023 → 08 Nov 2023" in alert.inner_text()
    assert second.get_by_label("Description").input_value() == (
        "Testing Team to confirm the test plan"
    )
    _shot(second, "stale-save-1280")
    action = Action.objects.get(ref="DAG28-07")
    assert action.due_date == dt.date(2023, 11, 8)
    assert action.description != "Testing Team to confirm the test plan"
    # Saved again, now at the current version (the date the first page saved is kept).
    second.get_by_label("Due date").fill("2023-11-08")
    second.get_by_role("button", name="Save").click()
    second.wait_for_url("**/actions/DAG28-07/")
    history = second.locator("#history").inner_text()
    assert "Description:" in history
    assert "Due date: 11 Oct 2023 → 08 Nov 2023" in history


@pytest.mark.parametrize("width", [1280, 390])
def test_the_action_page_with_its_history_passes_axe(open_page, seeded, width):
    from axe_playwright_python.sync_playwright import Axe

    page = open_page("pmo", width=width)
    page.goto("/actions/DAG28-07/edit/")
    page.get_by_label("Due date").fill("2023-11-08")
    page.get_by_label("Owners").fill("Testing Team\nProgramme (Rob Short)")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/actions/DAG28-07/")
    assert "Owners:" in page.locator("#history").inner_text()
    results = Axe().run(page)
    _shot(page, f"action-history-{width}")
    assert results.violations_count == 0, results.generate_report()
    # The meeting page loads its history card when it is scrolled to.
    page.goto("/meetings/DAG028/")
    page.locator("#history").scroll_into_view_if_needed()
    page.wait_for_selector("#history table")
    _shot(page, f"meeting-history-{width}")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
