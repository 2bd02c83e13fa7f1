"""The action read model: one row type and one query shape for every list of actions.

The register and its PDF, My actions, the meeting page (its areas and the reviews), the
headline report, the API's action list and detail and the reminder e-mails each show an
action as a row. They all read it here: :func:`action_rows` takes any Action queryset the
caller has filtered, ordered and sliced, and reads it with one ``.values()`` query of the
row's columns (mappings, because the API's keyset pages read that query themselves, with
their key columns) and one query of the owners' names. No model instances are built: building
an Action, its meeting, its owners and their organisations and people per row cost more
than the rest of a page. Links and HTML ids are derived from the ref (``core.links``), one
``reverse`` per route and process, not one per row.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Case, CharField, F, QuerySet, Value, When
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString

from core.api.timestamps import DateTimeText
from core.links import url_maker
from core.templatetags.governance import badge, dom_id
from core.visibility import meeting_visible_q, sees_all_meetings
from meetings.models import Organisation, Person

from .models import Action, ActionOwner, action_is_overdue, owner_columns_text

# The row's columns: the action's own, and under their row names the joined ones (meeting,
# due meeting).
_FIELDS = (
    "id",
    "ref",
    "committee_id",
    "meeting_id",
    "agenda_item_id",
    "description",
    "due_date",
    "status",
    "closed_date",
)
_JOINED: dict[str, Any] = {
    "meeting_ref": F("meeting__ref"),
    "meeting_start": F("meeting__start_at"),
    "due_meeting_ref": F("due_meeting__ref"),
}
# Asked for: the area's title (joins the agenda item).
_AREA_COLUMNS: dict[str, Any] = {"agenda_item_title": F("agenda_item__title")}
# Asked for by the API's representation of a record: the area's title, the committee, the
# timestamps (DateTimeText: formatted by PostgreSQL, core.api.timestamps) and, a field of
# the action's own, the closure note.
_RECORD_COLUMNS: dict[str, Any] = {
    **_AREA_COLUMNS,
    "committee_code": F("committee__code"),
    "committee_name": F("committee__name"),
    "created_at_text": DateTimeText("created_at"),
    "updated_at_text": DateTimeText("updated_at"),
}
# The columns read only when asked for, in ActionRow's order (the rows are built positionally).
_OPTIONAL = (
    "agenda_item_title",
    "committee_code",
    "committee_name",
    "closure_note",
    "created_at_text",
    "updated_at_text",
)

_STATUS_LABELS = dict(Action.Status.choices)


@functools.cache
def _makers() -> dict[str, Callable[[Any], str]]:
    """The URL makers of a row's links, one ``reverse`` each per process."""
    return {
        "detail": url_maker("action-detail"),
        "edit": url_maker("action-edit"),
        "progress": url_maker("action-progress"),
        "meeting": url_maker("meeting-detail"),
    }


@functools.cache
def _badge(status: str) -> SafeString:
    """The status badge's HTML; the same for every row of a status, so built once."""
    return badge(status, str(_STATUS_LABELS.get(status, status)))


class Owner(NamedTuple):
    """One owner of an action as read for its row: an organisation or a role (``Chair``),
    and maybe a person or team; ``text`` is how the report writes it."""

    is_lead: bool
    role: str
    organisation_id: int | None
    organisation: str | None
    person_id: int | None
    person: str | None
    text: str
    # A named person or team with no email: no reminder reaches them.
    unreachable: bool = False


