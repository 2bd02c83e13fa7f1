"""Key discussion items: their text and the refs written in it, resolved to the records.

Resolving a ref reads every kind of record (actions, decisions, CRs, meetings), so discussion
items are written here, above the record apps.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from composer.references import ResolvedRef, references_resolve, references_resolve_many
from composer.search.index import search_documents_write
from composer.search.registry import kind_of
from core import roles
from core.services import (
    apply_changes,
    history_bulk_create,
    history_delete,
    instance_errors,
    validated_save,
)
from core.text import discussion_text_clean
from meetings.models import AgendaItem, DiscussionItem, DiscussionReference, Meeting
from meetings.services import next_order


@transaction.atomic
def discussion_item_create(
    *,
    meeting: Meeting,
    text: str,
    agenda_item: AgendaItem | None = None,
    order: int | None = None,
    acting_user: Any,
) -> DiscussionItem:
    """Add a key discussion item; the refs written in it are resolved and stored.

    Raises ValidationError when the text is empty or the agenda item is another meeting's.
    """
    roles.require_recorder(acting_user, meeting.committee_id)
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": "That agenda item belongs to another meeting."})
    if order is None:
        order = next_order(meeting.discussion_items)
    item = validated_save(
        DiscussionItem(
            meeting=meeting,
            agenda_item=agenda_item,
            order=order,
            text=discussion_text_clean(text),
        ),
        acting_user=acting_user,
    )
    discussion_references_refresh(discussion_item=item, acting_user=acting_user)
    return item


@transaction.atomic
def discussion_item_update(
    *, discussion_item: DiscussionItem, acting_user: Any, **changes: Any
) -> DiscussionItem:
    """Change a discussion item's text, area or order and re-resolve its references.

    Raises ValidationError for unknown fields, bad values or an agenda item of another
    meeting; PermissionDenied unless PMO.
    """
    roles.require_recorder(acting_user, discussion_item.meeting.committee_id)
    agenda_item = changes.get("agenda_item")
    if agenda_item is not None and agenda_item.meeting_id != discussion_item.meeting_id:
        raise ValidationError({"agenda_item": "That agenda item belongs to another meeting."})
    if "text" in changes:
        changes["text"] = discussion_text_clean(changes["text"])
    apply_changes(discussion_item, changes, {"text", "agenda_item", "order"})
    validated_save(discussion_item, acting_user=acting_user)
    discussion_references_refresh(discussion_item=discussion_item, acting_user=acting_user)
    return discussion_item


def discussion_references_refresh(
    *, discussion_item: DiscussionItem, acting_user: Any
) -> list[DiscussionReference]:
    """Re-resolve the refs written in a discussion item and store them (replacing old ones).

    Raises PermissionDenied unless PMO. References keep no history (they follow the text).
    """
    roles.require_recorder(acting_user, discussion_item.meeting.committee_id)
    discussion_item.references.all().delete()
    rows = _reference_rows(discussion_item, references_resolve(text=discussion_item.text))
    return DiscussionReference.objects.bulk_create(rows)


def _reference_rows(
    discussion_item: DiscussionItem, resolved_refs: list[ResolvedRef]
) -> list[DiscussionReference]:
    rows = []
    seen: set[str] = set()
    for resolved in resolved_refs:
        if resolved.ref in seen:
            continue
        seen.add(resolved.ref)
        rows.append(
            DiscussionReference(
                discussion_item=discussion_item,
                kind=resolved.kind,
                ref=resolved.ref,
                **{resolved.field: resolved.record} if resolved.record is not None else {},
            )
        )
    return rows


class DiscussionRefusedError(ValidationError):
    """Some items cannot be recorded; ``refused`` maps each one's index to its
    ValidationError. Nothing was written."""

    def __init__(self, refused: dict[int, ValidationError]) -> None:
        super().__init__([m for error in refused.values() for m in error.messages])
        self.refused = refused


@transaction.atomic
def discussion_items_create_many(
    *, meeting: Meeting, items: list[tuple[str, AgendaItem | None, int]], acting_user: Any
) -> list[DiscussionItem]:
    """Add many key discussion items, ``(text, agenda item, order)`` each, all or none: as
    :func:`discussion_item_create` does one (its checks for every item first, problems by
    index in :class:`DiscussionRefusedError`), with their history, references and search
    documents written in batches (an import's discussion, issue #18)."""
    roles.require_recorder(acting_user, meeting.committee_id)
    refused: dict[int, ValidationError] = {}
    built = []
    for index, (text, agenda_item, order) in enumerate(items):
        item = DiscussionItem(
            meeting=meeting, agenda_item=agenda_item, order=order, text=discussion_text_clean(text)
        )
        errors = instance_errors(item, exclude=["meeting", "agenda_item"])
        if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
            errors = ValidationError(
                {"agenda_item": "That agenda item belongs to another meeting."}
            )
        if errors is not None:
            refused[index] = errors
        built.append(item)
    if refused:
        raise DiscussionRefusedError(refused)
    created = history_bulk_create(DiscussionItem, built, acting_user=acting_user)
    resolved = references_resolve_many(texts=[item.text for item in created])
    DiscussionReference.objects.bulk_create(
        [
            row
            for item, found in zip(created, resolved, strict=True)
            for row in _reference_rows(item, found)
        ],
        batch_size=500,
    )
    search_documents_write(kind_of(DiscussionItem), created)
    return created


@transaction.atomic
def discussion_item_delete(*, discussion_item: DiscussionItem, acting_user: Any) -> None:
    """Delete a key discussion item and its stored references (PMO only).

    Raises PermissionDenied unless PMO. The history keeps the deleted text and who deleted it.
    """
    roles.require_recorder(acting_user, discussion_item.meeting.committee_id)
    history_delete(discussion_item, acting_user=acting_user)
