"""The run: find what is owed, claim it all, then per person begin, send and record one email.

The scheduled task and the ``send_reminders`` command both call :func:`reminders_send`.
Finding and claiming what is owed costs a fixed number of queries however many actions and
people there are; each email then costs one or two (see :mod:`.claims`), written from the
run's thread while up to ``REMINDER_SEND_PARALLEL`` senders send (:mod:`.senders`).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from composer.reminders.candidates import Candidates, candidates_owed
from composer.reminders.claims import (
    Held,
    claim_begin,
    claims_done,
    claims_existing,
    claims_release,
    claims_take,
    record_failed,
    record_sent,
)
from composer.reminders.commits import quick_commits
from composer.reminders.emails import Composer, ReminderEmail
from composer.reminders.lock import scanner_lock
from composer.reminders.rules import (
    REMINDER_DATE_MAX,
    REMINDER_DATE_MIN,
    ReminderKey,
    Status,
    reminders_today,
)
from composer.reminders.senders import STOPPED, Letter, Outcome, Senders, send_parallel
from core import roles
from core.actors import is_system

logger = logging.getLogger(__name__)


@dataclass
class ReminderRun:
    """What one run did: its Europe/London date, the emails, and whether it ran at all.

    ``locked_out`` is True when another run held the scanner lock and this one did nothing.
    """

    today: dt.date
    dry_run: bool = False
    locked_out: bool = False
    emails: list[ReminderEmail] = field(default_factory=list)
    # (action ref, owner) owed a reminder today that no email reaches (no address, no seat).
    unreachable: list[tuple[str, str]] = field(default_factory=list)

    @property
    def sent(self) -> list[ReminderEmail]:
        return [e for e in self.emails if not e.error]

    @property
    def failed(self) -> list[ReminderEmail]:
        return [e for e in self.emails if e.error]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly summary (the task's return value)."""
        return {
            "today": self.today.isoformat(),
            "dry_run": self.dry_run,
            "locked_out": self.locked_out,
            "sent": len(self.sent),
            "failed": len(self.failed),
            "unreachable": [f"{ref}: {owner}" for ref, owner in self.unreachable],
        }


def reminders_send(
    *, acting_user: Any, today: dt.date | None = None, dry_run: bool = False
) -> ReminderRun:
    """Send every reminder owed on ``today`` (Europe/London; default: now), each exactly once.

    Returns a :class:`ReminderRun` listing one :class:`ReminderEmail` per person emailed (with
    ``error`` set for a failed send). With ``dry_run`` nothing is written or sent; the result
    lists what a real run would send now. A run that finds another run in progress returns
    ``locked_out=True`` and does nothing. Each email is claimed, sent and recorded before the
    next (:mod:`.claims`): failed sends are left ``failed`` for the next run to retry, nothing
    already sent or in doubt is sent again, and people a stopped run never reached are sent
    by the next. The worker's SoftTimeLimitExceeded propagates, leaving only the email in
    flight ``sending``. Rules: the package's docstring. Raises ValueError
    for a date so near the calendar's ends (years 1 and 9999) that the reminder windows
    around it cannot be computed. ``acting_user``: the system (the task, the command) or the
    PMO; PermissionDenied for anyone else.
    """
    if not is_system(acting_user):
        roles.require_pmo(acting_user)
    today = today or reminders_today()
    if not REMINDER_DATE_MIN <= today <= REMINDER_DATE_MAX:
        raise ValueError(
            f"{today.isoformat()} is outside the dates reminders can be run for "
            f"({REMINDER_DATE_MIN.isoformat()} to {REMINDER_DATE_MAX.isoformat()})."
        )
    result = ReminderRun(today=today, dry_run=dry_run)
    if dry_run:
        found = candidates_owed(today)
        result.unreachable = sorted(found.unreachable)
        owed = found.keys - claims_done(found=found, today=today)
        composer = Composer(today=today, found=found)
        for person_id, keys in _by_person(found, owed):
            result.emails.append(composer.compose(found.people[person_id], keys)[0])
        return result
    with scanner_lock() as acquired:
        if not acquired:
            result.locked_out = True
            return result
        run_id = uuid.uuid4()
        claims_release(run_id=run_id)
        found = candidates_owed(today)
        result.unreachable = sorted(found.unreachable)
        for ref, owner in result.unreachable:
            logger.warning("reminder unreachable: %s owner %s has no email", ref, owner)
        existing = claims_existing(found=found, today=today)
        owed = [
            key for key in found.keys if existing.get(key, (0, Status.FAILED))[1] == Status.FAILED
        ]
        if owed:
            _deliver(result, found, owed, existing, run_id)
    return result


