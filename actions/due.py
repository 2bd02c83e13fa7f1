"""The rules of an action's due date: a date or a later meeting of its committee, never
both at odds, and what looks wrong but is allowed (a warning after the save).

Used by ``actions.services`` and the browser views; no state changes here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError

from meetings.models import Meeting

from .models import Action

CLOSED_WITH_NEW_DATE = (
    "A closed action takes no new due date: leave the date empty to close it, or choose "
    "“Re-dated” to keep it open with the new date."
)


def due_date_check(due_date: Any, *, field: str = "due_date") -> None:
    """A due date given is a date; ValidationError on ``field`` (the form's name) otherwise."""
    if due_date is not None and not isinstance(due_date, dt.date):
        raise ValidationError({field: f"“{due_date}” is not a date (use YYYY-MM-DD)."})


def due_meeting_check(*, meeting: Meeting, due_meeting: Meeting | None) -> None:
    """An action is due by a later meeting of its own committee, one of those its forms
    offer (``Meeting.objects.later_than``); ValidationError otherwise."""
    if due_meeting is None:
        return
    if not Meeting.objects.later_than(meeting).filter(pk=due_meeting.pk).exists():
        raise ValidationError(
            {
                "due_meeting": f"{due_meeting.ref} is not a later meeting of "
                f"{meeting.committee.code} than {meeting.ref}, where the action was raised."
            }
        )


def due_by_meeting(*, due_date: dt.date | None, due_meeting: Meeting) -> dt.date:
    """The due date of an action due by ``due_meeting``: the meeting's date.

    A due date given as well must be that date (the form shows it so); any other date is a
    field error rather than one of the two dropped without a word.
    """
    if due_date is not None and due_date != due_meeting.date:
        raise ValidationError(
            {
                "due_date": f"{due_meeting.ref} meets on {due_meeting.date:%d %b %Y}: give a due "
                "date or a due meeting, not both (leave the date empty to follow the meeting)."
            }
        )
    return due_meeting.date


def action_due_warnings(*, action: Action) -> list[str]:
    """What looks wrong with an action's due date, but is allowed (shown after a save).

    Due before the meeting that raised it (a typing slip, or a historical record), or with
    neither a due date nor a due meeting (never overdue, never reminded).
    """
    raised = action.meeting
    if action.due_date is not None and action.due_date < raised.date:
        return [
            f"{action.ref} is due on {action.due_date:%d %b %Y}, before {raised.ref} "
            f"({raised.date:%d %b %Y}) that raised it: check the due date."
        ]
    if action.due_date is None and action.due_meeting_id is None:
        return [
            f"{action.ref} has no due date and no due meeting: it is never overdue and no "
            "reminder is sent for it."
        ]
    return []
