"""A back catalogue of five DAG reports in one import: DAG026, DAG027 and the extraordinary
DAG027.1 made here in the text form (DAG027.1 also as a Word document inside a ZIP), the
seed's DAG028 as its PDF, and a DAG029 that takes up DAG28-01 with a new date.

DAG028 (the seed) reviews DAG27-08 under "Previous Meeting(s)"; DAG027 here raises it, so
after the import it is one action raised at DAG027 and reviewed at DAG028.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from actions.models import Action, ActionReview
from composer.importer.catalogue import CatalogueImportError, catalogue_import
from core.actors import SYSTEM
from decisions.models import Decision
from meetings.models import PLACEHOLDER_TITLE, Meeting
from tests.composer.catalogue_reports import DAG026, DAG27_08, as_docx
from tests.composer.catalogue_reports import catalogue as _catalogue

pytestmark = pytest.mark.django_db


def test_five_reports_import_in_meeting_order_with_refs_across_meetings_resolved():
    steps = []
    done = catalogue_import(
        _catalogue(), acting_user=SYSTEM, progress=lambda n, total, label: steps.append(label)
    )
    assert [item.report.meeting_ref for item, _ in done] == [
        "DAG026", "DAG027", "DAG027.1", "DAG028", "DAG029",
    ]  # fmt: skip
    assert steps[-1] == "Imported DAG029"
    assert len(steps) == 10  # five read, five imported
    meetings = Meeting.objects.filter(committee__code="DAG")
    # The five, and DAG030 planned from DAG029's "Date of next DAG".
    assert sorted(meetings.values_list("ref", flat=True)) == [
        "DAG026", "DAG027", "DAG027.1", "DAG028", "DAG029", "DAG030",
    ]  # fmt: skip
    assert meetings.get(ref="DAG030").status == Meeting.Status.PLANNED
    assert not meetings.filter(title=PLACEHOLDER_TITLE).exists()
    # Raised at DAG027, reviewed at DAG028: one record.
    dag27_08 = Action.objects.get(ref="DAG27-08")
    assert dag27_08.meeting.ref == "DAG027"
    assert dag27_08.description == DAG27_08
    assert ActionReview.objects.filter(action=dag27_08, meeting__ref="DAG028").exists()
    assert Action.objects.get(ref="DAG27.1-01").meeting.ref == "DAG027.1"
    # Taken up at DAG029 with a new date.
    assert Action.objects.get(ref="DAG28-01").due_date == dt.date(2023, 11, 8)
    assert ActionReview.objects.filter(action__ref="DAG28-01", meeting__ref="DAG029").exists()
    seqs = sorted(Decision.objects.values_list("seq", flat=True))
    assert seqs == [60, 62, 63, 67, 68, 69, 70, 71, 72, 73, 74, 75]
    assert Meeting.objects.get(ref="DAG027.1").start_at == dt.datetime.fromisoformat(
        "2023-07-26T14:00+01:00"
    )


def test_a_dry_run_writes_nothing():
    done = catalogue_import(_catalogue(), acting_user=SYSTEM, dry_run=True)
    assert len(done) == 5
    assert all(result.dry_run for _, result in done)
    assert not Meeting.objects.exists()
    assert not Action.objects.exists()


def test_one_bad_file_among_them_writes_nothing_and_is_named():
    files = [*_catalogue(), ("DAG030.txt", b"# MHHS Design Advisory Group (DAG) Headline Report\n")]
    with pytest.raises(CatalogueImportError) as caught:
        catalogue_import(files, acting_user=SYSTEM)
    assert caught.value.problems
    assert all(p.message.startswith("DAG030.txt: ") for p in caught.value.problems)
    assert not Meeting.objects.exists()
    assert not Action.objects.exists()


def test_the_same_meeting_twice_is_refused():
    files = [("a.txt", DAG026.encode()), ("b.docx", as_docx(DAG026))]
    with pytest.raises(
        CatalogueImportError, match=r"DAG026 is in both a\.txt \(file 1\) and b\.docx \(file 2\)"
    ):
        catalogue_import(files, acting_user=SYSTEM)


# --- in the browser ---------------------------------------------------------------------------


def _uploads(files):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return [SimpleUploadedFile(name.rsplit("/", 1)[-1], data) for name, data in files]


def test_the_pmo_checks_then_imports_a_catalogue_in_the_browser(
    client, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from composer.models import CatalogueImport
    from tests.fixtures import demo_logins_ensure

    demo_logins_ensure()
    pmo = get_user_model().objects.get(username="pmo")
    client.force_login(pmo)
    with django_capture_on_commit_callbacks(execute=True):  # the task, run in-process
        response = client.post(reverse("catalogue-import"), {"files": _uploads(_catalogue())})
    job = CatalogueImport.objects.get()
    assert response["Location"] == reverse("catalogue-import-status", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Checked: waiting for confirmation" in page
    assert [row["meeting"] for row in job.summary] == [
        "DAG026", "DAG027", "DAG027.1", "DAG028", "DAG029",
    ]  # fmt: skip
    assert not Meeting.objects.exists()  # checking wrote nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"do": "confirm"})
    job.refresh_from_db()
    assert job.status == CatalogueImport.Status.IMPORTED
    assert Action.objects.get(ref="DAG27-08").history.last().history_user == pmo
    assert 'href="/meetings/DAG027.1/"' in client.get(response["Location"]).content.decode()


def test_a_bad_file_fails_the_check_visibly_and_can_be_checked_again(
    client, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from composer.models import CatalogueImport
    from tests.fixtures import demo_logins_ensure

    demo_logins_ensure()
    client.force_login(get_user_model().objects.get(username="pmo"))
    files = [("DAG026.txt", DAG026.encode()), ("notes.txt", b"Minutes to follow.\n")]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("catalogue-import"), {"files": _uploads(files)})
    page = client.get(response["Location"]).content.decode()
    job = CatalogueImport.objects.get()
    assert job.status == CatalogueImport.Status.FAILED
    assert "notes.txt: " in page
    assert "Check the files again" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"do": "retry"})
    job.refresh_from_db()
    assert job.status == CatalogueImport.Status.FAILED  # the same files fail the same way
    assert not Meeting.objects.exists()


def test_a_running_step_shows_the_tasks_progress(client):
    from django.contrib.auth import get_user_model
    from django.core.cache import cache

    from composer.catalogue_jobs import job_progress, progress_key
    from composer.models import CatalogueImport
    from tests.fixtures import demo_logins_ensure

    demo_logins_ensure()
    job = CatalogueImport.objects.create(
        requested_by=get_user_model().objects.get(username="pmo"),
        status=CatalogueImport.Status.IMPORTING,
        names=["a.txt", "b.txt"],
    )
    cache.set(progress_key(job.pk), (3, 4, "Imported DAG027"))
    assert job_progress(job) == (3, 4, "Imported DAG027")
    client.force_login(job.requested_by)
    fragment = client.get(f"/imports/catalogue/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert '<progress id="catalogue-progress" max="4" value="3">75%</progress>' in fragment
    assert 'hx-trigger="every 1s"' in fragment


def test_an_archive_that_unpacks_too_large_is_refused_before_it_is_read():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("DAG026.txt", b"\0" * (21 * 1024 * 1024))  # 21 MB of zeros, a few KB
    assert len(bomb.getvalue()) < 100_000
    with pytest.raises(CatalogueImportError, match="larger than a back catalogue can be"):
        catalogue_import([("old.zip", bomb.getvalue())], acting_user=SYSTEM)


def test_the_command_imports_several_files_with_a_progress_bar(tmp_path):
    from django.core.management import call_command

    paths = []
    for name, data in _catalogue():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_headline_report", *paths, stdout=out, stderr=err)
    progress = err.getvalue().splitlines()
    assert len(progress) == 10  # five read, five imported
    assert progress[-1] == "[####################] 5/5 Imported DAG029"
    assert progress[0].startswith("[####................] 1/5 Read ")
    assert sorted(Meeting.objects.values_list("ref", flat=True)) == [
        "DAG026", "DAG027", "DAG027.1", "DAG028", "DAG029", "DAG030",
    ]  # fmt: skip
    assert out.getvalue().count("Imported ") == 5


def test_the_command_names_the_bad_file_and_writes_nothing(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    good = tmp_path / "DAG026.txt"
    good.write_text(DAG026)
    bad = tmp_path / "DAG030.txt"
    bad.write_text("# MHHS Design Advisory Group (DAG) Headline Report\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="The 2 files were not imported"):
        call_command("import_headline_report", str(good), str(bad), stderr=err)
    assert "DAG030.txt: " in err.getvalue()
    assert not Meeting.objects.exists()


def test_confirming_starts_the_bar_from_nothing_not_from_the_checks_100_percent():
    from django.contrib.auth import get_user_model

    from composer.catalogue_jobs import catalogue_job_confirm, job_progress
    from composer.models import CatalogueImport
    from tests.fixtures import demo_logins_ensure

    demo_logins_ensure()
    pmo = get_user_model().objects.get(username="pmo")
    job = CatalogueImport.objects.create(
        requested_by=pmo,
        status=CatalogueImport.Status.CHECKED,
        names=["a.txt"],
        done=1,
        total=1,
        step="Read a.txt",
    )
    # Queued after commit, so no task runs here: the row is what the page shows meanwhile.
    job = catalogue_job_confirm(job=job, acting_user=pmo)
    job.refresh_from_db()
    assert job.status == CatalogueImport.Status.IMPORTING
    assert job_progress(job) == (0, 0, "Waiting for the import to start")
