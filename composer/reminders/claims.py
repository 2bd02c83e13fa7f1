"""Claiming reminders: the :class:`~actions.models.ReminderLog` rows that make sends exactly once.

A run inserts the keys it owes in the transaction that decides the send, ignoring keys that
exist, and sends only the rows it inserted (or failed rows it re-claimed). Afterwards it marks
its rows sent or failed; a failed row is re-claimed by the next run that still owes it. A
process killed while sending leaves its rows ``claimed``: those are not sent again, since
whether they went is unknown (at most once beats twice for a PMO's inbox).

Fixed queries: one insert, one read of failed rows, one re-claim (when there are any), one
read back; marking is one update for the sent rows and one per distinct error.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from actions.models import ReminderLog
from composer.reminders.candidates import Candidates
from composer.reminders.rules import ReminderKey, Status, key_window

# The log's columns read back as (pk, *ReminderKey).
_KEY_FIELDS = ("pk", *ReminderKey._fields)


def _key_of(row: tuple) -> ReminderKey:
    return ReminderKey._make(row[1:])


def _window(found: Candidates, today: dt.date) -> tuple[dt.date, dt.date]:
    return key_window(today=today, longest_due_soon_days=found.longest_due_soon_days)


def claims_take(*, found: Candidates, today: dt.date, run_id: uuid.UUID) -> list[ReminderKey]:
    """Insert the owed keys and re-claim owed failed ones; return the keys this run holds.

    Runs inside the caller's transaction. A key another run inserted first is not ours; a
    concurrent insert of the same key waits for the other transaction and then does nothing.
    """
    ReminderLog.objects.bulk_create(
        [
            ReminderLog(
                person_id=key.person_id,
                action_id=key.action_id,
                meeting_id=key.meeting_id,
                kind=key.kind,
                reminder_date=key.reminder_date,
                status=Status.CLAIMED,
                run_id=run_id,
            )
            for key in found.keys
        ],
        ignore_conflicts=True,
    )
    low, high = _window(found, today)
    retry_ids = [
        row[0]
        for row in ReminderLog.objects.filter(
            status=Status.FAILED, reminder_date__gte=low, reminder_date__lte=high
        ).values_list(*_KEY_FIELDS)
        if _key_of(row) in found.keys
    ]
    if retry_ids:
        # The status condition makes the re-claim atomic: of two runs, one updates the row.
        ReminderLog.objects.filter(pk__in=retry_ids, status=Status.FAILED).update(
            status=Status.CLAIMED, run_id=run_id, attempts=F("attempts") + 1, error=""
        )
    return [
        _key_of(row)
        for row in ReminderLog.objects.filter(run_id=run_id, status=Status.CLAIMED).values_list(
            *_KEY_FIELDS
        )
    ]


def claims_done(*, found: Candidates, today: dt.date) -> set[ReminderKey]:
    """Keys owed today that are already sent or being sent (what a dry run leaves out)."""
    low, high = _window(found, today)
    return {
        _key_of(row)
        for row in ReminderLog.objects.filter(reminder_date__gte=low, reminder_date__lte=high)
        .exclude(status=Status.FAILED)
        .values_list(*_KEY_FIELDS)
    }


@transaction.atomic
def claims_mark(*, run_id: uuid.UUID, sent: set[int], errors: dict[int, str]) -> None:
    """Mark the run's rows: sent for the people in ``sent``, failed with their error for the
    people in ``errors`` (one update for the sent rows, one per distinct error)."""
    if sent:
        ReminderLog.objects.filter(run_id=run_id, status=Status.CLAIMED).exclude(
            person_id__in=list(errors)
        ).update(status=Status.SENT, sent_at=timezone.now())
    by_error: dict[str, list[int]] = defaultdict(list)
    for person_id, error in errors.items():
        by_error[error].append(person_id)
    for error, person_ids in by_error.items():
        ReminderLog.objects.filter(
            run_id=run_id, status=Status.CLAIMED, person_id__in=person_ids
        ).update(status=Status.FAILED, error=error)
