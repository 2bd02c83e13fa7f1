"""Issuing a headline report: a version rendered by the Celery task after commit, stored
immutably with its checksum and issue date; failures recorded and retried; pages and rights.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from actions.services import action_create
from composer import headline_report
from composer.tasks import headline_report_render_task
from core.actors import SYSTEM
from meetings import services
from meetings.models import HeadlineReport, Meeting
from tests.conftest import LONDON, london

# 20 September 2023, midday in London: the seed's issue date.
ISSUE_DAY = dt.datetime(2023, 9, 20, 12, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def meeting(committee):
    meeting = services.meeting_create(
        committee=committee,
        number=28,
        start_at=london(2023, 9, 13, 10),
        end_at=london(2023, 9, 13, 13),
        venue="Virtual – MS Teams",
        status=Meeting.Status.HELD,
        acting_user=SYSTEM,
    )
    area = services.agenda_item_create(meeting=meeting, title="Design (DIN)", acting_user=SYSTEM)
    action_create(
        meeting=meeting,
        seq=13,
        description="Programme to issue change marked DAG Terms of Reference",
        owners=["Programme (PMO)"],
        due_date=dt.date(2023, 10, 11),
        agenda_item=area,
        acting_user=SYSTEM,
    )
    return Meeting.objects.select_related("committee").get(pk=meeting.pk)


def issue(meeting, user=SYSTEM, *, capture) -> HeadlineReport:
    with time_machine.travel(ISSUE_DAY, tick=False), capture(execute=True):
        report = headline_report.headline_report_issue(meeting=meeting, acting_user=user)
    report.refresh_from_db()
    return report


def pdf_text(report: HeadlineReport) -> str:
    with report.file.open("rb") as handle:
        data = handle.read()
    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_issue_renders_stores_and_marks_the_meeting(
    meeting, pmo_user, django_capture_on_commit_callbacks
):
    report = issue(meeting, pmo_user, capture=django_capture_on_commit_callbacks)
    assert (report.version, report.status) == (1, HeadlineReport.Status.ISSUED)
    assert report.issue_date == dt.date(2023, 9, 20)
    assert report.requested_by == pmo_user
    assert report.attempts == 1
    with report.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == report.checksum
    assert report.file.name == "headline-reports/DAG028/DAG028-headline-report-v1.pdf"
    text = pdf_text(report)
    assert "Issue date: 20/09/2023" in text
    assert "DAG28-13" in text
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.REPORT_ISSUED
    assert meeting.report_issue_date == dt.date(2023, 9, 20)


def test_nothing_renders_before_commit(meeting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = headline_report.headline_report_issue(meeting=meeting, acting_user=SYSTEM)
        # A second click while it waits gets the same version.
        assert headline_report.headline_report_issue(meeting=meeting, acting_user=SYSTEM) == report
    assert len(callbacks) == 1
    report.refresh_from_db()
    assert report.status == HeadlineReport.Status.PENDING
    assert not report.file


def test_running_the_task_twice_does_no_harm(meeting, django_capture_on_commit_callbacks):
    report = issue(meeting, capture=django_capture_on_commit_callbacks)
    before = (report.file.name, report.checksum, report.attempts, report.rendered_at)
    headline_report_render_task(report.pk)
    headline_report_render_task.delay(report.pk)  # as queued (eager in tests)
    report.refresh_from_db()
    assert (report.file.name, report.checksum, report.attempts, report.rendered_at) == before
    assert headline_report_render_task.name == "meetings.headline_report_render"


def test_an_issued_version_never_changes(meeting, django_capture_on_commit_callbacks):
    first = issue(meeting, capture=django_capture_on_commit_callbacks)
    with first.file.open("rb") as handle:
        first_bytes = handle.read()
    action_create(
        meeting=meeting,
        description="Programme to add one more",
        owners=["Chair"],
        acting_user=SYSTEM,
    )
    second = issue(meeting, capture=django_capture_on_commit_callbacks)
    assert second.version == 2
    assert second.checksum != first.checksum
    first.refresh_from_db()
    with first.file.open("rb") as handle:
        assert handle.read() == first_bytes
    assert "Programme to add one more" in pdf_text(second)
    assert "Programme to add one more" not in pdf_text(first)


def test_a_failed_render_is_recorded_then_retried(
    meeting, settings, tmp_path, django_capture_on_commit_callbacks
):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocked
    report = issue(meeting, capture=django_capture_on_commit_callbacks)
    assert report.status == HeadlineReport.Status.FAILED
    assert report.error  # the storage's own error, e.g. NotADirectoryError
    assert not report.checksum
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD

    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        headline_report.headline_report_retry(report=report, acting_user=SYSTEM)
    report.refresh_from_db()
    assert report.status == HeadlineReport.Status.ISSUED
    assert (report.version, report.attempts, report.error) == (1, 2, "")
    with pytest.raises(ValidationError, match="only a failed version can be retried"):
        headline_report.headline_report_retry(report=report, acting_user=SYSTEM)


def test_a_version_lost_while_waiting_can_be_retried(meeting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        report = headline_report.headline_report_issue(meeting=meeting, acting_user=SYSTEM)
    with pytest.raises(ValidationError):
        headline_report.headline_report_retry(report=report, acting_user=SYSTEM)
    later = dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=20)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        headline_report.headline_report_retry(report=report, acting_user=SYSTEM)
    report.refresh_from_db()
    assert report.status == HeadlineReport.Status.ISSUED


@pytest.mark.parametrize("role", ["Member", "Chair", "Observer"])
def test_only_the_pmo_issues(meeting, role_user, role):
    with pytest.raises(PermissionDenied):
        headline_report.headline_report_issue(meeting=meeting, acting_user=role_user(role))
    assert not HeadlineReport.objects.exists()


# --- the pages -----------------------------------------------------------------------------------


def test_pmo_confirms_then_issues_from_the_report_page(
    client, pmo_user, meeting, django_capture_on_commit_callbacks
):
    client.force_login(pmo_user)
    url = reverse("headline-report-issue", args=["DAG028"])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Issue the DAG028 headline report" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("headline-report-preview", args=["DAG028"])
    report = HeadlineReport.objects.get()
    assert report.status == HeadlineReport.Status.ISSUED
    page = client.get(response["Location"]).content.decode()
    assert reverse("headline-report-version", args=["DAG028", 1]) in page


@pytest.mark.parametrize("role", ["Member", "Chair", "Observer"])
def test_others_cannot_issue_or_retry(client, role_user, role, meeting):
    client.force_login(role_user(role))
    assert client.post(reverse("headline-report-issue", args=["DAG028"])).status_code == 403
    assert client.post(reverse("headline-report-retry", args=["DAG028", 1])).status_code == 403
    assert not HeadlineReport.objects.exists()


def test_the_current_pdf_is_the_issued_file_when_nothing_changed(
    client, member_user, meeting, django_capture_on_commit_callbacks
):
    report = issue(meeting, capture=django_capture_on_commit_callbacks)
    client.force_login(member_user)
    response = client.get(reverse("headline-report-pdf", args=["DAG028"]))
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == report.checksum


def test_an_issued_version_downloads_as_issued(
    client, observer_user, meeting, django_capture_on_commit_callbacks
):
    report = issue(meeting, capture=django_capture_on_commit_callbacks)
    client.force_login(observer_user)  # an Observer reads issued reports of Public meetings
    response = client.get(reverse("headline-report-version", args=["DAG028", 1]))
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == report.checksum
    preview = client.get(reverse("headline-report-preview", args=["DAG028"]))
    assert preview["Location"] == reverse("headline-report-version", args=["DAG028", 1])
    current = client.get(reverse("headline-report-pdf", args=["DAG028"]))
    assert hashlib.sha256(b"".join(current.streaming_content)).hexdigest() == report.checksum
    assert client.get(reverse("headline-report-version", args=["DAG028", 2])).status_code == 404


def test_observers_never_see_a_restricted_meeting(
    client, observer_user, meeting, django_capture_on_commit_callbacks
):
    issue(meeting, capture=django_capture_on_commit_callbacks)
    Meeting.objects.filter(pk=meeting.pk).update(classification=Meeting.Classification.RESTRICTED)
    client.force_login(observer_user)
    assert client.get(reverse("headline-report-version", args=["DAG028", 1])).status_code == 404
    assert client.get(reverse("headline-report-pdf", args=["DAG028"])).status_code == 404


def test_a_failed_version_is_retried_from_the_page(
    client, pmo_user, meeting, settings, tmp_path, django_capture_on_commit_callbacks
):
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder")
    settings.MEDIA_ROOT = blocked
    client.force_login(pmo_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("headline-report-issue", args=["DAG028"]))
    page = client.get(reverse("headline-report-preview", args=["DAG028"])).content.decode()
    assert "Failed" in page
    assert reverse("headline-report-retry", args=["DAG028", 1]) in page
    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("headline-report-retry", args=["DAG028", 1]))
    assert response.status_code == 302
    assert HeadlineReport.objects.get().status == HeadlineReport.Status.ISSUED


# --- a planned meeting has no report yet; the next meeting stays the next one --------------------


@pytest.fixture
def planned_dag029(meeting):
    return services.meeting_create(
        committee=meeting.committee,
        number=29,
        start_at=london(2023, 10, 11, 10),
        acting_user=SYSTEM,
    )


def test_a_planned_meeting_report_is_refused(pmo_user, planned_dag029):
    with pytest.raises(ValidationError) as caught:
        headline_report.headline_report_issue(meeting=planned_dag029, acting_user=pmo_user)
    assert caught.value.messages == ["DAG029 is planned: mark it held before issuing its report."]
    assert not HeadlineReport.objects.exists()


def test_the_issue_page_says_a_planned_meeting_must_be_held_first(client, pmo_user, planned_dag029):
    client.force_login(pmo_user)
    url = reverse("headline-report-issue", args=["DAG029"])
    confirm = client.get(url).content.decode()
    assert "DAG029 is planned: mark it held before issuing its report." in confirm
    assert "Issue the report</button>" not in confirm
    response = client.post(url, follow=True)
    assert "DAG029 is planned: mark it held before issuing its report." in (
        response.content.decode()
    )
    assert not HeadlineReport.objects.exists()


def test_the_next_meeting_stays_the_next_once_held_and_reported(
    client, member_user, pmo_user, meeting, planned_dag029, django_capture_on_commit_callbacks
):
    from composer.importer import PLACEHOLDER_TITLE
    from composer.report import headline_report_data
    from meetings.selectors import committee_next_meetings, meeting_next

    # An import's placeholder (a guessed date between the two) is never "the next meeting".
    services.meeting_create(
        committee=meeting.committee,
        number=27,
        start_at=london(2023, 9, 20, 10),
        status=Meeting.Status.HELD,
        title=PLACEHOLDER_TITLE,
        acting_user=SYSTEM,
    )
    assert committee_next_meetings()[meeting.committee_id] == planned_dag029
    services.meeting_update(meeting=planned_dag029, status=Meeting.Status.HELD, acting_user=SYSTEM)
    issue(planned_dag029, pmo_user, capture=django_capture_on_commit_callbacks)
    assert meeting_next(meeting=meeting) == planned_dag029
    assert headline_report_data(meeting=meeting).next_meeting == "11 October 2023 10am"
    client.force_login(member_user)
    page = client.get("/meetings/DAG028/").content.decode()
    assert '<a class="ref" href="/meetings/DAG029/">DAG029</a>, 11 October 2023 10:00' in page
    # Held, DAG029 is no longer any committee's next meeting to be due by.
    assert meeting.committee_id not in committee_next_meetings()
