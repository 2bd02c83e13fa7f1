"""Progress updates on an action and its reviews at later meetings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from actions.models.action import Action
from core.visibility import MeetingRecordQuerySet


class ActionUpdate(models.Model):
    """A dated progress update on an action, written by a member or the PMO."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_updates",
    )
    # The person the update is from when no login of theirs posted it: an owner without a
    # login answering from a reminder email's signed link (the system posts on their behalf).
    author_person = models.ForeignKey(
        "meetings.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField()
    proposes_closure = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "created_at", "id"]

    def __str__(self) -> str:
        return f"Update on {self.action.ref}"

    @property
    def author_name(self) -> str:
        """The author's name: their person, their login, the person posted for, or System."""
        if self.author_id:
            person = getattr(self.author, "person", None)
            return person.name if person else self.author.username
        if self.author_person_id:
            return self.author_person.name
        return "System"


class ActionReview(models.Model):
    """An earlier action taken up at a later meeting (the report's ``Previous Meeting(s)``)."""

    class Outcome(models.TextChoices):
        KEPT_OPEN = "kept_open", "Kept open"
        RE_DATED = "re_dated", "Re-dated"
        CLOSED = "closed", "Closed"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reviews")
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="action_reviews"
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_reviews",
    )
    order = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.KEPT_OPEN)
    new_due_date = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = MeetingRecordQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "meeting"], name="action_review_unique"),
            models.CheckConstraint(
                condition=~Q(outcome="re_dated") | Q(new_due_date__isnull=False),
                name="action_review_redated_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action.ref} reviewed at {self.meeting.ref}"
