"""The import preview in Chromium: a conflict's choice, old → new, at 1280 and 390 px.

The seed is imported (``seeded``), DAG28-01 is re-dated at DAG029 to 08/11/2023 as a PMO
would, and the PMO uploads the seed again: the preview offers the conflict (keep the
tracker's 08/11/2023 by default, or take the report's 11/10/2023), passes axe-core, fits the
screen, and the choice made in the browser is what the import applies.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from actions.models import Action, ActionReview
from actions.services import action_review_record
from core.actors import SYSTEM
from meetings.models import Meeting
from tests.conftest import SEED_PATH


@pytest.mark.parametrize("width", [1280, 390])
def test_the_pmo_takes_the_report_value_of_a_conflict_in_the_preview(open_page, seeded, width):
    action_review_record(
        action=Action.objects.get(ref="DAG28-01"),
        meeting=Meeting.objects.get(ref="DAG029"),
        outcome=ActionReview.Outcome.RE_DATED,
        new_due_date=dt.date(2023, 11, 8),
        acting_user=SYSTEM,
    )
    page = open_page("pmo", width=width)
    page.goto("/reports/import/")
    page.get_by_label("Headline report (PDF, Word or text file)").set_input_files(str(SEED_PATH))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("heading", name="Conflicts").wait_for()
    keep = page.get_by_label("Keep the tracker's value: 08/11/2023")
    take = page.get_by_label("Take the report's value: 11/10/2023")
    assert keep.is_checked()
    assert not take.is_checked()
    width_px = page.evaluate("document.documentElement.scrollWidth")
    assert width_px <= width
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations] == []
    shots = os.environ.get("SCREENSHOTS_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{shots}/pmo_import_preview-{width}.png", full_page=True)
    take.check()
    page.get_by_role("button", name="Import DAG028 with these choices").click()
    page.wait_for_url("**/meetings/DAG028/")
    assert Action.objects.get(ref="DAG28-01").due_date == dt.date(2023, 10, 11)
