"""API views of committee memberships: ``/api/v1/committees/{code}/memberships/``.

Signed-in users read a committee's seats; the PMO adds, changes and removes them (the
services check the role again). Each view parses input, calls one service, and renders.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

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
from meetings import people_services
from meetings.models import Committee, Membership

from .people_serializers import (
    MembershipInputSerializer,
    MembershipOutputSerializer,
    MembershipUpdateSerializer,
)

CODE_PARAMETER = OpenApiParameter(
    "code",
    str,
    OpenApiParameter.PATH,
    description="Committee code",
    examples=[OpenApiExample("DAG", value="DAG")],
)


def _committee(code: str) -> Committee:
    try:
        return Committee.objects.get(code=code.upper())
    except Committee.DoesNotExist:
        raise NotFound(f"No committee {code}.") from None


def _memberships(committee: Committee) -> QuerySet[Membership]:
    return Membership.objects.filter(committee=committee).select_related("committee", "person")


@extend_schema(tags=["committees"], parameters=[CODE_PARAMETER])
@extend_schema_view(
    get=extend_schema(
        summary="List a committee's memberships",
        description="Its seats, past and current: who, role, constituency, from and until.",
    )
)
class MembershipListApi(ListApi):
    serializer_class = MembershipOutputSerializer
    keyset_orderings = (OrderKey("id", ("pk",), "creation order"),)

    def get_queryset(self) -> QuerySet[Membership]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no code
            return Membership.objects.none()
        return _memberships(_committee(self.kwargs["code"]))

    @extend_schema(
        summary="Add a membership (PMO)",
        description="A person holding the same role on the committee already is a 400.",
        request=MembershipInputSerializer,
        responses={201: MembershipOutputSerializer},
        parameters=[ETAG_HEADER],
    )
    def post(self, request: Request, code: str) -> Response:
        committee = _committee(code)
        data = validated_input(MembershipInputSerializer, request)
        membership = people_services.membership_create(
            committee=committee, acting_user=request.user, **data
        )
        return response_with_etag(
            MembershipOutputSerializer(membership, context=self.get_serializer_context()).data,
            Links(request),
            status_code=status.HTTP_201_CREATED,
        )


@extend_schema(
    tags=["committees"],
    parameters=[CODE_PARAMETER, OpenApiParameter("id", int, OpenApiParameter.PATH)],
)
@extend_schema_view(
    get=extend_schema(
        summary="Get a membership",
        parameters=[IF_NONE_MATCH_PARAMETER, ETAG_HEADER],
        responses={
            200: MembershipOutputSerializer,
            304: OpenApiResponse(description="Not modified"),
        },
    )
)
class MembershipDetailApi(RecordApi):
    serializer_class = MembershipOutputSerializer

    def record_get(self) -> Membership:
        return _memberships(_committee(self.kwargs["code"])).get(pk=self.kwargs["pk"])

    @extend_schema(
        summary="Change a membership (PMO)",
        description="Only the fields sent change; set ``end_date`` to end a seat on record.",
        request=MembershipUpdateSerializer,
        responses={200: MembershipOutputSerializer},
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
    )
    def patch(self, request: Request, code: str, pk: int) -> Response:
        data = validated_input(MembershipUpdateSerializer, request, partial=True)
        return self.record_write(
            lambda membership: people_services.membership_update(
                membership=membership, acting_user=request.user, **data
            )
        )

    @extend_schema(
        summary="Remove a membership recorded by mistake (PMO)",
        description="Its history keeps it. To end a seat, PATCH its ``end_date`` instead.",
        request=None,
        responses={204: OpenApiResponse(description="Removed")},
        parameters=[IF_MATCH_PARAMETER],
    )
    def delete(self, request: Request, code: str, pk: int) -> Response:
        return self.record_write(
            lambda membership: people_services.membership_delete(
                membership=membership, acting_user=request.user
            ),
            status_code=status.HTTP_204_NO_CONTENT,
            represent=lambda _: None,
        )
