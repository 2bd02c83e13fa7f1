"""The people taking part in a meeting: the list the PMO keeps of who is invited.

A participant reads the meeting whatever its classification: a Confidential meeting is
read by its participants, the committee's chair(s) and secretariat and the administrators
(``core.visibility``). The row is the person's place in the meeting, so attendance
(present, by video, apologies, absent, substitute; DESIGN.md "Meeting") can be added to it
later without a new table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from meetings.models.meeting import Meeting
from meetings.models.people import Person


class MeetingParticipant(models.Model):
    """One person invited to one meeting, with who added them and when."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="meeting_participations"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who added the person (empty for the system).",
    )
    added_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="meeting_participant_unique_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.meeting}"
