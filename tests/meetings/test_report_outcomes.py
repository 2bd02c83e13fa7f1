"""The headline report tells the truth: each decision's outcome, DRAFT on a live render and
not on an issued version, and no second version when nothing changed.

On the seed-like records (``tests.fixtures.build_seedlike``: DAG028 with DAG-DEC68 proposed
on CR023): DAG-DEC68 approved with conditions, a second decision rejected, a third left
proposed. The PDF's text is read back with the real ``pdftotext``.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from composer import discussion, headline_report
from composer.report import headline_report_data
from composer.report_render import headline_report_current, headline_report_pdf
from core.actors import SYSTEM
from decisions.models import Decision
from decisions.services import decision_approve, decision_create, decision_transition
from meetings.models import HeadlineReport
from tests.conftest import LONDON
from tests.fixtures import DEC68_TEXT, build_seedlike

ISSUE_DAY = dt.datetime(2023, 9, 20, 12, 0, tzinfo=LONDON)
CONDITIONS = "The DRG confirms the Related MPAN Explainer by 11 October 2023"
REJECTED_TEXT = "The DAG rejected the proposal to move the SIT start date"
PROPOSED_TEXT = "The DAG to agree the revised Terms of Reference"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def seed(db):
    """DAG028 with DEC68 approved with conditions, DEC69 rejected and DEC70 still proposed."""
    seed = build_seedlike()
    area = seed.dec68.agenda_item
    decision_approve(decision=seed.dec68, conditions=CONDITIONS, acting_user=SYSTEM)
    rejected = decision_create(
        meeting=seed.dag028, agenda_item=area, text=REJECTED_TEXT, acting_user=SYSTEM
    )
    decision_transition(decision=rejected, to_status=Decision.Status.REJECTED, acting_user=SYSTEM)
    decision_create(meeting=seed.dag028, agenda_item=area, text=PROPOSED_TEXT, acting_user=SYSTEM)
    return seed


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page (``pdftotext`` separates pages with a form feed)."""
    out = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [page for page in out.split("\f") if page.strip()]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def issue(meeting, capture, user=SYSTEM):
    with time_machine.travel(ISSUE_DAY, tick=False), capture(execute=True):
        outcome = headline_report.headline_report_issue_outcome(meeting=meeting, acting_user=user)
    outcome.report.refresh_from_db()
    return outcome


def test_each_decision_prints_its_outcome(seed):
    data = headline_report_data(meeting=seed.dag028)
    text = squash(" ".join(pdf_pages(headline_report_pdf(data=data))))
    assert (
        squash(f"DAG-DEC68 {DEC68_TEXT} Approved with conditions Conditions: {CONDITIONS}") in text
    )
    assert squash(f"DAG-DEC69 {REJECTED_TEXT} Rejected") in text
    assert squash(f"DAG-DEC70 {PROPOSED_TEXT} Proposed – not yet decided") in text
    assert data.proposed_decisions == ["DAG-DEC70"]


def test_the_live_render_is_a_draft_on_every_page_and_the_issued_version_is_not(
    seed, django_capture_on_commit_callbacks
):
    current = headline_report_current(meeting=seed.dag028)
    assert current.data.is_draft
    assert current.data.draft_note == "not issued"
    pages = pdf_pages(headline_report_pdf(data=current.data))
    for page in pages:
        assert "DRAFT" in page
        assert "DRAFT – not issued" in page  # the running head names why
    report = issue(seed.dag028, django_capture_on_commit_callbacks).report
    assert (report.version, report.status) == (1, HeadlineReport.Status.ISSUED)
    with report.file.open("rb") as handle:
        issued_pages = pdf_pages(handle.read())
    for page in issued_pages:
        assert "DRAFT" not in page
        assert "Version 1, issued 20/09/2023" in page
    assert "Issue date: 20/09/2023" in issued_pages[0]


