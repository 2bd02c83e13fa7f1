"""The meeting page's discussion: the meeting's own discussion items and the items of other
meetings that mention it, each with the refs written in it that name a record the reader
may open (``core.visibility``).

Split from :mod:`composer.meeting_page`, which places these rows under their areas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Case, F, Value, When

from core import visibility
from meetings.models import DiscussionItem, DiscussionReference, Meeting


@dataclass
class MeetingDiscussionRow:
    """A discussion item of the meeting, or of another meeting that mentions it.

    ``known_refs`` are the refs written in it that name a recorded record (``{ref: kind}``,
    what the page links); ``html`` is set by the view.
    """

    pk: int
    meeting_id: int
    meeting_ref: str
    agenda_item_id: int | None
    text: str
    known_refs: dict[str, str]
    html: str = ""
    url: str = ""


_RESOLVED_COLUMNS = ("meeting", "action", "decision", "change_request", "din")


def _linkable_column(user: Any) -> dict[str, Any]:
    """``linkable``: whether the reference's record is one ``user`` may open
    (``core.visibility.linked_record_q``); nothing to read for one who sees every meeting."""
    if visibility.sees_all_meetings(user):
        return {}
    return {
        "linkable": Case(
            When(visibility.linked_record_q(user, "references__"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    }


def discussion_rows(
    meeting: Meeting, *, user: Any
) -> tuple[list[MeetingDiscussionRow], list[MeetingDiscussionRow]]:
    """The meeting's discussion items in order, and the items of other meetings that mention
    it (of meetings ``user`` may see, in meeting order), each with the refs written in it
    that resolved: two queries, the items' ids and then one row per reference.

    The ids come first on their own: asked in one query, "this meeting's items or those
    mentioning it" with each reference's record joined made PostgreSQL join every
    reference of every meeting to its record (a scan of all actions: 160 ms of a seat
    holder's page at 300,000 actions) before keeping the few it needed; by id, every join
    is one index lookup.
    """
    # A UNION of two index reads, in no order (the items are sorted below): "this meeting's
    # or in (mentioning)" in one WHERE read every discussion item, and the model's ordering
    # joined each to its meeting and committee to sort them.
    mentioning = (
        DiscussionReference.objects.visible_to(user)
        .filter(meeting=meeting)
        .order_by()
        .values_list("discussion_item_id", flat=True)
    )
    ids = list(
        DiscussionItem.objects.filter(meeting=meeting)
        .order_by()
        .values_list("id", flat=True)
        .union(mentioning)
    )
    rows: dict[int, MeetingDiscussionRow] = {}
    sort_keys: dict[int, tuple[Any, ...]] = {}
    if not ids:
        return [], []
    for row in (
        DiscussionItem.objects.filter(pk__in=ids)
        .order_by("id", "references__id")
        .values(
            "id",
            "meeting_id",
            "agenda_item_id",
            "order",
            "text",
            meeting_ref=F("meeting__ref"),
            meeting_start_at=F("meeting__start_at"),
            ref=F("references__ref"),
            kind=F("references__kind"),
            **{f"to_{name}": F(f"references__{name}_id") for name in _RESOLVED_COLUMNS},
            **_linkable_column(user),
        )
    ):
        item = rows.get(row["id"])
        if item is None:
            item = rows[row["id"]] = MeetingDiscussionRow(
                pk=row["id"],
                meeting_id=row["meeting_id"],
                meeting_ref=row["meeting_ref"],
                agenda_item_id=row["agenda_item_id"],
                text=row["text"],
                known_refs={},
            )
            sort_keys[row["id"]] = (row["meeting_start_at"], row["order"], row["id"])
        resolved = any(row[f"to_{n}"] for n in _RESOLVED_COLUMNS)
        if row["ref"] is not None and resolved and row.get("linkable", True):
            item.known_refs[row["ref"]] = row["kind"]
    ordered = sorted(rows.values(), key=lambda item: sort_keys[item.pk])
    own = [item for item in ordered if item.meeting_id == meeting.pk]
    mentions = [item for item in ordered if item.meeting_id != meeting.pk]
    return own, mentions
