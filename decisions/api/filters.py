"""Query filters of the decision list."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from core.api.inputs import DateTimeQueryFilter
from decisions.models import Decision
from meetings.api.filters import (
    CommitteeCodeFilter,
    RefFilter,
    canonical_change_request_ref,
    canonical_meeting_ref,
)


class DecisionFilter(django_filters.FilterSet):
    committee = CommitteeCodeFilter(field_name="committee__code", help_text="Committee code: DAG")
    meeting = RefFilter(canonical_meeting_ref, field_name="meeting__ref", help_text="DAG028")
    status = django_filters.MultipleChoiceFilter(
        choices=Decision.Status.choices, help_text="Repeat for several."
    )
    change_request = RefFilter(
        canonical_change_request_ref, field_name="change_request__ref", help_text="CR023"
    )
    decided_after = DateTimeQueryFilter(field_name="decided_at", lookup_expr="gte")
    decided_before = DateTimeQueryFilter(field_name="decided_at", lookup_expr="lte")
    q = django_filters.CharFilter(method="search", help_text="Ref or text contains.")

    class Meta:
        model = Decision
        fields: list[str] = []

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(ref__icontains=value) | Q(text__icontains=value))
