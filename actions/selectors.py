"""Reads of actions for the browser: the register, "my actions", a meeting's actions and reviews.

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
from django.core.paginator import Page, Paginator
from django.db.models import CharField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from core import refs
from meetings.models import Committee, Meeting, Membership, Organisation, Person
from meetings.selectors import committee_next_meetings

from .models import Action, ActionOwner, ActionReview, ActionUpdate
from .rows import ActionRow, action_rows

REGISTER_PAGE_SIZE = 50

# Sort keys of the register (the ``sort`` query parameter) and the columns they order by. Ref
# order is the indexed ``ref_sort``; it also breaks ties, so a page boundary never moves.
REGISTER_SORTS: dict[str, list[str]] = {
    "ref": ["ref_sort"],
    "-ref": ["-ref_sort"],
    "due_date": ["due_date", "ref_sort"],
    "-due_date": ["-due_date", "-ref_sort"],
    "status": ["status", "due_date", "ref_sort"],
    "-status": ["-status", "due_date", "ref_sort"],
}


def _owners_prefetch() -> Prefetch:
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
        .prefetch_related(_owners_prefetch())
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


def next_meeting_dates() -> dict[int, dt.date]:
    """Each committee's next meeting date (Europe/London): ``{committee_id: date}``."""
    return {cid: meeting.date for cid, meeting in next_meetings_by_committee().items()}


def _due_before_next_meeting(qs: QuerySet[Action]) -> QuerySet[Action]:
    dates = next_meeting_dates()
    if not dates:
        return qs.none()
    condition = Q()
    for committee_id, date in dates.items():
        condition |= Q(committee_id=committee_id, due_date__lte=date)
    return qs.open().filter(condition)


@dataclass(frozen=True)
class ActionRegisterFilters:
    """The register's filters, all optional. ``owner`` is ``o<org id>``, ``p<person id>`` or
    ``r<role>``; ``due`` is ``overdue``, ``within`` (``within_days`` from today) or ``next``
    (on or before the committee's next planned meeting, overdue included)."""

    committee: str = ""
    meeting: str = ""
    status: str = ""
    owner: str = ""
    due: str = ""
    within_days: int | None = None
    text: str = ""
    sort: str = "ref"


def _register_filtered(
    *, user: Any, filters: ActionRegisterFilters, today: dt.date
) -> QuerySet[Action]:
    """The actions ``user`` may see that match ``filters``, in the register's order."""
    qs = Action.objects.visible_to(user)
    if filters.committee:
        qs = qs.filter(committee__code=filters.committee)
    if filters.meeting:
        qs = qs.filter(meeting__ref=filters.meeting)
    if filters.status == "open":
        qs = qs.open()
    elif filters.status == "open_only":
        qs = qs.filter(status=Action.Status.OPEN)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    owner = filters.owner
    if owner[:1] == "o" and owner[1:].isdigit():
        qs = qs.filter(owners__organisation_id=int(owner[1:]))
    elif owner[:1] == "p" and owner[1:].isdigit():
        qs = qs.filter(owners__person_id=int(owner[1:]))
    elif owner[:1] == "r" and owner[1:]:
        qs = qs.filter(owners__role=owner[1:])
    if filters.due == "overdue":
        qs = qs.overdue(today)
    elif filters.due == "within":
        days = filters.within_days if filters.within_days is not None else 14
        qs = qs.due_between(today, today + dt.timedelta(days=days))
    elif filters.due == "next":
        qs = _due_before_next_meeting(qs)
    text = filters.text.strip()
    if text:
        qs = qs.filter(
            Q(ref__icontains=text)
            | Q(description__icontains=text)
            | Q(owners__person__name__icontains=text)
            | Q(owners__organisation__name__icontains=text)
            | Q(owners__role__icontains=text)
        )
    if owner or text:
        # Owner joins can repeat an action; keep one row each without a DISTINCT over
        # every column (PostgreSQL cannot DISTINCT text ordered by joined columns cheaply).
        qs = Action.objects.filter(pk__in=qs.values("pk"))
    return qs.order_by(*REGISTER_SORTS.get(filters.sort, REGISTER_SORTS["ref"]))


def action_register(
    *, user: Any, filters: ActionRegisterFilters, today: dt.date
) -> QuerySet[Action]:
    """The action register for ``user``, filtered and sorted; ``today`` is a London date.

    Unknown sort keys fall back to ref order. The result is distinct (an owner filter can
    match two owners of one action) and costs a fixed number of queries to page through:
    meetings and area joined, owners prefetched.
    """
    return (
        _register_filtered(user=user, filters=filters, today=today)
        .select_related("meeting", "agenda_item", "due_meeting")
        .prefetch_related(_owners_prefetch())
    )


def action_register_page(
    *, user: Any, filters: ActionRegisterFilters, today: dt.date, number: Any
) -> tuple[Page, list[ActionRow]]:
    """Page ``number`` (as the ``page`` parameter gives it; out of range means the last) of
    the register, ``PAGE_SIZE`` actions a page, and its actions as :class:`ActionRow`.

    Three queries: the count, the page's rows, their owners' names (``actions.rows``).
    """
    qs = _register_filtered(user=user, filters=filters, today=today)
    page = Paginator(qs, REGISTER_PAGE_SIZE).get_page(number)
    # The page holds its rows, so that nothing reads its actions again as instances.
    page.object_list = action_rows(page.object_list, today=today)
    return page, page.object_list


