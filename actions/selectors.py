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
from django.db.models import Prefetch, QuerySet

from core import refs
from core.access import SEAT_OWNER_WORDS, is_current, owner_words_of_seat
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
# action owned by "Chair" is the chair's (and deputy's), one owned by "PMO" the
# secretariat's. The rule is the kernel's (core.access), beside the visibility it grants.
SEAT_OWNER_ROLES: dict[str, tuple[str, ...]] = SEAT_OWNER_WORDS


def owner_roles_of_seat(*, role: str, constituency: str) -> set[str]:
    """The owner roles (casefolded) a membership holds: its reminders and "My actions"
    (:func:`core.access.owner_words_of_seat`)."""
    return owner_words_of_seat(role=role, constituency=constituency)


def action_seats_of(*, person: Person, today: dt.date) -> dict[int, set[str]]:
    """The owner roles ``person`` holds on each committee today: ``{committee_id: {"chair"}}``.

    From their current memberships (``today`` a London date), by the rule that sends a role
    owner's reminders (:func:`owner_roles_of_seat`). One query.
    """
    return _seats_held(person.memberships.all(), today=today)


def _seats_held(memberships: Iterable[Membership], *, today: dt.date) -> dict[int, set[str]]:
    seats: dict[int, set[str]] = {}
    for membership in memberships:
        if not is_current(membership.start_date, membership.end_date, today):
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


def _mine(user: Any) -> QuerySet[Action]:
    """Open actions ``user`` owns, in person or through a seat they hold on the action's
    committee (``Action.objects.owned_by``, the one definition: "My actions" and the
    reminders; read as ``open_owned_by``), in due date order (undated last)."""
    return Action.objects.open_owned_by(user).order_by("due_date", "ref_sort")


def _organisations(user: Any, person: Person) -> QuerySet[Action]:
    """Open actions owned by ``person``'s organisation (``Programme``, ``Programme (Fraser
    Mathieson)``), that ``user`` may see and does not own: "My actions"' second tab. Their
    organisation gives them nothing more (``core.visibility``): no right to update, no
    reminder."""
    if person.organisation_id is None:
        return Action.objects.none()
    by_organisation = ActionOwner.objects.filter(organisation_id=person.organisation_id).values(
        "action_id"
    )
    return (
        Action.objects.visible_to(user)
        .open()
        .filter(pk__in=by_organisation)
        .exclude(pk__in=_mine(user).values("pk"))
        .order_by("due_date", "ref_sort")
    )


def action_list_for_owner(*, user: Any, today: dt.date | None = None) -> QuerySet[Action]:
    """Open actions ``user`` owns in person or through a seat they hold on the action's
    committee ("My actions": an action owned by "Chair" is the chair's); the seats are
    those current today (``core.access``). ``today`` is kept for callers that pass it.

    Empty when the user is linked to no Person. Ordered by due date, undated last.
    """
    return (
        _mine(user)
        .select_related("meeting", "agenda_item", "due_meeting")
        .prefetch_related(action_owners_prefetch())
    )


MINE = "mine"
ORGANISATION = "organisation"


@dataclass(frozen=True)
class OwnerActions:
    """What "My actions" shows: the user's ``person`` (None when not linked), the seats they
    hold (``["Chair of DAG"]``, observers' left out), the ``tab`` shown (:data:`MINE` or
    :data:`ORGANISATION`) and its open actions as ``rows`` in due date order (with their
    area's title)."""

    person: Person | None
    seats: list[str]
    rows: list[ActionRow]
    tab: str = MINE
    # With ``paged``: the keyset page the rows are (its cursors; ``actions.register``).
    page: Any = None


def action_mine_for_user(
    *,
    user: Any,
    today: dt.date,
    tab: str = MINE,
    paged: bool = False,
    cursor: str | None = None,
    from_end: bool = False,
) -> OwnerActions:
    """ "My actions" of ``user``; ``today`` a London date. The :data:`MINE` tab is their own
    and their seats' actions (the same set as their reminder emails); :data:`ORGANISATION`
    their organisation's others. A fixed number of queries.

    ``paged``: the rows are one keyset page of the register's size in due date order (the
    register's pager, ``actions.register.action_rows_page``: ``cursor``, ``from_end``), so
    someone owning thousands of open actions (a seat's, over years) gets a page, and the
    last page costs what the first does; without, every row (the calendar feed).
    """
    person = _person_of(user)
    if person is None:
        return OwnerActions(person=None, seats=[], rows=[])
    memberships = [
        m
        for m in person.memberships.select_related("committee")
        if is_current(m.start_date, m.end_date, today)
    ]
    shown = _organisations(user, person) if tab == ORGANISATION else _mine(user)
    page = None
    if paged:
        # Imported here: the register's module reads this one's prefetches.
        from .register import action_rows_page

        page = action_rows_page(
            shown,
            user=user,
            today=today,
            sort="due_date",
            cursor=cursor,
            from_end=from_end,
            area_titles=True,
        )
    return OwnerActions(
        person=person,
        seats=[
            f"{m.constituency or m.get_role_display()} of {m.committee.code}"
            for m in memberships
            if m.role != Membership.Role.OBSERVER
        ],
        rows=page.rows
        if page is not None
        else action_rows(shown, today=today, area_titles=True, user=user),
        tab=ORGANISATION if tab == ORGANISATION else MINE,
        page=page,
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
        action.updates.select_related("author__person", "author_person").order_by(
            "created_at", "id"
        ),
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