@dataclass(slots=True, frozen=True)
class ActionRow:
    """An action as any list shows it, as plain values.

    ``owners`` are written as the report writes them (``Programme (Rob Short)``), lead
    first (``owner_parts`` the same owners as read, for the API); ``meeting_start`` is when
    the meeting it was raised at starts (UTC); ``due_meeting_ref`` is None without a due
    meeting; ``is_overdue`` was decided with the ``today`` the rows were read for
    (``actions.models.action_is_overdue``). ``agenda_item_title`` (None without an area) and
    the record's columns after it are read only when asked for (:func:`action_row_values`);
    the timestamps are as ``core.api.timestamps.datetime_text`` takes them. The fields'
    order is the one :func:`action_rows_of` builds them in (positionally: it is the cheaper
    call, once a row).
    """

    pk: int
    ref: str
    committee_id: int
    meeting_id: int
    meeting_ref: str
    meeting_start: dt.datetime
    agenda_item_id: int | None
    description: str
    due_date: dt.date | None
    due_meeting_ref: str | None
    status: str
    closed_date: dt.date | None
    owners: tuple[str, ...]
    is_overdue: bool
    owner_parts: tuple[Owner, ...] = ()
    agenda_item_title: str | None = None
    committee_code: str = ""
    committee_name: str = ""
    closure_note: str = ""
    created_at_text: dt.datetime | str | None = None
    updated_at_text: dt.datetime | str | None = None

    @property
    def owners_text(self) -> str:
        """``Programme (Rob Short); Chair``; empty when the action has no owner."""
        return "; ".join(self.owners)

    @property
    def unreachable_owners(self) -> tuple[str, ...]:
        """Names of the owners no reminder reaches (no email): the register's marker."""
        return tuple(o.person or "" for o in self.owner_parts if o.unreachable)

    @property
    def status_label(self) -> str:
        return str(_STATUS_LABELS.get(self.status, self.status))

    @property
    def badge(self) -> SafeString:
        """The status badge's HTML."""
        return _badge(self.status)

    @property
    def raised_on(self) -> str:
        """The meeting's London date: ``13 Sep 2023``."""
        return dateformat.format(timezone.localtime(self.meeting_start), "j M Y")

    # Dates as the lists write them, formatted here rather than by a filter per cell.
    @property
    def due_iso(self) -> str:
        return self.due_date.isoformat() if self.due_date else ""

    @property
    def due_on(self) -> str:
        return f"{self.due_date:%d/%m/%Y}" if self.due_date else ""

    @property
    def closed_on(self) -> str:
        return f"{self.closed_date:%d/%m/%Y}" if self.closed_date else ""

    @property
    def dom_id(self) -> str:
        """The row's HTML id and URL fragment: ``r-DAG28-01``."""
        return dom_id(self.ref)

    @property
    def url(self) -> str:
        return _makers()["detail"](self.ref)

    @property
    def edit_url(self) -> str:
        return _makers()["edit"](self.ref)

    @property
    def update_url(self) -> str:
        """Where the action's progress updates are posted."""
        return _makers()["progress"](self.ref)

    @property
    def meeting_url(self) -> str:
        return _makers()["meeting"](self.meeting_ref)


# The owners of a list of actions, lead first. Written by hand because on PostgreSQL the
# ids go in as one array parameter (``= ANY(%s)``), which the ORM cannot write: the
# statement is then the same for any number of rows, and the API's prepared statements
# (core.api.db.prepared_statements) keep one plan for it. Building it with the ORM also
# cost more CPU than running it, on the API's hottest read (issue #7).
_OWNERS_SQL = (
    "SELECT o.action_id, o.is_lead, o.role, o.organisation_id, org.name, o.person_id, p.name,"
    " p.email"
    " FROM {owner} o"
    " LEFT JOIN {organisation} org ON org.id = o.organisation_id"
    " LEFT JOIN {person} p ON p.id = o.person_id"
    " WHERE o.action_id {match}"
    ' ORDER BY o.action_id, o.is_lead DESC, o."order", o.id'
)


