"""Reads of committees, meetings and discussion, and the reference resolver."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
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
    When,
)
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from actions.models import Action, ActionReview
from actions.rows import ActionRow, action_rows
from changerequests.models import ChangeRequest
from core import visibility
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
# the meeting with its short lists (agenda items, decisions, report versions, later meetings,
# reviews of earlier actions) as JSON; the meeting's and the reviewed actions as rows
# (``actions.rows``: their columns, their owners' names); the discussion with its refs and
# the other meetings' mentions. The long lists come back as
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
    report versions (and who asked), the committee's later meetings and the reviews of
    earlier actions taken up at it, each as a JSON list
    (see :func:`meeting_page_get`).

    Built once per process and only ever filtered (a clone), never evaluated itself:
    resolving the three subqueries on every request cost more than running them.
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
        page_later=_json_list(
            later, id="id", ref="ref", start_at="start_at", classification="classification"
        ),
        page_reviews=_json_list(
            ActionReview.objects.filter(meeting_id=OuterRef("pk")),
            id="id",
            order="order",
            action_id="action_id",
            outcome="outcome",
            new_due_date="new_due_date",
            note="note",
            action_meeting_id="action__meeting_id",
            action_classification="action__meeting__classification",
            action_committee_id="action__committee_id",
        ),
    )


@dataclass
class MeetingReviewRow:
    """An earlier action taken up at the meeting (report "Previous Meeting(s)")."""

    pk: int
    action: ActionRow
    outcome: str
    new_due_date: dt.date | None
    note: str
    # The reviewed action is of a meeting the reader may not see: named, not shown.
    is_hidden: bool = False

    @property
    def outcome_label(self) -> str:
        return str(ActionReview.Outcome(self.outcome).label)

    @property
    def is_reopened_since(self) -> bool:
        """Closed at this meeting, open again now (the PMO reopened it with a reason)."""
        return self.outcome == ActionReview.Outcome.CLOSED and self.action.status != "closed"


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
    actions: list[ActionRow]
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
    # Only the later meetings the reader may see are named ("Next meeting"): a Public
    # meeting does not show that DAG030 is planned when DAG030 is Restricted to them.
    seen = visibility.visible_meeting_ids(user, later)
    later = sorted((m for m in later if m.pk in seen), key=lambda m: m.start_at)
    for m in later:
        m.committee = meeting.committee

    by_area: dict[int | None, MeetingArea] = {
        item.pk: MeetingArea(item, [], [], []) for item in agenda_items
    }
    loose = MeetingArea(None, [], [], [])
    actions, reviews = _action_and_review_rows(meeting, today, user=user)
    for action in actions:
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
        reviews=reviews,
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


def _action_and_review_rows(
    meeting: Meeting, today: dt.date, *, user: Any
) -> tuple[list[ActionRow], list[MeetingReviewRow]]:
    """The meeting's actions in ref order, and the earlier actions taken up at it in order
    (the reviews' own columns came with the meeting as JSON): every action read as one list
    of rows (``actions.rows``, two queries). A reviewed action of a meeting ``user`` may not
    see is marked ``is_hidden``: the page names it without its text."""
    reviews = sorted(meeting.page_reviews or [], key=lambda d: (d["order"], d["id"]))
    reviewed = {data["action_id"] for data in reviews}
    rows = action_rows(
        Action.objects.filter(Q(meeting=meeting) | Q(pk__in=reviewed)).order_by(
            "meeting__start_at", "seq"
        ),
        today=today,
        user=user,
    )
    # The reviewed actions' meetings came with the reviews: whether the reader may see
    # each is decided from their seats, without a query (unless only a participation
    # could open one).
    their_meetings = {
        data["action_meeting_id"]: Meeting(
            pk=data["action_meeting_id"],
            classification=data["action_classification"],
            committee_id=data["action_committee_id"],
        )
        for data in reviews
    }
    seen = visibility.visible_meeting_ids(user, their_meetings.values())
    hidden = {data["action_id"] for data in reviews if data["action_meeting_id"] not in seen}
    by_pk = {row.pk: row for row in rows}
    return [row for row in rows if row.meeting_id == meeting.pk], [
        MeetingReviewRow(
            pk=data["id"],
            action=by_pk[data["action_id"]],
            outcome=data["outcome"],
            new_due_date=parse_date(data["new_due_date"][:10]) if data["new_due_date"] else None,
            note=data["note"],
            is_hidden=data["action_id"] in hidden,
        )
        for data in reviews
    ]


_RESOLVED_COLUMNS = ("meeting", "action", "decision", "change_request", "din")


def _linkable_column(user: Any) -> dict[str, Any]:
    """``linkable``: whether the reference's record is one ``user`` may open
    (``core.visibility.linked_record_q``); nothing to read for one who sees every meeting."""
    if visibility.sees_all_meetings(user):
        return {}
    return {
        "linkable": Case(
            When(visibility.linked_record_q(user, "references__"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    }


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
            **_linkable_column(user),
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
        resolved = any(row[f"to_{n}"] for n in _RESOLVED_COLUMNS)
        if row["ref"] is not None and resolved and row.get("linkable", True):
            item.known_refs[row["ref"]] = row["kind"]
    ordered = sorted(rows.values(), key=lambda item: sort_keys[item.pk])
    own = [item for item in ordered if item.meeting_id == meeting.pk]
    mentions = [item for item in ordered if item.meeting_id != meeting.pk]
    return own, mentions
