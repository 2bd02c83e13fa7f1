"""The meeting page's read model: the meeting, its agenda areas with their actions, decisions
and discussion, the earlier actions reviewed at it, the next and later meetings and the
headline report versions, with the access rules of ``core.visibility`` applied.

This module assembles the page and is what views import; the parts live beside it:
``meeting_page_json`` (the short lists read as JSON with the meeting), ``meeting_page_reviews``
(the earlier actions taken up at it) and ``meeting_page_discussion`` (its discussion and the
other meetings' mentions).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, QuerySet
from django.utils import timezone

from actions.rows import ActionRow
from composer.meeting_page_discussion import MeetingDiscussionRow, discussion_read
from composer.meeting_page_json import (
    CR_COLUMNS,
    change_request_from_json,
    instance_from_json,
    json_list,
)
from composer.meeting_page_reviews import (
    MeetingReviewRow,
    action_and_review_rows,
    reviewed_meetings,
    reviews_json_list,
)
from core import visibility
from core.api.db import prepared_statements
from decisions.models import Decision
from meetings.models import OUTER_MEETING, AgendaItem, HeadlineReport, Meeting, Person
from meetings.selectors import meeting_get_for_user

__all__ = [
    "MeetingArea",
    "MeetingDiscussionRow",
    "MeetingPage",
    "MeetingReviewRow",
    "meeting_page_get",
    "meeting_page_get_for_user",
]


# --- the meeting page (browser UI) ----------------------------------------------------------
#
# The meeting page of a busy meeting lists a few hundred actions. It is read in five queries:
# the meeting with its short lists (agenda items, decisions, report versions, later meetings,
# reviews of earlier actions) as JSON; the meeting's and the reviewed actions as rows
# (``actions.rows``: their columns, then their owners' names); the ids of the discussion
# items and the other meetings' mentions, then those items with their refs. The long lists
# come back as plain values grouped in Python, not model instances: building an Action, its
# owners, their organisations and people per row cost more than the rest of the page.


# The columns of the page's decisions (with their CR and who decided) and report versions
# (with who asked), in their JSON objects.
_DECISION_COLUMNS = {
    "id": "id",
    "committee_id": "committee_id",
    "meeting_id": "meeting_id",
    "agenda_item_id": "agenda_item_id",
    "seq": "seq",
    "ref": "ref",
    "text": "text",
    "status": "status",
    "conditions": "conditions",
    "decided_at": "decided_at",
    "decided_by_id": "decided_by_id",
    "decided_by_name": "decided_by__name",
    **CR_COLUMNS,
}
_REPORT_COLUMNS = {
    "id": "id",
    "meeting_id": "meeting_id",
    "version": "version",
    "status": "status",
    "checksum": "checksum",
    "issue_date": "issue_date",
    "error": "error",
    "created_at": "created_at",
    "requested_by_id": "requested_by_id",
    "requested_by_username": "requested_by__username",
}


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
        page_agenda=json_list(
            AgendaItem.objects.filter(meeting_id=OuterRef("pk")),
            id="id",
            meeting_id="meeting_id",
            order="order",
            title="title",
            **CR_COLUMNS,
        ),
        page_decisions=json_list(
            Decision.objects.filter(meeting_id=OuterRef("pk")),
            **_DECISION_COLUMNS,
        ),
        page_reports=json_list(
            HeadlineReport.objects.filter(meeting_id=OuterRef("pk")),
            **_REPORT_COLUMNS,
        ),
        page_later=json_list(
            later, id="id", ref="ref", start_at="start_at", classification="classification"
        ),
        page_reviews=reviews_json_list(),
    )


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

    Five queries whatever the number of records (one more when only a participation
    could open a meeting the page names). Raises Meeting.DoesNotExist when there is
    no such meeting or the user may not see it, ValidationError when ``ref`` is no meeting
    ref.

    On PostgreSQL its reads run prepared (``core.api.db.prepared_statements``): planning
    them cost the database as much as running them (4.4 ms against 4.0 ms for a Chair's
    page of 287 actions at 300,000), and a prepared statement is planned once per
    connection (PostgreSQL plans its first five runs for their values, then keeps a
    generic plan unless that is dearer).
    """
    with prepared_statements():
        meeting = meeting_get_for_user(ref=ref, user=user, queryset=_meetings_with_page_lists())
        return _meeting_page(meeting, user=user, today=today)


