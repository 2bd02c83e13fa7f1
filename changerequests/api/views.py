"""API views of change requests, their impact assessment responses, and releases.

CRs are programme-wide and unclassified: every logged-in user reads them. Writes go through
``changerequests.services`` (PMO only).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
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

from changerequests import services
from changerequests.models import (
    ChangeRequest,
    DesignIssueNotification,
    ExpectedRespondent,
    ImpactAssessmentResponse,
    Release,
)
from core import refs
from core.api.errors import ErrorSerializer
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

from .filters import ChangeRequestFilter, ReleaseFilter
from .serializers import (
    ChangeRequestInputSerializer,
    ChangeRequestOutputSerializer,
    ChangeRequestTransitionInputSerializer,
    IAResponseInputSerializer,
    IAResponseOutputSerializer,
    ReleaseOutputSerializer,
)

CR_REF_PARAMETER = OpenApiParameter(
    "ref",
    str,
    OpenApiParameter.PATH,
    description="Change request ref: CR023 (any case; CR23 too).",
    examples=[OpenApiExample("CR023", value="CR023")],
)
NOT_MODIFIED = OpenApiResponse(description="Not modified: your ETag is current.")
LOCKED = OpenApiResponse(
    ErrorSerializer,
    description="Locked (code locked): the CR is decided, so its title and description stay "
    "as decided. Re-open it first (transition to awaiting_decision with a reason). Nothing "
    "was changed.",
)


def change_requests_all() -> QuerySet[ChangeRequest]:
    """CRs with their raiser, releases, DINs, IA responses and expected respondents loaded
    (fixed queries)."""
    return ChangeRequest.objects.select_related(
        "raiser", "target_release", "backstop_release"
    ).prefetch_related(
        Prefetch("dins", queryset=DesignIssueNotification.objects.order_by("number")),
        Prefetch(
            "ia_responses",
            queryset=ImpactAssessmentResponse.objects.select_related("organisation").order_by(
                "organisation__name"
            ),
        ),
        Prefetch(
            "expected_respondents",
            queryset=ExpectedRespondent.objects.select_related("organisation"),
        ),
    )


def change_request_for(ref: str) -> ChangeRequest:
    """The CR ``ref`` (``CR023``, ``cr23``); DoesNotExist (404) otherwise."""
    try:
        number = refs.parse_change_request_ref(ref)
    except ValidationError:
        raise ChangeRequest.DoesNotExist(ref) from None
    return change_requests_all().get(number=number)


@extend_schema(tags=["change requests"])
@extend_schema_view(get=extend_schema(summary="List change requests"))
class ChangeRequestListApi(ListApi):
    """Change requests, programme-wide, by number."""

    serializer_class = ChangeRequestOutputSerializer
    filterset_class = ChangeRequestFilter
    keyset_orderings = (
        OrderKey("number", ("number",), "CR number"),
        OrderKey("created_at", ("created_at",), "recording order"),
    )

    def get_queryset(self) -> QuerySet[ChangeRequest]:
        return change_requests_all()

    @extend_schema(
        summary="Record a change request (PMO)",
        description="The server assigns the number and ref (the next: CR033); a body with "
        "a ref or number is refused.",
        request=ChangeRequestInputSerializer,
        responses={201: ChangeRequestOutputSerializer},
        parameters=[ETAG_HEADER],
    )
    def post(self, request: Request) -> Response:
        data = validated_input(ChangeRequestInputSerializer, request)
        cr = services.change_request_create(acting_user=request.user, **data)
        return response_with_etag(
            ChangeRequestOutputSerializer(
                change_request_for(cr.ref), context=self.get_serializer_context()
            ).data,
            Links(request),
            status_code=status.HTTP_201_CREATED,
        )


class ChangeRequestRecordApi(RecordApi):
    serializer_class = ChangeRequestOutputSerializer

    def record_get(self) -> ChangeRequest:
        return change_request_for(self.kwargs["ref"])


@extend_schema(tags=["change requests"], parameters=[CR_REF_PARAMETER])
@extend_schema_view(
    get=extend_schema(
        summary="Get a change request by ref",
        parameters=[IF_NONE_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: ChangeRequestOutputSerializer, 304: NOT_MODIFIED},
    )
)
class ChangeRequestDetailApi(ChangeRequestRecordApi):
    @extend_schema(
        summary="Change a change request (PMO)",
        description="Only the fields sent change; status moves through transition. A decided "
        "CR (is_decided) answers 409 to a change of its title or description.",
        request=ChangeRequestInputSerializer,
        responses={200: ChangeRequestOutputSerializer, 409: LOCKED},
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
    )
    def patch(self, request: Request, ref: str) -> Response:
        data = validated_input(ChangeRequestInputSerializer, request, partial=True)
        return self.record_write(
            lambda cr: services.change_request_update(
                change_request=cr, acting_user=request.user, **data
            )
        )


@extend_schema(
    tags=["change requests"],
    summary="Move a change request to another status (PMO)",
    description="Along allowed_transitions (draft → impact assessment → awaiting decision "
    "…). Approval and rejection come only from a decision on the CR (400 here). A decided CR "
    "moves only with a reason (implemented; re-opened to awaiting_decision), kept on record.",
    parameters=[CR_REF_PARAMETER, IF_MATCH_PARAMETER, ETAG_HEADER],
    request=ChangeRequestTransitionInputSerializer,
    responses={200: ChangeRequestOutputSerializer},
)
class ChangeRequestTransitionApi(ChangeRequestRecordApi):
    def post(self, request: Request, ref: str) -> Response:
        data = validated_input(ChangeRequestTransitionInputSerializer, request)
        return self.record_write(
            lambda cr: services.change_request_transition(
                change_request=cr,
                to_status=data["status"],
                reason=data.get("reason", ""),
                acting_user=request.user,
            )
        )


@extend_schema(tags=["change requests"], parameters=[CR_REF_PARAMETER])
@extend_schema_view(get=extend_schema(summary="List a CR's impact assessment responses"))
class IAResponseListApi(ListApi):
    """The impact assessment responses to a CR, by organisation."""

    serializer_class = IAResponseOutputSerializer
    filter_backends: list[Any] = []
    keyset_orderings = (
        OrderKey("organisation", ("organisation__name",), "organisation name"),
        OrderKey("received_date", ("received_date",), "date received"),
    )

    def get_queryset(self) -> QuerySet[ImpactAssessmentResponse]:
        cr = change_request_for(self.kwargs["ref"])
        return ImpactAssessmentResponse.objects.filter(change_request=cr).select_related(
            "change_request", "organisation"
        )

    @extend_schema(
        summary="Record an IA response (PMO)",
        description="One response per organisation: a second one replaces the first.",
        request=IAResponseInputSerializer,
        responses={201: IAResponseOutputSerializer},
    )
    def post(self, request: Request, ref: str) -> Response:
        cr = change_request_for(ref)
        data = validated_input(IAResponseInputSerializer, request)
        response = services.ia_response_record(change_request=cr, acting_user=request.user, **data)
        response = ImpactAssessmentResponse.objects.select_related(
            "change_request", "organisation"
        ).get(pk=response.pk)
        return Response(
            IAResponseOutputSerializer(response, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["change requests"], summary="List releases")
class ReleaseListApi(ListApi):
    """Design releases (IR5, IR6), read-only."""

    serializer_class = ReleaseOutputSerializer
    filterset_class = ReleaseFilter
    keyset_orderings = (OrderKey("code", ("code",), "release code"),)

    def get_queryset(self) -> QuerySet[Release]:
        return Release.objects.all()


@extend_schema(
    tags=["change requests"],
    summary="Get a release by code",
    parameters=[
        OpenApiParameter(
            "code", str, OpenApiParameter.PATH, examples=[OpenApiExample("IR5", value="IR5")]
        ),
        IF_NONE_MATCH_PARAMETER,
        ETAG_HEADER,
    ],
    responses={200: ReleaseOutputSerializer, 304: NOT_MODIFIED},
)
class ReleaseDetailApi(RecordApi):
    serializer_class = ReleaseOutputSerializer

    def record_get(self) -> Release:
        return Release.objects.get(code=self.kwargs["code"].upper())
