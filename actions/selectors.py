"""Reads of actions for the browser: one action, "my actions", a meeting's actions and reviews
(the register's reads are ``actions.register``).

Every function returns a queryset (or list) that costs a fixed number of queries however many
actions there are: owners are prefetched with their organisation and person, meetings are
joined. What a user may see is ``Action.objects.visible_to(user)`` (the one rule,
``core.visibility``): today an Observer sees only actions raised at Public meetings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from core import refs
from core.history import (
    HistoryEntry,
    entries_join,
    history_entries,
    history_merge,
    list_changes,
)
from meetings.models import Meeting, Membership, Person
from meetings.selectors import committee_next_meetings

from .models import Action, ActionOwner, ActionReview, ActionUpdate
from .rows import ActionRow, action_rows


def action_owners_prefetch() -> Prefetch:
    """Owners with their organisation and person, for ``prefetch_related``: the one way the
    reads here and in ``actions.register`` load an action's owners (one query)."""
    return Prefetch(
        "owners",
        queryset=ActionOwner.objects.select_related("organisation", "person"),
    )


def action_list_for_user(*, user: Any) -> QuerySet[Action]:
    """Every action ``user`` may see, with meeting, area and owners loaded (fixed queries).

    Those raised at meetings the user may see (``visible_to``, ``core.visibility``).
    """
    return (
        Action.objects.visible_to(user)
        .select_related("meeting__committee", "agenda_item", "due_meeting")
        .prefetch_related(action_owners_prefetch())
    )


def action_get_for_user(*, ref: str, user: Any) -> Action:
    """The action with ``ref`` (``DAG28-01``, any case) if ``user`` may see it.

    Raises Action.DoesNotExist when there is no such action, it is hidden from the user, or
    ``ref`` is not an action ref.
    """
    try:
        key = refs.parse_action_ref(ref)
    except Exception as exc:
        raise Action.DoesNotExist(ref) from exc
    canonical = refs.action_ref(key.code, key.number, key.sub_number, key.seq)
    return action_list_for_user(user=user).get(ref=canonical)


def next_meetings_by_committee() -> dict[int, Meeting]:
    """Each committee's next meeting: ``{committee_id: meeting}`` (one query).

    :func:`meetings.selectors.committee_next_meetings`, the one rule for "the next meeting".
    """
    return committee_next_meetings()


# Owner roles (casefolded) that name a membership's seat rather than a constituency: an
# action owned by "Chair" is the chair's, one owned by "PMO" the secretariat's.
SEAT_OWNER_ROLES: dict[str, tuple[str, ...]] = {
    Membership.Role.CHAIR: ("chair", "sro"),
    Membership.Role.SECRETARIAT: ("secretariat", "pmo"),
}


def owner_roles_of_seat(*, role: str, constituency: str) -> set[str]:
    """The owner roles (casefolded) a membership holds: its reminders and "My actions".

    ``role`` is a ``Membership.Role`` value, ``constituency`` its free text ("Large
    Supplier Representative"). A chair holds ``chair`` and ``sro``, the secretariat
    ``secretariat`` and ``pmo``, any other non-observer its constituency; observers hold
    none. The inverse of the reminders' ``_SeatHolders.for_owner``.
    """
    if role == Membership.Role.OBSERVER:
        return set()
    words = set(SEAT_OWNER_ROLES.get(role, ()))
    taken = {word for seat_words in SEAT_OWNER_ROLES.values() for word in seat_words}
    if constituency and constituency.casefold() not in taken:
        words.add(constituency.casefold())
    return words


def action_seats_of(*, person: Person, today: dt.date) -> dict[int, set[str]]:
    """The owner roles ``person`` holds on each committee today: ``{committee_id: {"chair"}}``.

    From their current memberships (``today`` a London date), by the rule that sends a role
    owner's reminders (:func:`owner_roles_of_seat`). One query.
    """
    return _seats_held(person.memberships.all(), today=today)


def _seats_held(memberships: Iterable[Membership], *, today: dt.date) -> dict[int, set[str]]:
    seats: dict[int, set[str]] = {}
    for membership in memberships:
        if membership.start_date and membership.start_date > today:
            continue
        if membership.end_date and membership.end_date < today:
            continue
        words = owner_roles_of_seat(role=membership.role, constituency=membership.constituency)
        if words:
            seats.setdefault(membership.committee_id, set()).update(words)
    return seats


def _person_of(user: Any) -> Person | None:
    """The Person ``user`` is linked to, with their organisation (one query), or None.

    Also kept as ``user.person`` so that the page around it (the menu's "My actions") does
    not ask again; no query when the login backend (``core.auth``) loaded it with the user.
    """
    if not user.is_authenticated:
        return None
    if get_user_model().person.related.is_cached(user):
        return getattr(user, "person", None)
    person = Person.objects.select_related("organisation").filter(user=user).first()
    if person is not None:
        user.person = person
    return person


def _owned_by(*, user: Any, person: Person, seats: dict[int, set[str]]) -> QuerySet[Action]:
    """Open actions owned by ``person``, their organisation or a seat in ``seats``, that
    ``user`` may see, in due date order (undated last), for :func:`actions.rows.action_rows`.

    Each way of owning is an indexed ``IN`` over the owners (person, organisation, role
    owners of a committee) rather than one OR across a join of every owner row.
    """
    owners = ActionOwner.objects.values("action_id")
    by_name = Q(person=person)
    if person.organisation_id:
        by_name |= Q(organisation_id=person.organisation_id)
    mine = Q(pk__in=owners.filter(by_name))
    for committee_id, words in sorted(seats.items()):
        by_role = Q()
        for word in sorted(words):
            by_role |= Q(role__iexact=word)
        seat_owners = owners.exclude(role="").filter(by_role, person__isnull=True)
        mine |= Q(committee_id=committee_id, pk__in=seat_owners)
    qs = Action.objects.visible_to(user).open().filter(mine)
    return qs.order_by("due_date", "ref_sort")


