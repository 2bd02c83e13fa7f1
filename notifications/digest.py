"""Notifications for the daily digest: a section of the reminders' email, or one of their own.

The order of a day (the beat schedule, migration ``0002``): escalations at 07:45, the
reminders at 08:00, :func:`notifications_digest_send` at 08:30.

- The reminders' email (``composer.reminders``) asks :func:`digest_sections_for`, once per
  run, for its people's owed "daily digest" notifications written before the day began,
  and the day's escalations, and lists them as sections ("DAG: overdue more than 14 days:
  3"). That provider only reads (a dry run writes its emails too).
- :func:`notifications_digest_send` then settles each person's owed digest notifications:
  for a person the reminders emailed today, what that email carried (the same rule) is
  recorded sent; the rest (a person the reminders did not email today, notifications
  written today) are claimed and sent in one email of their own
  (``notifications.batching``), exactly once.

The rule is by dates, not by what one process read, so what the reminder email carried is
known afterwards without a record of it: an escalation is written by the 07:45 run and
counts as carried only when written before that person's reminder was claimed. (Were the
escalation run moved to overlap the reminders, an escalation written in the instant between
the reminders reading and claiming could be in both emails; none is ever left out.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Min, Q
from django.utils import timezone

from actions.models import ReminderLog
from composer.digest_sections import DigestLine, DigestSection
from notifications.batching import _require_system_or_pmo, deliver
from notifications.emails import sections_of
from notifications.models import Delivery, EmailStatus, Kind, Notification
from notifications.recipients import record_visible


def _day_start(today: dt.date) -> dt.datetime:
    """The start of ``today`` in Europe/London (the project's zone)."""
    return dt.datetime.combine(today, dt.time.min, tzinfo=timezone.get_default_timezone())


def _carried_q(today: dt.date, before: dt.datetime | None = None) -> Q:
    """The owed digest notifications a reminder email of ``today`` carries: those written
    before the day began, and the escalations of the day (the 07:45 run's, before the
    reminders; ``before``: written before that person's reminder was claimed)."""
    escalations = Q(kind=Kind.ESCALATION)
    if before is not None:
        escalations &= Q(created_at__lte=before)
    return Q(created_at__lt=_day_start(today)) | escalations


def digest_sections_for(*, person_ids: list[int], today: dt.date) -> dict[int, list[DigestSection]]:
    """The people's owed digest notifications as sections of their reminder emails (reads
    only; one query, then the visibility check per notification found). Each names only a
    record the person may open now."""
    owed: dict[int, list[Notification]] = {}
    rows = (
        Notification.objects.owed(Delivery.DIGEST)
        .filter(_carried_q(today), recipient_id__in=person_ids)
        .select_related("recipient__user")
    )
    for n in rows:
        if record_visible(n.recipient.user, n.record_type, n.record_id):
            owed.setdefault(n.recipient_id, []).append(n)
    return {
        person_id: [
            DigestSection(
                section.title, [DigestLine(i["ref"], i["text"], i["url"]) for i in section.items]
            )
            for section in sections_of(found)
        ]
        for person_id, found in owed.items()
    }


def _digest_subject(notifications: list[Notification]) -> str:
    count = len(notifications)
    return f"Your daily digest: {count} notification{'s' if count != 1 else ''}"


def _in_reminders(person_ids: list[int], today: dt.date) -> dict[int, dt.datetime]:
    """Per person emailed by today's reminders: when that email was claimed."""
    start = _day_start(today)
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
        owed.filter(_carried_q(today, claimed_at), recipient_id=person_id).update(
            email_status=EmailStatus.SENT, emailed_at=claimed_at
        )
    person_ids = sorted(set(owed.values_list("recipient_id", flat=True)))
    return deliver(owed=owed, subject=_digest_subject, person_ids=person_ids)