def meeting_page_get(*, meeting: Meeting, user: Any, today: dt.date | None = None) -> MeetingPage:
    """The meeting page of ``meeting`` (read again, with its lists): areas in agenda order,
    then records with no area; the earlier actions reviewed at it; the next meeting and the
    later ones; the headline report versions, newest first; and the discussion items of
    other meetings that mention it (those of meetings ``user`` may see).

    Five queries whatever the number of records (see above): each kind is read once and grouped by
    area in Python. ``today`` (default: today in London) decides which actions are overdue.
    """
    return _meeting_page(
        _meetings_with_page_lists().get(pk=meeting.pk),
        user=user,
        today=today,
    )


def _meeting_page(meeting: Meeting, *, user: Any, today: dt.date | None) -> MeetingPage:
    today = today or timezone.localdate()
    later = _later_meetings(meeting)
    discussion_data = discussion_read(meeting, user=user)
    # Whether the reader may see each later meeting, each reviewed action's meeting and the
    # meeting of each record the discussion names is decided from their seats (the meetings
    # came with the page as JSON, and with the discussion), with one query for them all
    # when only a participation could open some.
    seen = visibility.visible_meeting_ids(
        user, [*later, *reviewed_meetings(meeting), *discussion_data.linked_meetings()]
    )
    # Only the later meetings the reader may see are named ("Next meeting"): a Public
    # meeting does not show that DAG030 is planned when DAG030 is Restricted to them.
    later = [m for m in later if m.pk in seen]
    by_area: dict[int | None, MeetingArea] = {
        item.pk: MeetingArea(item, [], [], []) for item in _agenda_items(meeting)
    }
    loose = MeetingArea(None, [], [], [])
    actions, reviews = action_and_review_rows(meeting, today, user=user, seen_meetings=seen)
    for action in actions:
        by_area.get(action.agenda_item_id, loose).actions.append(action)
    for decision in _decisions(meeting):
        by_area.get(decision.agenda_item_id, loose).decisions.append(decision)
    discussion, mentions = discussion_data.split(seen)
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
        headline_reports=_headline_reports(meeting),
        mentions=mentions,
    )


def _agenda_items(meeting: Meeting) -> list[AgendaItem]:
    """The agenda items of ``meeting`` (from its JSON list) in order, with their CR."""
    agenda_items = []
    for data in sorted(meeting.page_agenda or [], key=lambda d: (d["order"], d["id"])):
        item = instance_from_json(AgendaItem, data)
        item.meeting = meeting
        item.change_request = change_request_from_json(data)
        agenda_items.append(item)
    return agenda_items


def _headline_reports(meeting: Meeting) -> list[HeadlineReport]:
    """The headline report versions of ``meeting`` (from its JSON list), newest first, with
    who asked for each."""
    reports = []
    for data in sorted(meeting.page_reports or [], key=lambda d: -d["version"]):
        report = instance_from_json(HeadlineReport, data)
        report.meeting = meeting
        report.requested_by = (
            instance_from_json(
                get_user_model(),
                {"id": data["requested_by_id"], "username": data["requested_by_username"]},
            )
            if data["requested_by_id"]
            else None
        )
        reports.append(report)
    return reports


def _later_meetings(meeting: Meeting) -> list[Meeting]:
    """The committee's later meetings, soonest first (the first the reader may see is the
    page's "Next meeting")."""
    later = sorted(
        (
            instance_from_json(Meeting, {**data, "committee_id": meeting.committee_id})
            for data in meeting.page_later or []
        ),
        key=lambda m: m.start_at,
    )
    for m in later:
        m.committee = meeting.committee
    return later


def _decisions(meeting: Meeting) -> list[Any]:
    """The decisions of ``meeting`` (from its JSON list) in ref order, with their CR and who
    decided."""

    decisions = []
    for data in meeting.page_decisions or []:
        decision = instance_from_json(Decision, data)
        decision.meeting = meeting
        decision.change_request = change_request_from_json(data)
        decision.decided_by = (
            instance_from_json(
                Person, {"id": data["decided_by_id"], "name": data["decided_by_name"]}
            )
            if data["decided_by_id"]
            else None
        )
        decisions.append(decision)
    decisions.sort(key=lambda d: d.seq)
    return decisions