def action_owners_of(
    action_ids: list[int],
) -> dict[int, tuple[tuple[str, ...], tuple[Owner, ...]]]:
    """The owners of the given actions, lead first: ``{action id: (texts, owners)}``, their
    texts (``Programme (Rob Short)``) and the :class:`Owner` they are written from, in one
    query of names (no instances); actions without owners are left out."""
    if not action_ids:
        return {}
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        match, params = "= ANY(%s)", [action_ids]
    else:
        match, params = f"IN ({', '.join(['%s'] * len(action_ids))})", action_ids
    sql = _OWNERS_SQL.format(
        owner=qn(ActionOwner._meta.db_table),
        organisation=qn(Organisation._meta.db_table),
        person=qn(Person._meta.db_table),
        match=match,
    )
    grouped: dict[int, list[Owner]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for (
            action_id,
            is_lead,
            role,
            org_id,
            org,
            person_id,
            person,
            email,
        ) in cursor.fetchall():
            text = owner_columns_text(org, role, person)
            unreachable = person_id is not None and not (email or "").strip()
            owner = Owner(bool(is_lead), role, org_id, org, person_id, person, text, unreachable)
            grouped.setdefault(action_id, []).append(owner)
    return {
        action_id: (tuple(owner.text for owner in owners), tuple(owners))
        for action_id, owners in grouped.items()
    }


def _due_meeting_ref_for(user: Any) -> Any:
    """The due meeting's ref as ``user`` may read it: None (no due meeting shown) when they
    may not see that meeting (``core.visibility``), in the same query."""
    return Case(
        When(meeting_visible_q(user, "due_meeting__"), then=F("due_meeting__ref")),
        default=Value(None),
        output_field=CharField(),
    )


def action_row_values(
    queryset: QuerySet[Action],
    *,
    area_titles: bool = False,
    record: bool = False,
    user: Any = None,
) -> QuerySet:
    """``queryset`` as the one query of the rows' columns (``.values()``, named as
    :class:`ActionRow`'s fields): :func:`action_rows` runs it; the API's keyset pages run it
    themselves and hand the page to :func:`action_rows_of`. ``area_titles`` also reads the
    area's title, ``record`` the columns the API's representation adds. With ``user`` (the
    reader), a due meeting they may not see is left out (``due_meeting_ref`` None), as if
    the action had none: its ref and date are not theirs to read."""
    fields, columns = _FIELDS, _JOINED
    if user is not None and not sees_all_meetings(user):
        columns = {**columns, "due_meeting_ref": _due_meeting_ref_for(user)}
    if record:
        fields, columns = (*fields, "closure_note"), {**columns, **_RECORD_COLUMNS}
    elif area_titles:
        columns = {**columns, **_AREA_COLUMNS}
    return queryset.prefetch_related(None).values(*fields, **columns)


def action_rows_of(values: Iterable[Mapping[str, Any]], *, today: dt.date) -> list[ActionRow]:
    """Rows of :func:`action_row_values`, read, as :class:`ActionRow`, in their order, with
    their owners (one query); ``today`` (a London date) decides what is overdue."""
    values = list(values)
    if not values:
        return []
    owners = action_owners_of([row["id"] for row in values])
    optional = [name for name in _OPTIONAL if name in values[0]]
    none: tuple[tuple[str, ...], tuple[Owner, ...]] = ((), ())
    rows = []
    for row in values:
        due, status = row["due_date"], row["status"]
        texts, parts = owners.get(row["id"], none)
        rows.append(
            ActionRow(
                row["id"],
                row["ref"],
                row["committee_id"],
                row["meeting_id"],
                row["meeting_ref"],
                row["meeting_start"],
                row["agenda_item_id"],
                row["description"],
                due,
                row["due_meeting_ref"],
                status,
                row["closed_date"],
                texts,
                action_is_overdue(status=status, due_date=due, today=today),
                parts,
                *[row[name] for name in optional],
            )
        )
    return rows


def action_rows(
    queryset: QuerySet[Action],
    *,
    today: dt.date,
    area_titles: bool = False,
    record: bool = False,
    user: Any = None,
) -> list[ActionRow]:
    """The actions of ``queryset`` (filtered, ordered and sliced by the caller) as
    :class:`ActionRow`, in its order; ``today`` (a London date) decides what is overdue;
    ``area_titles``, ``record`` and ``user`` (the reader, whose hidden due meetings are
    left out) as :func:`action_row_values` takes them.

    Two queries: the rows' columns, the owners' names (none when there are no rows).
    """
    return action_rows_of(
        action_row_values(queryset, area_titles=area_titles, record=record, user=user),
        today=today,
    )
