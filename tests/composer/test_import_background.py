"""Issue #18: a large report confirmed on the import page is imported in the background.

Above ``IMPORT_BACKGROUND_ROWS`` lines the confirm step queues a one-file catalogue job
(Celery runs in-process in the tests) and sends the PMO to its status page: progress while
it runs, then what it did; a failure stays on the page and can be checked again.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from actions.models import Action, ActionReview
from actions.services import action_review_record
from composer.import_views import IMPORT_SESSION_KEY
from composer.importer import headline_report_import, text_checksum
from composer.models import CatalogueImport
from core.actors import SYSTEM
from decisions.models import Decision
from decisions.services import decision_create
from meetings.models import Meeting
from tests.conftest import SEED_PATH
from tests.meetings.factories import CommitteeFactory, MeetingFactory

SEED_TEXT = SEED_PATH.read_text(encoding="utf-8")


def _preview(client, text: str):
    upload = SimpleUploadedFile("DAG028.txt", text.encode("utf-8"), content_type="text/plain")
    return client.post(reverse("headline-report-import"), {"file": upload})


@override_settings(IMPORT_BACKGROUND_ROWS=50)
def test_a_large_report_confirmed_in_the_browser_is_imported_by_a_job(
    client, pmo_user, django_capture_on_commit_callbacks
):
    client.force_login(pmo_user)
    assert _preview(client, SEED_TEXT).status_code == 200
    assert not Meeting.objects.filter(ref="DAG028").exists()  # the preview wrote nothing
    with django_capture_on_commit_callbacks(execute=True):  # the task, run in-process
        done = client.post(
            reverse("headline-report-import-confirm"), {"checksum": text_checksum(SEED_TEXT)}
        )
    job = CatalogueImport.objects.get()
    assert done["Location"] == reverse("catalogue-import-status", args=[job.pk])
    assert job.status == CatalogueImport.Status.IMPORTED
    assert job.names == ["DAG028.txt"]
    assert job.summary[0]["meeting"] == "DAG028"
    assert job.summary[0]["created"] > 50
    assert Action.objects.filter(meeting__ref="DAG028").count() > 10
    assert Decision.objects.filter(meeting__ref="DAG028").exists()
    assert Action.objects.get(ref="DAG28-01").history.last().history_user == pmo_user
    page = client.get(done["Location"]).content.decode()
    assert "<h1>Headline report import</h1>" in page
    assert 'href="/meetings/DAG028/"' in page
    assert IMPORT_SESSION_KEY not in client.session


@override_settings(IMPORT_BACKGROUND_ROWS=50)
def test_the_jobs_import_keeps_the_conflict_choices_of_the_preview(
    client, pmo_user, django_capture_on_commit_callbacks
):
    headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    action_review_record(
        action=Action.objects.get(ref="DAG28-01"),
        meeting=Meeting.objects.get(ref="DAG029"),
        outcome=ActionReview.Outcome.RE_DATED,
        new_due_date=dt.date(2023, 11, 8),
        acting_user=pmo_user,
    )
    client.force_login(pmo_user)
    _preview(client, SEED_TEXT)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("headline-report-import-confirm"),
            {"checksum": text_checksum(SEED_TEXT), "choice:action|DAG28-01|due date": "take"},
        )
    assert CatalogueImport.objects.get().status == CatalogueImport.Status.IMPORTED
    assert Action.objects.get(ref="DAG28-01").due_date == dt.date(2023, 10, 11)


@override_settings(IMPORT_BACKGROUND_ROWS=50)
def test_a_job_that_fails_shows_its_problem_and_can_be_checked_again(
    client, pmo_user, django_capture_on_commit_callbacks
):
    client.force_login(pmo_user)
    _preview(client, SEED_TEXT)
    # Since the preview, the report's first decision was recorded at another meeting: the
    # import refuses to reuse its ref, and writes nothing.
    dag = CommitteeFactory(code="DAG", name="Design Advisory Group")
    earlier = MeetingFactory(committee=dag, number=27)
    decision_create(meeting=earlier, text="Recorded by hand", seq=67, acting_user=SYSTEM)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("headline-report-import-confirm"), {"checksum": text_checksum(SEED_TEXT)}
        )
    job = CatalogueImport.objects.get()
    assert job.status == CatalogueImport.Status.FAILED
    assert any("is already recorded at DAG027" in problem for problem in job.problems)
    assert not Meeting.objects.filter(ref="DAG028").exists()
    page = client.get(done["Location"]).content.decode()
    assert "Nothing was written." in page
    assert "is already recorded at DAG027" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(done["Location"], {"do": "retry"})
    job.refresh_from_db()
    assert job.status == CatalogueImport.Status.FAILED  # the same report fails the same way


def test_a_report_under_the_threshold_is_imported_on_the_request(client, pmo_user):
    client.force_login(pmo_user)
    _preview(client, SEED_TEXT)
    done = client.post(
        reverse("headline-report-import-confirm"), {"checksum": text_checksum(SEED_TEXT)}
    )
    assert done["Location"] == reverse("meeting-detail", args=["DAG028"])
    assert not CatalogueImport.objects.exists()
    assert Meeting.objects.filter(ref="DAG028").exists()


def test_a_running_report_job_shows_the_records_written_so_far(client, pmo_user):
    from django.core.cache import cache

    from composer.catalogue_jobs import progress_key

    job = CatalogueImport.objects.create(
        requested_by=pmo_user, names=["DAG028.txt"], status=CatalogueImport.Status.IMPORTING
    )
    cache.set(progress_key(job.pk), (120, 480, "Writing the decisions"))
    client.force_login(pmo_user)
    fragment = client.get(
        reverse("catalogue-import-status", args=[job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    cache.delete(progress_key(job.pk))
    assert "Writing the decisions" in fragment
    assert 'max="480" value="120"' in fragment


@override_settings(IMPORT_BACKGROUND_ROWS=30, IMPORT_PREVIEW_MAX_ROWS=60)
def test_a_report_too_large_to_preview_on_the_request_is_checked_in_the_background(
    client, pmo_user, django_capture_on_commit_callbacks
):
    client.force_login(pmo_user)
    assert len(SEED_TEXT.splitlines()) > 60
    with django_capture_on_commit_callbacks(execute=True):  # the check, run in-process
        asked = _preview(client, SEED_TEXT)
    job = CatalogueImport.objects.get()
    assert asked.status_code == 302
    assert asked["Location"] == reverse("catalogue-import-status", args=[job.pk])
    assert job.names == ["DAG028.txt"]
    assert job.status == CatalogueImport.Status.CHECKED
    assert job.summary[0]["meeting"] == "DAG028"
    assert not Meeting.objects.filter(ref="DAG028").exists()  # checked, nothing written
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("catalogue-import-status", args=[job.pk]), {"do": "import"})
    job.refresh_from_db()
    assert job.status == CatalogueImport.Status.IMPORTED
    assert Action.objects.get(ref="DAG28-01").history.last().history_user == pmo_user
