"""API views of agenda items, discussion items and headline reports (records that gather other
apps' records). Each parses input, calls one selector or service, and renders.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from composer import discussion
from composer.api.serializers import (
    AgendaItemInputSerializer,
    AgendaItemOutputSerializer,
    DiscussionItemInputSerializer,
    DiscussionItemOutputSerializer,
    DiscussionItemUpdateSerializer,
    HeadlineReportIssueOutputSerializer,
    HeadlineReportOutputSerializer,
)
from composer.headline_report import headline_report_issue_outcome
from core import ratelimit, roles
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
from core.api.renderers import ORJSONRenderer, PDFRenderer
from core.api.views import ListApi, RecordApi
from meetings import selectors, services
from meetings.api.filters import AgendaItemFilter, DiscussionItemFilter
from meetings.api.views import MEETING_REF_PARAMETER
from meetings.models import (
    AgendaItem,
    DiscussionItem,
    DiscussionReference,
    HeadlineReport,
)

# --- agenda items ----------------------------------------------------------------------------


def _agenda_items_for(user: Any) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.visible_to(user).select_related(
        "meeting", "change_request", "presenter"
    )


@extend_schema(tags=["meetings"])
@extend_schema_view(get=extend_schema(summary="List agenda items"))
class AgendaItemListApi(ListApi):
    """Agenda items: the report's "Area" column, per meeting."""

    # The PMO, and a secretariat for its committee's records (the service checks which).
    write_permission = staticmethod(roles.is_recorder_somewhere)

    serializer_class = AgendaItemOutputSerializer
    filterset_class = AgendaItemFilter
    keyset_orderings = (
        OrderKey("agenda", ("meeting__start_at", "order"), "meeting date, then agenda order"),
        OrderKey("id", ("pk",), "creation order"),
    )

    def get_queryset(self) -> QuerySet[AgendaItem]:
        return _agenda_items_for(self.request.user)

    @extend_schema(
        summary="Add an agenda item (PMO)",
        request=AgendaItemInputSerializer,
        responses={201: AgendaItemOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = validated_input(AgendaItemInputSerializer, request)
        item = services.agenda_item_create(acting_user=request.user, **data)
        return response_with_etag(
            AgendaItemOutputSerializer(item, context=self.get_serializer_context()).data,
            Links(request),
            status_code=status.HTTP_201_CREATED,
        )


@extend_schema(
    tags=["meetings"],
    summary="Get an agenda item",
    parameters=[IF_NONE_MATCH_PARAMETER, ETAG_HEADER],
    responses={200: AgendaItemOutputSerializer, 304: OpenApiResponse(description="Not modified")},
)
class AgendaItemDetailApi(RecordApi):
    serializer_class = AgendaItemOutputSerializer

    def record_get(self) -> AgendaItem:
        return _agenda_items_for(self.request.user).get(pk=self.kwargs["pk"])


# --- discussion items ------------------------------------------------------------------------


def _discussion_items_for(user: Any) -> QuerySet[DiscussionItem]:
    return (
        DiscussionItem.objects.visible_to(user)
        .select_related("meeting", "agenda_item")
        .prefetch_related(
            Prefetch(
                "references",
                queryset=DiscussionReference.objects.with_is_linkable(user).order_by("id"),
            )
        )
    )


@extend_schema(tags=["meetings"])
@extend_schema_view(get=extend_schema(summary="List discussion items"))
class DiscussionItemListApi(ListApi):
    """Key discussion items, with the refs written in them resolved to links."""

    # The PMO, and a secretariat for its committee's records (the service checks which).
    write_permission = staticmethod(roles.is_recorder_somewhere)

    serializer_class = DiscussionItemOutputSerializer
    filterset_class = DiscussionItemFilter
    keyset_orderings = (
        OrderKey("meeting", ("meeting__start_at", "order"), "meeting date, then order"),
        OrderKey("id", ("pk",), "creation order"),
    )

    def get_queryset(self) -> QuerySet[DiscussionItem]:
        return _discussion_items_for(self.request.user)

    @extend_schema(
        summary="Add a discussion item (PMO)",
        request=DiscussionItemInputSerializer,
        responses={201: DiscussionItemOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = validated_input(DiscussionItemInputSerializer, request)
        item = discussion.discussion_item_create(acting_user=request.user, **data)
        return response_with_etag(
            DiscussionItemOutputSerializer(
                _discussion_items_for(request.user).get(pk=item.pk),
                context=self.get_serializer_context(),
            ).data,
            Links(request),
            status_code=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["meetings"])
@extend_schema_view(
    get=extend_schema(
        summary="Get a discussion item",
        parameters=[IF_NONE_MATCH_PARAMETER, ETAG_HEADER],
        responses={
            200: DiscussionItemOutputSerializer,
            304: OpenApiResponse(description="Not modified"),
        },
    )
)
class DiscussionItemDetailApi(RecordApi):
    serializer_class = DiscussionItemOutputSerializer
    # The PMO, and a secretariat for its committee's records (the service checks which).
    write_permission = staticmethod(roles.is_recorder_somewhere)

    def record_get(self) -> DiscussionItem:
        return _discussion_items_for(self.request.user).get(pk=self.kwargs["pk"])

    @extend_schema(
        summary="Change a discussion item (PMO)",
        description="Its references are resolved again from the new text.",
        request=DiscussionItemUpdateSerializer,
        responses={200: DiscussionItemOutputSerializer},
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
    )
    def patch(self, request: Request, pk: int) -> Response:
        data = validated_input(DiscussionItemUpdateSerializer, request, partial=True)
        return self.record_write(
            lambda item: discussion.discussion_item_update(
                discussion_item=item, acting_user=request.user, **data
            )
        )

    @extend_schema(
        summary="Delete a discussion item (PMO)",
        parameters=[IF_MATCH_PARAMETER],
        responses={204: None},
    )
    def delete(self, request: Request, pk: int) -> Response:
        return self.record_write(
            lambda item: discussion.discussion_item_delete(
                discussion_item=item, acting_user=request.user
            ),
            status_code=status.HTTP_204_NO_CONTENT,
            represent=lambda _: None,
        )


# --- headline reports ------------------------------------------------------------------------


def _reports_for(user: Any, meeting_ref: str) -> QuerySet[HeadlineReport]:
    meeting = selectors.meeting_get_for_user(ref=meeting_ref, user=user)
    return (
        HeadlineReport.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("meeting", "requested_by")
    )


@extend_schema(tags=["headline reports"], parameters=[MEETING_REF_PARAMETER])
@extend_schema_view(get=extend_schema(summary="List a meeting's headline report versions"))
class HeadlineReportListApi(ListApi):
    """The headline report versions of a meeting, newest first; POST issues one (a render:
    rate limited per user)."""

    # The PMO, and a secretariat for its committee's records (the service checks which).
    write_permission = staticmethod(roles.is_recorder_somewhere)

    serializer_class = HeadlineReportOutputSerializer
    throttle_classes = [ratelimit.WriteThrottle]
    throttle_scope = ratelimit.RENDER
    filter_backends: list[Any] = []
    keyset_orderings = (OrderKey("version", ("version",), "newest first", descending=True),)

    def get_queryset(self) -> QuerySet[HeadlineReport]:
        return _reports_for(self.request.user, self.kwargs["ref"])

    @extend_schema(
        summary="Issue a new version of the headline report (PMO)",
        description="Rendering happens in the background: the answer is 202 with the new "
        "version's status URL in Location; poll it until status is issued (or failed). "
        "When nothing changed since the newest issued version no version is added: the "
        "answer is 200 with that version, `created` false and `unchanged` true. A report "
        "holding decisions not yet decided is issued as before (they print as 'Proposed – "
        "not yet decided'); `proposed_decisions` lists their refs.",
        request=None,
        responses={
            202: HeadlineReportIssueOutputSerializer,
            200: HeadlineReportIssueOutputSerializer,
        },
    )
    def post(self, request: Request, ref: str) -> Response:
        meeting = selectors.meeting_get_for_user(ref=ref, user=request.user)
        outcome = headline_report_issue_outcome(meeting=meeting, acting_user=request.user)
        report = HeadlineReport.objects.select_related("meeting", "requested_by").get(
            pk=outcome.report.pk
        )
        report.created = outcome.created
        report.unchanged = outcome.unchanged
        report.proposed_decisions = outcome.proposed_decisions
        context = self.get_serializer_context()
        data = HeadlineReportIssueOutputSerializer(report, context=context).data
        code = status.HTTP_200_OK if outcome.unchanged else status.HTTP_202_ACCEPTED
        return Response(data, status=code, headers={"Location": data["url"]})


@extend_schema(
    tags=["headline reports"],
    parameters=[
        MEETING_REF_PARAMETER,
        OpenApiParameter("version", int, OpenApiParameter.PATH),
        IF_NONE_MATCH_PARAMETER,
        ETAG_HEADER,
    ],
    summary="Get one headline report version (the status URL)",
    responses={
        200: HeadlineReportOutputSerializer,
        304: OpenApiResponse(description="Not modified"),
    },
)
class HeadlineReportDetailApi(RecordApi):
    serializer_class = HeadlineReportOutputSerializer

    def record_get(self) -> HeadlineReport:
        return _reports_for(self.request.user, self.kwargs["ref"]).get(
            version=self.kwargs["version"]
        )


@extend_schema(
    tags=["headline reports"],
    parameters=[MEETING_REF_PARAMETER, OpenApiParameter("version", int, OpenApiParameter.PATH)],
    summary="Download an issued headline report (PDF)",
    responses={
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
        404: OpenApiResponse(ErrorSerializer, description="No such issued version."),
    },
)
class HeadlineReportPdfApi(RecordApi):
    serializer_class = HeadlineReportOutputSerializer
    renderer_classes = [ORJSONRenderer, PDFRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        # Errors are JSON (the one error shape) even when the client asked for a PDF.
        self.request.accepted_renderer = ORJSONRenderer()
        self.request.accepted_media_type = ORJSONRenderer.media_type
        return super().handle_exception(exc)

    def record_get(self) -> HeadlineReport:
        return _reports_for(self.request.user, self.kwargs["ref"]).get(
            version=self.kwargs["version"], status=HeadlineReport.Status.ISSUED
        )

    def get(self, request: Request, *args: Any, **kwargs: Any) -> FileResponse:
        report = self.record_get()
        if not report.file:
            raise HeadlineReport.DoesNotExist
        response = FileResponse(
            report.file.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"{report.meeting.ref}-headline-report-v{report.version}.pdf",
        )
        response["ETag"] = f'"{report.checksum}"'
        return response
