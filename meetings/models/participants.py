"""The people taking part in a meeting: who is invited, and at or after it who attended.

A participant reads the meeting whatever its classification: a Confidential meeting is
read by its participants, the committee's chair(s) and secretariat and the administrators
(``core.visibility``). The row is the person's place in the meeting and carries their
attendance (present, by video, apologies, absent; blank until recorded), the member an
alternate stands in for (``substitute_for``) and whether they are a guest (not on the
committee). :class:`MeetingAttendance` is the meeting's attendance record as a whole: who
last saved it and whether the headline report shows it (off by default).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from meetings.models.meeting import Meeting
from meetings.models.people import Person


class Attendance(models.TextChoices):
    """How a participant attended; blank (not recorded) before the meeting."""

    PRESENT = "present", "Present"
    VIDEO = "video", "Present by video"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


# Attendance that counts towards the quorum.
ATTENDED = frozenset({Attendance.PRESENT, Attendance.VIDEO})


class MeetingParticipant(models.Model):
    """One person invited to one meeting, with who added them and when, and their
    attendance once recorded."""

    Attendance = Attendance

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
    attendance = models.CharField(
        max_length=20,
        choices=Attendance.choices,
        blank=True,
        help_text="Blank until recorded (at or after the meeting).",
    )
    substitute_for = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="substituted_by",
        help_text="The committee member this participant stands in for (an alternate).",
    )
    is_guest = models.BooleanField(
        default=False, help_text="Not a member of the committee: invited for an item."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="meeting_participant_unique_person"
            ),
            models.CheckConstraint(
                condition=~models.Q(substitute_for=models.F("person")),
                name="meeting_participant_not_own_substitute",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.meeting}"

    @property
    def has_attended(self) -> bool:
        return self.attendance in ATTENDED


class MeetingAttendance(models.Model):
    """A meeting's attendance record as a whole: who saved it last and when, and whether
    the headline report shows an attendance section (off by default: the seed's layout
    has none)."""

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="attendance_record"
    )
    in_report = models.BooleanField(
        default=False, help_text="Show the attendance and the quorum in the headline report."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Attendance at {self.meeting}"
