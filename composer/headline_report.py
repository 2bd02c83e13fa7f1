"""Headline reports: issue a version, render it in the background, retry a failed one.

The rendering is ``composer.report_render``; the Celery task (``composer.tasks``) only calls
:func:`headline_report_render_version`. The claim, store, failure and retry of a version are
the kernel's background render (``core.renders``), shared with the register PDF.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from composer.report import HeadlineReportData, headline_report_data
from composer.report_render import (
    headline_report_fingerprint,
    headline_report_latest_issued,
    headline_report_pdf_bounded,
)
from core import events, roles
from core.actors import SYSTEM, history_user
from core.renders import BackgroundRender, render_queue
from core.services import validated_save
from meetings.models import HeadlineReport, Meeting
from meetings.services import meeting_update


def _last_change(report: HeadlineReport) -> Any:
    # A version has no updated_at: its history says when it last changed.
    return report.history.order_by("-history_date").values_list("history_date", flat=True).first()


HEADLINE_REPORT_RENDER = BackgroundRender(
    model=HeadlineReport,
    done=HeadlineReport.Status.ISSUED,
    changed_at=_last_change,
    label="Headline report version",
    describe=lambda r: f"Version {r.version} of the {r.meeting.ref} headline report",
    noun="version",
)

# How long a version may wait or render before it counts as lost (a worker died with it).
HEADLINE_REPORT_STALE_AFTER = HEADLINE_REPORT_RENDER.stale_after


def _headline_report_queue(report: HeadlineReport) -> None:
    # The task module imports this one (the task calls the service): imported here to
    # break that cycle, as Celery's own documentation does for tasks queued by services.
    from composer.tasks import headline_report_render_task

    render_queue(headline_report_render_task, report)


@dataclass(frozen=True)
class IssueOutcome:
    """What issuing did: ``report`` is the new version (``created``), the one still waiting
    or rendering, or the newest issued version when nothing changed since it
    (``unchanged``). ``proposed_decisions`` are the refs of decisions the report prints as
    "Proposed – not yet decided"."""

    report: HeadlineReport
    created: bool
    unchanged: bool = False
    proposed_decisions: list[str] = field(default_factory=list)


@transaction.atomic
def headline_report_issue_outcome(*, meeting: Meeting, acting_user: Any) -> IssueOutcome:
    """Issue the headline report of ``meeting``: a new version, rendered in the background.

    Creates the next HeadlineReport version (status pending) and, after commit, queues the
    task ``meetings.headline_report_render``, which renders the PDF, stores it with its
    SHA-256 checksum and issue date (today, Europe/London) and marks the meeting's report
    issued. No version is added when the records have not changed since the newest issued
    version (same fingerprint): that version is returned, ``unchanged``. A version still
    waiting or rendering is returned instead of a second one, so a double click issues once.
    Raises PermissionDenied unless PMO, ValidationError while the meeting is still planned
    (a report records a meeting that took place; its "next meeting" would also be wrong).
    """
    roles.require_recorder(acting_user, meeting.committee_id)
    meeting = Meeting.objects.select_for_update().select_related("committee").get(pk=meeting.pk)
    if meeting.status == Meeting.Status.PLANNED:
        raise ValidationError(f"{meeting.ref} is planned: mark it held before issuing its report.")
    data = headline_report_data(meeting=meeting)
    proposed = data.proposed_decisions
    in_flight = (
        meeting.headline_reports.filter(
            status__in=[HeadlineReport.Status.PENDING, HeadlineReport.Status.RENDERING]
        )
        .order_by("-version")
        .first()
    )
    if in_flight is not None and not HEADLINE_REPORT_RENDER.is_lost(in_flight):
        return IssueOutcome(in_flight, created=False, proposed_decisions=proposed)
    latest = headline_report_latest_issued(meeting=meeting)
    if latest is not None and latest.fingerprint == headline_report_fingerprint(data):
        return IssueOutcome(latest, created=False, unchanged=True, proposed_decisions=proposed)
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
    return IssueOutcome(report, created=True, proposed_decisions=proposed)


def headline_report_issue(*, meeting: Meeting, acting_user: Any) -> HeadlineReport:
    """Issue the headline report of ``meeting`` (see :func:`headline_report_issue_outcome`);
    the version it issued, is issuing, or that already shows these records."""
    return headline_report_issue_outcome(meeting=meeting, acting_user=acting_user).report


def _render(report: HeadlineReport) -> tuple[HeadlineReportData, bytes]:
    issue_date = timezone.localdate()
    data = headline_report_data(
        meeting=report.meeting, issue_date=issue_date, version=report.version
    )
    return data, headline_report_pdf_bounded(data=data)


def _store(report: HeadlineReport, rendered: tuple[HeadlineReportData, bytes]) -> None:
    data, pdf = rendered
    report.file.save(f"{report.meeting.ref}.pdf", ContentFile(pdf), save=False)
    report.checksum = hashlib.sha256(pdf).hexdigest()
    report.fingerprint = headline_report_fingerprint(data)
    report.issue_date = data.issue_date
    report.rendered_at = timezone.now()
    report.status = HeadlineReport.Status.ISSUED
    meeting_update(
        meeting=report.meeting,
        status=Meeting.Status.REPORT_ISSUED,
        report_issue_date=data.issue_date,
        acting_user=SYSTEM,
    )
    # Inside the render's transaction, before the row is saved issued: listeners' writes
    # commit with it. The issuer is the PMO who asked for this version.
    events.emit(
        "report.issued",
        report.meeting,
        acting_user=report.requested_by or SYSTEM,
        version=report.version,
        report_id=report.pk,
    )


def headline_report_render_version(*, report_id: int) -> HeadlineReport:
    """Render and store version ``report_id`` of a headline report: the task's body.

    Safe to run twice: an issued version, and one another worker is rendering, are left as
    they are. Otherwise the version is marked rendering, rendered as "Version N" with today's
    date (Europe/London) as its issue date, and its PDF stored once and for all with its
    SHA-256 checksum and fingerprint; the meeting becomes ``report_issued`` with that issue
    date. A failure (rendering or storing) marks the version failed with the error, for
    :func:`headline_report_retry`, and is not raised. The system renders (the task runs on
    no one's behalf), so its history rows record no user. Raises
    HeadlineReport.DoesNotExist for an unknown id.
    """
    return HEADLINE_REPORT_RENDER.run(
        report_id,
        acting_user=SYSTEM,
        render=_render,
        store=_store,
        related=("meeting__committee",),
    )


@transaction.atomic
def headline_report_retry(*, report: HeadlineReport, acting_user: Any) -> HeadlineReport:
    """Render a failed version again (or one lost while waiting or rendering).

    The version goes back to pending and the task is queued after commit. Raises
    ValidationError for an issued version or one still in progress, PermissionDenied
    unless PMO.
    """
    roles.require_recorder(acting_user, report.meeting.committee_id)
    return HEADLINE_REPORT_RENDER.retry(
        report,
        acting_user=acting_user,
        queue=_headline_report_queue,
        related=("meeting",),
    )
