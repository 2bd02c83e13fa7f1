"""Reads of committees, meetings and discussion, and the reference resolver."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db.models import (
    Aggregate,
    DateField,
    DateTimeField,
    F,
    JSONField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from actions.models import Action, ActionReview, action_is_overdue, owner_columns_text
from changerequests.models import ChangeRequest
from decisions.models import Decision
from meetings.models import (
    OUTER_MEETING,
    AgendaItem,
    DiscussionItem,
    DiscussionReference,
    HeadlineReport,
    Meeting,
    Person,
)
from meetings.selectors import meeting_get_for_user

_M = TypeVar("_M", bound=Model)


# --- the meeting page (browser UI) ----------------------------------------------------------
#
# The meeting page of a busy meeting lists a few hundred actions. It is read in four queries:
# the meeting with its short lists (agenda items, decisions, report versions, later meetings)
# as JSON; the actions with their owners; the reviews of earlier actions with theirs; the
# discussion with its refs and the other meetings' mentions. The long lists come back as
# plain values grouped in Python, not model instances: building an Action, its owners, their
# organisations and people per row cost more than the rest of the page.


class JSONList(Aggregate):
    """The aggregated values as one JSON array (``json_group_array`` on SQLite, ``jsonb_agg``
    on PostgreSQL): a meeting's few agenda items, decisions, report versions or later
    meetings come back with the meeting's own row instead of a query each. The order inside is not
    guaranteed; readers sort."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # jsonb, not json: Django reads jsonb as text and decodes it like a JSONField.
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def _json_list(queryset: QuerySet[Any], **fields: Any) -> Subquery:
    """``queryset`` (filtered on ``OuterRef``s) as a JSON array of objects of ``fields``."""
    return Subquery(
        queryset.order_by()
        .annotate(_one=Value(1))
        .values("_one")
        .annotate(rows=JSONList(JSONObject(**fields)))
        .values("rows"),
        output_field=JSONField(),
    )


def _instance(model: type[_M], data: dict[str, Any]) -> _M:
    """A model instance from a JSON object of its column values (``{"id": 3, ...}``), as if
    read from the database; dates come as text and are parsed. Keys that are not columns
    are ignored; columns left out are deferred (reading one would query, which the page's
    query-count test would show)."""
    concrete = [f for f in model._meta.concrete_fields if f.attname in data]
    values = []
    for f in concrete:
        value = data[f.attname]
        if value is not None and isinstance(f, DateTimeField):
            value = parse_datetime(value)
            if value is not None and timezone.is_naive(value):
                value = timezone.make_aware(value, dt.UTC)  # SQLite keeps UTC without offset
        elif value is not None and isinstance(f, DateField):
            value = parse_date(value[:10])
        values.append(value)
    return model.from_db(None, [f.attname for f in concrete], values)


# The change request of an agenda item or decision, in its JSON object.
_CR_COLUMNS = {
    "change_request_id": "change_request_id",
    "cr_number": "change_request__number",
    "cr_ref": "change_request__ref",
    "cr_status": "change_request__status",
}


def _change_request(data: dict[str, Any]) -> Any:
    """The ChangeRequest of a JSON object with :data:`_CR_COLUMNS`, or None."""

    if not data["change_request_id"]:
        return None
    return _instance(
        ChangeRequest,
        {
            "id": data["change_request_id"],
            "number": data["cr_number"],
            "ref": data["cr_ref"],
            "status": data["cr_status"],
        },
    )


@functools.cache
def _meetings_with_page_lists() -> QuerySet[Meeting]:
    """Meetings with their agenda items (and CRs), decisions (with their CR and who decided),
    report versions (and who asked) and the committee's later meetings, each as a JSON list
    (see :func:`meeting_page_get`).

    Built once per process and only ever filtered (a clone), never evaluated itself:
    resolving the three subqueries cost ~3 ms a request, more than running them.
    """

    later = Meeting.objects.later_than(OUTER_MEETING)
    return Meeting.objects.select_related("committee").annotate(
        page_agenda=_json_list(
            AgendaItem.objects.filter(meeting_id=OuterRef("pk")),
            id="id",
            meeting_id="meeting_id",
            order="order",
            title="title",
            **_CR_COLUMNS,
        ),
        page_decisions=_json_list(
            Decision.objects.filter(meeting_id=OuterRef("pk")),
            id="id",
            committee_id="committee_id",
            meeting_id="meeting_id",
            agenda_item_id="agenda_item_id",
            seq="seq",
            ref="ref",
            text="text",
            status="status",
            conditions="conditions",
            decided_at="decided_at",
            decided_by_id="decided_by_id",
            decided_by_name="decided_by__name",
            **_CR_COLUMNS,
        ),
        page_reports=_json_list(
            HeadlineReport.objects.filter(meeting_id=OuterRef("pk")),
            id="id",
            meeting_id="meeting_id",
            version="version",
            status="status",
            checksum="checksum",
            issue_date="issue_date",
            error="error",
            created_at="created_at",
            requested_by_id="requested_by_id",
            requested_by_username="requested_by__username",
        ),
        page_later=_json_list(later, id="id", ref="ref", start_at="start_at"),
    )


