"""Attendance and quorum of a meeting: inviting the committee's members in one step, recording
everyone's attendance in one save, and whether the meeting was quorate.

The quorum is the committee's (``Committee.quorum_count`` or ``quorum_fraction`` of its
voting members, rounded up). Voting members are the people holding a chair, deputy chair or
member seat on the meeting's date (``core.access.is_current``); alternates, observers and
the secretariat vote only when standing in for a voting member. A voting member counts as
there when they attended (present, or present by video) or when an attending participant
stands in for them (``substitute_for``). Until any attendance is recorded the quorum is
not known, and nothing is flagged.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import roles
from core.access import SeatRole, is_current
from core.actors import history_user
from core.services import history_get_or_create, validated_save

from .models import Meeting, MeetingAttendance, MeetingParticipant, Membership, Person
from .models.participants import ATTENDED

VOTING_ROLES = frozenset({SeatRole.CHAIR, SeatRole.DEPUTY_CHAIR, SeatRole.MEMBER})


# --- reads ----------------------------------------------------------------------------------


def _seats_on(committee_id: int, date: dt.date, roles_in: Iterable[str] | None = None) -> set[int]:
    """The ids of the people holding a seat (of ``roles_in``, any when None) on ``date``."""
    seats = Membership.objects.filter(committee_id=committee_id, person__is_team=False)
    if roles_in is not None:
        seats = seats.filter(role__in=list(roles_in))
    return {
        person_id
        for person_id, start, end in seats.values_list("person_id", "start_date", "end_date")
        if is_current(start, end, date)
    }


def voting_member_ids(*, meeting: Meeting) -> set[int]:
    """The people who vote at ``meeting``: chair, deputy chair and member seats current on its
    date (one query)."""
    return _seats_on(meeting.committee_id, meeting.date, VOTING_ROLES)


@dataclass(frozen=True)
class Quorum:
    """A meeting's quorum: ``required`` (None: the committee sets none), the number of voting
    members, how many were there in person, by video or through a substitute, and whether
    any attendance is recorded yet."""

    required: int | None
    voting: int
    represented: int
    is_recorded: bool

    @property
    def is_known(self) -> bool:
        return self.required is not None and self.is_recorded

    @property
    def is_quorate(self) -> bool | None:
        """True or False once attendance is recorded and a quorum set; None otherwise."""
        return self.represented >= self.required if self.is_known else None  # type: ignore[operator]

    @property
    def text(self) -> str:
        if self.required is None:
            return "No quorum set for this committee"
        if not self.is_recorded:
            return (
                f"Quorum {self.required} of {self.voting} voting members; attendance not recorded"
            )
        word = "Quorate" if self.is_quorate else "Inquorate"
        there = f"{self.represented} of {self.voting} voting members there"
        return f"{word}: {there} (quorum {self.required})"


def quorum_required(*, committee: Any, voting: int) -> int | None:
    """The committee's quorum for ``voting`` voting members: its number, or its fraction of
    them rounded up (at least one); None when it sets none."""
    if committee.quorum_count is not None:
        return committee.quorum_count
    if committee.quorum_fraction is not None:
        return max(1, math.ceil(committee.quorum_fraction * voting))
    return None


def meeting_quorum(
    *, meeting: Meeting, participants: list[MeetingParticipant] | None = None
) -> Quorum:
    """The quorum of ``meeting`` from its participants' attendance (read here unless given:
    one query) and the committee's voting members (one query)."""
    if participants is None:
        participants = list(meeting.participants.all())
    voting = voting_member_ids(meeting=meeting)
    there = {p.person_id for p in participants if p.attendance in ATTENDED} & voting
    there |= {
        p.substitute_for_id
        for p in participants
        if p.attendance in ATTENDED and p.substitute_for_id in voting
    }
    return Quorum(
        required=quorum_required(committee=meeting.committee, voting=len(voting)),
        voting=len(voting),
        represented=len(there),
        is_recorded=any(p.attendance for p in participants),
    )


def meeting_is_inquorate(*, meeting: Meeting) -> bool:
    """True when attendance is recorded, the committee sets a quorum, and it was not met:
    what flags the decisions taken at ``meeting``."""
    return meeting_quorum(meeting=meeting).is_quorate is False


