"""Claiming reminders: the :class:`~actions.models.ReminderLog` rows that make sends exactly once.

A run claims every email it owes at once, then begins, sends and records each on its own,
so a process killed part-way through leaves at most the emails in flight in doubt (one, or
one per sender when several send at once, :mod:`.senders`):

1. **Claim** everything owed (one short transaction, :func:`claims_take`): insert the owed
   keys as ``claimed`` by this run, ignoring keys that exist, re-claim ``failed`` keys, and
   read back the rows this run now holds. A fixed number of queries for the whole run.
2. For each person in turn, **begin** (:func:`claim_begin`): re-read the person's actions'
   statuses (an action closed since the run read its candidates is dropped, its row
   released) and move the person's rows ``claimed`` → ``sending`` with ``attempt_at`` now,
   if they are still this run's. The same statement **records** the emails whose sends
   have ended since the last begin (their rows ``sending`` → ``sent``): one UPDATE, one
   commit, so it moves both or neither. On PostgreSQL the statuses are read by that
   statement too (a ``WITH`` before its UPDATE: the rows begun are those owed as of that
   read); elsewhere by a SELECT just before it.
3. **Send** the one email (outside any transaction; a sender is free before 2 begins).
4. **Record** it: sent, with the next person's begin (2), or at the end of the run for
   the last emails (:func:`record_sent`); failed at once (:func:`record_failed`).

A key another run inserted first is not ours, so a second run, a retried task or a second
beat sends nothing twice. A run killed between 2 and 4 leaves that person's rows
``sending`` with the time the send began: whether that email went is unknown, so it is not
sent again and the PMO sees it in the reminder log. What a kill at each point of one
person's turn leaves (with one sender; with N, the same for each of at most N in flight):

- before the begin's statement commits: the previous email (sent) still ``sending``, in
  doubt, not sent again; this person ``claimed``, released and sent by the next run;
- after it, while the email is written or sent: the previous email ``sent``, this one
  ``sending``, in doubt;
- once its send has ended, before the next begin records it: ``sending``, in doubt.

So at any moment at most one email per sender is ``sending``, as when each email was
recorded by a statement of its own. The people not yet begun are still
``claimed`` by the dead run: the next run first releases them (:func:`claims_release`,
``failed`` with the reason, so they are claimed again and sent). Runs are one at a time
(:mod:`.lock`); where no lock exists (SQLite without Redis, development only), a run that
releases another live run's claims only makes that run skip those people, since every move
is conditional on the row's status and run.

Queries: a fixed handful for the whole run (release, read, claim), then per person emailed
one on PostgreSQL, two elsewhere (statuses; begin with the previous record), and one at the
end (the last records); people with nothing new cost none. That statement is the price of
the crash rule: the log must say which emails were in flight when the process died (one
per sender, :mod:`.senders`), so each email is begun, and the one before it recorded,
before it is sent; no begin or record is shared between two emails' turns. The statements
themselves: :mod:`.statements`.

The statuses are read for one person at a time, at that person's begin, not ahead for the
next few: an action closed while the run is sending is left out of every email begun after
its closing commits (``tests/hardening/test_reminder_crash.py`` closes one during the first
send), where a read ahead would still mention it to the people of the chunk already read.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Q, Value, When
from django.utils import timezone

from actions.models import ReminderLog
from composer.reminders.candidates import Candidates
from composer.reminders.rules import CHASED_STATUSES, OPEN_STATUSES, ReminderKey, Status, key_window
from composer.reminders.statements import (
    action_statuses,
    begin_if_owed,
    begin_recording,
    begins_with_statuses,
    insert_claims,
    move_rows,
)

# The log's columns read back as (pk, status, *ReminderKey).
_KEY_FIELDS = ("pk", "status", *ReminderKey._fields)


def _key_of(row: tuple) -> ReminderKey:
    return ReminderKey._make(row[2:])


def _still_ours(run_id: uuid.UUID, status: str) -> Case:
    """The per-email writes' check that a row is still this run's and in ``status``, as a
    CASE rather than plain conditions.

    Those writes name their rows by primary key. Given ``run_id = x AND status = y`` as
    well, PostgreSQL picked the ``run_id`` (or ``status``) index: its statistics, taken
    before the run wrote its rows, say a run id is rare, while during the run every row it
    claimed has that id. Each email's update then read all the run's rows (12,669 at
    300,000 actions: quadratic in the run). An index cannot serve a CASE, so the planner
    takes the primary key; the check itself is the same.
    """
    return Case(
        When(Q(run_id=run_id, status=status), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


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
    # A row left ``claimed`` by a stopped run was never begun: the next run sends it.
    return {key for key, (_, status) in existing.items() if status in (Status.SENT, Status.SENDING)}


def claims_release(*, run_id: uuid.UUID) -> int:
    """Release rows still ``claimed`` by runs that stopped before beginning them.

    Called by a run holding the scanner lock before it reads the log: any ``claimed`` row of
    another run is one that run never began (it died or was killed), so it is marked
    ``failed`` with the reason and claimed again like any failed reminder. One update;
    returns the rows released.
    """
    return (
        ReminderLog.objects.filter(status=Status.CLAIMED)
        .exclude(run_id=run_id)
        .update(status=Status.FAILED, error="Not sent: the run that claimed it stopped first.")
    )


@dataclass
class Held:
    """The rows a run holds for one person: their keys and the log rows' pks."""

    person_id: int
    rows: dict[ReminderKey, int]


