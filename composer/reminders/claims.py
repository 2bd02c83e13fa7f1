"""Claiming reminders: the :class:`~actions.models.ReminderLog` rows that make sends exactly once.

Each person's email is claimed, sent and recorded on its own, so a process killed part-way
through a run leaves at most one email's rows in doubt:

1. **Claim** (one short transaction, :func:`claim_person`): re-read the person's actions'
   statuses (an action closed since the run read its candidates is dropped), insert the
   person's owed keys as ``sending`` with ``attempt_at`` now, ignoring keys that exist,
   re-claim their ``failed`` keys, and read back the rows this run now holds.
2. **Send** the one email (outside any transaction).
3. **Record** it (:func:`record_sent` or :func:`record_failed`).

A key another run inserted first is not ours, so a second run, a retried task or a second
beat sends nothing twice. A run killed between 1 and 3 leaves that one person's rows
``sending`` with the time the send began: whether that email went is unknown, so it is not
sent again and the PMO sees it in the reminder log. Everyone after that person was never
claimed, so the next run sends them.

Queries: one read of the log for the whole run (:func:`claims_existing`), then per person
emailed a fixed handful (statuses, insert, re-claim when there are failed rows, read back,
record); people with nothing new cost none.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from actions.models import Action, ReminderLog
from composer.reminders.candidates import Candidates
from composer.reminders.rules import CHASED_STATUSES, OPEN_STATUSES, ReminderKey, Status, key_window

# The log's columns read back as (pk, status, *ReminderKey).
_KEY_FIELDS = ("pk", "status", *ReminderKey._fields)


def _key_of(row: tuple) -> ReminderKey:
    return ReminderKey._make(row[2:])


def _window(found: Candidates, today: dt.date) -> tuple[dt.date, dt.date]:
    return key_window(today=today, longest_due_soon_days=found.longest_due_soon_days)


def claims_existing(*, found: Candidates, today: dt.date) -> dict[ReminderKey, tuple[int, str]]:
    """The log rows of the keys owed today: key -> (pk, status). One query."""
    low, high = _window(found, today)
    return {
        _key_of(row): (row[0], row[1])
        for row in ReminderLog.objects.filter(
            reminder_date__gte=low, reminder_date__lte=high
        ).values_list(*_KEY_FIELDS)
        if _key_of(row) in found.keys
    }


def claims_done(*, found: Candidates, today: dt.date) -> set[ReminderKey]:
    """Keys owed today that are already sent or being sent (what a dry run leaves out)."""
    existing = claims_existing(found=found, today=today)
    return {key for key, (_, status) in existing.items() if status != Status.FAILED}


def claim_person(
    *,
    found: Candidates,
    person_id: int,
    keys: Iterable[ReminderKey],
    retry_ids: list[int],
    run_id: uuid.UUID,
) -> list[ReminderKey]:
    """Claim one person's owed keys in one short transaction; return the keys now held.

    ``retry_ids`` are the pks of the person's ``failed`` rows (read by
    :func:`claims_existing`). Actions closed since the candidates were read are left out:
    a chased key whose action is no longer chased is not claimed, and a digest no longer
    lists it (``found.open_by_person`` is narrowed; a digest left listing nothing is not
    claimed).
    """
    keys = list(keys)
    with transaction.atomic():
        keys = _still_owed(found, person_id, keys)
        now = timezone.now()
        ReminderLog.objects.bulk_create(
            [
                ReminderLog(**key._asdict(), status=Status.SENDING, run_id=run_id, attempt_at=now)
                for key in keys
            ],
            ignore_conflicts=True,
        )
        if retry_ids:
            # The status condition makes the re-claim atomic: of two runs, one updates it.
            ReminderLog.objects.filter(pk__in=retry_ids, status=Status.FAILED).update(
                status=Status.SENDING,
                run_id=run_id,
                attempts=F("attempts") + 1,
                error="",
                attempt_at=now,
            )
        owed = set(keys)
        return [
            _key_of(row)
            for row in ReminderLog.objects.filter(
                run_id=run_id, person_id=person_id, status=Status.SENDING
            ).values_list(*_KEY_FIELDS)
            if _key_of(row) in owed
        ]


def _still_owed(found: Candidates, person_id: int, keys: list[ReminderKey]) -> list[ReminderKey]:
    """The keys whose actions are still open now (one query), digests narrowed to match."""
    digest_lists = {
        key.meeting_id: found.open_by_person[
            (person_id, found.meetings[key.meeting_id].committee_id)
        ]
        for key in keys
        if key.meeting_id is not None
    }
    action_ids = {key.action_id for key in keys if key.action_id is not None}
    for listed in digest_lists.values():
        action_ids |= listed
    status = dict(Action.objects.filter(pk__in=sorted(action_ids)).values_list("pk", "status"))
    for listed in digest_lists.values():
        listed.difference_update({a for a in listed if status.get(a) not in OPEN_STATUSES})
    return [
        key
        for key in keys
        if (key.action_id is not None and status.get(key.action_id) in CHASED_STATUSES)
        or (key.meeting_id is not None and digest_lists[key.meeting_id])
    ]


def record_sent(*, run_id: uuid.UUID, person_id: int) -> None:
    """The person's email went: their rows of this run are sent (one update)."""
    ReminderLog.objects.filter(run_id=run_id, person_id=person_id, status=Status.SENDING).update(
        status=Status.SENT, sent_at=timezone.now()
    )


def record_failed(*, run_id: uuid.UUID, person_id: int, error: str) -> None:
    """The person's email was refused or never written: failed, for the next run to retry."""
    ReminderLog.objects.filter(run_id=run_id, person_id=person_id, status=Status.SENDING).update(
        status=Status.FAILED, error=error
    )
