"""Query filters of the meetings app's lists, and ref filters the other apps reuse.

A ref filter accepts what people write (``dag28`` for ``DAG028``); a malformed ref is a 400
with the field's error, never a silent empty list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from drf_spectacular.drainage import set_override

from core import refs
from core.api.inputs import BooleanQueryFilter, DateQueryFilter
from meetings.models import (
    AgendaItem,
    DiscussionItem,
    DiscussionReference,
    Meeting,
    Organisation,
    Person,
)
from meetings.selectors import committee_codes


def canonical_meeting_ref(text: str) -> str:
    key = refs.parse_meeting_ref(text)
    return refs.meeting_ref(key.code, key.number, key.sub_number)


def canonical_change_request_ref(text: str) -> str:
    return refs.change_request_ref(refs.parse_change_request_ref(text))


# What each ref parser (``core.refs``) accepts, as the schema's pattern (any case, spaces
# around; empty is no filter), so a client and schemathesis know a malformed ref from a
# ref of no record before asking.
_REF_PATTERNS = {
    canonical_meeting_ref: r"^\s*([A-Za-z]{2,10}\s?[0-9]{1,4}(\.[0-9]{1,2})?)?\s*$",
    canonical_change_request_ref: r"^\s*([Cc][Rr]\s?[0-9]{1,5})?\s*$",
}
# A record id in the database's range: one of no record matches nothing.
ID_SCHEMA = {"type": "integer", "format": "int64", "minimum": -(2**63) + 1, "maximum": 2**63 - 1}


class RefFilter(django_filters.CharFilter):
    """Filter by a ref column, accepting any way of writing the ref (``dag28`` → DAG028)."""

    def __init__(self, canonical: Callable[[str], str], **kwargs: Any) -> None:
        self.canonical = canonical
        super().__init__(**kwargs)
        if canonical in _REF_PATTERNS:
            set_override(self, "field", {"type": "string", "pattern": _REF_PATTERNS[canonical]})

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if value is None or not value.strip():
            return qs
        try:
            ref = self.canonical(value)
        except ValidationError as exc:
            from rest_framework.exceptions import ValidationError as ApiValidationError

            raise ApiValidationError({self.field_name_public: exc.messages}) from None
        return qs.filter(**{self.field_name: ref})

    @property
    def field_name_public(self) -> str:
        return next((name for name, f in self.parent.filters.items() if f is self), self.field_name)


class IdFilter(django_filters.NumberFilter):
    """Filter by a record id: a whole number in the database's range (else a 400).

    An id no record has (0 and below among them) matches nothing, an empty list like any
    unknown id: the schema documents an integer, and the input's "No record with id 0" is
    the same answer for a write.
    """

    field_class = forms.IntegerField

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", ID_SCHEMA["minimum"])
        kwargs.setdefault("max_value", ID_SCHEMA["maximum"])
        super().__init__(**kwargs)
        set_override(self, "field", ID_SCHEMA)


class CommitteeCodeFilter(django_filters.CharFilter):
    """Filter by committee code, any case (``dag`` → DAG)."""

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if value in (None, ""):
            return qs
        return qs.filter(**{self.field_name: value.strip().upper()})


class MeetingFilter(django_filters.FilterSet):
    committee = CommitteeCodeFilter(field_name="committee__code", help_text="Committee code: DAG")
    status = django_filters.ChoiceFilter(choices=Meeting.Status.choices)
    classification = django_filters.ChoiceFilter(choices=Meeting.Classification.choices)
    start_after = DateQueryFilter(
        field_name="start_at", lookup_expr="date__gte", help_text="On or after (YYYY-MM-DD)."
    )
    start_before = DateQueryFilter(
        field_name="start_at", lookup_expr="date__lte", help_text="On or before (YYYY-MM-DD)."
    )
    q = django_filters.CharFilter(method="search", help_text="Ref, title or venue contains.")

    class Meta:
        model = Meeting
        fields: list[str] = []

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(
            Q(ref__icontains=value) | Q(title__icontains=value) | Q(venue__icontains=value)
        )


class AgendaItemFilter(django_filters.FilterSet):
    meeting = RefFilter(canonical_meeting_ref, field_name="meeting__ref", help_text="DAG028")
    committee = CommitteeCodeFilter(field_name="meeting__committee__code")
    change_request = RefFilter(
        canonical_change_request_ref, field_name="change_request__ref", help_text="CR023"
    )

    class Meta:
        model = AgendaItem
        fields: list[str] = []


class DiscussionItemFilter(django_filters.FilterSet):
    meeting = RefFilter(canonical_meeting_ref, field_name="meeting__ref", help_text="DAG028")
    committee = CommitteeCodeFilter(field_name="meeting__committee__code")
    agenda_item = IdFilter(field_name="agenda_item_id")
    refers_to = django_filters.CharFilter(
        method="refers", help_text="Items that name this ref: DAG28-02, DAG-DEC68, CR023, DES-196."
    )
    q = django_filters.CharFilter(field_name="text", lookup_expr="icontains")

    class Meta:
        model = DiscussionItem
        fields: list[str] = []

    def refers(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        wanted = {f.ref for f in refs.find_refs(value, committee_codes())}
        wanted = wanted or {value.strip().upper()}
        return qs.filter(
            pk__in=DiscussionReference.objects.filter(ref__in=wanted).values("discussion_item_id")
        )


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Organisation
        fields: list[str] = []


class PersonFilter(django_filters.FilterSet):
    organisation = IdFilter(field_name="organisation_id")
    is_team = BooleanQueryFilter()
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Person
        fields: list[str] = []
