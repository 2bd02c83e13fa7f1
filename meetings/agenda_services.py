"""State changes of a meeting's agenda before the meeting: an item's slot, presenter and
purpose, its place in the order, publishing the agenda, and the meeting's papers.

Keyword-only, atomic, PMO only (the secretariat builds the agenda), validated with the
models' ``full_clean`` so bad input is a field error; history rows record ``acting_user``.
Adding an item is ``meetings.services.agenda_item_create`` (the report's areas use it too).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import models, transaction
from django.utils import timezone

from core import events, roles
from core.services import apply_changes, validated_save

from .models import AgendaItem, Meeting, Paper, PaperVersion, Person
from .paper_files import paper_file_check
from .services import next_order

AGENDA_ITEM_EDITABLE_FIELDS = {
    "title",
    "start_time",
    "duration_minutes",
    "presenter",
    "purpose",
    "change_request",
}


def _slot_check(item: AgendaItem) -> None:
    errors = {}
    if item.duration_minutes is not None and item.start_time is None:
        errors["start_time"] = "Give the start time of a slot that has a duration."
    if item.duration_minutes is not None and not 1 <= item.duration_minutes <= 24 * 60:
        errors["duration_minutes"] = "Give a duration from 1 to 1,440 minutes."
    elif item.duration_minutes is not None and item.start_time is not None:
        start = item.start_time.hour * 60 + item.start_time.minute
        if start + item.duration_minutes >= 24 * 60:
            errors["duration_minutes"] = (
                f"A slot starting at {item.start_time:%H:%M} must end before midnight: "
                f"give at most {24 * 60 - 1 - start} minutes."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agenda_item_edit(*, agenda_item: AgendaItem, acting_user: Any, **changes: Any) -> AgendaItem:
    """Change an agenda item's title, time slot (``start_time``, ``duration_minutes``),
    ``presenter`` (a Person or None), ``purpose`` or ``change_request`` (a recorder).

    Raises ValidationError for bad values (a duration without a start, a slot running past
    the meeting's day, a title another item of the meeting has) and for other fields,
    PermissionDenied unless a recorder.
    """
    roles.require_recorder(acting_user, agenda_item.meeting.committee_id)
    item = AgendaItem.objects.select_for_update().get(pk=agenda_item.pk)
    if "title" in changes:
        changes["title"] = " ".join((changes["title"] or "").split())
    presenter = changes.get("presenter")
    if presenter is not None and not isinstance(presenter, Person):
        raise ValidationError({"presenter": "Choose a person from the directory."})
    apply_changes(item, changes, AGENDA_ITEM_EDITABLE_FIELDS)
    _slot_check(item)
    return validated_save(item, acting_user=acting_user)


@transaction.atomic
def agenda_item_move(*, agenda_item: AgendaItem, offset: int, acting_user: Any) -> AgendaItem:
    """Move an agenda item ``offset`` places (-1 up, +1 down) in its meeting's order.

    The meeting's items are locked and renumbered 1..n in their new order, so two moves at
    once never leave two items in one place. Moving past either end leaves it where it is.
    """
    roles.require_recorder(acting_user, agenda_item.meeting.committee_id)
    items = list(
        AgendaItem.objects.select_for_update()
        .filter(meeting_id=agenda_item.meeting_id)
        .order_by("order", "id")
    )
    index = next(i for i, item in enumerate(items) if item.pk == agenda_item.pk)
    target = min(max(index + offset, 0), len(items) - 1)
    items.insert(target, items.pop(index))
    return _renumber(items, acting_user=acting_user)[target]


@transaction.atomic
def agenda_reorder(*, meeting: Meeting, item_ids: list[int], acting_user: Any) -> list[AgendaItem]:
    """Put the meeting's agenda items in the order of ``item_ids`` (a drag and drop).

    ``item_ids`` must be exactly the meeting's items: a list made from a stale page (an item
    added or removed meanwhile) is refused with ValidationError and nothing moves.
    """
    roles.require_recorder(acting_user, meeting.committee_id)
    items = {
        item.pk: item
        for item in AgendaItem.objects.select_for_update().filter(meeting_id=meeting.pk)
    }
    if sorted(item_ids) != sorted(items) or len(set(item_ids)) != len(item_ids):
        raise ValidationError(
            "The agenda changed since this page was loaded: reload it and move the items again."
        )
    return _renumber([items[pk] for pk in item_ids], acting_user=acting_user)


def _renumber(items: list[AgendaItem], *, acting_user: Any) -> list[AgendaItem]:
    for position, item in enumerate(items, start=1):
        if item.order != position:
            item.order = position
            validated_save(item, acting_user=acting_user)
    return items


@transaction.atomic
def agenda_publish(*, meeting: Meeting, acting_user: Any) -> Meeting:
    """Publish the meeting's agenda (and papers) to its readers now (a recorder).

    Publishing again moves the moment: items changed before it are no longer marked
    "changed since published". Raises ValidationError for a meeting with no agenda item.
    """
    roles.require_recorder(acting_user, meeting.committee_id)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.agenda_items.exists():
        raise ValidationError("Add at least one agenda item before publishing the agenda.")
    meeting.agenda_published_at = timezone.now()
    meeting.agenda_published_by = acting_user if getattr(acting_user, "pk", None) else None
    validated_save(meeting, acting_user=acting_user)
    events.emit("agenda.published", meeting, acting_user=acting_user)
    return meeting


# --- papers ------------------------------------------------------------------------------------


def _version_add(*, paper: Paper, upload: Any, acting_user: Any) -> PaperVersion:
    checked = paper_file_check(upload)
    last = paper.versions.aggregate(m=models.Max("version"))["m"] or 0
    version = PaperVersion(
        paper=paper,
        version=last + 1,
        filename=checked.filename,
        kind=checked.kind,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    version.file.save(checked.filename, File(upload, name=checked.filename), save=False)
    try:
        version.full_clean()
        version.save()
    except Exception:
        version.file.delete(save=False)  # no orphan file for a row that was not written
        raise
    return version


def _agenda_item_check(meeting: Meeting, agenda_item: AgendaItem | None) -> None:
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": "Choose an item of this meeting's agenda."})


@transaction.atomic
def paper_add(
    *,
    meeting: Meeting,
    title: str,
    upload: Any,
    agenda_item: AgendaItem | None = None,
    acting_user: Any,
) -> Paper:
    """Attach a paper (version 1 of its file) to ``meeting``, under ``agenda_item`` if given.

    The file is checked by its content (``meetings.paper_files``): ValidationError on
    ``file`` for a file that is not what it says, too large or of a kind not taken.
    """
    roles.require_recorder(acting_user, meeting.committee_id)
    _agenda_item_check(meeting, agenda_item)
    title = " ".join((title or "").split())
    paper = validated_save(
        Paper(
            meeting=meeting,
            agenda_item=agenda_item,
            title=title,
            order=next_order(meeting.papers),
        ),
        acting_user=acting_user,
    )
    _version_add(paper=paper, upload=upload, acting_user=acting_user)
    return paper


@transaction.atomic
def paper_replace(*, paper: Paper, upload: Any, acting_user: Any) -> PaperVersion:
    """Add a new version of ``paper``'s file; the earlier versions are kept."""
    roles.require_recorder(acting_user, paper.meeting.committee_id)
    paper = Paper.objects.select_for_update().get(pk=paper.pk)
    return _version_add(paper=paper, upload=upload, acting_user=acting_user)
