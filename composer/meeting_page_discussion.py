"""The meeting page's discussion: the meeting's own discussion items and the items of other
meetings that mention it, each with the refs written in it that name a record the reader
may open (``core.visibility``).

Split from :mod:`composer.meeting_page`, which places these rows under their areas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F

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


@dataclass
class DiscussionRead:
    """The discussion rows of a meeting page as read (one row per item and reference), and
    the meetings their references name, which decide what the reader may open: the page
    asks ``core.visibility.visible_meeting_ids`` about them with its other meetings (one
    call), then :meth:`split` makes the rows."""

    meeting_id: int
    values: list[dict[str, Any]]
    # Whether the rows carry their linked meetings (``core.visibility.linked_meeting_columns``):
    # not for a reader who sees every meeting.
    decides_links: bool

    def linked_meetings(self) -> list[Any]:
        """The meetings named by the references (``core.visibility.linked_meetings``)."""
        if not self.decides_links:
            return []
        return [m for row in self.values for m in visibility.linked_meetings(row)]

    def split(
        self, seen: set[int]
    ) -> tuple[list[MeetingDiscussionRow], list[MeetingDiscussionRow]]:
        """The meeting's own items in order and the items mentioning it (in meeting order),
        each with the refs that resolved to a record of a meeting in ``seen`` or of none."""
        rows: dict[int, MeetingDiscussionRow] = {}
        sort_keys: dict[int, tuple[Any, ...]] = {}
        for row in self.values:
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
            linkable = not self.decides_links or visibility.linked_record_visible(row, seen)
            if row["ref"] is not None and resolved and linkable:
                item.known_refs[row["ref"]] = row["kind"]
        ordered = sorted(rows.values(), key=lambda item: sort_keys[item.pk])
        own = [item for item in ordered if item.meeting_id == self.meeting_id]
        mentions = [item for item in ordered if item.meeting_id != self.meeting_id]
        return own, mentions


def discussion_read(meeting: Meeting, *, user: Any) -> DiscussionRead:
    """The meeting's discussion items and the items of other meetings that mention it (of
    meetings ``user`` may see), each with the refs written in it: two queries, the items'
    ids and then one row per reference, with the meetings of the records the references
    name when ``user`` does not see every meeting (decided by :meth:`DiscussionRead.split`).

    The ids come first on their own: asked in one query, "this meeting's items or those
    mentioning it" with each reference's record joined made PostgreSQL join every
    reference of every meeting to its record (a scan of all actions: 160 ms of a seat
    holder's page at 300,000 actions) before keeping the few it needed; by id, every join
    is one index lookup.
    """
    # A UNION of two index reads, in no order (the items are sorted by split): "this
    # meeting's or in (mentioning)" in one WHERE read every discussion item, and the model's
    # ordering joined each to its meeting and committee to sort them.
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
    decides_links = not visibility.sees_all_meetings(user)
    if not ids:
        return DiscussionRead(meeting.pk, [], decides_links)
    values = (
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
            **(visibility.linked_meeting_columns("references__") if decides_links else {}),
        )
    )
    return DiscussionRead(meeting.pk, list(values), decides_links)