def action_list_for_owner(*, user: Any, today: dt.date | None = None) -> QuerySet[Action]:
    """Open actions ``user`` owns in person, through their organisation or through a seat
    they hold on the action's committee ("My actions": an action owned by "Chair" is the
    chair's, as in :func:`action_seats_of`); ``today`` (London, default now) dates the
    memberships.

    Empty when the user is linked to no Person. Ordered by due date, undated last.
    """
    from django.utils import timezone

    person = _person_of(user)
    if person is None:
        return Action.objects.none()
    seats = action_seats_of(person=person, today=today or timezone.localdate())
    return (
        _owned_by(user=user, person=person, seats=seats)
        .select_related("meeting", "agenda_item", "due_meeting")
        .prefetch_related(action_owners_prefetch())
    )


@dataclass(frozen=True)
class OwnerActions:
    """What "My actions" shows: the user's ``person`` (None when not linked), the seats they
    hold (``["Chair of DAG"]``, observers' left out) and their open actions as ``rows`` in
    due date order (with their area's title)."""

    person: Person | None
    seats: list[str]
    rows: list[ActionRow]


def action_mine_for_user(*, user: Any, today: dt.date) -> OwnerActions:
    """ "My actions" of ``user`` (:func:`action_list_for_owner`); ``today`` a London date.

    Four queries: the person with their organisation, their memberships with committees,
    the actions, their owners' names.
    """
    person = _person_of(user)
    if person is None:
        return OwnerActions(person=None, seats=[], rows=[])
    memberships = list(person.memberships.select_related("committee"))
    seats = _seats_held(memberships, today=today)
    rows = action_rows(
        _owned_by(user=user, person=person, seats=seats), today=today, area_titles=True
    )
    return OwnerActions(
        person=person,
        seats=[
            f"{m.constituency or m.get_role_display()} of {m.committee.code}"
            for m in memberships
            if m.role != Membership.Role.OBSERVER
        ],
        rows=rows,
    )


def action_list_for_meeting(*, meeting: Meeting) -> list[Action]:
    """The actions raised at ``meeting`` in ref order, owners loaded (two queries)."""
    return list(
        Action.objects.filter(meeting=meeting)
        .select_related("agenda_item", "meeting__committee")
        .prefetch_related(action_owners_prefetch())
        .order_by("seq")
    )


def action_review_list_for_meeting(*, meeting: Meeting) -> list[ActionReview]:
    """The earlier actions taken up at ``meeting`` (report "Previous Meeting(s)"), in order."""
    return list(
        ActionReview.objects.filter(meeting=meeting)
        .select_related("action__meeting__committee", "agenda_item")
        .prefetch_related(
            Prefetch(
                "action__owners",
                queryset=ActionOwner.objects.select_related("organisation", "person"),
            )
        )
        .order_by("order", "id")
    )


def action_list_to_review(*, meeting: Meeting, user: Any) -> list[Action]:
    """Open actions of the committee's earlier meetings not yet taken up at ``meeting``, of
    the meetings ``user`` may see."""
    return list(
        Action.objects.visible_to(user)
        .open()
        .filter(committee_id=meeting.committee_id, meeting__start_at__lt=meeting.start_at)
        .exclude(reviews__meeting=meeting)
        .select_related("meeting__committee")
        .prefetch_related(action_owners_prefetch())
        .order_by("meeting__number", "meeting__sub_number", "seq")
    )


def action_list_proposed_closure(*, user: Any) -> QuerySet[Action]:
    """Actions whose owners proposed closure, awaiting the PMO, oldest due first."""
    return (
        action_list_for_user(user=user)
        .filter(status=Action.Status.PROPOSED_CLOSURE)
        .order_by("due_date", "seq")
    )


def action_updates_of(*, action: Action) -> list[ActionUpdate]:
    """The progress updates of ``action``, oldest first, with their authors' people."""
    return list(
        action.updates.select_related("author__person").order_by("created_at", "id"),
    )


def _owner_display(row: Any) -> str:
    """An owner as written (``Programme (Rob Short)``) from its history row."""
    owner = row.instance
    owner.organisation, owner.person = row.organisation, row.person
    return owner.display


def action_history_of(*, action: Action) -> list[HistoryEntry]:
    """The history of ``action`` (``core.history``), newest first: every field of the
    action, and its owners as one list (old → new) however the service rewrote their rows."""
    rows = action.history.select_related("history_user__person")
    own = history_entries(rows, skipped={"seq", "ref", "committee", "meeting"})
    owner_rows = ActionOwner.history.filter(action_id=action.pk).select_related(
        "history_user__person", "organisation", "person"
    )
    events = [
        (row.history_date, row.history_user, row.id, _owner_display(row), row.history_type != "-")
        for row in owner_rows
    ]
    # The owners given with a save (the first ones with the action's creation) show in the
    # entry of that save.
    return history_merge(entries_join(own, list_changes(events, label="Owners")))