# A filter choice: (value, label), e.g. ("o3", "Programme").
Choice = tuple[str, str]


@dataclass(frozen=True)
class RegisterChoices:
    """The register's filter choices: committee codes, meeting refs (newest first within
    each committee) and owners grouped (``{"Organisations": [("o3", "Programme")], ...}``,
    values ``o<organisation id>``, ``r<role>``, ``p<person id>``)."""

    committees: list[str]
    meetings: list[str]
    owners: dict[str, list[Choice]]


def action_register_choices(*, user: Any) -> RegisterChoices:
    """The register's filter choices for ``user``, in one query.

    Every committee; the meetings ``user`` may see at which an action was raised; the
    organisations, roles and people owning an action ``user`` may see (an Observer does not
    learn who owns actions of hidden meetings). Each part asks its own table whether an
    action exists (an indexed probe per meeting, organisation or person) instead of a
    DISTINCT over every action and owner, and the parts come back as one UNION ALL of
    ``(kind, id, text, extra, number, sub_number)``, sorted here (names alphabetically,
    ignoring case).
    """
    owners = ActionOwner.objects.visible_to(user)
    meetings = Meeting.objects.visible_to(user).filter(
        Exists(Action.objects.filter(meeting=OuterRef("pk")))
    )

    def part(qs: QuerySet, kind: str, text: str, **columns: Any) -> QuerySet:
        return (
            qs.order_by()
            .annotate(
                c_kind=Value(kind, CharField()),
                c_id=columns.get("id", F("pk")),
                c_text=F(text),
                c_extra=columns.get("extra", Value("")),
                c_number=columns.get("number", Value(0)),
                c_sub=columns.get("sub", Value(0)),
            )
            .values_list("c_kind", "c_id", "c_text", "c_extra", "c_number", "c_sub")
        )

    # Meetings first: the first part's columns decide the result's, and plain columns need
    # no per-row conversion (constants would, on 2,000 rows).
    rows = part(
        meetings,
        "m",
        "ref",
        extra=F("committee__code"),
        number=F("number"),
        sub=F("sub_number"),
    ).union(
        part(Committee.objects.all(), "c", "code"),
        part(
            Organisation.objects.filter(Exists(owners.filter(organisation=OuterRef("pk")))),
            "o",
            "name",
        ),
        part(owners.exclude(role="").values("role").distinct(), "r", "role", id=Value(0)),
        part(
            Person.objects.filter(Exists(owners.filter(person=OuterRef("pk")))),
            "p",
            "name",
            extra=Coalesce(F("organisation__name"), Value("")),
        ),
        all=True,
    )
    # Each kind's entries as tuples that sort in its order and end with what is shown.
    by_kind: dict[str, list[tuple[Any, ...]]] = {kind: [] for kind in "mcorp"}
    for kind, pk, text, extra, number, sub in rows:
        if kind == "m":
            entry: tuple[Any, ...] = (extra, -number, -sub, text)
        elif kind == "c":
            entry = (text,)
        elif kind == "o":
            entry = (text.casefold(), pk, (f"o{pk}", text))
        elif kind == "r":
            entry = (text.casefold(), (f"r{text}", text))
        else:
            label = f"{text} ({extra})" if extra else text
            entry = (text.casefold(), extra.casefold(), pk, (f"p{pk}", label))
        by_kind[kind].append(entry)
    shown = {kind: [entry[-1] for entry in sorted(entries)] for kind, entries in by_kind.items()}
    return RegisterChoices(
        committees=shown["c"],
        meetings=shown["m"],
        owners={
            "Organisations": shown["o"],
            "Roles": shown["r"],
            "People and teams": shown["p"],
        },
    )


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
        .prefetch_related(_owners_prefetch())
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
        .prefetch_related(_owners_prefetch())
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
        .prefetch_related(_owners_prefetch())
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


def action_history_of(*, action: Action) -> list[Any]:
    """The recorded versions of ``action`` (django-simple-history), newest first.

    Each entry has ``history_date``, ``history_user`` and ``changes``: a list of
    ``(field label, old, new)`` against the previous version.
    """
    versions = list(action.history.select_related("history_user").order_by("-history_date"))
    labels = {f.name: f.verbose_name for f in Action._meta.fields}
    watched = ["description", "due_date", "status", "closed_date", "closure_note"]
    status_labels = dict(Action.Status.choices)
    for newer, older in zip(versions, [*versions[1:], None], strict=True):
        changes: list[tuple[str, Any, Any]] = []
        if older is not None:
            delta = newer.diff_against(older, included_fields=watched)
            for change in delta.changes:
                old, new = change.old, change.new
                if change.field == "status":
                    old, new = status_labels.get(old, old), status_labels.get(new, new)
                changes.append((labels.get(change.field, change.field), old, new))
        newer.changes = changes
    return versions
