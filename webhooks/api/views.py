"""API of webhook endpoints: ``/api/v1/webhooks/`` (the PMO only, reads included: an
endpoint's URL and log are the PMO's business). Each view parses input, calls one service
or selector, and renders; records answer their ETag and honour ``If-Match``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from core import roles
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
from meetings.models import Committee
from webhooks import selectors, services
from webhooks.models import Delivery, DeliveryAttempt, Endpoint

from .serializers import (
    DeliveryOutputSerializer,
    EndpointInputSerializer,
    EndpointOutputSerializer,
    EndpointWithSecretSerializer,
)

ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Endpoint id")


class PmoOnly(BasePermission):
    """Every method needs the PMO (anonymous: 401, anyone else: 403)."""

    message = "Only the PMO (secretariat) manages webhooks."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and roles.is_pmo(user))


def _service_input(data: dict[str, Any]) -> dict[str, Any]:
    """The API's input as the services take it: ``target_url`` is the endpoint's ``url``,
    committee codes the committees (an unknown code is a 400 on ``committees``)."""
    data = dict(data)
    if "target_url" in data:
        data["url"] = data.pop("target_url")
    if "committees" in data:
        codes = [code.upper() for code in data["committees"]]
        found = list(Committee.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {c.code for c in found})
        if unknown:
            raise ValidationError({"committees": f"No committee {', '.join(unknown)}."})
        data["committees"] = found
    return data


def _renamed(call: Callable[[], Any]) -> Any:
    """Run a service; its errors on ``url`` are the API's ``target_url``."""
    try:
        return call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "url" in exc.error_dict:
            errors = dict(exc.error_dict)
            errors["target_url"] = errors.pop("url")
            raise ValidationError(errors) from None
        raise


@extend_schema(tags=["webhooks"])
class EndpointListApi(ListApi):
    """Webhook endpoints, by name."""

    permission_classes = [PmoOnly]
    serializer_class = EndpointOutputSerializer
    keyset_orderings = (
        OrderKey("name", ("name",), "name"),
        OrderKey("id", ("pk",), "creation order"),
    )

    def get_queryset(self) -> QuerySet[Endpoint]:
        return selectors.endpoint_list()

    @extend_schema(summary="List webhook endpoints (PMO)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Register a webhook endpoint (PMO)",
        description="Answers the endpoint with its `secret`, shown this once.",
        request=EndpointInputSerializer,
        responses={201: EndpointWithSecretSerializer},
        parameters=[ETAG_HEADER],
    )
    def post(self, request: Request) -> Response:
        data = _service_input(validated_input(EndpointInputSerializer, request))
        endpoint = _renamed(lambda: services.endpoint_create(acting_user=request.user, **data))
        return response_with_etag(
            EndpointWithSecretSerializer(endpoint, context=self.get_serializer_context()).data,
            Links(request),
            status_code=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["webhooks"], parameters=[ID_PARAMETER])
class EndpointDetailApi(RecordApi):
    permission_classes = [PmoOnly]
    serializer_class = EndpointOutputSerializer

    def record_get(self) -> Endpoint:
        return selectors.endpoint_list().get(pk=self.kwargs["pk"])

    @extend_schema(
        summary="Get a webhook endpoint (PMO)",
        parameters=[IF_NONE_MATCH_PARAMETER, ETAG_HEADER],
        responses={
            200: EndpointOutputSerializer,
            304: OpenApiResponse(description="Not modified"),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Change a webhook endpoint (PMO)",
        description="Only the fields sent change. `is_active: true` on a disabled endpoint "
        "clears its notice and starts a new failure count.",
        request=EndpointInputSerializer(partial=True),
        responses={200: EndpointOutputSerializer},
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
    )
    def patch(self, request: Request, pk: int) -> Response:
        data = _service_input(validated_input(EndpointInputSerializer, request, partial=True))
        return self.record_write(
            lambda endpoint: _renamed(
                lambda: services.endpoint_update(
                    endpoint=endpoint, acting_user=request.user, **data
                )
            )
        )

    @extend_schema(
        summary="Remove a webhook endpoint and its delivery log (PMO)",
        request=None,
        responses={204: OpenApiResponse(description="Removed")},
        parameters=[IF_MATCH_PARAMETER],
    )
    def delete(self, request: Request, pk: int) -> Response:
        return self.record_write(
            lambda endpoint: services.endpoint_delete(endpoint=endpoint, acting_user=request.user),
            status_code=status.HTTP_204_NO_CONTENT,
            represent=lambda _: None,
        )


@extend_schema(
    tags=["webhooks"],
    parameters=[ID_PARAMETER],
    summary="Send a test delivery (ping) to a webhook endpoint (PMO)",
    description="Sent after this answer, once, never retried; its outcome is in the "
    "endpoint's delivery log.",
    request=None,
    responses={202: DeliveryOutputSerializer},
)
class EndpointPingApi(GenericAPIView):
    permission_classes = [PmoOnly]
    pagination_class = None
    filter_backends: list[Any] = []
    serializer_class = DeliveryOutputSerializer

    def record_get(self) -> Endpoint:
        return Endpoint.objects.get(pk=self.kwargs["pk"])

    def post(self, request: Request, pk: int) -> Response:
        delivery = services.endpoint_ping(endpoint=self.record_get(), acting_user=request.user)
        return Response(self.get_serializer(delivery).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(
    tags=["webhooks"],
    parameters=[ID_PARAMETER],
    summary="An endpoint's delivery log (PMO)",
    description="Its deliveries, newest first, each with its payload and every attempt "
    "(response code or error, and the wait before the next).",
)
class DeliveryListApi(ListApi):
    permission_classes = [PmoOnly]
    serializer_class = DeliveryOutputSerializer
    keyset_orderings = (OrderKey("created", ("created_at",), "newest first", descending=True),)

    def get_queryset(self) -> QuerySet[Delivery]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no id
            return Delivery.objects.none()
        endpoint = Endpoint.objects.get(pk=self.kwargs["pk"])
        return endpoint.deliveries.prefetch_related(
            Prefetch("log", queryset=DeliveryAttempt.objects.order_by("number"))
        )
