"""The action read model: one row type and one query shape for every list of actions.

The register and its PDF, My actions, the meeting page (its areas and the reviews), the
headline report, the API's action list and detail and the reminder e-mails each show an
action as a row. They all read it here: :func:`action_rows` takes any Action queryset the
caller has filtered, ordered and sliced, and reads it with one ``.values_list()`` of the
row's columns and one query of the owners' names. No model instances are built: building
an Action, its meeting, its owners and their organisations and people per row cost more
than the rest of a page. Links and HTML ids are derived from the ref (``core.links``), one
``reverse`` per route and process, not one per row.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import get_script_prefix
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString

from core.links import url_maker
from core.templatetags.governance import badge, dom_id

from .models import Action, ActionOwner, action_is_overdue, owner_columns_text

# The row's own columns, in the order ActionRow takes them (after ``owners``).
_COLUMNS = (
    "id",
    "ref",
    "committee_id",
    "meeting_id",
    "meeting__ref",
    "meeting__start_at",
    "agenda_item_id",
    "description",
    "due_date",
    "due_meeting__ref",
    "status",
    "closed_date",
)

_STATUS_LABELS = dict(Action.Status.choices)


@functools.cache
def _makers(script_prefix: str) -> dict[str, Callable[[Any], str]]:
    """The URL makers of a row's links, one ``reverse`` each per script prefix."""
    return {
        "detail": url_maker("action-detail"),
        "edit": url_maker("action-edit"),
        "progress": url_maker("action-progress"),
        "meeting": url_maker("meeting-detail"),
    }


def _link(kind: str, key: str) -> str:
    return _makers(get_script_prefix())[kind](key)


@functools.cache
def _badge(status: str) -> SafeString:
    """The status badge's HTML; the same for every row of a status, so built once."""
    return badge(status, str(_STATUS_LABELS.get(status, status)))


@dataclass(slots=True, frozen=True)
class ActionRow:
    """An action as any list shows it, as plain values.

    ``owners`` are written as the report writes them (``Programme (Rob Short)``), lead
    first; ``meeting_start`` is when the meeting it was raised at starts (UTC);
    ``agenda_item_title`` is empty unless the caller asked for it; ``is_overdue`` was
    decided with the ``today`` the rows were read for (``actions.models.action_is_overdue``).
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
    due_meeting_ref: str
    status: str
    closed_date: dt.date | None
    owners: tuple[str, ...]
    is_overdue: bool
    agenda_item_title: str = ""

    @property
    def owners_text(self) -> str:
        """``Programme (Rob Short); Chair``; empty when the action has no owner."""
        return "; ".join(self.owners)

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
        return _link("detail", self.ref)

    @property
    def edit_url(self) -> str:
        return _link("edit", self.ref)

    @property
    def update_url(self) -> str:
        """Where the action's progress updates are posted."""
        return _link("progress", self.ref)

    @property
    def meeting_url(self) -> str:
        return _link("meeting", self.meeting_ref)


def action_owner_texts(action_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """Each action's owners as the report writes them, lead first: ``{id: ("Programme (Rob
    Short)", "Chair")}`` (one query of names; actions without owners are left out)."""
    texts: dict[int, list[str]] = {}
    if not action_ids:
        return {}
    for action_id, organisation, role, person in (
        ActionOwner.objects.filter(action_id__in=action_ids)
        .order_by("action_id", "-is_lead", "order", "id")
        .values_list("action_id", "organisation__name", "role", "person__name")
    ):
        texts.setdefault(action_id, []).append(owner_columns_text(organisation, role, person))
    return {action_id: tuple(names) for action_id, names in texts.items()}


def action_rows(
    queryset: QuerySet[Action], *, today: dt.date, area_titles: bool = False
) -> list[ActionRow]:
    """The actions of ``queryset`` (filtered, ordered and sliced by the caller) as
    :class:`ActionRow`, in its order; ``today`` (a London date) decides what is overdue;
    ``area_titles`` also reads each action's agenda item title.

    Two queries: the rows' columns, the owners' names (none when the queryset is empty).
    """
    columns = (*_COLUMNS, "agenda_item__title") if area_titles else _COLUMNS
    values = list(queryset.prefetch_related(None).values_list(*columns))
    owners = action_owner_texts([row[0] for row in values])
    rows = []
    for row in values:
        due, status = row[8], row[10]
        rows.append(
            ActionRow(
                *row[:9],
                row[9] or "",
                *row[10:12],
                owners=owners.get(row[0], ()),
                is_overdue=action_is_overdue(status=status, due_date=due, today=today),
                agenda_item_title=(row[12] or "") if area_titles else "",
            )
        )
    return rows
