"""The participants of a meeting: the people the PMO invites (services and the read).

A meeting's participants read it whatever its classification (a Confidential meeting is
read by its participants, the committee's chair(s) and secretariat and the administrators:
``core.visibility``). The PMO keeps the list on the meeting page and through the API
(``/api/v1/meetings/{ref}/participants/``). Kept beside ``meetings.services`` in a module
of its own: one idea, and attendance will be added to the same rows.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from core import roles
from core.actors import history_user
from core.services import history_delete, history_get_or_create

from . import attendance
from .models import Meeting, MeetingParticipant, Person


def meeting_participant_list(*, meeting: Meeting) -> QuerySet[MeetingParticipant]:
    """The participants of ``meeting`` by name, with their person, organisation and who
    added them (one query)."""
    return meeting.participants.select_related(
        "person__organisation", "added_by", "substitute_for"
    ).order_by("person__name", "pk")


@transaction.atomic
def meeting_participant_add(
    *, meeting: Meeting, person: Person, acting_user: Any
) -> MeetingParticipant:
    """Invite ``person`` to ``meeting`` (a recorder); adding someone already invited returns
    their row unchanged. Raises PermissionDenied for anyone else, ValidationError for a
    team (a team takes part through its people)."""
    roles.require_recorder(acting_user, meeting.committee_id)
    if person.is_team:
        raise ValidationError({"person": f"{person.name} is a team; invite its people."})
    return history_get_or_create(
        MeetingParticipant,
        acting_user=acting_user,
        defaults={
            "added_by": history_user(acting_user),
            "is_guest": attendance.is_guest_of(meeting=meeting, person=person),
        },
        meeting=meeting,
        person=person,
    )


@transaction.atomic
def meeting_participant_remove(*, meeting: Meeting, person: Person, acting_user: Any) -> bool:
    """Take ``person`` off ``meeting``'s participants (a recorder); returns whether they were
    on it. The history keeps who removed them and when."""
    roles.require_recorder(acting_user, meeting.committee_id)
    participant = MeetingParticipant.objects.filter(meeting=meeting, person=person).first()
    if participant is None:
        return False
    history_delete(participant, acting_user=acting_user)
    return True
