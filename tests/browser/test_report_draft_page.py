"""The live report PDF's status page (issue #18: report.pdf is rendered in the background)
in Chromium at desk and phone widths: ready with the file's links, or failed with the
error and a Retry; axe-core finds nothing, and no CSP violation (the fixture checks)."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe


@pytest.mark.parametrize("width", [1280, 390])
def test_report_pdf_lands_on_the_status_page_then_the_file(open_page, seeded, width, tmp_path):
    page = open_page("pmo", width=width)
    # No broker in the tests: the render ran when the request committed; with one, the page
    # polls until it is stored.
    page.goto("/meetings/DAG028/report.pdf")
    assert re.search(r"/meetings/DAG028/report/draft/\d+/$", page.url)
    status = page.locator("#report-draft")
    assert "Ready" in status.inner_text()
    assert page.get_by_role("link", name="Download").get_attribute("href") == (
        "/meetings/DAG028/report.pdf?download=1"
    )
    page.screenshot(path=tmp_path / f"report-draft-ready-{width}.png", full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_failed_draft_shows_its_error_and_a_retry(open_page, seeded, tmp_path):
    from composer.models import HeadlineReportDraft
    from meetings.models import Meeting

    draft = HeadlineReportDraft.objects.create(
        meeting=Meeting.objects.get(ref="DAG028"),
        key="f" * 64,
        status=HeadlineReportDraft.Status.FAILED,
        attempts=1,
        error="RenderLimitExceeded: The headline report needed more than 1536 MiB of memory "
        "to render and was stopped.",
    )
    page = open_page("pmo", width=390)
    page.goto(f"/meetings/DAG028/report/draft/{draft.pk}/")
    assert "needed more than 1536 MiB" in page.locator("#report-draft").inner_text()
    assert page.get_by_role("button", name="Retry").is_visible()
    page.screenshot(path=tmp_path / "report-draft-failed-390.png", full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
