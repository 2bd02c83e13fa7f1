"""Representations of change requests, impact assessment responses and releases, and the
input of their writes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from changerequests.expected_respondents import ia_matrix
from changerequests.models import TRANSITIONS, ChangeRequest, ImpactAssessmentResponse, Release
from core import refs
from core.api.inputs import InputSerializer, choices_help
from meetings.api.serializers import (
    ChangeRequestLinkSerializer,
    IdRelatedField,
    OrganisationLinkSerializer,
    RefRelatedField,
    UrlField,
)
from meetings.models import Organisation


class ReleaseLinkSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text="e.g. IR5")
    url = UrlField("api-release-detail", "code")


class ReleaseOutputSerializer(serializers.ModelSerializer):
    url = UrlField("api-release-detail", "code")

    class Meta:
        model = Release
        fields = ["code", "url", "name", "planned_date", "status"]


class IATallySerializer(serializers.Serializer):
    """How many IA responses took each position."""

    support = serializers.IntegerField()
    support_with_conditions = serializers.IntegerField()
    neutral = serializers.IntegerField()
    oppose = serializers.IntegerField()


class ExpectedRespondentSerializer(serializers.Serializer):
    """An organisation of the impact assessment matrix: expected (by its due date) or not,
    and its response as received."""

    organisation = OrganisationLinkSerializer(read_only=True)
    expected = serializers.BooleanField(
        read_only=True, help_text="False for a response from an organisation not asked."
    )
    due_date = serializers.DateField(read_only=True, allow_null=True)
    state = serializers.ChoiceField(
        ["received", "pending", "overdue", "unexpected"],
        read_only=True,
        help_text="received; pending (before its due date); overdue; unexpected (answered "
        "without being asked).",
    )
    position = serializers.ChoiceField(
        ImpactAssessmentResponse.Position.choices, read_only=True, allow_null=True
    )
    conditions = serializers.CharField(read_only=True)
    received_date = serializers.DateField(read_only=True, allow_null=True)


def change_request_find(text: str) -> ChangeRequest:
    """The recorded CR written as ``CR023``; ChangeRequest.DoesNotExist otherwise."""
    return ChangeRequest.objects.get(number=refs.parse_change_request_ref(text))


class ChangeRequestOutputSerializer(serializers.ModelSerializer):
    url = UrlField("api-change-request-detail", "ref")
    raiser = OrganisationLinkSerializer(read_only=True, allow_null=True)
    status = serializers.ChoiceField(
        ChangeRequest.Status.choices,
        read_only=True,
        help_text=choices_help(ChangeRequest.Status.choices),
    )
    target_release = ReleaseLinkSerializer(read_only=True, allow_null=True)
    backstop_release = ReleaseLinkSerializer(read_only=True, allow_null=True)
    dins = serializers.SerializerMethodField(help_text="Design Issue Notifications: DIN-620.")
    ia_tally = serializers.SerializerMethodField(help_text="IA responses per position.")
    ia_responses_url = UrlField("api-ia-response-list", "ref")
    expected_respondents = serializers.SerializerMethodField(
        help_text="The impact assessment matrix: the organisations expected to respond, each "
        "with its due date, against the responses received."
    )
    allowed_transitions = serializers.SerializerMethodField(
        help_text="The statuses it may be moved to by hand (approval and rejection come by "
        "a decision)."
    )
    is_decided = serializers.BooleanField(
        read_only=True,
        help_text="A decision stands (approved, with conditions, rejected, implemented): the "
        "title and description are frozen, and a move needs a reason.",
    )

    class Meta:
        model = ChangeRequest
        fields = [
            "ref",
            "url",
            "number",
            "title",
            "description",
            "raiser",
            "status",
            "ia_start_date",
            "ia_end_date",
            "target_release",
            "backstop_release",
            "design_artefacts",
            "dins",
            "ia_tally",
            "ia_responses_url",
            "expected_respondents",
            "allowed_transitions",
            "is_decided",
            "created_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_dins(self, cr: ChangeRequest) -> list[str]:
        return [din.ref for din in cr.dins.all()]

    @extend_schema_field(IATallySerializer)
    def get_ia_tally(self, cr: ChangeRequest) -> dict[str, int]:
        tally = {value: 0 for value, _ in ImpactAssessmentResponse.Position.choices}
        for response in cr.ia_responses.all():
            tally[response.position] = tally.get(response.position, 0) + 1
        return tally

    @extend_schema_field(ExpectedRespondentSerializer(many=True))
    def get_expected_respondents(self, cr: ChangeRequest) -> list[dict]:
        rows = ia_matrix(change_request=cr)
        return ExpectedRespondentSerializer(
            [
                {
                    "organisation": row.organisation,
                    "expected": row.expected is not None,
                    "due_date": row.due_date,
                    "state": row.state,
                    "position": row.response.position if row.response else None,
                    "conditions": row.response.conditions if row.response else "",
                    "received_date": row.response.received_date if row.response else None,
                }
                for row in rows
            ],
            many=True,
            context=self.context,
        ).data

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(ChangeRequest.Status.choices))
    )
    def get_allowed_transitions(self, cr: ChangeRequest) -> list[str]:
        return sorted(str(s) for s in TRANSITIONS.get(cr.status, set()))


def release_find(text: str) -> Release:
    return Release.objects.get(code=text.strip().upper())


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A new CR",
            value={
                "title": "Standardisation of Interfaces within the Smart Data Services",
                "raiser": 1,
                "target_release": "IR5",
            },
            request_only=True,
        )
    ]
)
class ChangeRequestInputSerializer(InputSerializer):
    """A change request; the server assigns its number and ref (the next: CR033)."""

    title = serializers.CharField(max_length=300)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    raiser = IdRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="The raising organisation's id.",
    )
    ia_start_date = serializers.DateField(required=False, allow_null=True)
    ia_end_date = serializers.DateField(required=False, allow_null=True)
    target_release = RefRelatedField(release_find, "release", required=False, allow_null=True)
    backstop_release = RefRelatedField(release_find, "release", required=False, allow_null=True)
    design_artefacts = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ChangeRequestTransitionInputSerializer(InputSerializer):
    status = serializers.ChoiceField(
        ChangeRequest.Status.choices,
        help_text="The new status, along allowed_transitions. Approval and rejection come "
        "only from a decision on the CR.",
    )
    reason = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        help_text="Required when the CR is decided (is_decided): why it moves (implemented; "
        "re-opened to await a new decision). Kept on record with who and when.",
    )


class IAResponseOutputSerializer(serializers.ModelSerializer):
    change_request = ChangeRequestLinkSerializer(read_only=True)
    organisation = OrganisationLinkSerializer(read_only=True)
    position = serializers.ChoiceField(
        ImpactAssessmentResponse.Position.choices,
        read_only=True,
        help_text=choices_help(ImpactAssessmentResponse.Position.choices),
    )

    class Meta:
        model = ImpactAssessmentResponse
        fields = [
            "id",
            "change_request",
            "organisation",
            "constituency",
            "position",
            "conditions",
            "comments",
            "impact_note",
            "received_date",
        ]


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Support with conditions",
            value={
                "organisation": 1,
                "constituency": "Large Supplier Representative",
                "position": "support_with_conditions",
                "conditions": "Implemented no earlier than IR5.",
            },
            request_only=True,
        )
    ]
)
class IAResponseInputSerializer(InputSerializer):
    """An organisation's IA response; a second one from it replaces the first."""

    organisation = IdRelatedField(queryset=Organisation.objects.all())
    position = serializers.ChoiceField(ImpactAssessmentResponse.Position.choices)
    constituency = serializers.CharField(max_length=200, required=False, allow_blank=True)
    conditions = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        help_text="Required for support_with_conditions.",
    )
    comments = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    impact_note = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    received_date = serializers.DateField(required=False, allow_null=True)
