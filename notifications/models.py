"""Notifications, each person's preferences, and the escalation of overdue actions.

A :class:`Notification` is written in the transaction of the change it tells of (one row
per recipient, only for a recipient who may open the record: ``notifications.recipients``);
its ``email_status`` is the claim that makes its email go exactly once
(``notifications.batching`` for "immediately", ``notifications.digest`` for the daily
digest). An :class:`EscalationLog` row (unique per action, person and level) is the claim
of one escalation occasion.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from meetings.models import Committee, Person


class Kind(models.TextChoices):
    ACTION_ASSIGNED = "action_assigned", "An action assigned to you"
    CLOSURE_CONFIRMED = "closure_confirmed", "Your proposed closure confirmed"
    CLOSURE_DECLINED = "closure_declined", "Your proposed closure declined"
    DECISION_AWAITING = "decision_awaiting", "A decision awaiting you (chair)"
    CR_DECIDED = "cr_decided", "A decision on a CR you raised or responded to"
    REPORT_ISSUED = "report_issued", "A headline report issued"
    AGENDA_PUBLISHED = "agenda_published", "An agenda or papers published"
    ESCALATION = "escalation", "Overdue actions escalated to you"


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", "By email straight away (batched)"
    DIGEST = "digest", "In the daily digest"
    NEVER = "never", "Never by email (in the app only)"


# A kind with no preference set: escalations wait for the digest, the rest go straight away.
DEFAULT_DELIVERY = {Kind.ESCALATION: Delivery.DIGEST}


def default_delivery(kind: str) -> str:
    return DEFAULT_DELIVERY.get(kind, Delivery.IMMEDIATELY)


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be emailed"
    SENDING = "sending", "Being emailed"
    SENT = "sent", "Emailed"
    FAILED = "failed", "Email failed (retried)"
    NONE = "none", "Not emailed"


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def owed(self, delivery: str) -> NotificationQuerySet:
        """Waiting for their email by ``delivery`` (a failed send is owed again)."""
        return self.filter(
            delivery=delivery, email_status__in=[EmailStatus.PENDING, EmailStatus.FAILED]
        )


class Notification(models.Model):
    """One thing told to one person: what happened to which record, and its email's state."""

    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    record_type = models.CharField(max_length=20)  # action, decision, change_request, meeting
    record_id = models.PositiveBigIntegerField()
    record_ref = models.CharField(max_length=40)
    url = models.CharField(max_length=300, help_text="The record's page (a path).")
    text = models.TextField()
    # Escalations: the committee and the level, so a digest groups them ("Overdue more than
    # 14 days: 3").
    group = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)
    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    batch_id = models.UUIDField(null=True, blank=True)
    attempt_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["email_status", "delivery"], name="notification_owed"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.record_ref} to {self.recipient_id}"


class NotificationPreference(models.Model):
    """How one person wants one kind: immediately, in the daily digest, or never by email."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="notification_pref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind}: {self.delivery}"


class EscalationRule(models.Model):
    """A committee's escalation: an action overdue more than ``secretariat_after_days`` goes
    to its secretariat, more than ``chair_after_days`` to its chair (and deputy)."""

    committee = models.OneToOneField(
        Committee, on_delete=models.CASCADE, related_name="escalation_rule"
    )
    secretariat_after_days = models.PositiveIntegerField(default=7)
    chair_after_days = models.PositiveIntegerField(default=14)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return (
            f"{self.committee_id}: secretariat after {self.secretariat_after_days} days, "
            f"chair after {self.chair_after_days}"
        )


class EscalationLevel(models.TextChoices):
    SECRETARIAT = "secretariat", "Secretariat"
    CHAIR = "chair", "Chair"


class EscalationLog(models.Model):
    """One escalation occasion (an action, a person, a level), claimed once for ever."""

    action = models.ForeignKey("actions.Action", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=20, choices=EscalationLevel.choices)
    escalated_date = models.DateField()
    run_id = models.UUIDField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["action", "person", "level"], name="escalation_once_per_occasion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action_id} to {self.person_id} ({self.level})"