@dataclass
class MeetingActionRow:
    """An action of the meeting page (or one reviewed at it), as plain values.

    ``owners`` are written as the report writes them, lead first; ``url``, ``edit_url`` and
    ``dom_id`` are set by the view.
    """

    pk: int
    ref: str
    agenda_item_id: int | None
    description: str
    owners: list[str]
    due_date: dt.date | None = None
    due_meeting_ref: str = ""
    status: str = ""
    closed_date: dt.date | None = None
    is_overdue: bool = False
    url: str = ""
    edit_url: str = ""
    dom_id: str = ""

    @property
    def owners_text(self) -> str:
        """``Programme (Rob Short); Chair``."""
        return "; ".join(self.owners)

    # Dates as the page writes them, formatted here: the date filter costs ~20 µs a call.
    @property
    def due_date_iso(self) -> str:
        return self.due_date.isoformat() if self.due_date else ""

    @property
    def due_date_text(self) -> str:
        return f"{self.due_date:%d/%m/%Y}" if self.due_date else ""

    @property
    def closed_date_text(self) -> str:
        return f"{self.closed_date:%d/%m/%Y}" if self.closed_date else ""

    @property
    def status_label(self) -> str:

        return str(Action.Status(self.status).label)


@dataclass
class MeetingReviewRow:
    """An earlier action taken up at the meeting (report "Previous Meeting(s)")."""

    pk: int
    action: MeetingActionRow
    outcome: str
    new_due_date: dt.date | None
    note: str

    @property
    def outcome_label(self) -> str:

        return str(ActionReview.Outcome(self.outcome).label)


@dataclass
class MeetingDiscussionRow:
    """A discussion item of the meeting, or of another meeting that mentions it.

    ``known_refs`` are the refs written in it that name a recorded record (``{ref: kind}``,
    what the page links); ``html`` is set by the view.
    """

    pk: int
    meeting_id: int
    meeting_ref: str
    agenda_item_id: int | None
    text: str
    known_refs: dict[str, str]
    html: str = ""
    url: str = ""


@dataclass
class MeetingArea:
    """One agenda area of a meeting page with its actions, decisions and discussion.

    ``agenda_item`` is None for records filed under no area.
    """

    agenda_item: Any
    actions: list[MeetingActionRow]
    decisions: list[Any]
    discussion_items: list[MeetingDiscussionRow]

    @property
    def is_empty(self) -> bool:
        return not (self.actions or self.decisions or self.discussion_items)

    @property
    def key(self) -> str:
        """``"12"`` (the agenda item's id) or ``"none"``: unique on the page, for HTML ids."""
        return str(self.agenda_item.pk) if self.agenda_item is not None else "none"

    @property
    def dom_id(self) -> str:
        """The area's HTML id and URL fragment: ``area-12``."""
        return f"area-{self.key}"


@dataclass
class MeetingPage:
    """Everything the meeting page shows, read in a fixed number of queries."""

    meeting: Meeting
    areas: list[MeetingArea]
    reviews: list[MeetingReviewRow]
    next_meeting: Meeting | None
    later_meetings: list[Meeting]
    headline_reports: list[Any]
    mentions: list[MeetingDiscussionRow]


def meeting_page_get_for_user(*, ref: str, user: Any, today: dt.date | None = None) -> MeetingPage:
    """The meeting page of the meeting ``ref`` if ``user`` may see it, with the mentions by
    meetings they may see (``core.visibility``).

    Four queries whatever the number of records. Raises Meeting.DoesNotExist when there is
    no such meeting or the user may not see it, ValidationError when ``ref`` is no meeting
    ref.
    """
    meeting = meeting_get_for_user(ref=ref, user=user, queryset=_meetings_with_page_lists())
    return _meeting_page(meeting, user=user, today=today)


