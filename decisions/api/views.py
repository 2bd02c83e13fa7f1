"""API views of decisions: the register, one decision, and the chair's approval.

Reads go through ``decisions.selectors.decision_list_for_user`` (Observers: Public meetings
only); writes through ``decisions.services``: only the chair approves
(``decision_approve``), and every status move goes through ``decision_transition``.
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

from core import refs, roles
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
from decisions import selectors, services
from decisions.models import Decision
from meetings.models import DiscussionReference

from .filters import DecisionFilter
from .serializers import (
    DecisionApproveInputSerializer,
    DecisionChangeSerializer,
    DecisionInputSerializer,
    DecisionOutputSerializer,
    DecisionReopenInputSerializer,
    DecisionTransitionInputSerializer,
)

DECISION_REF_PARAMETER = OpenApiParameter(
    "ref",
    str,
    OpenApiParameter.PATH,
    description="Decision ref: DAG-DEC68 (any case).",
    examples=[OpenApiExample("DAG-DEC68", value="DAG-DEC68")],
)
CHAIR_ONLY = "Only the chair can decide on a proposed decision."
LOCKED = OpenApiResponse(
    ErrorSerializer,
    description="Locked (code locked): the chair has decided it (approved, approved with "
    "conditions, rejected), so its text, conditions, area, meeting and CR stay as decided. "
    "Re-open it first (POST …/reopen/ with a reason). Nothing was changed.",
)


def decisions_for(user: Any) -> QuerySet[Decision]:
    """Decisions ``user`` may see, with what their representation shows (fixed queries)."""
    references = (
        DiscussionReference.objects.visible_to(user)
        .select_related("discussion_item__meeting")
        .order_by("discussion_item__meeting__start_at", "discussion_item__order", "id")
    )
    return selectors.decision_list_for_user(user=user).prefetch_related(
        Prefetch("discussed_in", queryset=references)
    )


def decision_for(user: Any, ref: str) -> Decision:
    """The decision ``ref`` as ``user`` may see it; DoesNotExist (404) otherwise."""
    try:
        key = refs.parse_decision_ref(ref)
    except ValidationError:
        raise Decision.DoesNotExist(ref) from None
    return decisions_for(user).get(ref=refs.decision_ref(key.code, key.seq))


@extend_schema(tags=["decisions"])
@extend_schema_view(get=extend_schema(summary="List decisions"))
class DecisionListApi(ListApi):
    """The decision register as the user may see it."""

    # The PMO, and a secretariat for its committee's records (the service checks which).
    write_permission = staticmethod(roles.is_recorder_somewhere)

    serializer_class = DecisionOutputSerializer
    filterset_class = DecisionFilter
    keyset_orderings = (
        OrderKey("ref", ("committee__code", "seq"), "committee, then number"),
        OrderKey("id", ("pk",), "creation order"),
    )

    def get_queryset(self) -> QuerySet[Decision]:
        return decisions_for(self.request.user)

    @extend_schema(
        summary="Propose a decision (PMO)",
        description="The server assigns the ref (the committee's next: DAG-DEC75). It starts "
        "proposed; the chair decides through approve or transition.",
        request=DecisionInputSerializer,
        responses={201: DecisionOutputSerializer},
        parameters=[ETAG_HEADER],
    )
    def post(self, request: Request) -> Response:
        data = validated_input(DecisionInputSerializer, request)
        decision = services.decision_create(acting_user=request.user, **data)
        links = Links(request)
        return response_with_etag(
            DecisionOutputSerializer(
                decisions_for(request.user).get(pk=decision.pk),
                context=self.get_serializer_context(),
            ).data,
            links,
            status_code=status.HTTP_201_CREATED,
        )


class DecisionRecordApi(RecordApi):
    serializer_class = DecisionOutputSerializer
    # The PMO, and a secretariat for its committee's records (the service checks which).
    write_permission = staticmethod(roles.is_recorder_somewhere)

    def record_get(self) -> Decision:
        return decision_for(self.request.user, self.kwargs["ref"])

    def records_get(self, pks: list[int]) -> list[Decision]:
        return list(decisions_for(self.request.user).filter(pk__in=pks))


@extend_schema(tags=["decisions"], parameters=[DECISION_REF_PARAMETER])
@extend_schema_view(
    get=extend_schema(
        summary="Get a decision by ref",
        parameters=[IF_NONE_MATCH_PARAMETER, ETAG_HEADER],
        responses={
            200: DecisionOutputSerializer,
            304: OpenApiResponse(description="Not modified: your ETag is current."),
        },
    )
)
class DecisionDetailApi(DecisionRecordApi):
    @extend_schema(
        summary="Change a decision's text, area or CR (PMO)",
        description="Only the fields sent change; the ref and status never change here. A "
        "decided decision (is_locked) answers 409 to any change of them.",
        request=DecisionChangeSerializer,
        responses={200: DecisionOutputSerializer, 409: LOCKED},
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
    )
    def patch(self, request: Request, ref: str) -> Response:
        data = validated_input(DecisionChangeSerializer, request, partial=True)
        return self.record_write(
            lambda decision: services.decision_update(
                decision=decision, acting_user=request.user, **data
            )
        )


@extend_schema(
    tags=["decisions"],
    summary="Approve a decision (chair)",
    description="Approves a proposed or deferred decision; with conditions it becomes "
    "approved with conditions. Its CR follows. Anyone but the chair gets 403.",
    parameters=[DECISION_REF_PARAMETER, IF_MATCH_PARAMETER, ETAG_HEADER],
    request=DecisionApproveInputSerializer,
    responses={200: DecisionOutputSerializer},
)
class DecisionApproveApi(DecisionRecordApi):
    write_permission = staticmethod(roles.is_chair)
    write_denied_message = CHAIR_ONLY

    def post(self, request: Request, ref: str) -> Response:
        data = validated_input(DecisionApproveInputSerializer, request)
        return self.record_write(
            lambda decision: services.decision_approve(
                decision=decision, acting_user=request.user, **data
            )
        )


@extend_schema(
    tags=["decisions"],
    summary="Move a decision to another status (chair; PMO to withdraw)",
    description="Reject, defer, approve (with conditions) or withdraw, along the allowed "
    "transitions (allowed_transitions in the representation); others are refused with 400.",
    parameters=[DECISION_REF_PARAMETER, IF_MATCH_PARAMETER, ETAG_HEADER],
    request=DecisionTransitionInputSerializer,
    responses={200: DecisionOutputSerializer},
)
class DecisionTransitionApi(DecisionRecordApi):
    # The chair decides and the PMO may withdraw: the service tells which for the status.
    write_permission = staticmethod(
        lambda user: roles.is_chair(user) or roles.is_recorder_somewhere(user)
    )
    write_denied_message = CHAIR_ONLY

    def post(self, request: Request, ref: str) -> Response:
        data = validated_input(DecisionTransitionInputSerializer, request)
        return self.record_write(
            lambda decision: services.decision_transition(
                decision=decision,
                to_status=data["status"],
                conditions=data.get("conditions", ""),
                acting_user=request.user,
            )
        )


@extend_schema(
    tags=["decisions"],
    summary="Re-open a decided decision (chair; PMO on record)",
    description="Puts an approved, approved-with-conditions or rejected decision back to "
    "proposed so the chair decides again. The reason is required and kept with who, in what "
    "role and when, and the outcome it had; a CR this decision settled goes back to awaiting "
    "decision. A decision not decided is refused with 400.",
    parameters=[DECISION_REF_PARAMETER, IF_MATCH_PARAMETER, ETAG_HEADER],
    request=DecisionReopenInputSerializer,
    responses={200: DecisionOutputSerializer},
)
class DecisionReopenApi(DecisionRecordApi):
    write_permission = staticmethod(
        lambda user: roles.is_chair(user) or roles.is_recorder_somewhere(user)
    )
    write_denied_message = "Only the chair or the PMO can re-open a decision."

    def post(self, request: Request, ref: str) -> Response:
        data = validated_input(DecisionReopenInputSerializer, request)
        return self.record_write(
            lambda decision: services.decision_reopen(
                decision=decision, reason=data["reason"], acting_user=request.user
            )
        )
