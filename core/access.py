"""A user's seats on committees: what ``core.visibility`` and ``core.roles`` decide from.

Roles are seats on a committee (``meetings.Membership``), not global: one person may chair
DAG, sit on TMAG and observe DRG. A user's *current* seats (:func:`is_current`: started, and
not ended, today in Europe/London) are read once per request, in one query, and cached on the user
(:func:`user_access`), as ``core.roles`` caches the groups; every visibility ``Q`` and every
right ("may this user decide DAG's decisions?") is then answered without another query.

The kernel imports no app: the seats are read through the user's ``person`` relation, and
the role values here are those of ``meetings.Membership.Role`` (which takes them from
:class:`SeatRole`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone


class SeatRole(models.TextChoices):
    """The role of a seat on a committee (``Membership.role``)."""

    CHAIR = "chair", "Chair"
    DEPUTY_CHAIR = "deputy_chair", "Deputy chair"
    MEMBER = "member", "Member"
    ALTERNATE = "alternate", "Alternate"
    OBSERVER = "observer", "Observer"
    SECRETARIAT = "secretariat", "Secretariat (PMO)"


# Seats that decide the committee's decisions and read its Confidential meetings.
CHAIR_ROLES = frozenset({SeatRole.CHAIR, SeatRole.DEPUTY_CHAIR})
# Seats that read the committee's Confidential meetings.
CONFIDENTIAL_ROLES = CHAIR_ROLES | {SeatRole.SECRETARIAT}

# Owner roles (casefolded) that name a seat rather than a constituency: an action owned by
# "Chair" is the chair's (and the deputy's), one owned by "PMO" the secretariat's.
SEAT_OWNER_WORDS: dict[str, tuple[str, ...]] = {
    SeatRole.CHAIR: ("chair", "sro"),
    SeatRole.DEPUTY_CHAIR: ("chair", "sro"),
    SeatRole.SECRETARIAT: ("secretariat", "pmo"),
}


def owner_words_of_seat(*, role: str, constituency: str) -> set[str]:
    """The owner roles (casefolded) a seat holds: an action owned by one of them is the
    seat holder's ("My actions", reminders, the right to update it).

    A chair or deputy holds ``chair`` and ``sro``, the secretariat ``secretariat`` and
    ``pmo``, any other non-observer seat its constituency ("large supplier
    representative"); observers hold none.
    """
    if role == SeatRole.OBSERVER:
        return set()
    words = set(SEAT_OWNER_WORDS.get(role, ()))
    taken = {word for seat_words in SEAT_OWNER_WORDS.values() for word in seat_words}
    if constituency and constituency.casefold() not in taken:
        words.add(constituency.casefold())
    return words


@dataclass(frozen=True)
class Seat:
    """One current seat: the committee's id, the role and the constituency represented."""

    committee_id: int
    role: str
    constituency: str = ""


@dataclass(frozen=True)
class Access:
    """What a user is on the register: their person (and its organisation) and seats."""

    person_id: int | None = None
    organisation_id: int | None = None
    seats: tuple[Seat, ...] = ()

    def committees(self, roles: frozenset[str] | set[str] | None = None) -> frozenset[int]:
        """Ids of the committees where the user holds a seat (of one of ``roles``)."""
        return frozenset(
            seat.committee_id for seat in self.seats if roles is None or seat.role in roles
        )

    def holds(self, committee_id: int | None, roles: frozenset[str] | set[str]) -> bool:
        """True when the user holds a seat of one of ``roles`` on the committee."""
        return any(s.committee_id == committee_id and s.role in roles for s in self.seats)

    def owner_words(self) -> dict[int, set[str]]:
        """The owner roles the user's seats hold, by committee: ``{dag_id: {"chair"}}``."""
        words: dict[int, set[str]] = {}
        for seat in self.seats:
            held = owner_words_of_seat(role=seat.role, constituency=seat.constituency)
            if held:
                words.setdefault(seat.committee_id, set()).update(held)
        return words


NOBODY = Access()


class NominalReader:
    """A reader who is no one user: signed in, no person, no administrator, holding exactly
    ``seats``. An output stored once and read by many (a meeting pack) is built as its
    least-privileged reader would see it by passing one of these wherever a user is taken:
    :func:`user_access` answers its seats and ``core.roles`` its (empty) groups, so every
    ``visible_to(user)`` applies the one rule to it unchanged."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None
    id = None

    def __init__(self, seats: tuple[Seat, ...] = (), *, name: str = "a reader") -> None:
        self.access = Access(seats=tuple(seats))
        self._dag_access = self.access
        self._dag_roles: set[str] = set()  # no group: not an administrator
        self.username = name

    def __str__(self) -> str:
        return self.username


# The user's person and every membership of it, one row per membership (one row of Nones
# when there is none): read through the user model, so the kernel names no app's model.
_FIELDS = (
    "person__id",
    "person__organisation_id",
    "person__memberships__committee_id",
    "person__memberships__role",
    "person__memberships__constituency",
    "person__memberships__start_date",
    "person__memberships__end_date",
)


def is_current(start_date: dt.date | None, end_date: dt.date | None, today: dt.date) -> bool:
    """Whether a membership dated ``start_date``..``end_date`` (either open) is held today.

    ``end_date`` is the day the seat ends: held from ``start_date`` up to the day before, so
    a seat ended today gives nothing from the moment it is ended (:func:`current_q` says it
    to the database)."""
    return (start_date is None or start_date <= today) and (end_date is None or end_date > today)


def current_q(today: dt.date, path: str = "") -> models.Q:
    """:func:`is_current` as a ``Q`` over memberships (``path`` leads to one)."""
    return (
        models.Q(**{f"{path}start_date__isnull": True})
        | models.Q(**{f"{path}start_date__lte": today})
    ) & (models.Q(**{f"{path}end_date__isnull": True}) | models.Q(**{f"{path}end_date__gt": today}))


def user_access(user: Any) -> Access:
    """The person and current seats of ``user`` (one query, then cached on the user).

    Anonymous users and the system actor are nobody on the register (:data:`NOBODY`).
    """
    if isinstance(user, NominalReader):
        return user.access
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return NOBODY
    cached = getattr(user, "_dag_access", None)
    if cached is not None:
        return cached
    today = timezone.localdate()
    rows = list(get_user_model()._default_manager.filter(pk=user.pk).values_list(*_FIELDS))
    person_id = rows[0][0] if rows else None
    organisation_id = rows[0][1] if rows else None
    seats = tuple(
        Seat(committee_id, role, constituency or "")
        for _, _, committee_id, role, constituency, start, end in rows
        if committee_id is not None and is_current(start, end, today)
    )
    access = Access(person_id=person_id, organisation_id=organisation_id, seats=seats)
    user._dag_access = access
    return access


# The membership columns read with a user, in the order of each JSON array.
SEAT_COLUMNS = ("committee", "role", "constituency", "start_date", "end_date")


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def access_cache(user: Any, person: Any, seats: Any) -> Access:
    """Cache on ``user`` their access from what was read with them: their ``person`` (or
    None) and ``seats``, the memberships as ``core.auth.user_row_query`` reads them (JSON
    text of :data:`SEAT_COLUMNS` arrays, or decoded; None for none). Returns it."""
    if isinstance(seats, str | bytes):
        seats = json.loads(seats)
    today = timezone.localdate()
    current = tuple(
        Seat(committee_id, role, constituency or "")
        for committee_id, role, constituency, start, end in seats or ()
        if committee_id is not None and is_current(_date(start), _date(end), today)
    )
    access = Access(
        person_id=person.pk if person is not None else None,
        organisation_id=person.organisation_id if person is not None else None,
        seats=current,
    )
    user._dag_access = access
    return access


def forget_access(user: Any) -> None:
    """Drop the cached seats of ``user`` (after its memberships change in the same request)."""
    if hasattr(user, "_dag_access"):
        del user._dag_access