def _by_person(
    found: Candidates, keys: Iterable[ReminderKey]
) -> list[tuple[int, list[ReminderKey]]]:
    """Keys grouped by person, people in name order."""
    grouped: dict[int, list[ReminderKey]] = defaultdict(list)
    for key in keys:
        grouped[key.person_id].append(key)
    return sorted(grouped.items(), key=lambda item: (found.people[item[0]].name, item[0]))


def _deliver(
    result: ReminderRun,
    found: Candidates,
    owed: list[ReminderKey],
    existing: dict[ReminderKey, tuple[int, str]],
    run_id: uuid.UUID,
) -> None:
    """Claim everything owed, then begin, send and record one email per person, over
    connections kept open for the run (:mod:`.senders`), the log's commits not waiting
    for the disk (:mod:`.commits`).

    Each email is begun (its rows ``sending``), sent and recorded on its own (see
    :mod:`.claims`); a new one is begun only when a sender is free, so whatever stops the
    loop leaves at most one email per sender in doubt: a send that raises an error marks
    that person's rows failed (the next run retries them) and its connection is reopened
    for the next; the worker's SoftTimeLimitExceeded, or a kill, leaves the rows of the
    emails being sent ``sending``, and the people after them ``claimed`` for the next run
    to release and send.
    """
    senders = Senders(send_parallel())
    composer = Composer(today=result.today, found=found)
    try:
        senders.open()
    except Exception as exc:
        logger.warning("Reminder emails not sent: %s", exc)
        for person_id, keys in _by_person(found, owed):
            summary = composer.compose(found.people[person_id], keys)[0]
            summary.error = _error_text(exc)
            result.emails.append(summary)
        return
    try:
        with quick_commits():
            _send_all(result, composer, found, senders, owed, existing, run_id)
    finally:
        senders.close()


def _send_all(
    result: ReminderRun,
    composer: Composer,
    found: Candidates,
    senders: Senders,
    owed: list[ReminderKey],
    existing: dict[ReminderKey, tuple[int, str]],
    run_id: uuid.UUID,
) -> None:
    """Claim, then hand each person's begun email to a free sender and record what ends:
    the sends that ended are recorded by the next begin's statement (:func:`.claim_begin`),
    the last ones by one statement at the end; a failure at once."""
    by_person = _by_person(found, owed)
    retry_ids = [existing[key][0] for key in owed if key in existing]
    try:
        for held in claims_take(owed=by_person, retry_ids=retry_ids, run_id=run_id):
            sent_ids = _record_failures(senders.finished(), run_id)
            letter = _begin(result, composer, found, held, run_id, sent_ids)
            if letter is not None:
                senders.submit(letter)
        sent_ids = _record_failures(senders.finished(all_of_them=True), run_id)
        record_sent(run_id=run_id, row_ids=sent_ids)
    except BaseException:
        for letter in senders.in_flight():
            letter.summary.error = STOPPED
        raise


def _begin(
    result: ReminderRun,
    composer: Composer,
    found: Candidates,
    claimed: Held,
    run_id: uuid.UUID,
    sent_ids: list[int],
) -> Letter | None:
    """Begin and write one person's email (None when nothing is left to send them),
    recording as sent, in the same statement, the rows ``sent_ids`` of the sends ended."""
    held = claim_begin(found=found, held=claimed, run_id=run_id, sent_ids=sent_ids)
    if not held:
        return None
    recipient = found.people[claimed.person_id]
    row_ids = [claimed.rows[key] for key in held]
    try:
        summary, message = composer.compose(recipient, held)
    except Exception as exc:
        # Nothing went: failed, for the next run (the error propagates: a template is broken).
        record_failed(run_id=run_id, row_ids=row_ids, error=_error_text(exc))
        raise
    result.emails.append(summary)
    return Letter(recipient.person_id, summary, message, row_ids)


def _record_failures(outcomes: list[Outcome], run_id: uuid.UUID) -> list[int]:
    """Record each failed send (failed, with the error, for the next run); the log rows of
    the sends that went, for the caller to record as sent."""
    sent_ids: list[int] = []
    for outcome in outcomes:
        letter = outcome.letter
        if outcome.error is None:
            sent_ids.extend(letter.row_ids)
            continue
        letter.summary.error = _error_text(outcome.error)
        logger.warning("Reminder to person %s failed: %s", letter.person_id, outcome.error)
        record_failed(run_id=run_id, row_ids=letter.row_ids, error=letter.summary.error)
    return sent_ids


def _error_text(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:500]
