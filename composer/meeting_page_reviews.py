"""The meeting page's "Previous meeting(s)": the earlier actions taken up at a meeting, read
with the meeting's own actions as one list of action rows, and which of them the reader may
only see named (their meeting is hidden from them, ``core.visibility``).

Split from :mod:`composer.meeting_page`, which places these rows on the page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.utils.dateparse import parse_date

from actions.models import Action, ActionReview
from actions.rows import ActionRow, action_rows
from composer.meeting_page_json import json_list
from meetings.models import Meeting


def reviews_json_list() -> Subquery:
    """The reviews of earlier actions taken up at the outer meeting, as a JSON list of their
    own columns and their action's meeting (which decides whether the reader may see it)."""
    return json_list(
        ActionReview.objects.filter(meeting_id=OuterRef("pk")),
        id="id",
        order="order",
        action_id="action_id",
        outcome="outcome",
        new_due_date="new_due_date",
        note="note",
        action_meeting_id="action__meeting_id",
        action_classification="action__meeting__classification",
        action_committee_id="action__committee_id",
    )


@dataclass
class MeetingReviewRow:
    """An earlier action taken up at the meeting (report "Previous Meeting(s)")."""

    pk: int
    action: ActionRow
    outcome: str
    new_due_date: dt.date | None
    note: str
    # The reviewed action is of a meeting the reader may not see: named, not shown.
    is_hidden: bool = False

    @property
    def outcome_label(self) -> str:
        return str(ActionReview.Outcome(self.outcome).label)

    @property
    def is_reopened_since(self) -> bool:
        """Closed at this meeting, open again now (the PMO reopened it with a reason)."""
        return self.outcome == ActionReview.Outcome.CLOSED and self.action.status != "closed"


def reviewed_meetings(meeting: Meeting) -> list[Meeting]:
    """The meetings of the earlier actions taken up at ``meeting`` (unsaved, from its JSON
    list of reviews, with what decides whether a reader may see them)."""
    return list(
        {
            data["action_meeting_id"]: Meeting(
                pk=data["action_meeting_id"],
                classification=data["action_classification"],
                committee_id=data["action_committee_id"],
            )
            for data in meeting.page_reviews or []
        }.values()
    )


def action_and_review_rows(
    meeting: Meeting, today: dt.date, *, user: Any, seen_meetings: set[int]
) -> tuple[list[ActionRow], list[MeetingReviewRow]]:
    """The meeting's actions in ref order, and the earlier actions taken up at it in order
    (the reviews' own columns came with the meeting as JSON): every action read as one list
    of rows (``actions.rows``, two queries). A reviewed action of a meeting not among
    ``seen_meetings`` (the ids of :func:`reviewed_meetings` that ``user`` may see) is marked
    ``is_hidden``: the page names it without its text."""
    reviews = sorted(meeting.page_reviews or [], key=lambda d: (d["order"], d["id"]))
    reviewed = {data["action_id"] for data in reviews}
    rows = action_rows(
        Action.objects.filter(Q(meeting=meeting) | Q(pk__in=reviewed)).order_by(
            "meeting__start_at", "seq"
        ),
        today=today,
        user=user,
    )
    hidden = {
        data["action_id"] for data in reviews if data["action_meeting_id"] not in seen_meetings
    }
    by_pk = {row.pk: row for row in rows}
    return [row for row in rows if row.meeting_id == meeting.pk], [
        MeetingReviewRow(
            pk=data["id"],
            action=by_pk[data["action_id"]],
            outcome=data["outcome"],
            new_due_date=parse_date(data["new_due_date"][:10]) if data["new_due_date"] else None,
            note=data["note"],
            is_hidden=data["action_id"] in hidden,
        )
        for data in reviews
    ]
