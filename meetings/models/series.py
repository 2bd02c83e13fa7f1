"""A committee's meetings planned together: a recurrence rule (RFC 5545, read by dateutil's
``rrule``), a London wall-clock start and end, and a template agenda copied to each meeting
(``meetings.series``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.visibility import Classification
from meetings.models.meeting import Meeting
from meetings.models.people import Committee


class MeetingSeries(models.Model):
    """``DAG monthly``: every second Wednesday, 10:00-13:00 London time, twelve times."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="series")
    title = models.CharField(max_length=200)
    rule = models.CharField(
        max_length=300,
        help_text="An iCalendar recurrence rule, e.g. FREQ=MONTHLY;BYDAY=+2WE;COUNT=12.",
    )
    first_date = models.DateField(help_text="The series starts on or after this date.")
    start_time = models.TimeField(help_text="London wall-clock time.")
    end_time = models.TimeField(help_text="London wall-clock time.")
    venue = models.CharField(max_length=200, blank=True)
    classification = models.CharField(
        max_length=20, choices=Classification.choices, default=Classification.PUBLIC
    )
    agenda_template = models.TextField(
        blank=True, help_text="The agenda copied to each meeting: one item title a line."
    )
    meetings = models.ManyToManyField(Meeting, related_name="series", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["committee__code", "first_date", "id"]
        verbose_name_plural = "meeting series"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="meeting_series_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.committee.code}: {self.title}"

    @property
    def agenda_titles(self) -> list[str]:
        return [line.strip() for line in self.agenda_template.splitlines() if line.strip()]