def claims_take(
    *,
    owed: list[tuple[int, list[ReminderKey]]],
    retry_ids: list[int],
    run_id: uuid.UUID,
) -> list[Held]:
    """Claim the owed keys of every person in one short transaction; the rows now held.

    ``owed``: (person, keys) in sending order; ``retry_ids``: the pks of owed ``failed``
    rows (read by :func:`claims_existing`). Returns one :class:`Held` per person in that
    order, for the people whose keys this run holds (keys another run took are not ours).
    """
    with transaction.atomic():
        insert_claims([key for _, keys in owed for key in keys], run_id=run_id)
        if retry_ids:
            # The status condition makes the re-claim atomic: of two runs, one updates it.
            ReminderLog.objects.filter(pk__in=retry_ids, status=Status.FAILED).update(
                status=Status.CLAIMED, run_id=run_id, error=""
            )
        held: dict[ReminderKey, int] = {
            _key_of(row): row[0]
            for row in ReminderLog.objects.filter(run_id=run_id, status=Status.CLAIMED).values_list(
                *_KEY_FIELDS
            )
        }
    result = []
    for person_id, keys in owed:
        rows = {key: held[key] for key in keys if key in held}
        if rows:
            result.append(Held(person_id=person_id, rows=rows))
    return result


def claim_begin(
    *, found: Candidates, held: Held, run_id: uuid.UUID, sent_ids: list[int] | None = None
) -> list[ReminderKey]:
    """Begin one person's email: the keys still owed, their rows now ``sending``; in the
    same statement, the rows ``sent_ids`` (of emails whose sends ended) recorded ``sent``.

    Actions closed since the candidates were read are left out: a chased key whose action
    is no longer chased is released (its row deleted: nothing was owed after all), and a
    digest no longer lists it (``found.open_by_person`` is narrowed; a digest left listing
    nothing is released too). Returns [] when nothing is left or the rows are no longer
    this run's (another run released them).
    """
    if begins_with_statuses():
        return _begin_at_once(found, held, run_id, list(sent_ids or ()))
    keys = _still_owed(found, held.person_id, list(held.rows))
    dropped = [pk for key, pk in held.rows.items() if key not in set(keys)]
    if dropped:
        ReminderLog.objects.filter(_still_ours(run_id, Status.CLAIMED), pk__in=dropped).delete()
    if not keys:
        record_sent(run_id=run_id, row_ids=list(sent_ids or ()))
        return []
    begin_ids = [held.rows[key] for key in keys]
    if not sent_ids or not connection.features.can_return_rows_from_bulk_insert:
        # Nothing to record with it, or no UPDATE ... RETURNING (SQLite before 3.35).
        record_sent(run_id=run_id, row_ids=list(sent_ids or ()))
        begun = move_rows(
            begin_ids,
            run_id=run_id,
            status=Status.CLAIMED,
            values={"status": Status.SENDING, "attempt_at": timezone.now()},
            attempt=True,
        )
    else:
        begun = begin_recording(begin_ids, list(sent_ids), run_id=run_id)
    return keys if begun == len(keys) else []


