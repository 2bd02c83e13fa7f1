"""Query filters of the change request and release lists."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from changerequests.models import ChangeRequest, Release
from meetings.api.filters import IdFilter


class ChangeRequestFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=ChangeRequest.Status.choices, help_text="Repeat for several."
    )
    raiser = IdFilter(field_name="raiser_id", help_text="Raising organisation id.")
    target_release = django_filters.CharFilter(
        field_name="target_release__code", lookup_expr="iexact", help_text="IR5"
    )
    q = django_filters.CharFilter(method="search", help_text="Ref, title or raiser contains.")

    class Meta:
        model = ChangeRequest
        fields: list[str] = []

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(
            Q(ref__icontains=value) | Q(title__icontains=value) | Q(raiser__name__icontains=value)
        )


class ReleaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Release.Status.choices)

    class Meta:
        model = Release
        fields: list[str] = []
