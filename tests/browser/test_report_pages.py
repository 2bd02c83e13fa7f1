"""The headline report's preview and issue pages in headline Chromium, at desk and phone
widths: the draft says so, each decision shows its outcome, and axe-core finds nothing.

Screenshots are written to the test's temporary folder (``--basetemp`` to keep them).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from core.actors import SYSTEM


@pytest.fixture
def decided(seeded):
    """The seed's DAG028 with its first decision approved with conditions."""
    from decisions.models import Decision
    from decisions.services import decision_transition

    first = Decision.objects.filter(meeting__ref="DAG028").order_by("seq").first()
    if first.status != Decision.Status.PROPOSED:
        # The seed records its decisions as taken; a new one shows the conditions.
        from decisions.services import decision_create

        first = decision_create(
            meeting=first.meeting,
            agenda_item=first.agenda_item,
            text="The DAG approved the revised Terms of Reference",
            acting_user=SYSTEM,
        )
    decision_transition(
        decision=first,
        to_status=Decision.Status.APPROVED_WITH_CONDITIONS,
        conditions="Subject to the SRO's sign-off",
        acting_user=SYSTEM,
    )
    return first


@pytest.mark.parametrize("width", [1280, 390])
def test_the_preview_is_a_draft_with_outcomes(open_page, decided, width, tmp_path):
    page = open_page("pmo", width=width)
    page.goto("/meetings/DAG028/report/")
    subtitle = page.locator(".page-head .subtitle")
    assert "DRAFT" in subtitle.inner_text()
    assert "not issued" in subtitle.inner_text()
    row = page.locator(f"#decision-{decided.ref}")
    assert "Approved with conditions" in row.inner_text()
    assert "Subject to the SRO's sign-off" in row.inner_text()
    page.screenshot(path=tmp_path / f"report-preview-{width}.png", full_page=False)
    row.scroll_into_view_if_needed()
    page.screenshot(path=tmp_path / f"report-decisions-{width}.png")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_the_issue_page_passes_axe(open_page, seeded, tmp_path):
    page = open_page("pmo", width=390)
    page.goto("/meetings/DAG028/report/issue/")
    assert page.get_by_role("button", name="Issue the report").is_visible()
    page.screenshot(path=tmp_path / "report-issue-390.png", full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
