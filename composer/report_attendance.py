"""The headline report's attendance: an optional section (off by default, switched per
meeting on the attendance page: ``MeetingAttendance.in_report``; the seed's layout has none)
and whether the meeting was inquorate, which flags its decisions.

Read in one query when no attendance was ever saved for the meeting (the default), three
when it was (the record, the participants, the voting members: ``meetings.attendance``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from meetings import attendance
from meetings.models import Meeting, MeetingAttendance

INQUORATE_NOTE = "taken while the meeting was inquorate"


@dataclass(frozen=True)
class AttendanceRow:
    name: str
    organisation: str
    attendance: str
    note: str = ""


@dataclass(frozen=True)
class AttendanceSection:
    quorum: str
    rows: list[AttendanceRow] = field(default_factory=list)


@dataclass(frozen=True)
class ReportAttendance:
    section: AttendanceSection | None = None
    is_inquorate: bool = False


def report_attendance(meeting: Meeting) -> ReportAttendance:
    """The attendance section of ``meeting``'s report (None unless switched on) and whether
    the meeting was inquorate (False until attendance is recorded and a quorum set)."""
    record = MeetingAttendance.objects.filter(meeting=meeting).first()
    if record is None:
        return ReportAttendance()
    participants = list(
        meeting.participants.select_related("person__organisation", "substitute_for").order_by(
            "person__name", "pk"
        )
    )
    quorum = attendance.meeting_quorum(meeting=meeting, participants=participants)
    section = None
    if record.in_report:
        section = AttendanceSection(
            quorum=quorum.text,
            rows=[
                AttendanceRow(
                    name=p.person.name,
                    organisation=p.person.organisation.name if p.person.organisation else "",
                    attendance=p.get_attendance_display() or "Not recorded",
                    note="; ".join(
                        filter(
                            None,
                            [
                                f"For {p.substitute_for.name}" if p.substitute_for_id else "",
                                "Guest" if p.is_guest else "",
                            ],
                        )
                    ),
                )
                for p in participants
            ],
        )
    return ReportAttendance(section=section, is_inquorate=quorum.is_quorate is False)
