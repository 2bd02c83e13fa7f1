"""Reads of the people directory: finding a person by name, owner suggestions, the list.

:func:`person_find` is the one rule that turns a typed name into a person of the directory:
the owner text of the browser, the API and the importer all resolve through it (by way of
``meetings.services.person_get_or_create``), so "Rob Short" names the same record wherever
it is typed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from core.access import current_q

from .models import Membership, Organisation, Person

# Seats offered as owners whatever the committee (the seed's "Chair"; the PMO).
STANDING_SEATS = ("Chair", "Secretariat")


def person_find(*, name: str, organisation: Organisation | None) -> Person | None:
    """The directory's person called ``name`` (any case, spaces collapsed), or None.

    The person of that name in ``organisation`` (or without one, when None) first; failing
    that, the only person of that name in the directory, whatever their organisation (a
    seat's person, ``Large Supplier Representative (Haz Elmamoun)``, is someone of an
    organisation). Two of that name elsewhere and none here: None (ambiguous).
    """
    name = " ".join((name or "").split())
    if not name:
        return None
    same = Person.objects.filter(name__iexact=name)
    exact = same.filter(organisation=organisation).order_by("pk").first()
    if exact is not None:
        return exact
    anywhere = list(same.order_by("pk")[:2])
    return anywhere[0] if len(anywhere) == 1 else None


def organisation_find(*, name: str) -> Organisation | None:
    """The organisation called ``name`` (any case), or None."""
    name = " ".join((name or "").split())
    return Organisation.objects.filter(name__iexact=name).order_by("pk").first() if name else None


@dataclass(frozen=True)
class OwnerSuggestion:
    """One choice offered in an owner field: the text to put in, and what it is."""

    text: str
    kind: str  # "seat", "member", "person" or "team"
    has_email: bool = True


def owner_suggestions(
    *, query: str, committee_id: int | None, today: dt.date, limit: int = 15
) -> list[OwnerSuggestion]:
    """Owner texts matching ``query``: the committee's current members by their seat, its
    seats, then active people and teams of the directory. Two queries."""
    words = (query or "").split()
    found: dict[str, OwnerSuggestion] = {}

    def matches(text: str) -> bool:
        folded = text.casefold()
        return all(word.casefold() in folded for word in words)

    def offer(text: str, kind: str, has_email: bool = True) -> None:
        if text not in found and matches(text):
            found[text] = OwnerSuggestion(text, kind, has_email)

    seats: list[str] = []
    if committee_id is not None:
        members = (
            Membership.objects.filter(committee_id=committee_id, person__is_active=True)
            .filter(current_q(today))
            .exclude(role=Membership.Role.OBSERVER)
            .select_related("person", "person__organisation")
            .order_by("role", "person__name")
        )
        for member in members:
            person = member.person
            seat = member.constituency
            if not seat and member.role == Membership.Role.CHAIR:
                seat = "Chair"
            if seat:
                seats.append(seat)
            # A seat without a constituency is written as the report does: "Programme (…)".
            party = seat or (person.organisation.name if person.organisation else "")
            if party:
                offer(f"{party} ({person.name})", "member", person.has_email)
    for seat in (*STANDING_SEATS, *seats):
        offer(seat, "seat")
    people = (
        Person.objects.active()
        .filter(organisation__isnull=False)
        .select_related("organisation")
        .order_by("name")
    )
    for word in words:
        people = people.filter(Q(name__icontains=word) | Q(organisation__name__icontains=word))
    for person in people[: limit * 2]:
        kind = "team" if person.is_team else "person"
        offer(
            f"{person.organisation.name} ({person.name})", kind, person.has_email or kind == "team"
        )
    return list(found.values())[:limit]


def people_directory(*, query: str = "", flag: str = "", show_inactive: bool = False) -> QuerySet:
    """The people list: search by name, email or organisation; ``flag`` ``no-email`` or
    ``no-login`` keeps those people only. One query (organisation joined)."""
    people = Person.objects.select_related("organisation").order_by("name", "pk")
    if not show_inactive:
        people = people.active()
    for word in (query or "").split():
        people = people.filter(
            Q(name__icontains=word)
            | Q(email__icontains=word)
            | Q(organisation__name__icontains=word)
            | Q(organisation__short_name__icontains=word)
        )
    if flag == "no-email":
        people = people.without_email()
    elif flag == "no-login":
        people = people.filter(user__isnull=True, is_team=False)
    return people


def people_without_email_count() -> int:
    """Active people and teams without an email: the PMO home's warning."""
    return Person.objects.active().without_email().count()