def meeting_page_get(*, meeting: Meeting, user: Any, today: dt.date | None = None) -> MeetingPage:
    """The meeting page of ``meeting`` (read again, with its lists): areas in agenda order,
    then records with no area; the earlier actions reviewed at it; the next meeting and the
    later ones; the headline report versions, newest first; and the discussion items of
    other meetings that mention it (those of meetings ``user`` may see).

    Four queries whatever the number of records: each kind is read once and grouped by
    area in Python. ``today`` (default: today in London) decides which actions are overdue.
    """
    return _meeting_page(
        _meetings_with_page_lists().get(pk=meeting.pk),
        user=user,
        today=today,
    )


def _meeting_page(meeting: Meeting, *, user: Any, today: dt.date | None) -> MeetingPage:

    today = today or timezone.localdate()
    agenda_items = []
    for data in sorted(meeting.page_agenda or [], key=lambda d: (d["order"], d["id"])):
        item = _instance(AgendaItem, data)
        item.meeting = meeting
        item.change_request = _change_request(data)
        agenda_items.append(item)
    reports = []
    for data in sorted(meeting.page_reports or [], key=lambda d: -d["version"]):
        report = _instance(HeadlineReport, data)
        report.meeting = meeting
        report.requested_by = (
            _instance(
                get_user_model(),
                {"id": data["requested_by_id"], "username": data["requested_by_username"]},
            )
            if data["requested_by_id"]
            else None
        )
        reports.append(report)
    later = [
        _instance(Meeting, {**data, "committee_id": meeting.committee_id})
        for data in meeting.page_later or []
    ]
    later.sort(key=lambda m: m.start_at)
    for m in later:
        m.committee = meeting.committee

    by_area: dict[int | None, MeetingArea] = {
        item.pk: MeetingArea(item, [], [], []) for item in agenda_items
    }
    loose = MeetingArea(None, [], [], [])
    for action in _action_rows(meeting, today):
        by_area.get(action.agenda_item_id, loose).actions.append(action)
    for decision in _decisions(meeting):
        by_area.get(decision.agenda_item_id, loose).decisions.append(decision)
    discussion, mentions = _discussion_rows(meeting, user=user)
    for item in discussion:
        by_area.get(item.agenda_item_id, loose).discussion_items.append(item)
    areas = list(by_area.values())
    if not loose.is_empty:
        areas.append(loose)
    return MeetingPage(
        meeting=meeting,
        areas=areas,
        reviews=_review_rows(meeting, today),
        next_meeting=later[0] if later else None,
        later_meetings=later,
        headline_reports=reports,
        mentions=mentions,
    )


def _decisions(meeting: Meeting) -> list[Any]:
    """The decisions of ``meeting`` (from its JSON list) in ref order, with their CR and who
    decided."""

    decisions = []
    for data in meeting.page_decisions or []:
        decision = _instance(Decision, data)
        decision.meeting = meeting
        decision.change_request = _change_request(data)
        decision.decided_by = (
            _instance(Person, {"id": data["decided_by_id"], "name": data["decided_by_name"]})
            if data["decided_by_id"]
            else None
        )
        decisions.append(decision)
    decisions.sort(key=lambda d: d.seq)
    return decisions


_OWNER_COLUMNS = {
    "owner_id": "owners__id",
    "owner_role": "owners__role",
    "owner_organisation": "owners__organisation__name",
    "owner_person": "owners__person__name",
}


def _owner_text(row: dict[str, Any], prefix: str = "") -> str | None:
    """``Programme (Rob Short)`` or ``Chair`` from a row's owner columns (ActionOwner.display);
    None when the row has no owner."""
    if row[f"{prefix}owner_id"] is None:
        return None
    return owner_columns_text(
        row[f"{prefix}owner_organisation"], row[f"{prefix}owner_role"], row[f"{prefix}owner_person"]
    )


def _action_row(row: dict[str, Any], today: dt.date) -> MeetingActionRow:
    due, status = row["due_date"], row["status"]
    return MeetingActionRow(
        pk=row["id"],
        ref=row["ref"],
        agenda_item_id=row["agenda_item_id"],
        description=row["description"],
        owners=[],
        due_date=due,
        due_meeting_ref=row["due_meeting_ref"] or "",
        status=status,
        closed_date=row["closed_date"],
        is_overdue=action_is_overdue(status=status, due_date=due, today=today),
    )


