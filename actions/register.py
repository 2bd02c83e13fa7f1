"""The action register's reads (``/actions/``, its PDF): filters, the filtered and sorted
list, its page as rows and the filters' choices.

Split from ``actions.selectors`` (the other reads of actions) because the register's
filtering and choices are its own; both cost a fixed number of queries however many actions
there are. What a user may see is ``Action.objects.visible_to(user)`` (``core.visibility``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from meetings.models import Committee, Meeting, Organisation, Person

from .models import Action, ActionOwner
from .rows import ActionRow, action_rows
from .selectors import action_owners_prefetch, next_meetings_by_committee

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
        .prefetch_related(action_owners_prefetch())
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
    page.object_list = action_rows(page.object_list, today=today, user=user)
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
    by_kind: dict[str, list[tuple[Any, ...]]] = {kind: [] for kind in "mcorp"}
    for kind, *columns in _choice_rows(user=user):
        by_kind[kind].append(_choice_entry(kind, *columns))
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


def _choice_part(qs: QuerySet, kind: str, text: str, **columns: Any) -> QuerySet:
    """``qs`` as one part of the choices' UNION ALL: ``(kind, id, text, extra, number,
    sub_number)``, the columns not given being the primary key, empty text and zeros."""
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


def _choice_rows(*, user: Any) -> QuerySet:
    """The one query of :func:`action_register_choices`: each kind of choice ``user`` may
    see (``m`` meetings, ``c`` committees, ``o`` organisations, ``r`` roles, ``p`` people)
    as a part of one UNION ALL, not yet evaluated."""
    owners = ActionOwner.objects.visible_to(user)
    meetings = Meeting.objects.visible_to(user).filter(
        Exists(Action.objects.filter(meeting=OuterRef("pk")))
    )
    # Meetings first: the first part's columns decide the result's, and plain columns need
    # no per-row conversion (constants would, on 2,000 rows).
    return _choice_part(
        meetings,
        "m",
        "ref",
        extra=F("committee__code"),
        number=F("number"),
        sub=F("sub_number"),
    ).union(
        _choice_part(Committee.objects.all(), "c", "code"),
        _choice_part(
            Organisation.objects.filter(Exists(owners.filter(organisation=OuterRef("pk")))),
            "o",
            "name",
        ),
        _choice_part(owners.exclude(role="").values("role").distinct(), "r", "role", id=Value(0)),
        _choice_part(
            Person.objects.filter(Exists(owners.filter(person=OuterRef("pk")))),
            "p",
            "name",
            extra=Coalesce(F("organisation__name"), Value("")),
        ),
        all=True,
    )


def _choice_entry(
    kind: str, pk: int, text: str, extra: str, number: int, sub: int
) -> tuple[Any, ...]:
    """One row of :func:`_choice_rows` as a tuple that sorts in its kind's order and ends
    with what is shown: meetings by committee then newest first; names ignoring case."""
    if kind == "m":
        return (extra, -number, -sub, text)
    if kind == "c":
        return (text,)
    if kind == "o":
        return (text.casefold(), pk, (f"o{pk}", text))
    if kind == "r":
        return (text.casefold(), (f"r{text}", text))
    label = f"{text} ({extra})" if extra else text
    return (text.casefold(), extra.casefold(), pk, (f"p{pk}", label))


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
