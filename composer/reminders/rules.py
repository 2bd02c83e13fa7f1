"""Which reminders are owed on which day: the kinds, their occasions and the calendar.

An occasion is the date a reminder belongs to, the last part of its
:class:`ReminderKey`: the due date for *due soon* and *due today*, the first day of the
overdue week for *overdue*, the meeting's date for a digest. A key is owed once, so the
occasion is what makes "once per due date" and "weekly until closed" hold across runs.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.utils import timezone

from actions.models import Action, ReminderLog

LONDON = ZoneInfo("Europe/London")
Kind = ReminderLog.Kind
Status = ReminderLog.Status

# Only open actions are chased; one proposed for closure waits on the PMO, not its owner,
# so it is listed in a digest but never chased.
CHASED_STATUSES = (Action.Status.OPEN,)
OPEN_STATUSES = (Action.Status.OPEN, Action.Status.PROPOSED_CLOSURE)

# The order of an email's parts and of a summary's kinds: digests first, then overdue,
# due today, due soon.
KIND_ORDER = {Kind.MEETING_DIGEST: 0, Kind.OVERDUE: 1, Kind.DUE_TODAY: 2, Kind.DUE_SOON: 3}

# The windows reach a week back and up to a committee's due_soon_days (at most 32,767)
# forward: a margin of a year and 100 years keeps every date arithmetic inside the calendar.
REMINDER_DATE_MIN = dt.date(2, 1, 1)
REMINDER_DATE_MAX = dt.date(9899, 12, 31)


class ReminderKey(NamedTuple):
    """One reminder owed: the unique key of its :class:`~actions.models.ReminderLog` row.

    Either ``action_id`` (due soon, due today, overdue) or ``meeting_id`` (a digest) is set.
    A plain tuple of the same values compares and hashes equal, so keys read back from the
    log match the keys a run owes.
    """

    person_id: int
    action_id: int | None
    meeting_id: int | None
    kind: str
    reminder_date: dt.date


def reminders_today() -> dt.date:
    """Today's Europe/London calendar date (a run at 00:30 BST belongs to the new day)."""
    return timezone.localdate(timezone=LONDON)


def overdue_week_start(*, due_date: dt.date, today: dt.date) -> dt.date:
    """The first day of the overdue week ``today`` falls in: due + 1, due + 8, due + 15, ...

    ``today`` must be after ``due_date``. The overdue reminder is owed once per such week.
    """
    weeks = ((today - due_date).days - 1) // 7
    return due_date + dt.timedelta(days=1 + 7 * weeks)


def london_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in Europe/London (meetings are bounded by London days)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=LONDON)


def chase_kind(
    *, due_date: dt.date | None, status: str, today: dt.date, due_soon_days: int
) -> tuple[str, dt.date] | None:
    """The (kind, occasion date) an action's owners are owed today, or None."""
    if due_date is None or status not in CHASED_STATUSES:
        return None
    days = (due_date - today).days
    if days == 0:
        return Kind.DUE_TODAY, due_date
    if 0 < days <= due_soon_days:
        return Kind.DUE_SOON, due_date
    if days < 0:
        return Kind.OVERDUE, overdue_week_start(due_date=due_date, today=today)
    return None


def digest_owed(*, meeting_date: dt.date, today: dt.date, due_soon_days: int) -> bool:
    """True when a planned meeting on ``meeting_date`` is close enough for its digest today.

    The meetings read are already after today; a digest is owed in the committee's
    ``due_soon_days`` before the meeting.
    """
    return (meeting_date - today).days <= due_soon_days


def key_window(*, today: dt.date, longest_due_soon_days: int) -> tuple[dt.date, dt.date]:
    """The range every occasion date owed today falls in (bounds the reads of the log).

    Overdue occasions start at most six days back; due-soon dates and meetings lie at most the
    longest ``due_soon_days`` ahead.
    """
    return today - dt.timedelta(days=6), today + dt.timedelta(days=longest_due_soon_days)
