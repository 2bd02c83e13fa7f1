"""API of a meeting's participants: ``/api/v1/meetings/{ref}/participants/``.

``GET`` lists who is invited (anyone who may see the meeting); ``POST {"person": id}`` adds
one and ``DELETE .../participants/{person_id}/`` removes one (PMO); ``PATCH`` on the same
URL records one participant's attendance and whom they stand in for (PMO). A meeting the
user may not see is 404 on every method (``core.visibility``); so is a person they may not
see.

Like the other API views (``core.api.etags``), every answer carries an ``ETag``: the list's
(``GET`` honours ``If-None-Match`` with 304; ``POST`` honours ``If-Match`` against it with
412) and one participant's (``GET``, ``PATCH`` and ``DELETE`` on the detail URL, likewise).
A write under ``If-Match`` locks the meeting (the list) or the participant's row first, so
no other write slips in between the check and the service.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.etags import (
    ETAG_HEADER,
    IF_MATCH_PARAMETER,
    IF_NONE_MATCH_PARAMETER,
    etag_of,
    if_match_check,
    not_modified,
    response_with_etag,
)
from core.api.inputs import InputSerializer, validated_input
from core.api.links import Links
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


def _one(request: Request, row: MeetingParticipant) -> dict[str, Any]:
    return MeetingParticipantOutputSerializer(row, context={"request": request}).data


def _row(request: Request, meeting: Meeting, person: Person) -> MeetingParticipant:
    try:
        return participants.meeting_participant_list(meeting=meeting).get(person=person)
    except MeetingParticipant.DoesNotExist as exc:
        raise NotFound(f"{person.name} is not a participant of {meeting.ref}.") from exc


def _read(request: Request, data: Any) -> Response:
    """``data`` with its ETag, or 304 when ``If-None-Match`` already names it."""
    links = Links(request)
    etag = etag_of(data, links)
    if not_modified(request, etag):
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    return response_with_etag(data, links)


NOT_MODIFIED = OpenApiResponse(description="Not modified: your ETag is current.")


@extend_schema(tags=["meetings"], parameters=[MEETING_REF_PARAMETER])
@extend_schema_view(
    get=extend_schema(
        summary="List a meeting's participants",
        description="The people invited to the meeting, by name. A participant reads the "
        "meeting whatever its classification. The ETag is the list's.",
        parameters=[IF_NONE_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: MeetingParticipantOutputSerializer(many=True), 304: NOT_MODIFIED},
    ),
    post=extend_schema(
        summary="Invite a person to a meeting (PMO)",
        description="Adding someone already invited changes nothing. A team is refused "
        "(400); an unknown person is 404. With ``If-Match`` (the list's ETag) a list "
        "changed since is refused (412).",
        request=MeetingParticipantInputSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
        responses={201: MeetingParticipantOutputSerializer(many=True)},
    ),
)
class MeetingParticipantListApi(APIView):
    def get(self, request: Request, ref: str) -> Response:
        return _read(request, _listed(request, _meeting(request, ref)))

    def post(self, request: Request, ref: str) -> Response:
        meeting = _meeting(request, ref)
        data = validated_input(MeetingParticipantInputSerializer, request)
        person = _person(request, data["person"])
        links = Links(request)
        with transaction.atomic():
            Meeting.objects.select_for_update().filter(pk=meeting.pk).exists()
            if "If-Match" in request.headers:
                if_match_check(request, etag_of(_listed(request, meeting), links))
            participants.meeting_participant_add(
                meeting=meeting, person=person, acting_user=request.user
            )
        return response_with_etag(
            _listed(request, meeting), links, status_code=status.HTTP_201_CREATED
        )

    def record_get(self) -> Meeting:
        """The meeting, for the write permission: hidden is 404 before a refusal (403)."""
        return _meeting(self.request, self.kwargs["ref"])


def _locked_row(request: Request, meeting: Meeting, person: Person) -> MeetingParticipant:
    """The participant's row, locked, after ``If-Match`` (when sent) is checked against its
    current ETag: call inside ``transaction.atomic``."""
    row = _row(request, meeting, person)
    MeetingParticipant.objects.select_for_update().filter(pk=row.pk).exists()
    if "If-Match" in request.headers:
        row = _row(request, meeting, person)
        if_match_check(request, etag_of(_one(request, row), Links(request)))
    return row


@extend_schema(tags=["meetings"], parameters=[MEETING_REF_PARAMETER])
@extend_schema_view(
    get=extend_schema(
        summary="Get one participant of a meeting",
        description="A person who is not a participant is 404.",
        parameters=[IF_NONE_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: MeetingParticipantOutputSerializer, 304: NOT_MODIFIED},
    ),
    delete=extend_schema(
        summary="Remove a participant from a meeting (PMO)",
        parameters=[IF_MATCH_PARAMETER],
        responses={204: None},
    ),
    patch=extend_schema(
        summary="Record a participant's attendance (PMO)",
        description="Attendance and the voting member they stand in for; a substitute for "
        "someone who is not a voting member, or a second substitute for one member, is "
        "refused (400). A person who is not a participant is 404. With ``If-Match`` a "
        "participant changed since is refused (412).",
        request=MeetingAttendanceInputSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: MeetingParticipantOutputSerializer},
    ),
)
class MeetingParticipantDetailApi(APIView):
    def get(self, request: Request, ref: str, person_id: int) -> Response:
        meeting = _meeting(request, ref)
        return _read(request, _one(request, _row(request, meeting, _person(request, person_id))))

    def patch(self, request: Request, ref: str, person_id: int) -> Response:
        meeting = _meeting(request, ref)
        person = _person(request, person_id)
        with transaction.atomic():
            row = _locked_row(request, meeting, person)
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
        return response_with_etag(_one(request, _row(request, meeting, person)), Links(request))

    def delete(self, request: Request, ref: str, person_id: int) -> Response:
        meeting = _meeting(request, ref)
        person = _person(request, person_id)
        with transaction.atomic():
            _locked_row(request, meeting, person)
            if not participants.meeting_participant_remove(
                meeting=meeting, person=person, acting_user=request.user
            ):
                raise NotFound(f"{person.name} is not a participant of {meeting.ref}.")
        return Response(status=status.HTTP_204_NO_CONTENT)

    def record_get(self) -> Meeting:
        """The meeting, for the write permission: hidden is 404 before a refusal (403)."""
        return _meeting(self.request, self.kwargs["ref"])
