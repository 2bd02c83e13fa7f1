"""Key discussion items: their text and the refs written in it, resolved to the records.

Resolving a ref reads every kind of record (actions, decisions, CRs, meetings), so discussion
items are written here, above the record apps.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from composer.references import references_resolve
from core import roles
from core.services import apply_changes, history_delete, validated_save
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
    rows = []
    seen: set[str] = set()
    for resolved in references_resolve(text=discussion_item.text):
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
    return DiscussionReference.objects.bulk_create(rows)


@transaction.atomic
def discussion_item_delete(*, discussion_item: DiscussionItem, acting_user: Any) -> None:
    """Delete a key discussion item and its stored references (PMO only).

    Raises PermissionDenied unless PMO. The history keeps the deleted text and who deleted it.
    """
    roles.require_recorder(acting_user, discussion_item.meeting.committee_id)
    history_delete(discussion_item, acting_user=acting_user)
