"""The input the people directory's API writes accept, and committee memberships.

The output of people, organisations and committees is in ``serializers``; this module adds
what the PMO may write, and the membership representation.
"""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from core.api.inputs import InputSerializer, choices_help
from core.api.links import Links
from meetings.models import Membership, Organisation, Person

from .serializers import (
    CommitteeLinkSerializer,
    IdRelatedField,
    PersonLinkSerializer,
)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A new person",
            value={"name": "Rob Short", "email": "rob.short@example.org", "organisation": 1},
            request_only=True,
        )
    ]
)
class PersonInputSerializer(InputSerializer):
    """A person (or team) of the directory. Names are unique within an organisation."""

    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    organisation = IdRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="The organisation's id (``/api/v1/organisations/``).",
    )
    is_team = serializers.BooleanField(required=False)
    reminders_opt_out = serializers.BooleanField(required=False)


class PersonUpdateSerializer(PersonInputSerializer):
    """The fields PATCH may change; ``is_active: false`` deactivates the person."""

    is_active = serializers.BooleanField(required=False)


class OrganisationInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=200)
    short_name = serializers.CharField(max_length=50, required=False, allow_blank=True)


class CommitteeUpdateSerializer(InputSerializer):
    """The committee fields PATCH may change (its code is in every ref and never changes)."""

    name = serializers.CharField(max_length=200, required=False)
    programme_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    due_soon_days = serializers.IntegerField(
        min_value=0,
        max_value=365,
        required=False,
        help_text="Days before an action's due date that the due-soon reminder goes.",
    )
    quorum_count = serializers.IntegerField(
        min_value=1,
        max_value=1000,
        required=False,
        allow_null=True,
        help_text="Quorum as a number of voting members (null: none or a fraction).",
    )
    quorum_fraction = serializers.DecimalField(
        max_digits=4,
        decimal_places=3,
        min_value=Decimal("0.001"),
        max_value=Decimal("1"),
        required=False,
        allow_null=True,
        help_text="Quorum as a fraction of the voting members (0 < f <= 1), rounded up.",
    )


class MembershipOutputSerializer(serializers.ModelSerializer):
    committee = CommitteeLinkSerializer(read_only=True)
    person = PersonLinkSerializer(read_only=True)
    url = serializers.SerializerMethodField(help_text="This seat's URL.")

    class Meta:
        model = Membership
        fields = [
            "id",
            "url",
            "committee",
            "person",
            "role",
            "constituency",
            "start_date",
            "end_date",
        ]

    def get_url(self, membership: Membership) -> str:
        return Links.of(self.context).path(
            "api-membership-detail", code=membership.committee.code, pk=membership.pk
        )


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A new seat",
            value={
                "person": 3,
                "role": "member",
                "constituency": "Large Supplier Representative",
                "start_date": "2023-04-01",
            },
            request_only=True,
        )
    ]
)
class MembershipInputSerializer(InputSerializer):
    """A seat on the committee of the URL."""

    person = IdRelatedField(
        queryset=Person.objects.all(), help_text="The person's id (``/api/v1/people/``)."
    )
    role = serializers.ChoiceField(
        Membership.Role.choices, required=False, help_text=choices_help(Membership.Role.choices)
    )
    constituency = serializers.CharField(max_length=200, required=False, allow_blank=True)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The day the seat ends: held until the day before (today: ends at once).",
    )


class MembershipUpdateSerializer(MembershipInputSerializer):
    """The seat fields PATCH may change (not whose seat it is)."""

    person = None  # type: ignore[assignment]