def _begin_at_once(
    found: Candidates, held: Held, run_id: uuid.UUID, sent_ids: list[int]
) -> list[ReminderKey]:
    """:func:`claim_begin` as one statement (PostgreSQL): the statuses read, the rows still
    owed begun and ``sent_ids`` recorded together (:func:`.statements.begin_if_owed`); the
    rows no longer owed are then released, as the statuses read say."""
    digest_lists, action_ids = _listed(found, held.person_id, list(held.rows))
    checks = [
        (pk, action_id, key.meeting_id is not None)
        for key, pk in held.rows.items()
        for action_id in (
            digest_lists[key.meeting_id] if key.meeting_id is not None else (key.action_id,)
        )
    ]
    status, begun = begin_if_owed(
        action_ids=sorted(action_ids),
        checks=checks,
        begin_ids=list(held.rows.values()),
        sent_ids=sent_ids,
        run_id=run_id,
        open_statuses=OPEN_STATUSES,
        chased_statuses=CHASED_STATUSES,
    )
    keys = _owed_now(status, list(held.rows), digest_lists)
    dropped = [pk for key, pk in held.rows.items() if key not in set(keys)]
    if dropped:
        ReminderLog.objects.filter(_still_ours(run_id, Status.CLAIMED), pk__in=dropped).delete()
    return keys if keys and begun == len(keys) else []


def _listed(
    found: Candidates, person_id: int, keys: list[ReminderKey]
) -> tuple[dict[int, set[int]], set[int]]:
    """The person's digest lists by meeting (``found.open_by_person``'s own sets) and every
    action the keys name or list."""
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
    return digest_lists, action_ids


def _owed_now(
    status: dict[int, str], keys: list[ReminderKey], digest_lists: dict[int, set[int]]
) -> list[ReminderKey]:
    """The keys still owed by the statuses read, digests narrowed to their open actions."""
    for listed in digest_lists.values():
        listed.difference_update({a for a in listed if status.get(a) not in OPEN_STATUSES})
    return [
        key
        for key in keys
        if (key.action_id is not None and status.get(key.action_id) in CHASED_STATUSES)
        or (key.meeting_id is not None and digest_lists[key.meeting_id])
    ]


def _still_owed(found: Candidates, person_id: int, keys: list[ReminderKey]) -> list[ReminderKey]:
    """The keys whose actions are still open now (one query), digests narrowed to match."""
    digest_lists, action_ids = _listed(found, person_id, keys)
    return _owed_now(action_statuses(sorted(action_ids)), keys, digest_lists)


def record_sent(*, run_id: uuid.UUID, row_ids: list[int]) -> None:
    """The email went: its rows (begun by this run) are sent (one update)."""
    move_rows(
        row_ids,
        run_id=run_id,
        status=Status.SENDING,
        values={"status": Status.SENT, "sent_at": timezone.now()},
    )


def record_failed(*, run_id: uuid.UUID, row_ids: list[int], error: str) -> None:
    """The email was refused or never written: its rows failed, for the next run to retry."""
    move_rows(
        row_ids,
        run_id=run_id,
        status=Status.SENDING,
        values={"status": Status.FAILED, "error": error},
    )
