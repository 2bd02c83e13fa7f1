"""Query filters of the action list: committee, meeting, status, owner, due dates, overdue, q.

Owner filters match through ``ActionOwner`` with a subquery (``pk IN (…)``), so an action
with two matching owners still appears once and the page query keeps its shape.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from actions.models import Action, ActionOwner
from core.api.inputs import BooleanQueryFilter, DateQueryFilter, DateTimeQueryFilter
from meetings.api.filters import (
    CommitteeCodeFilter,
    IdFilter,
    RefFilter,
    canonical_change_request_ref,
    canonical_meeting_ref,
)


def _owned(condition: Q) -> Q:
    return Q(pk__in=ActionOwner.objects.filter(condition).values("action_id"))


class ActionFilter(django_filters.FilterSet):
    committee = CommitteeCodeFilter(field_name="committee__code", help_text="Committee code: DAG")
    meeting = RefFilter(
        canonical_meeting_ref, field_name="meeting__ref", help_text="Raised at: DAG028"
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Action.Status.choices,
        help_text="open, proposed_closure or closed; repeat for several.",
    )
    is_open = BooleanQueryFilter(
        method="filter_open", help_text="true: not closed (open or proposed for closure)."
    )
    owner = django_filters.CharFilter(
        method="filter_owner",
        help_text="Owner organisation, role or person contains this text: Rob Short, Chair.",
    )
    owner_person = IdFilter(method="filter_owner_person", help_text="Owned by this person id.")
    owner_organisation = IdFilter(
        method="filter_owner_organisation", help_text="Owned by this organisation id."
    )
    due_before = DateQueryFilter(
        field_name="due_date", lookup_expr="lte", help_text="Due on or before (YYYY-MM-DD)."
    )
    due_after = DateQueryFilter(
        field_name="due_date", lookup_expr="gte", help_text="Due on or after (YYYY-MM-DD)."
    )
    overdue = BooleanQueryFilter(
        method="filter_overdue",
        help_text="true: not closed and due before today (Europe/London); false: the others.",
    )
    agenda_item = IdFilter(field_name="agenda_item_id", help_text="Area (agenda item) id.")
    change_request = RefFilter(
        canonical_change_request_ref,
        field_name="change_requests__ref",
        help_text="Related to this CR: CR023.",
    )
    updated_after = DateTimeQueryFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Changed since (ISO 8601)."
    )
    q = django_filters.CharFilter(
        method="search", help_text="Ref, description or owner contains this text."
    )

    class Meta:
        model = Action
        fields: list[str] = []

    def filter_open(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        return qs.exclude(status=Action.Status.CLOSED) if value else qs.filter(status="closed")

    def filter_owner(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            _owned(
                Q(organisation__name__icontains=value)
                | Q(role__icontains=value)
                | Q(person__name__icontains=value)
            )
        )

    def filter_owner_person(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        return qs.filter(_owned(Q(person_id=value)))

    def filter_owner_organisation(self, qs: QuerySet, name: str, value: Any) -> QuerySet:
        return qs.filter(_owned(Q(organisation_id=value)))

    def filter_overdue(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        today = timezone.localdate()
        return qs.overdue(today) if value else qs.not_overdue(today)

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(ref__icontains=value)
            | Q(description__icontains=value)
            | _owned(
                Q(organisation__name__icontains=value)
                | Q(role__icontains=value)
                | Q(person__name__icontains=value)
            )
        )
