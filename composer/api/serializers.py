"""Representations of agenda items, discussion items and headline reports in the API, and the
input their writes accept."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from changerequests.api.serializers import change_request_find
from core.api.inputs import InputSerializer
from core.api.links import Links
from meetings.api.serializers import (
    AgendaItemLinkSerializer,
    ChangeRequestLinkSerializer,
    IdRelatedField,
    MeetingLinkSerializer,
    PersonLinkSerializer,
    RefRelatedField,
    UrlField,
    agenda_is_readable,
    meeting_find,
)
from meetings.models import (
    AgendaItem,
    DiscussionItem,
    HeadlineReport,
)

# The agenda's own fields of an item: null for a reader until the agenda is published.
AGENDA_FIELDS = ("start_time", "duration_minutes", "end_time", "presenter", "purpose")


class AgendaItemOutputSerializer(serializers.ModelSerializer):
    url = UrlField("api-agenda-item-detail", "pk")
    meeting = MeetingLinkSerializer(read_only=True)
    change_request = ChangeRequestLinkSerializer(read_only=True, allow_null=True)
    start_time = serializers.TimeField(
        read_only=True, allow_null=True, help_text="Null until the agenda is published."
    )
    duration_minutes = serializers.IntegerField(read_only=True, allow_null=True)
    end_time = serializers.TimeField(read_only=True, allow_null=True)
    presenter = PersonLinkSerializer(read_only=True, allow_null=True)
    purpose = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="decision, discussion, information, or empty; null until published.",
    )

    class Meta:
        model = AgendaItem
        fields = ["id", "url", "meeting", "order", "title", "change_request", *AGENDA_FIELDS]

    def to_representation(self, instance: AgendaItem) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not agenda_is_readable(self.context, instance.meeting):
            data.update(dict.fromkeys(AGENDA_FIELDS))
        return data


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "An area of DAG028",
            value={"meeting": "DAG028", "title": "CR032 Decision", "change_request": "CR032"},
            request_only=True,
        )
    ]
)
class AgendaItemInputSerializer(InputSerializer):
    meeting = RefRelatedField(meeting_find, "meeting", help_text="Meeting ref, e.g. DAG028")
    title = serializers.CharField(max_length=300)
    order = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, help_text="Default: the end."
    )
    change_request = RefRelatedField(
        change_request_find, "change request", required=False, allow_null=True
    )


class DiscussionReferenceSerializer(serializers.Serializer):
    kind = serializers.CharField(
        read_only=True, help_text="meeting, action, decision, change_request, din, design_artefact"
    )
    ref = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField(
        help_text="The record named, null if not recorded or not yours to open."
    )

    _URL_NAMES = {
        "meeting": ("api-meeting-detail", "meeting_id"),
        "action": ("api-action-detail", "action_id"),
        "decision": ("api-decision-detail", "decision_id"),
        "change_request": ("api-change-request-detail", "change_request_id"),
    }

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, reference: Any) -> str | None:
        name, column = self._URL_NAMES.get(reference.kind, (None, None))
        # A record the reader may not open is not linked, nor told to exist (core.visibility).
        if (
            name is None
            or getattr(reference, column) is None
            or not getattr(reference, "is_linkable", False)
        ):
            return None
        return Links.of(self.context).url(name, reference.ref)


class DiscussionItemOutputSerializer(serializers.ModelSerializer):
    url = UrlField("api-discussion-item-detail", "pk")
    meeting = MeetingLinkSerializer(read_only=True)
    agenda_item = AgendaItemLinkSerializer(read_only=True, allow_null=True)
    text = serializers.CharField(
        read_only=True, help_text="Sanitised HTML: b, strong, u, i, em and br only."
    )
    references = DiscussionReferenceSerializer(many=True, read_only=True)

    class Meta:
        model = DiscussionItem
        fields = ["id", "url", "meeting", "agenda_item", "order", "text", "references"]


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A discussion paragraph naming an action",
            value={
                "meeting": "DAG028",
                "text": "The Chair approved CR023 (<b>DECISION DAG-DEC68</b>).",
            },
            request_only=True,
        )
    ]
)
class DiscussionItemInputSerializer(InputSerializer):
    meeting = RefRelatedField(meeting_find, "meeting", help_text="Meeting ref, e.g. DAG028")
    agenda_item = IdRelatedField(queryset=AgendaItem.objects.all(), required=False, allow_null=True)
    order = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    text = serializers.CharField(
        help_text="HTML; b, strong, u, i, em and br are kept. Refs written in it "
        "(ACTION DAG28-02, CR023) become links."
    )


class DiscussionItemUpdateSerializer(DiscussionItemInputSerializer):
    meeting = None  # type: ignore[assignment]


# --- headline reports ------------------------------------------------------------------------


class HeadlineReportOutputSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="This version: poll it after a request.")
    meeting = MeetingLinkSerializer(read_only=True)
    pdf_url = serializers.SerializerMethodField(help_text="The PDF, once issued; else null.")
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = HeadlineReport
        fields = [
            "version",
            "url",
            "meeting",
            "status",
            "issue_date",
            "checksum",
            "pdf_url",
            "error",
            "requested_by",
            "created_at",
            "rendered_at",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, report: HeadlineReport) -> str:
        return Links.of(self.context).path(
            "api-headline-report-detail", ref=report.meeting.ref, version=report.version
        )

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_pdf_url(self, report: HeadlineReport) -> str | None:
        if report.status != HeadlineReport.Status.ISSUED or not report.file:
            return None
        return Links.of(self.context).path(
            "api-headline-report-pdf", ref=report.meeting.ref, version=report.version
        )


class HeadlineReportIssueOutputSerializer(HeadlineReportOutputSerializer):
    """The answer to issuing: the version, and what issuing did.

    ``created`` is false when no version was added: one was still waiting or rendering, or
    nothing changed since the newest issued version (``unchanged``, answered 200 with that
    version). ``proposed_decisions`` lists the refs the report prints as "Proposed – not yet
    decided": the API issues as before and tells the client which they are.
    """

    created = serializers.BooleanField(help_text="True when this request added the version.")
    unchanged = serializers.BooleanField(
        help_text="True when nothing changed since this (issued) version: none was added."
    )
    proposed_decisions = serializers.ListField(
        child=serializers.CharField(),
        help_text="Refs of decisions printed as 'Proposed – not yet decided'.",
    )

    class Meta(HeadlineReportOutputSerializer.Meta):
        fields = [
            *HeadlineReportOutputSerializer.Meta.fields,
            "created",
            "unchanged",
            "proposed_decisions",
        ]
