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


def test_the_preview_with_an_issued_version_fits_a_phone(open_page, seeded, tmp_path):
    """Once a version is issued, its "Issued versions" table is on the preview: at 390 px it
    reads as one card per version, and the page does not scroll sideways."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from meetings.models import HeadlineReport, Meeting
    from tests.meetings.factories import HeadlineReportFactory

    HeadlineReportFactory(
        meeting=Meeting.objects.get(ref="DAG028"),
        version=1,
        status=HeadlineReport.Status.ISSUED,
        issue_date=dt.date(2023, 9, 20),
        checksum="9f2c" * 16,
        requested_by=get_user_model().objects.get(username="pmo"),
    )
    page = open_page("pmo", width=390)
    page.goto("/meetings/DAG028/report/")
    versions = page.locator("#report-versions")
    assert "v1" in versions.inner_text()
    versions.scroll_into_view_if_needed()
    page.screenshot(path=tmp_path / "report-versions-390.png")
    page.screenshot(path=tmp_path / "report-preview-issued-390.png", full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    box = versions.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
