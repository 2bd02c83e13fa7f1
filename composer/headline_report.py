"""Headline reports: issue a version, render it in the background, retry a failed one.

The rendering is ``composer.report``; the Celery task (``composer.tasks``) only calls
:func:`headline_report_render_version`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from composer.report import headline_report_data
from composer.report_render import headline_report_fingerprint, headline_report_pdf
from core import roles
from core.actors import SYSTEM, history_user
from core.services import validated_save
from meetings.models import HeadlineReport, Meeting
from meetings.services import meeting_update

logger = logging.getLogger(__name__)

# The rendering is composer.report; the Celery task (composer.tasks) only calls
# headline_report_render_version.

# A version still waiting or rendering this long after its last change was lost (a worker
# died with it): it may be retried, and issuing again makes a new version.
HEADLINE_REPORT_STALE_AFTER = dt.timedelta(minutes=15)


def _headline_report_is_stale(report: HeadlineReport) -> bool:
    last_change = (
        report.history.order_by("-history_date").values_list("history_date", flat=True).first()
    )
    return last_change is None or timezone.now() - last_change > HEADLINE_REPORT_STALE_AFTER


def _headline_report_queue(report: HeadlineReport) -> None:
    # The task module imports this one (the task calls the service): imported here to
    # break that cycle, as Celery's own documentation does for tasks queued by services.
    from composer.tasks import headline_report_render_task

    report_id = report.pk
    transaction.on_commit(lambda: headline_report_render_task.delay(report_id))


@transaction.atomic
def headline_report_issue(*, meeting: Meeting, acting_user: Any) -> HeadlineReport:
    """Issue the headline report of ``meeting``: a new version, rendered in the background.

    Creates the next HeadlineReport version (status pending) and, after commit, queues the
    task ``meetings.headline_report_render``, which renders the PDF, stores it with its
    SHA-256 checksum and issue date (today, Europe/London) and marks the meeting's report
    issued. A version still waiting or rendering is returned instead of a second one, so a
    double click issues once. Raises PermissionDenied unless PMO, ValidationError while the
    meeting is still planned (a report records a meeting that took place; its "next
    meeting" would also be wrong).
    """
    roles.require_pmo(acting_user)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.PLANNED:
        raise ValidationError(f"{meeting.ref} is planned: mark it held before issuing its report.")
    in_flight = (
        meeting.headline_reports.filter(
            status__in=[HeadlineReport.Status.PENDING, HeadlineReport.Status.RENDERING]
        )
        .order_by("-version")
        .first()
    )
    if in_flight is not None and not _headline_report_is_stale(in_flight):
        return in_flight
    last_version = meeting.headline_reports.aggregate(m=models.Max("version"))["m"] or 0
    report = validated_save(
        HeadlineReport(
            meeting=meeting,
            version=last_version + 1,
            status=HeadlineReport.Status.PENDING,
            requested_by=history_user(acting_user),
        ),
        acting_user=acting_user,
    )
    _headline_report_queue(report)
    return report


def headline_report_render_version(*, report_id: int) -> HeadlineReport:
    """Render and store version ``report_id`` of a headline report: the task's body.

    Safe to run twice: an issued version is returned as it is. Otherwise the version is
    marked rendering, rendered with today's date (Europe/London) as its issue date, and its
    PDF stored once and for all with its SHA-256 checksum and fingerprint; the meeting
    becomes ``report_issued`` with that issue date. A failure (rendering or storing) marks
    the version failed with the error, for :func:`headline_report_retry`, and is not raised.
    The system renders (the task runs on no one's behalf), so its history rows record no
    user. Not one transaction: the render (a second or more) runs outside any row lock,
    between a short transaction that claims the version and one that stores it. Raises
    HeadlineReport.DoesNotExist for an unknown id.
    """
    with transaction.atomic():
        report = (
            HeadlineReport.objects.select_for_update()
            .select_related("meeting__committee")
            .get(pk=report_id)
        )
        if report.status == HeadlineReport.Status.ISSUED:
            return report
        report.status = HeadlineReport.Status.RENDERING
        report.attempts += 1
        report.error = ""
        validated_save(report, acting_user=SYSTEM)
    issue_date = timezone.localdate()
    try:
        data = headline_report_data(meeting=report.meeting, issue_date=issue_date)
        pdf = headline_report_pdf(data=data)
        with transaction.atomic():
            report = HeadlineReport.objects.select_for_update().get(pk=report_id)
            if report.status == HeadlineReport.Status.ISSUED:
                return report  # a second run finished first; its file stands
            report.file.save(f"{report.meeting.ref}.pdf", ContentFile(pdf), save=False)
            report.checksum = hashlib.sha256(pdf).hexdigest()
            report.fingerprint = headline_report_fingerprint(data)
            report.issue_date = issue_date
            report.rendered_at = timezone.now()
            report.status = HeadlineReport.Status.ISSUED
            validated_save(report, acting_user=SYSTEM)
            meeting_update(
                meeting=report.meeting,
                status=Meeting.Status.REPORT_ISSUED,
                report_issue_date=issue_date,
                acting_user=SYSTEM,
            )
    except Exception as exc:  # any failure is recorded on the version, to be retried
        logger.exception("Headline report version %s failed", report_id)
        with transaction.atomic():
            report = HeadlineReport.objects.select_for_update().get(pk=report_id)
            if report.status != HeadlineReport.Status.ISSUED:
                report.status = HeadlineReport.Status.FAILED
                report.error = f"{type(exc).__name__}: {exc}"[:2000]
                validated_save(report, acting_user=SYSTEM)
    return report


@transaction.atomic
def headline_report_retry(*, report: HeadlineReport, acting_user: Any) -> HeadlineReport:
    """Render a failed version again (or one lost while waiting or rendering).

    The version goes back to pending and the task is queued after commit. Raises
    ValidationError for an issued version or one still in progress, PermissionDenied
    unless PMO.
    """
    roles.require_pmo(acting_user)
    report = HeadlineReport.objects.select_for_update().select_related("meeting").get(pk=report.pk)
    lost = report.status in {
        HeadlineReport.Status.PENDING,
        HeadlineReport.Status.RENDERING,
    } and _headline_report_is_stale(report)
    if report.status != HeadlineReport.Status.FAILED and not lost:
        raise ValidationError(
            f"Version {report.version} of the {report.meeting.ref} headline report is "
            f"{report.get_status_display().lower()}; only a failed version can be retried."
        )
    report.status = HeadlineReport.Status.PENDING
    report.error = ""
    validated_save(report, acting_user=acting_user)
    _headline_report_queue(report)
    return report