def meeting_attendance_get(*, meeting: Meeting) -> MeetingAttendance | None:
    return MeetingAttendance.objects.filter(meeting=meeting).select_related("recorded_by").first()


# --- changes --------------------------------------------------------------------------------


@transaction.atomic
def meeting_participants_invite_members(
    *, meeting: Meeting, acting_user: Any
) -> list[MeetingParticipant]:
    """Invite everyone holding a seat on the committee on the meeting's date, in one step (PMO
    only). People already invited stay as they are; returns the rows added."""
    roles.require_recorder(acting_user, meeting.committee_id)
    people = Person.objects.filter(
        pk__in=_seats_on(meeting.committee_id, meeting.date), is_active=True
    ).exclude(meeting_participations__meeting=meeting)
    return [
        history_get_or_create(
            MeetingParticipant,
            acting_user=acting_user,
            defaults={"added_by": history_user(acting_user), "is_guest": False},
            meeting=meeting,
            person=person,
        )
        for person in people.order_by("name")
    ]


def is_guest_of(*, meeting: Meeting, person: Person) -> bool:
    """True when ``person`` holds no seat on the committee on the meeting's date."""
    return person.pk not in _seats_on(meeting.committee_id, meeting.date)


@dataclass(frozen=True)
class AttendanceEntry:
    """One participant's attendance as the PMO records it."""

    person_id: int
    attendance: str
    substitute_for: Person | None = None


def _entries_check(
    meeting: Meeting, rows: dict[int, MeetingParticipant], entries: list[AttendanceEntry]
) -> None:
    errors: list[str] = []
    voting = voting_member_ids(meeting=meeting)
    stood_in: dict[int, str] = {}
    for entry in entries:
        participant = rows.get(entry.person_id)
        if participant is None:
            errors.append(f"Person #{entry.person_id} is not a participant of {meeting.ref}.")
            continue
        name, target = participant.person.name, entry.substitute_for
        if entry.attendance not in MeetingParticipant.Attendance.values and entry.attendance:
            errors.append(f"{name}: “{entry.attendance}” is not an attendance.")
        if target is None:
            continue
        if target.pk == entry.person_id:
            errors.append(f"{name} cannot stand in for themself.")
        elif target.pk not in voting:
            errors.append(f"{name} stands in for {target.name}, who is not a voting member.")
        elif target.pk in stood_in:
            errors.append(f"{target.name} has two substitutes: {stood_in[target.pk]} and {name}.")
        stood_in.setdefault(target.pk, name)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_attendance_record(
    *,
    meeting: Meeting,
    entries: list[AttendanceEntry],
    in_report: bool | None = None,
    acting_user: Any,
) -> MeetingAttendance:
    """Record the attendance of ``meeting``'s participants in one save (a recorder): all or
    nothing. ``in_report`` switches the report's attendance section (unchanged when None).

    Raises ValidationError (every problem, by name) for a person who is not a participant,
    an unknown attendance, a substitute standing in for themself, for someone who is not a
    voting member, or two substitutes for one member; PermissionDenied unless a recorder.
    """
    roles.require_recorder(acting_user, meeting.committee_id)
    Meeting.objects.select_for_update().filter(pk=meeting.pk).exists()
    rows = {
        p.person_id: p
        for p in MeetingParticipant.objects.select_for_update()
        .filter(meeting=meeting)
        .select_related("person")
    }
    _entries_check(meeting, rows, entries)
    for entry in entries:
        participant = rows[entry.person_id]
        substitute_id = entry.substitute_for.pk if entry.substitute_for else None
        if (participant.attendance, participant.substitute_for_id) == (
            entry.attendance,
            substitute_id,
        ):
            continue
        participant.attendance, participant.substitute_for_id = entry.attendance, substitute_id
        validated_save(participant, acting_user=acting_user)
    record = MeetingAttendance.objects.filter(meeting=meeting).first()
    record = record or MeetingAttendance(meeting=meeting)
    record.recorded_by, record.recorded_at = history_user(acting_user), timezone.now()
    if in_report is not None:
        record.in_report = in_report
    return validated_save(record, acting_user=acting_user)
