"""Emailing notifications exactly once: claim, send, record, one person at a time.

As the reminders do (``composer.reminders.claims``), each email is:

1. **Claimed** in one short transaction: the person's owed rows move from ``pending`` (or
   ``failed``) to ``sending`` under this run's id by one conditional UPDATE. Of two runs at
   once, one updates each row (on PostgreSQL the second waits for the first's row locks and
   then finds them no longer owed); a retried task finds nothing owed.
2. **Sent**, outside any transaction, carrying only rows whose record the person may still
   open (one reclassified since is dropped, not named).
3. **Recorded** ``sent``, or ``failed`` for the next run to retry.

A process killed between 1 and 3 leaves that one email's rows ``sending``: not sent again.

:func:`notifications_flush` sends the "immediately" notifications in batches: a person is
emailed once their oldest owed notification is older than ``NOTIFICATIONS_BATCH_MINUTES``,
and the email carries all they are owed, so a burst of changes becomes one email.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from core import roles
from core.actors import is_system
from meetings.models import Person
from notifications.emails import notifications_email, subject_of
from notifications.models import Delivery, EmailStatus, Notification
from notifications.recipients import record_visible

logger = logging.getLogger(__name__)


def _require_system_or_pmo(acting_user: Any) -> None:
    if not is_system(acting_user):
        roles.require_pmo(acting_user)


def claim(*, person_id: int, owed: Any, run_id: uuid.UUID) -> list[Notification]:
    """Claim ``owed`` rows of one person for ``run_id``; the rows this run now holds."""
    with transaction.atomic():
        Notification.objects.filter(
            pk__in=list(owed.filter(recipient_id=person_id).values_list("pk", flat=True)),
            email_status__in=[EmailStatus.PENDING, EmailStatus.FAILED],
        ).update(email_status=EmailStatus.SENDING, batch_id=run_id, attempt_at=timezone.now())
    return list(
        Notification.objects.filter(
            batch_id=run_id, recipient_id=person_id, email_status=EmailStatus.SENDING
        ).order_by("created_at", "pk")
    )


def send_claimed(
    *,
    person: Person,
    held: list[Notification],
    run_id: uuid.UUID,
    subject: Callable[[list[Notification]], str],
) -> bool:
    """Send one email of the ``held`` rows the person may still open; record it. True when
    an email went."""
    user = person.user
    shown = [n for n in held if record_visible(user, n.record_type, n.record_id)]
    hidden = [n.pk for n in held if n not in shown]
    if hidden:
        Notification.objects.filter(pk__in=hidden).update(email_status=EmailStatus.NONE)
    if not shown or not person.email or person.reminders_opt_out:
        Notification.objects.filter(batch_id=run_id, recipient=person).filter(
            email_status=EmailStatus.SENDING
        ).update(email_status=EmailStatus.NONE)
        return False
    mine = Notification.objects.filter(batch_id=run_id, recipient=person, email_status="sending")
    try:
        notifications_email(person=person, notifications=shown, subject=subject(shown)).send()
    except Exception as exc:
        logger.warning("Notification email to person %s failed: %s", person.pk, exc)
        mine.update(email_status=EmailStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:500])
        return False
    mine.update(email_status=EmailStatus.SENT, emailed_at=timezone.now(), error="")
    return True


def deliver(
    *, owed: Any, subject: Callable[[list[Notification]], str], person_ids: list[int]
) -> list[int]:
    """Claim, send and record one email per person of ``person_ids``; those emailed."""
    run_id = uuid.uuid4()
    people = Person.objects.select_related("user").in_bulk(person_ids)
    emailed = []
    for person_id in person_ids:
        held = claim(person_id=person_id, owed=owed, run_id=run_id)
        if held and send_claimed(
            person=people[person_id], held=held, run_id=run_id, subject=subject
        ):
            emailed.append(person_id)
    return emailed


def batch_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.NOTIFICATIONS_BATCH_MINUTES)


def notifications_flush(*, acting_user: Any, now: dt.datetime | None = None) -> list[int]:
    """Email each person whose oldest owed "immediately" notification is older than the
    batch window, all they are owed in one email; returns the ids of the people emailed.

    Safe to run twice and concurrently (see the module). The system (the task) or the PMO;
    PermissionDenied for anyone else.
    """
    _require_system_or_pmo(acting_user)
    now = now or timezone.now()
    owed = Notification.objects.owed(Delivery.IMMEDIATELY)
    due = (
        owed.values("recipient_id")
        .annotate(oldest=Min("created_at"))
        .filter(oldest__lte=now - batch_window())
        .order_by("recipient_id")
    )
    person_ids = [row["recipient_id"] for row in due]
    return deliver(owed=owed.filter(created_at__lte=now), subject=subject_of, person_ids=person_ids)
