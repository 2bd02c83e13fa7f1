"""Decisions taken at meetings (``DAG-DEC67``) and their approval by the chair/SRO."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.history import actor_name
from core.visibility import MeetingRecordQuerySet


class DecisionQuerySet(MeetingRecordQuerySet):
    """Named reads of decisions: ``visible_to(user)`` (``core.visibility``)."""


class Decision(models.Model):
    """A decision: ref ``{code}-DEC{seq}``, numbered per committee across meetings.

    Status moves only along ``TRANSITIONS`` (``decisions.services.decision_transition``).
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
        REJECTED = "rejected", "Rejected"
        DEFERRED = "deferred", "Deferred"
        WITHDRAWN = "withdrawn", "Withdrawn"

    committee = models.ForeignKey(
        "meetings.Committee", on_delete=models.PROTECT, related_name="decisions"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.PROTECT, related_name="decisions"
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    seq = models.PositiveIntegerField()
    ref = models.CharField(max_length=24, unique=True, editable=False)
    text = models.TextField()
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.PROPOSED)
    conditions = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        "meetings.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions_made",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    change_request = models.ForeignKey(
        "changerequests.ChangeRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    ia_tally = models.JSONField(
        null=True,
        blank=True,
        help_text="The CR's impact assessment responses as they stood when this was decided.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["committee__code", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "seq"], name="decision_unique_seq"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="decision_seq_positive"),
            models.CheckConstraint(
                condition=~Q(status="approved_with_conditions") | ~Q(conditions=""),
                name="decision_conditions_required",
            ),
        ]

    def __str__(self) -> str:
        return self.ref

    @property
    def is_locked(self) -> bool:
        """True once the chair has decided it (approved, with conditions, rejected): its
        ``LOCKED_FIELDS`` change only after a re-opening (``decisions.services``)."""
        return self.status in LOCKED_STATUSES


# Statuses of a decision taken by the chair, which lock its content (DESIGN.md "Decision");
# deferred, proposed and withdrawn decisions stay editable.
LOCKED_STATUSES = frozenset(
    {
        Decision.Status.APPROVED,
        Decision.Status.APPROVED_WITH_CONDITIONS,
        Decision.Status.REJECTED,
    }
)
# What a locked decision keeps as decided: its wording, conditions, area, meeting and CR.
LOCKED_FIELDS = ("text", "conditions", "agenda_item", "meeting", "change_request")


# Allowed status moves (CONVENTIONS.md: a state machine is a dict beside its TextChoices).
TRANSITIONS: dict[str, set[str]] = {
    Decision.Status.PROPOSED: {
        Decision.Status.APPROVED,
        Decision.Status.APPROVED_WITH_CONDITIONS,
        Decision.Status.REJECTED,
        Decision.Status.DEFERRED,
        Decision.Status.WITHDRAWN,
    },
    Decision.Status.DEFERRED: {
        Decision.Status.PROPOSED,
        Decision.Status.APPROVED,
        Decision.Status.APPROVED_WITH_CONDITIONS,
        Decision.Status.REJECTED,
        Decision.Status.WITHDRAWN,
    },
    Decision.Status.APPROVED: set(),
    Decision.Status.APPROVED_WITH_CONDITIONS: set(),
    Decision.Status.REJECTED: set(),
    Decision.Status.WITHDRAWN: set(),
}
# A locked decision goes back to proposed only by a re-opening with a reason
# (``decisions.services.decision_reopen``), never by a transition.


class DecisionReopening(models.Model):
    """A decided decision put back to proposed, on record: who, as what, when, why, and the
    outcome it had (status, conditions, decider and time), so the chair's earlier decision is
    never lost from the record."""

    class ActedAs(models.TextChoices):
        CHAIR = "chair", "Chair"
        PMO = "pmo", "PMO"
        SYSTEM = "system", "System"

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="reopenings")
    reason = models.TextField()
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acted_as = models.CharField(max_length=10, choices=ActedAs.choices)
    reopened_at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=30, choices=Decision.Status.choices)
    from_conditions = models.TextField(blank=True)
    from_decided_by = models.ForeignKey(
        "meetings.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["decision", "reopened_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="decision_reopening_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id} re-opened {self.reopened_at:%Y-%m-%d}"

    @property
    def reopened_by_name(self) -> str:
        """Who re-opened it as a history names them: their person's name, else the login's
        name (``core.history.actor_name``); "the system" for a re-opening the product made."""
        return actor_name(self.reopened_by) if self.reopened_by_id else "the system"