def test_a_change_after_issue_makes_the_live_render_a_draft_naming_the_version(
    seed, django_capture_on_commit_callbacks
):
    issue(seed.dag028, django_capture_on_commit_callbacks)
    current = headline_report_current(meeting=seed.dag028)
    assert not current.data.is_draft  # unchanged: the current report is version 1
    assert current.data.version_text == "Version 1, issued 20/09/2023"
    discussion.discussion_item_create(
        meeting=seed.dag028, text="A note added after the issue.", acting_user=SYSTEM
    )
    current = headline_report_current(meeting=seed.dag028)
    assert current.data.draft_note == "changed since version 1 issued on 20/09/2023"
    pages = pdf_pages(headline_report_pdf(data=current.data))
    assert all("DRAFT – changed since version 1 issued on 20/09/2023" in p for p in pages)


def test_issuing_twice_with_nothing_changed_leaves_one_version(
    seed, django_capture_on_commit_callbacks
):
    first = issue(seed.dag028, django_capture_on_commit_callbacks)
    assert first.created
    assert not first.unchanged
    assert first.proposed_decisions == ["DAG-DEC70"]
    second = issue(seed.dag028, django_capture_on_commit_callbacks)
    assert (second.created, second.unchanged) == (False, True)
    assert second.report == first.report
    assert list(seed.dag028.headline_reports.values_list("version", flat=True)) == [1]
    # A decision taken since is a change: the next issue is version 2.
    proposed = Decision.objects.get(ref="DAG-DEC70")
    decision_approve(decision=proposed, acting_user=SYSTEM)
    third = issue(seed.dag028, django_capture_on_commit_callbacks)
    assert (third.created, third.report.version) == (True, 2)
    with third.report.file.open("rb") as handle:
        assert f"{PROPOSED_TEXT} Approved" in squash(" ".join(pdf_pages(handle.read())))


def _pmo():
    return get_user_model().objects.get(username="pmo")


def test_the_issue_page_lists_proposed_decisions_and_asks_to_confirm(
    client, seed, django_capture_on_commit_callbacks
):
    client.force_login(_pmo())
    url = reverse("headline-report-issue", args=["DAG028"])
    page = client.get(url).content.decode()
    assert "DAG-DEC70" in page
    assert PROPOSED_TEXT in page
    assert "DAG-DEC68" not in page.split('id="proposed-decisions"')[1].split("</div>")[0]
    refused = client.post(url)
    assert refused.status_code == 400
    assert "Tick to confirm" in refused.content.decode()
    assert not HeadlineReport.objects.exists()
    with (
        time_machine.travel(ISSUE_DAY, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(url, {"confirm_proposed": "on"}, follow=True)
    assert HeadlineReport.objects.get().version == 1
    # The render runs once the request's transaction commits: the page says it is on its way.
    assert "Version 1 of the DAG028 headline report is being rendered" in (
        response.content.decode()
    )
    with time_machine.travel(ISSUE_DAY, tick=False):
        again = client.post(url, {"confirm_proposed": "on"}, follow=True).content.decode()
    assert "Nothing changed since version 1 of the DAG028 headline report" in again
    assert HeadlineReport.objects.count() == 1
    assert (
        "Version 1, issued 20/09/2023"
        in client.get(reverse("headline-report-preview", args=["DAG028"])).content.decode()
    )


def test_the_api_issues_as_before_and_answers_200_when_nothing_changed(
    client, seed, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(_pmo())
    url = "/api/v1/meetings/DAG028/headline-reports/"
    with (
        time_machine.travel(ISSUE_DAY, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = api.post(url)
    assert first.status_code == 202
    assert first.json()["proposed_decisions"] == ["DAG-DEC70"]
    assert (first.json()["created"], first.json()["unchanged"]) == (True, False)
    with time_machine.travel(ISSUE_DAY, tick=False):
        second = api.post(url)
    assert second.status_code == 200
    body = second.json()
    assert (body["version"], body["status"], body["created"], body["unchanged"]) == (
        1,
        "issued",
        False,
        True,
    )
    assert second["Location"] == body["url"]
    assert HeadlineReport.objects.count() == 1
