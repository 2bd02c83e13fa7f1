"""Change requests (``CR023``), impact assessment responses, releases and DINs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core import refs


class Release(models.Model):
    """A design release such as ``IR5`` (Interim Release 5)."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        RELEASED = "released", "Released"
        CANCELLED = "cancelled", "Cancelled"

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200, blank=True)
    planned_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    history = HistoricalRecords()

    class Meta:
        ordering = ["planned_date", "code"]

    def __str__(self) -> str:
        return self.code


class ChangeRequest(models.Model):
    """A programme change request: ``CR{number:03}``, numbered programme-wide.

    Status moves only along ``TRANSITIONS`` (``changerequests.services``).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IMPACT_ASSESSMENT = "impact_assessment", "Impact assessment"
        AWAITING_DECISION = "awaiting_decision", "Awaiting decision"
        APPROVED = "approved", "Approved"
        APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        IMPLEMENTED = "implemented", "Implemented"

    number = models.PositiveIntegerField(unique=True)
    ref = models.CharField(max_length=12, unique=True, editable=False)
    title = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    raiser = models.ForeignKey(
        "meetings.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="change_requests_raised",
    )
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT)
    ia_start_date = models.DateField(null=True, blank=True)
    ia_end_date = models.DateField(null=True, blank=True)
    target_release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    backstop_release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    design_artefacts = models.CharField(
        max_length=500, blank=True, help_text="Affected design artefacts, e.g. DES-196."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="cr_number_positive"),
            models.CheckConstraint(
                condition=Q(ia_end_date__isnull=True)
                | Q(ia_start_date__isnull=True)
                | Q(ia_end_date__gte=models.F("ia_start_date")),
                name="cr_ia_window_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}".strip()

    @property
    def is_decided(self) -> bool:
        """True once a decision stands (approved, with conditions, rejected, implemented):
        the title and description are frozen and status moves need a reason."""
        return self.status in DECIDED


# Moves by hand (the PMO, ``changerequests.services.change_request_transition``). Approval
# and rejection are not among them: they are the chair's, and come by a decision
# (DECISION_TRANSITIONS). Every move out of a decided status (DECIDED) needs a reason and is
# logged (ChangeRequestStatusChange): marking it implemented, or re-opening it to await a
# new decision.
TRANSITIONS: dict[str, set[str]] = {
    ChangeRequest.Status.DRAFT: {
        ChangeRequest.Status.IMPACT_ASSESSMENT,
        ChangeRequest.Status.AWAITING_DECISION,
        ChangeRequest.Status.WITHDRAWN,
    },
    ChangeRequest.Status.IMPACT_ASSESSMENT: {
        ChangeRequest.Status.AWAITING_DECISION,
        ChangeRequest.Status.WITHDRAWN,
    },
    ChangeRequest.Status.AWAITING_DECISION: {
        ChangeRequest.Status.IMPACT_ASSESSMENT,
        ChangeRequest.Status.WITHDRAWN,
    },
    ChangeRequest.Status.APPROVED: {
        ChangeRequest.Status.IMPLEMENTED,
        ChangeRequest.Status.AWAITING_DECISION,
    },
    ChangeRequest.Status.APPROVED_WITH_CONDITIONS: {
        ChangeRequest.Status.IMPLEMENTED,
        ChangeRequest.Status.AWAITING_DECISION,
    },
    ChangeRequest.Status.REJECTED: {ChangeRequest.Status.AWAITING_DECISION},
    ChangeRequest.Status.WITHDRAWN: set(),
    ChangeRequest.Status.IMPLEMENTED: set(),
}

# Moves by a decision's outcome (``change_request_decide``): a CR not yet decided takes the
# outcome of the chair's decision on it; a decided, withdrawn or implemented CR is not moved
# by a later decision (re-deciding it takes a re-opening first).
_UNDECIDED_TO_OUTCOME = {
    ChangeRequest.Status.APPROVED,
    ChangeRequest.Status.APPROVED_WITH_CONDITIONS,
    ChangeRequest.Status.REJECTED,
}
DECISION_TRANSITIONS: dict[str, set[str]] = {
    ChangeRequest.Status.DRAFT: _UNDECIDED_TO_OUTCOME,
    ChangeRequest.Status.IMPACT_ASSESSMENT: _UNDECIDED_TO_OUTCOME,
    ChangeRequest.Status.AWAITING_DECISION: _UNDECIDED_TO_OUTCOME,
    ChangeRequest.Status.APPROVED: set(),
    ChangeRequest.Status.APPROVED_WITH_CONDITIONS: set(),
    ChangeRequest.Status.REJECTED: set(),
    ChangeRequest.Status.WITHDRAWN: set(),
    ChangeRequest.Status.IMPLEMENTED: set(),
}

# Statuses in which the committee's decision stands: the title and description are frozen
# (LOCKED_FIELDS) and every status move needs a reason.
DECIDED = frozenset(
    {
        ChangeRequest.Status.APPROVED,
        ChangeRequest.Status.APPROVED_WITH_CONDITIONS,
        ChangeRequest.Status.REJECTED,
        ChangeRequest.Status.IMPLEMENTED,
    }
)
LOCKED_FIELDS = ("title", "description")


class ChangeRequestStatusChange(models.Model):
    """A status move of a CR on record with its reason: a decision settling it, a re-opening
    (by hand, or because the decision that settled it was re-opened), or a move out of a
    decided status by hand. The CR's page shows them."""

    change_request = models.ForeignKey(
        ChangeRequest, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=30, choices=ChangeRequest.Status.choices)
    to_status = models.CharField(max_length=30, choices=ChangeRequest.Status.choices)
    reason = models.TextField()
    decision_ref = models.CharField(
        max_length=24, blank=True, help_text="The decision that moved it, if one did."
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the system acted (an import).",
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["change_request", "changed_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="cr_status_change_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.change_request_id}: {self.from_status} → {self.to_status}"


class ImpactAssessmentResponse(models.Model):
    """One organisation's response to a CR's impact assessment."""

    class Position(models.TextChoices):
        SUPPORT = "support", "Support"
        SUPPORT_WITH_CONDITIONS = "support_with_conditions", "Support with conditions"
        NEUTRAL = "neutral", "Neutral"
        OPPOSE = "oppose", "Oppose"

    change_request = models.ForeignKey(
        ChangeRequest, on_delete=models.CASCADE, related_name="ia_responses"
    )
    organisation = models.ForeignKey(
        "meetings.Organisation", on_delete=models.PROTECT, related_name="ia_responses"
    )
    constituency = models.CharField(max_length=200, blank=True)
    position = models.CharField(max_length=30, choices=Position.choices)
    conditions = models.TextField(blank=True)
    comments = models.TextField(blank=True)
    impact_note = models.TextField(blank=True, help_text="Cost or impact noted by the respondent.")
    received_date = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["change_request", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["change_request", "organisation"], name="ia_response_unique"
            ),
            models.CheckConstraint(
                condition=~Q(position="support_with_conditions") | ~Q(conditions=""),
                name="ia_response_conditions_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.change_request.ref}: {self.organisation} ({self.get_position_display()})"


class DesignIssueNotification(models.Model):
    """A Design Issue Notification ``DIN-620``, usually implementing a CR."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    number = models.PositiveIntegerField(unique=True)
    ref = models.CharField(max_length=12, unique=True, editable=False)
    title = models.CharField(max_length=300, blank=True)
    change_request = models.ForeignKey(
        ChangeRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="dins"
    )
    release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.SET_NULL, related_name="dins"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name = "design issue notification"

    def __str__(self) -> str:
        return refs.din_ref(self.number)


class ExpectedRespondent(models.Model):
    """An organisation expected to answer a CR's impact assessment, by its own due date
    (``changerequests.expected_respondents``). The chasers (``composer.ia_chasers``) stamp
    ``chased_before_at`` / ``chased_after_at`` as they claim each occasion, once."""

    change_request = models.ForeignKey(
        ChangeRequest, on_delete=models.CASCADE, related_name="expected_respondents"
    )
    organisation = models.ForeignKey(
        "meetings.Organisation", on_delete=models.PROTECT, related_name="ia_requests"
    )
    due_date = models.DateField()
    chased_before_at = models.DateTimeField(null=True, blank=True)
    chased_after_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["change_request", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["change_request", "organisation"], name="expected_respondent_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.change_request.ref}: {self.organisation} by {self.due_date}"


class ImpactAssessmentChase(models.Model):
    """One chaser email to one person of an expected respondent, for one occasion (before
    the due date, after it) of one due date: the unique key keeps it to one (a new due date
    is a new window, chased again)."""

    class Occasion(models.TextChoices):
        BEFORE = "before", "Before the due date"
        AFTER = "after", "After the due date"

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    expected_respondent = models.ForeignKey(
        ExpectedRespondent, on_delete=models.CASCADE, related_name="chases"
    )
    occasion = models.CharField(max_length=10, choices=Occasion.choices)
    due_date = models.DateField()
    person = models.ForeignKey("meetings.Person", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["expected_respondent", "occasion", "due_date", "person"],
                name="ia_chase_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expected_respondent}: {self.occasion} chaser to {self.person_id}"
