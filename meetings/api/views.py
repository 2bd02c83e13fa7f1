"""API views of committees, organisations, people, meetings, agenda items, discussion items and
headline reports. Each parses input, calls one selector or service, and renders.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core import refs, roles
from core.api.etags import (
    ETAG_HEADER,
    IF_MATCH_PARAMETER,
    IF_NONE_MATCH_PARAMETER,
    response_with_etag,
)
from core.api.inputs import validated_input
from core.api.links import Links
from core.api.pagination import OrderKey
from core.api.views import ListApi, RecordApi
from meetings import people_services, selectors, services
from meetings.models import (
    AgendaItem,
    Committee,
    Meeting,
    Organisation,
    Paper,
    Person,
)

from .filters import (
    MeetingFilter,
    OrganisationFilter,
    PersonFilter,
)
from .people_serializers import (
    CommitteeUpdateSerializer,
    OrganisationInputSerializer,
    PersonInputSerializer,
    PersonUpdateSerializer,
)
from .serializers import (
    CommitteeInputSerializer,
    CommitteeOutputSerializer,
    MeetingInputSerializer,
    MeetingOutputSerializer,
    MeetingUpdateSerializer,
    OrganisationOutputSerializer,
    PersonOutputSerializer,
)

MEETING_REF_PARAMETER = OpenApiParameter(
    "ref",
    str,
    OpenApiParameter.PATH,
    description="Meeting ref: DAG028, DAG020.1 (any case).",
    examples=[OpenApiExample("DAG028", value="DAG028")],
)


# --- committees ------------------------------------------------------------------------------


@extend_schema(tags=["committees"])
@extend_schema_view(
    get=extend_schema(
        summary="List committees",
        description="Every committee of the installation, by code.",
    )
)
class CommitteeListApi(ListApi):
    """Committees of the installation (DAG, DRG…), by code."""

    serializer_class = CommitteeOutputSerializer
    keyset_orderings = (OrderKey("code", ("code",), "committee code"),)

    def get_queryset(self) -> QuerySet[Committee]:
        return Committee.objects.all()

    @extend_schema(
        summary="Create a committee (PMO)",
        request=CommitteeInputSerializer,
        responses={201: CommitteeOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = validated_input(CommitteeInputSerializer, request)
        committee = services.committee_create(acting_user=request.user, **data)
        return response_with_etag(
            CommitteeOutputSerializer(committee, context=self.get_serializer_context()).data,
            Links(request),
            status_code=status.HTTP_201_CREATED,
        )


@extend_schema(
    tags=["committees"],
    parameters=[
        OpenApiParameter(
            "code", str, OpenApiParameter.PATH, examples=[OpenApiExample("DAG", value="DAG")]
        ),
        IF_NONE_MATCH_PARAMETER,
        ETAG_HEADER,
    ],
    responses={200: CommitteeOutputSerializer, 304: OpenApiResponse(description="Not modified")},
    summary="Get a committee by code",
)
class CommitteeDetailApi(RecordApi):
    serializer_class = CommitteeOutputSerializer

    def record_get(self) -> Committee:
        return Committee.objects.get(code=self.kwargs["code"].upper())

    @extend_schema(
        summary="Change a committee (PMO)",
        description="Only the fields sent change; the code never does.",
        request=CommitteeUpdateSerializer,
        responses={200: CommitteeOutputSerializer},
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
    )
    def patch(self, request: Request, code: str) -> Response:
        data = validated_input(CommitteeUpdateSerializer, request, partial=True)
        return self.record_write(
            lambda committee: people_services.committee_update(
                committee=committee, acting_user=request.user, **data
            )
        )


# --- organisations and people ----------------------------------------------------------------


@extend_schema(tags=["organisations and people"], summary="List organisations")
class OrganisationListApi(ListApi):
    """Organisations (the Programme, suppliers, code bodies): those the user may see
    (``meetings.selectors.organisation_list_for_user``); the PMO adds them."""

    serializer_class = OrganisationOutputSerializer
    filterset_class = OrganisationFilter
    keyset_orderings = (
        OrderKey("name", ("name",), "name"),
        OrderKey("id", ("pk",), "creation order"),
    )

    def get_queryset(self) -> QuerySet[Organisation]:
        return selectors.organisation_list_for_user(user=self.request.user)

    @extend_schema(
        summary="Add an organisation (PMO)",
        request=OrganisationInputSerializer,
        responses={201: OrganisationOutputSerializer},
        parameters=[ETAG_HEADER],
    )
    def post(self, request: Request) -> Response:
        data = validated_input(OrganisationInputSerializer, request)
        organisation = people_services.organisation_create(acting_user=request.user, **data)
        return response_with_etag(
            OrganisationOutputSerializer(organisation, context=self.get_serializer_context()).data,
            Links(request),
            status_code=status.HTTP_201_CREATED,
        )


@extend_schema(
    tags=["organisations and people"],
    summary="Get an organisation",
    parameters=[IF_NONE_MATCH_PARAMETER, ETAG_HEADER],
    responses={200: OrganisationOutputSerializer, 304: OpenApiResponse(description="Not modified")},
)
class OrganisationDetailApi(RecordApi):
    serializer_class = OrganisationOutputSerializer

    def record_get(self) -> Organisation:
        return selectors.organisation_list_for_user(user=self.request.user).get(
            pk=self.kwargs["pk"]
        )

    @extend_schema(
        summary="Change an organisation (PMO)",
        request=OrganisationInputSerializer(partial=True),
        responses={200: OrganisationOutputSerializer},
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
    )
    def patch(self, request: Request, pk: int) -> Response:
        data = validated_input(OrganisationInputSerializer, request, partial=True)
        return self.record_write(
            lambda organisation: people_services.organisation_update(
                organisation=organisation, acting_user=request.user, **data
            )
        )


@extend_schema(tags=["organisations and people"], summary="List people and teams")
class PersonListApi(ListApi):
    """People and teams (Rob Short, Testing Team): those the user may see
    (``core.visibility.person_visible_q``); the PMO adds them. Emails are hidden from
    Observers."""

    serializer_class = PersonOutputSerializer
    filterset_class = PersonFilter
    keyset_orderings = (
        OrderKey("name", ("name",), "name"),
        OrderKey("id", ("pk",), "creation order"),
    )

    def get_queryset(self) -> QuerySet[Person]:
        return selectors.person_list_for_user(user=self.request.user)

    @extend_schema(
        summary="Add a person or team (PMO)",
        description="Give an email so that reminders reach them.",
        request=PersonInputSerializer,
        responses={201: PersonOutputSerializer},
        parameters=[ETAG_HEADER],
    )
    def post(self, request: Request) -> Response:
        data = validated_input(PersonInputSerializer, request)
        person = people_services.person_create(acting_user=request.user, **data)
        return response_with_etag(
            PersonOutputSerializer(person, context=self.get_serializer_context()).data,
            Links(request),
            status_code=status.HTTP_201_CREATED,
        )


@extend_schema(
    tags=["organisations and people"],
    summary="Get a person or team",
    parameters=[IF_NONE_MATCH_PARAMETER, ETAG_HEADER],
    responses={200: PersonOutputSerializer, 304: OpenApiResponse(description="Not modified")},
)
class PersonDetailApi(RecordApi):
    serializer_class = PersonOutputSerializer

    def record_get(self) -> Person:
        return selectors.person_list_for_user(user=self.request.user).get(pk=self.kwargs["pk"])

    @extend_schema(
        summary="Change a person or team (PMO)",
        description="Only the fields sent change; ``is_active: false`` deactivates them.",
        request=PersonUpdateSerializer,
        responses={200: PersonOutputSerializer},
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
    )
    def patch(self, request: Request, pk: int) -> Response:
        data = validated_input(PersonUpdateSerializer, request, partial=True)
        is_active = data.pop("is_active", None)

        def change(person: Person) -> Person:
            if data:
                person = people_services.person_update(
                    person=person, acting_user=request.user, **data
                )
            if is_active is not None:
                person = people_services.person_set_active(
                    person=person, is_active=is_active, acting_user=request.user
                )
            return person

        return self.record_write(change)


# --- meetings --------------------------------------------------------------------------------


def _meetings_for(user: Any) -> QuerySet[Meeting]:
    return selectors.meeting_list_for_user(user=user).prefetch_related(
        Prefetch(
            "agenda_items",
            queryset=AgendaItem.objects.select_related("change_request", "presenter")
            .with_changed_since_published()
            .prefetch_related(
                Prefetch(
                    "papers",
                    queryset=Paper.objects.select_related("meeting").prefetch_related("versions"),
                )
            )
            .order_by("order", "id"),
        ),
        Prefetch(
            "papers",
            queryset=Paper.objects.select_related("meeting").prefetch_related("versions"),
        ),
    )


@extend_schema(tags=["meetings"])
@extend_schema_view(get=extend_schema(summary="List meetings"))
class MeetingListApi(ListApi):
    """Meetings the user may see (Observers: Public ones), with their agenda."""

    # The PMO, and a secretariat for its committee's records (the service checks which).
    write_permission = staticmethod(roles.is_recorder_somewhere)

    serializer_class = MeetingOutputSerializer
    filterset_class = MeetingFilter
    keyset_orderings = (
        OrderKey("start_at", ("start_at",), "meeting date"),
        OrderKey("ref", ("committee__code", "number", "sub_number"), "committee, then number"),
        OrderKey("id", ("pk",), "creation order"),
    )

    def get_queryset(self) -> QuerySet[Meeting]:
        return _meetings_for(self.request.user)

    @extend_schema(
        summary="Record a meeting (PMO)",
        description="The server assigns the committee's next number and the ref (DAG029).",
        request=MeetingInputSerializer,
        responses={201: MeetingOutputSerializer},
        parameters=[ETAG_HEADER],
    )
    def post(self, request: Request) -> Response:
        data = validated_input(MeetingInputSerializer, request)
        meeting = services.meeting_create(acting_user=request.user, **data)
        return response_with_etag(
            MeetingOutputSerializer(
                _meetings_for(request.user).get(pk=meeting.pk),
                context=self.get_serializer_context(),
            ).data,
            Links(request),
            status_code=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["meetings"], parameters=[MEETING_REF_PARAMETER])
@extend_schema_view(
    get=extend_schema(
        summary="Get a meeting by ref",
        parameters=[IF_NONE_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: MeetingOutputSerializer, 304: OpenApiResponse(description="Not modified")},
    )
)
class MeetingDetailApi(RecordApi):
    serializer_class = MeetingOutputSerializer
    # The PMO, and a secretariat for its committee's records (the service checks which).
    write_permission = staticmethod(roles.is_recorder_somewhere)

    def record_get(self) -> Meeting:
        return _meetings_for(self.request.user).get(ref=_canonical_meeting(self.kwargs["ref"]))

    @extend_schema(
        summary="Change a meeting (PMO)",
        description="Only the fields sent change. Actions due by this meeting follow a new date.",
        request=MeetingUpdateSerializer,
        responses={200: MeetingOutputSerializer},
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
    )
    def patch(self, request: Request, ref: str) -> Response:
        data = validated_input(MeetingUpdateSerializer, request, partial=True)
        return self.record_write(
            lambda meeting: services.meeting_update(
                meeting=meeting, acting_user=request.user, **data
            )
        )


def _canonical_meeting(text: str) -> str:
    from django.core.exceptions import ValidationError

    try:
        key = refs.parse_meeting_ref(text)
    except ValidationError:
        raise Meeting.DoesNotExist(text) from None
    return refs.meeting_ref(key.code, key.number, key.sub_number)
