"""Notifications for the daily digest: a section of the reminders' email, or one of their own.

The order of a day (the beat schedule, migration ``0002``): escalations at 07:45, the
reminders at 08:00, :func:`notifications_digest_send` at 08:30.

- The reminders' email (``composer.reminders``) asks :func:`digest_sections_for` for the
  person's owed "daily digest" notifications and lists them as sections ("DAG: overdue more
  than 14 days: 3"). That provider only reads (a dry run writes its emails too).
- :func:`notifications_digest_send` then settles each person's owed digest notifications:
  those owed before the person's reminder email of the day was claimed went in it and are
  recorded sent; the rest (a person the reminders did not email today, or notifications
  written since) are claimed and sent in one email of their own
  (``notifications.batching``), exactly once.

A notification written in the instant between a reminder's claim and its writing may be
in that email and in the own digest too; no notification is ever left out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Min
from django.utils import timezone

from actions.models import ReminderLog
from composer.digest_sections import DigestLine, DigestSection
from meetings.models import Person
from notifications.batching import _require_system_or_pmo, deliver
from notifications.emails import sections_of
from notifications.models import Delivery, EmailStatus, Notification
from notifications.recipients import record_visible


def digest_sections_for(*, person_id: int, today: dt.date) -> list[DigestSection]:
    """The person's owed digest notifications as sections of their reminder email (reads
    only). Each names only a record the person may open now."""
    person = Person.objects.select_related("user").filter(pk=person_id).first()
    if person is None or person.user is None:
        return []
    owed = [
        n
        for n in Notification.objects.owed(Delivery.DIGEST).filter(recipient_id=person_id)
        if record_visible(person.user, n.record_type, n.record_id)
    ]
    return [
        DigestSection(
            section.title, [DigestLine(i["ref"], i["text"], i["url"]) for i in section.items]
        )
        for section in sections_of(owed)
    ]


def _digest_subject(notifications: list[Notification]) -> str:
    count = len(notifications)
    return f"Your daily digest: {count} notification{'s' if count != 1 else ''}"


def _in_reminders(person_ids: list[int], today: dt.date) -> dict[int, dt.datetime]:
    """Per person emailed by today's reminders: when that email was claimed."""
    start = dt.datetime.combine(today, dt.time.min, tzinfo=timezone.get_default_timezone())
    return dict(
        ReminderLog.objects.filter(
            person_id__in=person_ids, status=ReminderLog.Status.SENT, sent_at__gte=start
        )
        .values("person_id")
        .annotate(claimed=Min("attempt_at"))
        .values_list("person_id", "claimed")
    )


def notifications_digest_send(*, today: dt.date | None = None, acting_user: Any) -> list[int]:
    """Settle today's digest notifications (see the module); the ids of people emailed.

    Safe to run twice and at once. The system or the PMO only (PermissionDenied).
    """
    _require_system_or_pmo(acting_user)
    today = today or timezone.localdate()
    owed = Notification.objects.owed(Delivery.DIGEST)
    person_ids = sorted(set(owed.values_list("recipient_id", flat=True)))
    for person_id, claimed_at in _in_reminders(person_ids, today).items():
        owed.filter(recipient_id=person_id, created_at__lte=claimed_at).update(
            email_status=EmailStatus.SENT, emailed_at=claimed_at
        )
    person_ids = sorted(set(owed.values_list("recipient_id", flat=True)))
    return deliver(owed=owed, subject=_digest_subject, person_ids=person_ids)
