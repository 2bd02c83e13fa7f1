"""A back catalogue imported from the browser: the uploads kept as one ZIP on a
:class:`~composer.models.CatalogueImport`, checked by a dry run, then imported once the PMO
confirms, each step as a Celery task (in-process without a broker) whose progress the page
polls.

Progress goes through the cache, not the job's row: the import is one transaction, and what
it writes (the row included) is invisible to the page until it commits. The cache is Redis
in production, so every web worker sees a running task's progress.

A single report confirmed on the import page (``composer.import_views``) that is larger
than ``settings.IMPORT_BACKGROUND_ROWS`` is a catalogue of one file: its preview was the
check, so its job starts importing at once (:func:`report_job_create`), with the PMO's
conflict choices, and shows on the same status page (progress, result, failure, retry).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from composer.importer.catalogue import CatalogueImportError, catalogue_import
from composer.models import CatalogueImport
from core import roles
from core.actors import SYSTEM

MAX_BYTES = 50 * 1024 * 1024  # the whole upload


def progress_key(job_id: int) -> str:
    return f"catalogue-import:{job_id}:progress"


def job_progress(job: CatalogueImport) -> tuple[int, int, str]:
    """(done, total, what it is doing) of a job: the running task's, else the row's."""
    live = cache.get(progress_key(job.pk)) if job.running else None
    return tuple(live) if live else (job.done, job.total, job.step)  # type: ignore[return-value]


def catalogue_job_create(*, uploads: Iterable[UploadedFile], acting_user: Any) -> CatalogueImport:
    """Keep the uploads (as one ZIP) and start checking them."""
    roles.require_pmo(acting_user)
    buffer = io.BytesIO()
    names = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for upload in uploads:
            names.append(upload.name)
            archive.writestr(f"{len(names):03d}/{upload.name}", upload.read())
    job = CatalogueImport(requested_by=acting_user, names=names)
    job.save()
    job.files.save("uploads.zip", ContentFile(buffer.getvalue()), save=True)
    _start(job, dry_run=True)
    return job


def report_job_create(
    *, name: str, text: str, take_imported: Iterable[str], acting_user: Any
) -> CatalogueImport:
    """Import one previewed report (its text form) in the background, taking the report's
    value for the conflicts in ``take_imported``."""
    roles.require_pmo(acting_user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"001/{name}", text.encode("utf-8"))
    job = CatalogueImport(
        requested_by=acting_user,
        names=[name],
        status=CatalogueImport.Status.IMPORTING,
        take_imported=sorted(take_imported),
    )
    job.save()
    job.files.save("uploads.zip", ContentFile(buffer.getvalue()), save=True)
    _start(job, dry_run=False)
    return job


def _start(job: CatalogueImport, *, dry_run: bool) -> None:
    # Imported here: the tasks module imports this one (its task calls catalogue_job_run).
    from composer.tasks import catalogue_import_task

    transaction.on_commit(lambda: catalogue_import_task.delay(job.pk, dry_run))


def _files(job: CatalogueImport) -> list[tuple[str, bytes]]:
    with job.files.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
        return [
            (info.filename.split("/", 1)[1], archive.read(info))
            for info in sorted(archive.infolist(), key=lambda i: i.filename)
        ]


def catalogue_job_run(*, job_id: int, dry_run: bool) -> CatalogueImport:
    """Run a job's check (``dry_run``) or import; its outcome is kept on the job."""
    job = CatalogueImport.objects.get(pk=job_id)
    key = progress_key(job.pk)

    def progress(done: int, total: int, step: str) -> None:
        cache.set(key, (done, total, step), timeout=3600)

    actor = job.requested_by if not dry_run else SYSTEM
    try:
        done = catalogue_import(
            _files(job),
            acting_user=actor,
            dry_run=dry_run,
            progress=progress,
            take_imported=job.take_imported,
        )
    except CatalogueImportError as error:
        job.status, job.problems = CatalogueImport.Status.FAILED, [str(p) for p in error.problems]
    except Exception as exc:  # a failed background step stays visible and can be retried
        job.status = CatalogueImport.Status.FAILED
        job.problems = [f"{exc.__class__.__name__}: {exc}"]
    else:
        job.status = CatalogueImport.Status.CHECKED if dry_run else CatalogueImport.Status.IMPORTED
        job.problems = []
        job.summary = [
            {
                "file": item.name,
                "meeting": result.meeting_ref,
                "created": result.count("create"),
                "updated": result.count("update"),
                "unchanged": result.count("unchanged"),
                # Each field changed in the tracker since this report was last imported,
                # kept as the tracker has it (a catalogue takes no report's value).
                "conflicts": [c.sentence(preview=dry_run) for c in result.conflicts],
            }
            for item, result in done
        ]
    job.done, job.total, job.step = cache.get(key) or (0, 0, "")
    job.finished_at = timezone.now()
    job.save()
    cache.delete(key)
    return job


def _progress_cleared(job: CatalogueImport, step: str) -> None:
    # A new step starts from nothing: the bar must not show the last step's 100% until the
    # worker writes its first progress.
    job.done, job.total, job.step = 0, 0, step
    cache.delete(progress_key(job.pk))


def catalogue_job_confirm(*, job: CatalogueImport, acting_user: Any) -> CatalogueImport:
    """Import a checked catalogue (the PMO's confirmation)."""
    roles.require_pmo(acting_user)
    with transaction.atomic():
        job = CatalogueImport.objects.select_for_update().get(pk=job.pk)
        if job.status != CatalogueImport.Status.CHECKED:
            raise ValueError(f"This catalogue is {job.get_status_display().lower()}.")
        job.status = CatalogueImport.Status.IMPORTING
        job.requested_by = acting_user
        _progress_cleared(job, "Waiting for the import to start")
        job.save(update_fields=["status", "requested_by", "done", "total", "step"])
        _start(job, dry_run=False)
    return job


def catalogue_job_retry(*, job: CatalogueImport, acting_user: Any) -> CatalogueImport:
    """Check a failed catalogue again (after a passing problem, such as a lost worker)."""
    roles.require_pmo(acting_user)
    with transaction.atomic():
        job = CatalogueImport.objects.select_for_update().get(pk=job.pk)
        if job.status != CatalogueImport.Status.FAILED:
            raise ValueError(f"This catalogue is {job.get_status_display().lower()}.")
        job.status, job.problems = CatalogueImport.Status.CHECKING, []
        _progress_cleared(job, "Waiting for the check to start")
        job.save(update_fields=["status", "problems", "done", "total", "step"])
        _start(job, dry_run=True)
    return job
