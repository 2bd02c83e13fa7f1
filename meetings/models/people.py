"""Committees, organisations, people and their committee memberships."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core import refs
from core.access import SeatRole


class Committee(models.Model):
    """A governance committee such as the Design Advisory Group (code ``DAG``).

    ``last_meeting_number`` and ``last_decision_seq`` are the ref counters: they only ever
    grow, so a deleted meeting's or decision's number is never reused.
    """

    code = models.CharField(
        max_length=10,
        unique=True,
        validators=[refs.validate_committee_code],
        help_text="2-10 capital letters, used in every ref (DAG028, DAG28-01, DAG-DEC67).",
    )
    name = models.CharField(max_length=200, help_text="e.g. Design Advisory Group")
    programme_name = models.CharField(max_length=200, blank=True, help_text="e.g. MHHS")
    due_soon_days = models.PositiveSmallIntegerField(
        default=3, help_text="Days before an action's due date that the due-soon reminder goes."
    )
    quorum_count = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Quorum as a number of voting members (leave empty for none or a fraction).",
    )
    quorum_fraction = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Quorum as a fraction of the voting members, e.g. 0.5 (rounded up).",
    )
    last_meeting_number = models.PositiveIntegerField(default=0, editable=False)
    last_decision_seq = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2,10}$"), name="committee_code_format"
            ),
            models.CheckConstraint(
                condition=Q(quorum_count__isnull=True) | Q(quorum_fraction__isnull=True),
                name="committee_quorum_one_kind",
            ),
            models.CheckConstraint(
                condition=Q(quorum_count__isnull=True) | Q(quorum_count__gte=1),
                name="committee_quorum_count_positive",
            ),
            models.CheckConstraint(
                condition=Q(quorum_fraction__isnull=True)
                | (Q(quorum_fraction__gt=0) & Q(quorum_fraction__lte=1)),
                name="committee_quorum_fraction_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        super().clean()
        if self.quorum_count is not None and self.quorum_fraction is not None:
            raise ValidationError(
                {"quorum_fraction": "Give the quorum as a number or as a fraction, not both."}
            )
        if self.quorum_fraction is not None and not 0 < self.quorum_fraction <= 1:
            raise ValidationError(
                {"quorum_fraction": "A fraction of the voting members is above 0 and at most 1."}
            )

    @property
    def full_name(self) -> str:
        """``"MHHS Design Advisory Group"``: the programme name before the committee name."""
        return f"{self.programme_name} {self.name}".strip()


class Organisation(models.Model):
    """An organisation: the Programme, a supplier, a code body (RECCo), an agent."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PersonQuerySet(models.QuerySet):
    """Named reads of the people directory."""

    def active(self) -> PersonQuerySet:
        return self.filter(is_active=True)

    def without_email(self) -> PersonQuerySet:
        """People and teams no reminder can reach: the PMO's "without an email" count."""
        return self.filter(email="")


class Person(models.Model):
    """A named person, or a team (``is_team``) such as "Testing Team", optionally a login."""

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    is_team = models.BooleanField(default=False, help_text="A team rather than one person.")
    reminders_opt_out = models.BooleanField(
        default=False, help_text="Send this person no reminder emails."
    )
    is_active = models.BooleanField(
        default=True,
        help_text="Inactive people stay on the records they own but are no longer offered "
        "as owners or members.",
    )
    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["name", "organisation"], name="person_unique_name_in_organisation"
            ),
            # NULL organisations differ in the constraint above, so it needs a twin.
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(organisation__isnull=True),
                name="person_unique_name_without_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_email(self) -> bool:
        return bool(self.email.strip())

    @property
    def has_login(self) -> bool:
        return self.user_id is not None


class Membership(models.Model):
    """A person's seat on a committee: role and the constituency they represent.

    Seats decide access (``core.visibility``, ``core.roles``): while current (its dates
    cover today) a seat of any role reads the committee's Restricted meetings; a chair or
    deputy chair decides its decisions and, with the secretariat, reads its Confidential
    meetings.
    """

    # Defined in the kernel (core.access) so that visibility and rights need no app.
    Role = SeatRole

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    constituency = models.CharField(
        max_length=200, blank=True, help_text="e.g. Large Supplier Representative"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(
        null=True,
        blank=True,
        help_text="The day the seat ends: held until the day before (ended today: no access).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["committee", "role", "person__name"]
        constraints = [
            # One open seat per role: an ended seat stays on record and the person may be
            # appointed to the role again.
            models.UniqueConstraint(
                fields=["committee", "person", "role"],
                condition=Q(end_date__isnull=True),
                name="membership_unique_open_role",
                violation_error_message="This person already holds this seat on the committee.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()} of {self.committee.code}"
