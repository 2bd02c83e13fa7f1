"""``GET /api/v1/exports/{kind}/``: a register as XLSX or CSV, and
``POST /api/v1/imports/action-register/``: an edited action register back, for integrators
(the same sheets, filters and import as the browser's, ``composer.export_views`` and
``composer.register_import``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from composer.export_views import export_response
from composer.exports import FORMATS, KINDS
from composer.register_import import register_import_apply, register_import_plan
from core import ratelimit
from core.api.errors import ErrorSerializer
from core.api.inputs import validated_input


class ExportFilters(serializers.Serializer):
    """The export's query parameters, checked as the schema documents them."""

    file_format = serializers.ChoiceField(choices=list(FORMATS), default="xlsx")
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    status = serializers.CharField(required=False, allow_blank=True, max_length=40)
    committee = serializers.CharField(required=False, allow_blank=True, max_length=20)
    meeting = serializers.CharField(required=False, allow_blank=True, max_length=20)
    owner = serializers.CharField(required=False, allow_blank=True, max_length=240)
    due = serializers.ChoiceField(choices=["", "overdue", "within", "next"], required=False)
    days = serializers.IntegerField(required=False, min_value=0, max_value=365)
    sort = serializers.ChoiceField(
        choices=["", "ref", "-ref", "due_date", "-due_date", "status", "-status"], required=False
    )


_FILTERS = [
    OpenApiParameter("q", str, description="Words or a ref to search for."),
    OpenApiParameter("status", str, description="A status, as the register's filter."),
    OpenApiParameter("committee", str, description="A committee code (DAG)."),
    OpenApiParameter("meeting", str, description="Actions: raised at this meeting (DAG028)."),
    OpenApiParameter("owner", str, description="Actions: an owner (o<id>, p<id>, r<role>)."),
    OpenApiParameter(
        "due", str, enum=["overdue", "within", "next"], description="Actions: which are due."
    ),
    OpenApiParameter("days", int, description="Actions: with due=within, the days (0-365)."),
    OpenApiParameter(
        "sort",
        str,
        enum=["ref", "-ref", "due_date", "-due_date", "status", "-status"],
        description="Actions: the order (- reverses).",
    ),
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
        filters = ExportFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return export_response(kind, fmt, user=request.user, params=request.query_params)


class RegisterImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="The edited action register (XLSX or CSV).")
    dry_run = serializers.BooleanField(default=True, help_text="List the changes; write none.")
    take = serializers.ListField(
        child=serializers.CharField(max_length=100),
        default=list,
        help_text='Conflicts to take from the file, as "REF:field" ("DAG28-01:due_date").',
    )


class ChangeOutput(serializers.Serializer):
    ref = serializers.CharField()
    field = serializers.CharField()
    old = serializers.CharField(allow_null=True)
    new = serializers.CharField(allow_null=True)
    conflict = serializers.BooleanField()


class RegisterImportOutput(serializers.Serializer):
    dry_run = serializers.BooleanField()
    rows = serializers.IntegerField()
    changes = ChangeOutput(many=True)
    errors = serializers.ListField(child=serializers.CharField())


@extend_schema(
    tags=["exports"],
    summary="Import an edited action register",
    description=(
        "The action register as exported (XLSX or CSV), with descriptions, due dates or "
        "statuses changed, matched by ref. A dry run (the default) lists every change "
        "(old → new); a value changed in the product since the export is a conflict, kept "
        "unless named in `take`. One bad row writes nothing (422 with the rows' errors). "
        "PMO only; rate limited per user."
    ),
    request={"multipart/form-data": RegisterImportInput},
    responses={
        200: RegisterImportOutput,
        400: OpenApiResponse(ErrorSerializer, description="No file, or a bad parameter."),
        422: OpenApiResponse(RegisterImportOutput, description="Rows with errors."),
        403: OpenApiResponse(ErrorSerializer, description="Not the PMO."),
        429: OpenApiResponse(ErrorSerializer, description="Too many imports; see Retry-After."),
    },
)
class RegisterImportApi(APIView):
    parser_classes = [MultiPartParser]
    throttle_classes = [ratelimit.ExpensiveThrottle]
    throttle_scope = ratelimit.IMPORT

    def post(self, request: Request, **kwargs: Any) -> Response:
        data = validated_input(RegisterImportInput, request)
        content = data["file"].read()
        if data["dry_run"]:
            plan = register_import_plan(data=content, user=request.user)
        else:
            plan = register_import_apply(data=content, acting_user=request.user, take=data["take"])
        body = {
            "dry_run": data["dry_run"],
            "rows": plan.rows,
            "changes": [
                {
                    "ref": c.ref,
                    "field": c.field,
                    "old": None if c.old is None else str(c.old),
                    "new": None if c.new is None else str(c.new),
                    "conflict": c.conflict,
                }
                for c in plan.changes
            ],
            "errors": plan.errors,
        }
        return Response(body, status=422 if plan.errors else 200)
