"""Celery tasks of notifications: thin wrappers over its services (the beat schedule is
installed by migration ``0002``). Each is safe to run twice and at once."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from core.actors import SYSTEM
from notifications.batching import notifications_flush
from notifications.digest import notifications_digest_send
from notifications.escalation import escalations_run


@shared_task(name="notifications.notifications_flush")
def notifications_flush_task() -> int:
    """Email the "immediately" notifications whose batch window has passed."""
    return len(notifications_flush(acting_user=SYSTEM))


@shared_task(name="notifications.escalations_run")
def escalations_run_task() -> int:
    """Escalate overdue actions owed today (Europe/London)."""
    return escalations_run(today=timezone.localdate(), acting_user=SYSTEM)


@shared_task(name="notifications.digest_send")
def notifications_digest_send_task() -> int:
    """Settle today's "daily digest" notifications (after the reminders)."""
    return len(notifications_digest_send(acting_user=SYSTEM))