# The columns of an action row: the action's own and its owner's (one row per owner).
_ACTION_FIELDS = ("id", "ref", "agenda_item_id", "description", "due_date", "status", "closed_date")
_ACTION_JOINED = {"due_meeting_ref": "due_meeting__ref", **_OWNER_COLUMNS}
# Owners in ActionOwner's order: the lead first.
_OWNER_ORDER = ("-owners__is_lead", "owners__order", "owners__id")


def _action_rows(meeting: Meeting, today: dt.date) -> list[MeetingActionRow]:
    """The meeting's actions in ref order with their owners: one query, a row per owner."""

    rows: dict[int, MeetingActionRow] = {}
    for row in (
        Action.objects.filter(meeting=meeting)
        .order_by("seq", *_OWNER_ORDER)
        .values(*_ACTION_FIELDS, **{k: F(v) for k, v in _ACTION_JOINED.items()})
    ):
        action = rows.get(row["id"])
        if action is None:
            action = rows[row["id"]] = _action_row(row, today)
        owner = _owner_text(row)
        if owner is not None:
            action.owners.append(owner)
    return list(rows.values())


def _review_rows(meeting: Meeting, today: dt.date) -> list[MeetingReviewRow]:
    """The earlier actions taken up at ``meeting``, in order, with their owners (one query)."""

    columns = {
        **{f"a_{name}": f"action__{name}" for name in _ACTION_FIELDS},
        **{f"a_{k}": f"action__{v}" for k, v in _ACTION_JOINED.items()},
    }
    rows: dict[int, MeetingReviewRow] = {}
    for row in (
        ActionReview.objects.filter(meeting=meeting)
        .order_by(
            "order", "id", "-action__owners__is_lead", "action__owners__order", "action__owners__id"
        )
        .values("id", "outcome", "new_due_date", "note", **{k: F(v) for k, v in columns.items()})
    ):
        review = rows.get(row["id"])
        if review is None:
            action = _action_row({k[2:]: row[k] for k in columns}, today)
            review = rows[row["id"]] = MeetingReviewRow(
                pk=row["id"],
                action=action,
                outcome=row["outcome"],
                new_due_date=row["new_due_date"],
                note=row["note"],
            )
        owner = _owner_text(row, prefix="a_")
        if owner is not None:
            review.action.owners.append(owner)
    return list(rows.values())


_RESOLVED_COLUMNS = ("meeting", "action", "decision", "change_request", "din")


def _discussion_rows(
    meeting: Meeting, *, user: Any
) -> tuple[list[MeetingDiscussionRow], list[MeetingDiscussionRow]]:
    """The meeting's discussion items in order, and the items of other meetings that mention
    it (of meetings ``user`` may see, in meeting order), each with the refs written in it
    that resolved: one query, one row per reference."""
    mentioning = (
        DiscussionReference.objects.visible_to(user)
        .filter(meeting=meeting)
        .values("discussion_item_id")
    )
    rows: dict[int, MeetingDiscussionRow] = {}
    sort_keys: dict[int, tuple[Any, ...]] = {}
    for row in (
        DiscussionItem.objects.filter(Q(meeting=meeting) | Q(pk__in=mentioning))
        .order_by("id", "references__id")
        .values(
            "id",
            "meeting_id",
            "agenda_item_id",
            "order",
            "text",
            meeting_ref=F("meeting__ref"),
            meeting_start_at=F("meeting__start_at"),
            ref=F("references__ref"),
            kind=F("references__kind"),
            **{f"to_{name}": F(f"references__{name}_id") for name in _RESOLVED_COLUMNS},
        )
    ):
        item = rows.get(row["id"])
        if item is None:
            item = rows[row["id"]] = MeetingDiscussionRow(
                pk=row["id"],
                meeting_id=row["meeting_id"],
                meeting_ref=row["meeting_ref"],
                agenda_item_id=row["agenda_item_id"],
                text=row["text"],
                known_refs={},
            )
            sort_keys[row["id"]] = (row["meeting_start_at"], row["order"], row["id"])
        if row["ref"] is not None and any(row[f"to_{n}"] for n in _RESOLVED_COLUMNS):
            item.known_refs[row["ref"]] = row["kind"]
    ordered = sorted(rows.values(), key=lambda item: sort_keys[item.pk])
    own = [item for item in ordered if item.meeting_id == meeting.pk]
    mentions = [item for item in ordered if item.meeting_id != meeting.pk]
    return own, mentions
