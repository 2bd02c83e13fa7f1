"""The action register's reads (``/actions/``, its PDF): filters, the filtered and sorted
list and its keyset pages as rows (the filters' choices: ``actions.register_choices``;
what is cached: ``actions.register_cache``).

Split from ``actions.selectors`` (the other reads of actions) because the register's
filtering and paging are its own; a page costs a fixed number of queries wherever it is in
the list. What a user may see is ``Action.objects.visible_to(user)`` (``core.visibility``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import F, Q, QuerySet

from core.keyset import CursorError, keyset_page

from .models import Action, action_due_sort
from .register_cache import register_count
from .register_choices import Choice, RegisterChoices, action_register_choices
from .rows import ActionRow, action_row_values, action_rows_of
from .selectors import action_owners_prefetch, next_meetings_by_committee

__all__ = [
    "REGISTER_PAGE_SIZE",
    "ActionRegisterFilters",
    "Choice",
    "RegisterChoices",
    "RegisterPage",
    "action_register",
    "action_register_choices",
    "action_register_page",
    "action_rows_page",
    "next_meeting_dates",
]

REGISTER_PAGE_SIZE = 50

# The due date as a sort key: undated last going up (first going down) on every database,
# never NULL (a keyset column must not be). The same expression as the indexes on it
# (``Action.Meta.indexes``), so that PostgreSQL reads a page as an index range.
DUE_SORT = action_due_sort()

# Sort keys of the register (the ``sort`` query parameter) and the columns they order by,
# each ``(column, descending)``. Ref order is the indexed ``ref_sort``; it also breaks ties,
# then the primary key (``core.keyset``), so a page boundary never moves.
REGISTER_KEYS: dict[str, tuple[tuple[Any, bool], ...]] = {
    "ref": (("ref_sort", False),),
    "-ref": (("ref_sort", True),),
    "due_date": ((DUE_SORT, False), ("ref_sort", False)),
    "-due_date": ((DUE_SORT, True), ("ref_sort", True)),
    "status": (("status", False), (DUE_SORT, False), ("ref_sort", False)),
    # Exactly the reverse of "status" (an index read backwards), not due dates up again.
    "-status": (("status", True), (DUE_SORT, True), ("ref_sort", True)),
}


def register_order(sort: str) -> list[Any]:
    """The ``order_by`` of ``sort`` (unknown keys: ref order), the primary key last: the
    order of the register's pages, its PDF and its exports."""
    keys = REGISTER_KEYS.get(sort, REGISTER_KEYS["ref"])
    order = [
        (F(column) if isinstance(column, str) else column).desc()
        if descending
        else (F(column) if isinstance(column, str) else column).asc()
        for column, descending in keys
    ]
    return [*order, "-pk" if keys[-1][1] else "pk"]


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

    @property
    def is_filtered(self) -> bool:
        """True when a filter narrows the register (a sort does not)."""
        return bool(
            self.committee or self.meeting or self.status or self.owner or self.due or self.text
        )


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
    return qs.order_by(*register_order(filters.sort))


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


@dataclass(frozen=True)
class RegisterPage:
    """A page of the register: its ``rows``, the cursors of the pages after and before it
    (None when there is none), whether it is the first page, and the number of actions it
    lists (``count``; ``has_more_than_count`` when a filter matches more than the count
    reads: :func:`actions.register_cache.register_count`; None: not counted, "My
    actions")."""

    rows: list[ActionRow]
    next_cursor: str | None
    previous_cursor: str | None
    is_first: bool
    count: int | None
    has_more_than_count: bool = False

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or not self.is_first)


def action_register_page(
    *,
    user: Any,
    filters: ActionRegisterFilters,
    today: dt.date,
    cursor: str | None = None,
    from_end: bool = False,
) -> RegisterPage:
    """The register's page at ``cursor`` (None: the first page; ``from_end``: the last),
    :data:`REGISTER_PAGE_SIZE` actions, as :class:`ActionRow`.

    A keyset page (``core.keyset``): the rows after the cursor's (sort key, ref, id) in
    the chosen sort, so the last page costs what the first does; a cursor not of this
    sort (a stale link after a sort change, a tampered one) gives the first page. Two
    queries for the page (its rows, their owners' names) and at most one for the count.
    """
    qs = _register_filtered(user=user, filters=filters, today=today)
    page = action_rows_page(
        qs, user=user, today=today, sort=filters.sort, cursor=cursor, from_end=from_end
    )
    count, more = register_count(user=user, filtered=filters.is_filtered, queryset=qs)
    return replace(page, count=count, has_more_than_count=more)


def action_rows_page(
    queryset: QuerySet[Action],
    *,
    user: Any,
    today: dt.date,
    sort: str,
    cursor: str | None = None,
    from_end: bool = False,
    area_titles: bool = False,
) -> RegisterPage:
    """The keyset page of ``queryset`` at ``cursor`` (None: the first; ``from_end``: the
    last) in the register's ``sort`` (unknown: ref order), :data:`REGISTER_PAGE_SIZE`
    rows: the register's pages and "My actions"' (``count`` None: not counted). A cursor
    not of this sort gives the first page. Two queries (rows, owners)."""
    columns = REGISTER_KEYS.get(sort, REGISTER_KEYS["ref"])
    sort = sort if sort in REGISTER_KEYS else "ref"
    values = action_row_values(queryset, area_titles=area_titles, user=user)
    try:
        page = keyset_page(
            values,
            ordering=sort,
            columns=columns,
            size=REGISTER_PAGE_SIZE,
            cursor=cursor,
            from_end=from_end,
        )
    except CursorError:
        page = keyset_page(values, ordering=sort, columns=columns, size=REGISTER_PAGE_SIZE)
    return RegisterPage(
        rows=action_rows_of(page.rows, today=today),
        next_cursor=page.next_cursor,
        previous_cursor=page.previous_cursor,
        is_first=not page.has_previous,
        count=None,
    )


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
