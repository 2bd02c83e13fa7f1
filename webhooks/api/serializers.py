"""Serializers of webhook endpoints and their delivery log (``/api/v1/webhooks/``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.api.inputs import InputSerializer
from core.visibility import Classification
from webhooks.models import Delivery, DeliveryAttempt, Endpoint, Kind


@extend_schema_field(OpenApiTypes.URI)
class SelfUrlField(serializers.Field):
    """The absolute API URL of an endpoint (or of its delivery log)."""

    def __init__(self, url_name: str, **kwargs: Any) -> None:
        self.url_name = url_name
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, value: Endpoint) -> str:
        return self.context["request"].build_absolute_uri(reverse(self.url_name, args=[value.pk]))


class EndpointOutputSerializer(serializers.ModelSerializer):
    url = SelfUrlField("api-webhook-detail")
    target_url = serializers.CharField(source="url", help_text="Where the events are POSTed.")
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=Kind.choices))
    committees = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="Empty: every committee."
    )
    max_classification = serializers.ChoiceField(choices=Classification.choices)
    deliveries_url = SelfUrlField("api-webhook-delivery-list")

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "url",
            "name",
            "target_url",
            "kinds",
            "committees",
            "max_classification",
            "is_active",
            "disabled_reason",
            "disabled_at",
            "last_success_at",
            "secret_rotated_at",
            "created_at",
            "deliveries_url",
        ]
        read_only_fields = fields


class EndpointWithSecretSerializer(EndpointOutputSerializer):
    """An endpoint as made or given a new secret: the one answer that holds the secret."""

    secret = serializers.CharField(
        read_only=True, help_text="Shown this once: keep it in the receiving tool."
    )

    class Meta(EndpointOutputSerializer.Meta):
        fields = [*EndpointOutputSerializer.Meta.fields, "secret"]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Closed and decided records of DAG",
            value={
                "name": "Programme Jira sync",
                "target_url": "https://jira.example.org/hooks/governance",
                "kinds": ["closed", "decided"],
                "committees": ["DAG"],
            },
            request_only=True,
        )
    ]
)
class EndpointInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=100)
    target_url = serializers.CharField(
        max_length=500, help_text="http:// or https://; redirects are not followed."
    )
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Kind.choices), min_length=1, max_length=5
    )
    committees = serializers.ListField(
        child=serializers.CharField(max_length=10),
        required=False,
        max_length=100,
        help_text="Committee codes; empty or left out: every committee.",
    )
    max_classification = serializers.ChoiceField(
        choices=Classification.choices,
        required=False,
        help_text="Records of meetings classified above this are never sent (default "
        "restricted: Confidential records only to endpoints that choose confidential).",
    )
    is_active = serializers.BooleanField(required=False)


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "at", "duration_ms", "status_code", "is_success", "error", "retry_in_s"]
        read_only_fields = fields


class DeliveryOutputSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=Delivery.Status.choices)
    attempts_log = DeliveryAttemptSerializer(source="log", many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "delivery_id",
            "event",
            "kind",
            "ref",
            "status",
            "status_note",
            "attempts",
            "last_status_code",
            "next_attempt_at",
            "created_at",
            "delivered_at",
            "payload",
            "attempts_log",
        ]
        read_only_fields = fields
