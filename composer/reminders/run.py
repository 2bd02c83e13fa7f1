"""The run: find what is owed, claim it, send one email per person, mark the claims.

The scheduled task and the ``send_reminders`` command both call :func:`reminders_send`. The
whole run costs a fixed number of queries however many actions and people there are (the
candidates', the claims' and the lock's; see those modules).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.core.mail import get_connection
from django.db import transaction

from composer.reminders.candidates import Candidates, candidates_owed
from composer.reminders.claims import claims_done, claims_mark, claims_take
from composer.reminders.emails import Composer, ReminderEmail
from composer.reminders.lock import scanner_lock
from composer.reminders.rules import (
    REMINDER_DATE_MAX,
    REMINDER_DATE_MIN,
    ReminderKey,
    reminders_today,
)
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
    ``locked_out=True`` and does nothing. Failed sends are left ``failed`` for the next run to
    retry; nothing already sent is sent again. The worker's SoftTimeLimitExceeded propagates
    after the unsent rows are marked failed. Rules: the package's docstring. Raises ValueError
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
        with transaction.atomic():
            found = candidates_owed(today)
            held = claims_take(found=found, today=today, run_id=run_id)
        result.unreachable = sorted(found.unreachable)
        for ref, owner in result.unreachable:
            logger.warning("reminder unreachable: %s owner %s has no email", ref, owner)
        if held:
            _deliver(result, found, held, run_id)
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
    result: ReminderRun, found: Candidates, held: list[ReminderKey], run_id: uuid.UUID
) -> None:
    """Write and send one email per person over one connection; mark the rows sent or failed.

    A send that raises fails that person's email only (the connection is reopened for the
    next). Whatever stops the loop (the soft time limit, a template error), the rows of the
    people not sent are marked failed, so a later run sends them and only them.
    """
    people = _by_person(found, held)
    sent: set[int] = set()
    errors: dict[int, str] = {}
    mail = get_connection()
    try:
        composer = Composer(today=result.today, found=found)
        try:
            mail.open()
        except Exception as exc:
            logger.warning("Reminder emails not sent: %s", exc)
            errors = {person_id: _error_text(exc) for person_id, _ in people}
            people = []
        for person_id, keys in people:
            summary, message = composer.compose(found.people[person_id], keys)
            result.emails.append(summary)
            message.connection = mail
            try:
                mail.send_messages([message])
            except SoftTimeLimitExceeded:
                raise
            except Exception as exc:
                errors[person_id] = _error_text(exc)
                logger.warning("Reminder to person %s failed: %s", person_id, exc)
                mail.close()
            else:
                sent.add(person_id)
    finally:
        _finish(result, held, run_id, mail, sent, errors)


def _finish(
    result: ReminderRun,
    held: list[ReminderKey],
    run_id: uuid.UUID,
    mail: Any,
    sent: set[int],
    errors: dict[int, str],
) -> None:
    """Close the connection, give every unsent person an error, and mark the claims."""
    try:
        mail.close()
    except Exception:
        logger.warning("Closing the email connection failed", exc_info=True)
    for key in held:
        if key.person_id not in sent:
            errors.setdefault(key.person_id, "Not sent: the run stopped before this email.")
    for summary in result.emails:
        summary.error = errors.get(summary.person_id, "")
    claims_mark(run_id=run_id, sent=sent, errors=errors)


def _error_text(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:500]
