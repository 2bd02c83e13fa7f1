"""Representations of decisions in the API, and the input of their writes and approval."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from changerequests.api.serializers import change_request_find
from core.api.inputs import InputSerializer, choices_help
from core.api.links import Links
from core.api.timestamps import DateTimeOutputField
from decisions.models import TRANSITIONS, Decision
from meetings.api.serializers import (
    AgendaItemLinkSerializer,
    ChangeRequestLinkSerializer,
    CommitteeLinkSerializer,
    DiscussionLinkSerializer,
    IdRelatedField,
    MeetingLinkSerializer,
    PersonLinkSerializer,
    RefRelatedField,
    UrlField,
    meeting_find,
)
from meetings.models import AgendaItem


class DecisionOutputSerializer(serializers.ModelSerializer):
    """A decision: its ref, where it was taken, its status and who decided."""

    url = UrlField("api-decision-detail", "ref")
    committee = CommitteeLinkSerializer(read_only=True)
    meeting = MeetingLinkSerializer(read_only=True)
    agenda_item = AgendaItemLinkSerializer(read_only=True, allow_null=True)
    status = serializers.ChoiceField(
        Decision.Status.choices, read_only=True, help_text=choices_help(Decision.Status.choices)
    )
    decided_by = PersonLinkSerializer(read_only=True, allow_null=True)
    change_request = ChangeRequestLinkSerializer(read_only=True, allow_null=True)
    decided_at = DateTimeOutputField(read_only=True, allow_null=True)
    discussed_in = serializers.SerializerMethodField(
        help_text="The discussion items that name this decision."
    )
    allowed_transitions = serializers.SerializerMethodField(
        help_text="The statuses it may move to next."
    )
    is_locked = serializers.BooleanField(
        read_only=True,
        help_text="Decided by the chair (approved, with conditions, rejected): its text, "
        "conditions, area, meeting and CR change only after a re-opening (reopen).",
    )

    class Meta:
        model = Decision
        fields = [
            "ref",
            "url",
            "committee",
            "meeting",
            "agenda_item",
            "text",
            "status",
            "conditions",
            "decided_by",
            "decided_at",
            "change_request",
            "created_at",
            "discussed_in",
            "allowed_transitions",
            "is_locked",
        ]

    @extend_schema_field(DiscussionLinkSerializer(many=True))
    def get_discussed_in(self, decision: Decision) -> list[dict[str, Any]]:
        links = Links.of(self.context)
        return [
            {
                "id": reference.discussion_item_id,
                "meeting": {
                    "ref": reference.discussion_item.meeting.ref,
                    "url": links.url("api-meeting-detail", reference.discussion_item.meeting.ref),
                },
                "url": links.url("api-discussion-item-detail", reference.discussion_item_id),
            }
            for reference in decision.discussed_in.all()
        ]

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(Decision.Status.choices))
    )
    def get_allowed_transitions(self, decision: Decision) -> list[str]:
        return sorted(str(s) for s in TRANSITIONS.get(decision.status, set()))


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A decision proposed at DAG028",
            value={
                "meeting": "DAG028",
                "text": "The SRO approved CR032 for implementation",
                "change_request": "CR032",
            },
            request_only=True,
        )
    ]
)
class DecisionInputSerializer(InputSerializer):
    """A proposed decision; the server assigns its ref (the committee's next: DAG-DEC75).

    It starts proposed: only the chair decides, through approve or transition.
    """

    meeting = RefRelatedField(meeting_find, "meeting", help_text="Taken at: DAG028")
    text = serializers.CharField(max_length=5000)
    agenda_item = IdRelatedField(queryset=AgendaItem.objects.all(), required=False, allow_null=True)
    change_request = RefRelatedField(
        change_request_find,
        "change request",
        required=False,
        allow_null=True,
        help_text="The CR it decides: CR023",
    )


class DecisionChangeSerializer(DecisionInputSerializer):
    meeting = None  # type: ignore[assignment]


class DecisionApproveInputSerializer(InputSerializer):
    conditions = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        help_text="Given: approved with conditions; empty: approved.",
    )


@extend_schema_serializer(
    examples=[
        OpenApiExample("Defer", value={"status": "deferred"}, request_only=True),
    ]
)
class DecisionTransitionInputSerializer(InputSerializer):
    status = serializers.ChoiceField(
        Decision.Status.choices,
        help_text="The new status. The chair decides; the PMO may withdraw.",
    )
    conditions = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        help_text="Required for approved_with_conditions.",
    )


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Re-open to correct the wording",
            value={"reason": "The minutes misquote the condition the chair set."},
            request_only=True,
        ),
    ]
)
class DecisionReopenInputSerializer(InputSerializer):
    reason = serializers.CharField(
        max_length=5000, help_text="Why it is re-opened; on record with who and when."
    )
