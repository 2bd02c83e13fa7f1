"""``GET /api/v1/exports/{kind}/``: a register as XLSX or CSV, for integrators (the same
sheet and filters as the browser's export, ``composer.export_views``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

from composer.export_views import export_response
from composer.exports import FORMATS, KINDS
from core import ratelimit
from core.api.errors import ErrorSerializer

_FILTERS = [
    OpenApiParameter("q", str, description="Words or a ref to search for."),
    OpenApiParameter("status", str, description="A status, as the register's filter."),
    OpenApiParameter("committee", str, description="A committee code (DAG)."),
    OpenApiParameter("meeting", str, description="Actions: raised at this meeting (DAG028)."),
    OpenApiParameter("owner", str, description="Actions: an owner (o<id>, p<id>, r<role>)."),
    OpenApiParameter("due", str, description="Actions: overdue, within or next."),
    OpenApiParameter("days", int, description="Actions: with due=within, the days."),
    OpenApiParameter("sort", str, description="Actions: ref, due_date, status (- reverses)."),
]


@extend_schema(
    tags=["exports"],
    summary="Export a register as a spreadsheet",
    description=(
        "The action, decision or change-request register as XLSX or CSV, with the register "
        "page's filters; only records the caller may see. Rate limited per user (429 with "
        "Retry-After)."
    ),
    parameters=[
        OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(KINDS)),
        OpenApiParameter("file_format", str, enum=list(FORMATS), default="xlsx"),
        *_FILTERS,
    ],
    responses={
        (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): (
            OpenApiTypes.BINARY
        ),
        (200, "text/csv"): OpenApiTypes.STR,
        400: OpenApiResponse(ErrorSerializer, description="An unknown file_format."),
        404: OpenApiResponse(ErrorSerializer, description="An unknown register."),
        429: OpenApiResponse(ErrorSerializer, description="Too many exports; see Retry-After."),
    },
)
class RegisterExportApi(APIView):
    throttle_classes = [ratelimit.ExpensiveThrottle]
    throttle_scope = ratelimit.EXPORT

    def get(self, request: Request, kind: str, **kwargs: Any) -> HttpResponse:
        if kind not in KINDS:
            raise NotFound(f"No register {kind!r}: choose one of {', '.join(KINDS)}.")
        fmt = request.query_params.get("file_format", "xlsx")
        if fmt not in FORMATS:
            raise ValidationError({"file_format": [f"Choose one of {', '.join(FORMATS)}."]})
        return export_response(kind, fmt, user=request.user, params=request.query_params)
