"""The live headline report as PDF (``/meetings/<ref>/report.pdf``), never rendered on the
web request.

A render of a long report takes longer and more memory than a web worker may give (issue
#18: a 3,000-action meeting took 24 s and 645 MiB), so the live PDF is a stored
:class:`~composer.models.HeadlineReportDraft`, rendered by the Celery task
``composer.headline_report_draft_render`` through the kernel's background render
(``core.renders``, as the issued versions and the register PDF are), bounded in time and
memory (``composer.report_render.headline_report_pdf_bounded``). A draft is keyed by what it
shows: the report's fingerprint and its draft note; while the records stay as they are, the
stored file is served; once they change, the next request queues a new draft and answers
with its status page.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from composer.models import HeadlineReportDraft
from composer.report_render import (
    CurrentReport,
    StoredPdf,
    headline_report_current,
    headline_report_pdf_bounded,
)
from core import visibility
from core.actors import SYSTEM
from core.renders import BackgroundRender, render_queue
from core.services import validated_save
from meetings.models import Meeting

logger = logging.getLogger(__name__)

Draft = HeadlineReportDraft

HEADLINE_REPORT_DRAFT_RENDER = BackgroundRender(
    model=HeadlineReportDraft,
    done=HeadlineReportDraft.Status.READY,
    changed_at=lambda draft: draft.updated_at,
    label="Draft headline report",
    describe=lambda draft: f"The draft {draft.meeting.ref} headline report",
    noun="draft",
)


class RecordsChanged(Exception):  # noqa: N818 - named for what the user reads
    """The records changed between asking for a draft and rendering it."""


def headline_report_draft_key(current: CurrentReport) -> str:
    """What a draft shows, as a key: its records' fingerprint and its draft note (part of
    what it prints: issuing a version changes "not issued" to "changed since version 1")."""
    text = f"{current.fingerprint}\n{current.data.draft_note}"
    return hashlib.sha256(text.encode()).hexdigest()


def _queue(draft: HeadlineReportDraft) -> None:
    # The task module imports this one (the task calls the service): imported here to break
    # that cycle, as Celery's own documentation does for tasks queued by services.
    from composer.tasks import headline_report_draft_render_task

    render_queue(headline_report_draft_render_task, draft)


def _require_reader(acting_user: Any, meeting: Meeting) -> None:
    if not visibility.sees_unissued_reports(acting_user, meeting.committee_id):
        raise PermissionDenied("Only members who read unissued reports see the live report.")


@dataclass(frozen=True)
class LivePdf:
    """What ``report.pdf`` answers: a stored file to send (``pdf``) or the draft whose
    status page to show (``draft``, waiting, rendering or failed)."""

    pdf: StoredPdf | None = None
    draft: HeadlineReportDraft | None = None


def _stored(file: Any) -> bool:
    return bool(file) and default_storage.exists(file.name)


def headline_report_live_pdf(*, meeting: Meeting, acting_user: Any) -> LivePdf:
    """The current report of ``meeting`` as PDF, never rendered here (about ten queries).

    The newest issued version when the records have not changed since it (its file, exactly
    as issued); else the ready draft of these records; else the draft of these records,
    asked for now (stored waiting and queued after commit) or as it stands (waiting,
    rendering or failed: its page offers a retry). Raises PermissionDenied for a reader of
    issued reports only.
    """
    _require_reader(acting_user, meeting)
    current = headline_report_current(meeting=meeting)
    data, issued = current.data, current.latest_issued
    if not data.is_draft and issued is not None and _stored(issued.file):
        pdf = StoredPdf(issued.file.open("rb"), current.fingerprint, data.filename, issued)
        return LivePdf(pdf=pdf)
    key = headline_report_draft_key(current)
    draft = meeting.headline_report_drafts.filter(key=key).first()
    if draft is not None and draft.status == Draft.Status.READY and _stored(draft.file):
        return LivePdf(pdf=StoredPdf(draft.file.open("rb"), key, data.filename))
    return LivePdf(draft=_draft_request(meeting=meeting, key=key, acting_user=acting_user))


@transaction.atomic
def _draft_request(*, meeting: Meeting, key: str, acting_user: Any) -> HeadlineReportDraft:
    # The meeting's row lock makes two requests at once ask once (the second finds the row).
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    draft = meeting.headline_report_drafts.select_for_update().filter(key=key).first()
    if draft is None:
        draft = validated_save(Draft(meeting=meeting, key=key), acting_user=acting_user)
        _queue(draft)
    elif draft.status == Draft.Status.READY:  # its file went missing: render it again
        draft.status, draft.file = Draft.Status.PENDING, ""
        validated_save(draft, acting_user=acting_user)
        _queue(draft)
    return draft


def _render(draft: HeadlineReportDraft) -> bytes:
    current = headline_report_current(meeting=draft.meeting)
    if headline_report_draft_key(current) != draft.key:
        raise RecordsChanged(
            "The records changed while this draft waited to render: open the report "
            "again for the current one."
        )
    return headline_report_pdf_bounded(data=current.data)


def _store(draft: HeadlineReportDraft, pdf: bytes) -> None:
    draft.file.save(f"{draft.key}.pdf", ContentFile(pdf), save=False)
    draft.status = Draft.Status.READY
    draft.rendered_at = timezone.now()
    # Older finished drafts of the meeting show records as they were: gone with their files.
    older = draft.meeting.headline_report_drafts.exclude(pk=draft.pk).filter(
        status__in=[Draft.Status.READY, Draft.Status.FAILED]
    )
    for old in older:
        if old.file:
            old.file.delete(save=False)
        old.delete()


def headline_report_draft_render(*, draft_id: int) -> HeadlineReportDraft:
    """Render and store draft ``draft_id``: the task's body (safe to run twice).

    A ready draft, and one another worker is rendering, are left as they are. A failure
    (the records changed meanwhile, the render past its time or memory bound, storing) marks
    it failed with the error, for :func:`headline_report_draft_retry`, and is not raised.
    """
    return HEADLINE_REPORT_DRAFT_RENDER.run(
        draft_id, acting_user=SYSTEM, render=_render, store=_store, related=("meeting",)
    )


@transaction.atomic
def headline_report_draft_retry(
    *, draft: HeadlineReportDraft, acting_user: Any
) -> HeadlineReportDraft:
    """Render a failed draft again (or one lost while waiting or rendering): back to
    waiting, queued after commit. Raises PermissionDenied for a reader of issued reports
    only, ValidationError for a ready draft or one still in progress."""
    _require_reader(acting_user, draft.meeting)
    return HEADLINE_REPORT_DRAFT_RENDER.retry(
        draft, acting_user=acting_user, queue=_queue, related=("meeting",)
    )


def headline_report_draft_get(*, meeting: Meeting, draft_id: int) -> HeadlineReportDraft:
    """Draft ``draft_id`` of ``meeting``; HeadlineReportDraft.DoesNotExist otherwise."""
    return meeting.headline_report_drafts.select_related("meeting").get(pk=draft_id)
