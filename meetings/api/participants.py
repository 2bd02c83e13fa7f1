"""API of a meeting's participants: ``/api/v1/meetings/{ref}/participants/``.

``GET`` lists who is invited (anyone who may see the meeting); ``POST {"person": id}`` adds
one and ``DELETE .../participants/{person_id}/`` removes one (PMO); ``PATCH`` on the same
URL records one participant's attendance and whom they stand in for (PMO). A meeting the
user may not see is 404 on every method (``core.visibility``); so is a person they may not
see.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.inputs import InputSerializer, validated_input
from meetings import attendance, participants, selectors
from meetings.models import Meeting, MeetingParticipant, Person

from .serializers import PersonLinkSerializer
from .views import MEETING_REF_PARAMETER, _canonical_meeting


class MeetingParticipantOutputSerializer(serializers.ModelSerializer):
    """One participant: the person, who added them and when, their attendance (blank until
    recorded), the member they stand in for, and whether they are a guest."""

    person = PersonLinkSerializer(read_only=True)
    added_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Null: the system."
    )
    substitute_for = PersonLinkSerializer(
        read_only=True, allow_null=True, help_text="The voting member an alternate stands in for."
    )

    class Meta:
        model = MeetingParticipant
        fields = ["person", "added_by", "added_at", "attendance", "substitute_for", "is_guest"]


class MeetingParticipantInputSerializer(InputSerializer):
    person = serializers.IntegerField(help_text="The id of the person to invite.")


class MeetingAttendanceInputSerializer(InputSerializer):
    attendance = serializers.ChoiceField(
        choices=[("", "Not recorded"), *MeetingParticipant.Attendance.choices],
        allow_blank=True,
        help_text="present, video, apologies, absent; blank: not recorded.",
    )
    substitute_for = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The id of the voting member this participant stands in for; null: nobody; "
        "left out: unchanged.",
    )


def _meeting(request: Request, ref: str) -> Meeting:
    try:
        return selectors.meeting_list_for_user(user=request.user).get(ref=_canonical_meeting(ref))
    except ObjectDoesNotExist as exc:
        raise NotFound(f"No meeting {ref}.") from exc


def _person(request: Request, person_id: Any) -> Person:
    try:
        return selectors.person_list_for_user(user=request.user).get(pk=person_id)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(f"No person {person_id}.") from exc


def _listed(request: Request, meeting: Meeting) -> list[dict[str, Any]]:
    return MeetingParticipantOutputSerializer(
        participants.meeting_participant_list(meeting=meeting),
        many=True,
        context={"request": request},
    ).data


@extend_schema(tags=["meetings"], parameters=[MEETING_REF_PARAMETER])
@extend_schema_view(
    get=extend_schema(
        summary="List a meeting's participants",
        description="The people invited to the meeting, by name. A participant reads the "
        "meeting whatever its classification.",
        responses={200: MeetingParticipantOutputSerializer(many=True)},
    ),
    post=extend_schema(
        summary="Invite a person to a meeting (PMO)",
        description="Adding someone already invited changes nothing. A team is refused "
        "(400); an unknown person is 404.",
        request=MeetingParticipantInputSerializer,
        responses={201: MeetingParticipantOutputSerializer(many=True)},
    ),
)
class MeetingParticipantListApi(APIView):
    def get(self, request: Request, ref: str) -> Response:
        return Response(_listed(request, _meeting(request, ref)))

    def post(self, request: Request, ref: str) -> Response:
        meeting = _meeting(request, ref)
        data = validated_input(MeetingParticipantInputSerializer, request)
        person = _person(request, data["person"])
        participants.meeting_participant_add(
            meeting=meeting, person=person, acting_user=request.user
        )
        return Response(_listed(request, meeting), status=status.HTTP_201_CREATED)

    def record_get(self) -> Meeting:
        """The meeting, for the write permission: hidden is 404 before a refusal (403)."""
        return _meeting(self.request, self.kwargs["ref"])


@extend_schema(tags=["meetings"], parameters=[MEETING_REF_PARAMETER])
@extend_schema_view(
    delete=extend_schema(
        summary="Remove a participant from a meeting (PMO)",
        responses={204: None},
    ),
    patch=extend_schema(
        summary="Record a participant's attendance (PMO)",
        description="Attendance and the voting member they stand in for; a substitute for "
        "someone who is not a voting member, or a second substitute for one member, is "
        "refused (400). A person who is not a participant is 404.",
        request=MeetingAttendanceInputSerializer,
        responses={200: MeetingParticipantOutputSerializer},
    ),
)
class MeetingParticipantDetailApi(APIView):
    def patch(self, request: Request, ref: str, person_id: int) -> Response:
        meeting = _meeting(request, ref)
        person = _person(request, person_id)
        row = meeting.participants.filter(person=person).select_related("substitute_for").first()
        if row is None:
            raise NotFound(f"{person.name} is not a participant of {meeting.ref}.")
        data = validated_input(MeetingAttendanceInputSerializer, request)
        # Left out: whom they stand in for stays as it was.
        substitute = data.get("substitute_for", row.substitute_for_id)
        attendance.meeting_attendance_record(
            meeting=meeting,
            entries=[
                attendance.AttendanceEntry(
                    person_id=person.pk,
                    attendance=data["attendance"],
                    substitute_for=_person(request, substitute) if substitute else None,
                )
            ],
            acting_user=request.user,
        )
        row = participants.meeting_participant_list(meeting=meeting).get(person=person)
        return Response(MeetingParticipantOutputSerializer(row, context={"request": request}).data)

    def delete(self, request: Request, ref: str, person_id: int) -> Response:
        meeting = _meeting(request, ref)
        person = _person(request, person_id)
        if not participants.meeting_participant_remove(
            meeting=meeting, person=person, acting_user=request.user
        ):
            raise NotFound(f"{person.name} is not a participant of {meeting.ref}.")
        return Response(status=status.HTTP_204_NO_CONTENT)

    def record_get(self) -> Meeting:
        """The meeting, for the write permission: hidden is 404 before a refusal (403)."""
        return _meeting(self.request, self.kwargs["ref"])
