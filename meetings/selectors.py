"""Reads of committees, meetings and discussion, and the reference resolver."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet

from . import refs, roles
from .models import Committee, DiscussionItem, DiscussionReference, Meeting


@dataclass(frozen=True)
class ResolvedRef:
    """A ref found in text and the record it names (``record`` is None when not recorded).

    ``field`` is the DiscussionReference column that holds this kind of record.
    """

    kind: str
    ref: str
    text: str
    start: int
    end: int
    record: Model | None
    field: str


_FIELD_BY_KIND = {
    refs.RefKind.MEETING: "meeting",
    refs.RefKind.ACTION: "action",
    refs.RefKind.DECISION: "decision",
    refs.RefKind.CHANGE_REQUEST: "change_request",
    refs.RefKind.DIN: "din",
    refs.RefKind.DESIGN_ARTEFACT: "",
}


def _models_by_kind() -> dict[str, Any]:
    from actions.models import Action
    from changerequests.models import ChangeRequest, DesignIssueNotification
    from decisions.models import Decision

    return {
        refs.RefKind.MEETING: Meeting,
        refs.RefKind.ACTION: Action,
        refs.RefKind.DECISION: Decision,
        refs.RefKind.CHANGE_REQUEST: ChangeRequest,
        refs.RefKind.DIN: DesignIssueNotification,
    }


def committee_codes() -> list[str]:
    """Codes of every committee in the installation (``["DAG", "DRG"]``)."""
    return list(Committee.objects.values_list("code", flat=True))


def references_resolve(*, text: str, codes: list[str] | None = None) -> list[ResolvedRef]:
    """Find the refs written in ``text`` and the records they name.

    One query per kind of ref present (plus one for the committee codes when ``codes`` is
    not given), whatever the number of refs. Refs with no record yet keep ``record=None``.
    """
    found = refs.find_refs(text, committee_codes() if codes is None else codes)
    by_kind: dict[str, set[str]] = {}
    for f in found:
        by_kind.setdefault(f.kind, set()).add(f.ref)
    records: dict[tuple[str, str], Model] = {}
    for kind, model in _models_by_kind().items():
        wanted = by_kind.get(kind)
        if wanted:
            for record in model.objects.filter(ref__in=wanted):
                records[(kind, record.ref)] = record
    return [
        ResolvedRef(
            kind=f.kind,
            ref=f.ref,
            text=f.text,
            start=f.start,
            end=f.end,
            record=records.get((f.kind, f.ref)),
            field=_FIELD_BY_KIND[f.kind],
        )
        for f in found
    ]


def meeting_next(*, meeting: Meeting) -> Meeting | None:
    """The meeting after ``meeting``: "Date of next DAG" in its report and on its page.

    The committee's earliest meeting whose ``start_at`` is later than ``meeting``'s, whatever
    its status (the next meeting stays the next one once it is held), leaving out an
    import's placeholders (their dates are guesses). None when none is recorded.
    """
    return (
        Meeting.objects.real()
        .filter(committee_id=meeting.committee_id, start_at__gt=meeting.start_at)
        .select_related("committee")
        .order_by("start_at")
        .first()
    )


def committee_next_meetings() -> dict[int, Meeting]:
    """Each committee's next meeting, ``{committee_id: meeting}``, in one query.

    The next meeting is the committee's earliest meeting still *planned* (not yet held) that
    is not an import's placeholder (DESIGN.md: "Date of next meeting is derived from the
    next planned meeting"). It is :func:`meeting_next` of the committee's last meeting held:
    used by "due before the next meeting" filters and "my actions".
    """
    result: dict[int, Meeting] = {}
    for meeting in (
        Meeting.objects.planned().real().select_related("committee").order_by("start_at")
    ):
        result.setdefault(meeting.committee_id, meeting)
    return result


def meeting_list_for_user(*, user: Any) -> QuerySet[Meeting]:
    """Meetings ``user`` may see: Observers see Public meetings only (DESIGN.md roles)."""
    qs = Meeting.objects.select_related("committee")
    if roles.is_observer_only(user):
        qs = qs.visible_to_public()
    return qs


def meeting_get_for_user(*, ref: str, user: Any) -> Meeting:
    """The meeting with ``ref`` if ``user`` may see it; raises Meeting.DoesNotExist otherwise."""
    return meeting_list_for_user(user=user).get(ref=refs.meeting_ref(*_meeting_key(ref)))


def _meeting_key(ref: str) -> tuple[str, int, int]:
    key = refs.parse_meeting_ref(ref)
    return key.code, key.number, key.sub_number


def discussions_of(*, field: str, record: Model) -> QuerySet[DiscussionItem]:
    """Discussion items that name ``record`` ("where was this discussed"), in meeting order.

    ``field`` is the DiscussionReference column: ``action``, ``decision``,
    ``change_request``, ``din`` or ``meeting``.
    """
    item_ids = DiscussionReference.objects.filter(**{field: record}).values("discussion_item_id")
    return (
        DiscussionItem.objects.filter(pk__in=item_ids)
        .select_related("meeting__committee", "agenda_item")
        .order_by("meeting__start_at", "order")
    )


# --- the meeting page (browser UI) ----------------------------------------------------------


@dataclass
class MeetingArea:
    """One agenda area of a meeting page with its actions, decisions and discussion.

    ``agenda_item`` is None for records filed under no area.
    """

    agenda_item: Any
    actions: list[Any]
    decisions: list[Any]
    discussion_items: list[DiscussionItem]

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
    reviews: list[Any]
    next_meeting: Meeting | None
    headline_reports: list[Any]
    mentions: list[DiscussionItem]


def meeting_page_get(*, meeting: Meeting, public_only: bool = False) -> MeetingPage:
    """Areas (in agenda order, then records with no area), reviews of earlier actions, the
    next planned meeting, the headline report versions of ``meeting`` and the discussion
    items of other meetings that mention it (of Public meetings only with ``public_only``,
    for Observers).

    About ten queries whatever the number of records: each kind is read once and grouped
    by area in Python.
    """
    from actions.selectors import action_list_for_meeting, action_review_list_for_meeting
    from decisions.selectors import decision_list_for_meeting

    from .models import HeadlineReport

    agenda_items = list(meeting.agenda_items.select_related("change_request").order_by("order"))
    actions = action_list_for_meeting(meeting=meeting)
    decisions = decision_list_for_meeting(meeting=meeting)
    discussion = list(
        meeting.discussion_items.select_related("agenda_item")
        .prefetch_related("references")
        .order_by("order", "id")
    )
    by_area: dict[int | None, MeetingArea] = {
        item.pk: MeetingArea(item, [], [], []) for item in agenda_items
    }
    loose = MeetingArea(None, [], [], [])
    for action in actions:
        by_area.get(action.agenda_item_id, loose).actions.append(action)
    for decision in decisions:
        by_area.get(decision.agenda_item_id, loose).decisions.append(decision)
    for item in discussion:
        by_area.get(item.agenda_item_id, loose).discussion_items.append(item)
    areas = list(by_area.values())
    if not loose.is_empty:
        areas.append(loose)
    next_meeting = meeting_next(meeting=meeting)
    reports = list(
        HeadlineReport.objects.filter(meeting=meeting)
        .select_related("requested_by")
        .order_by("-version")
    )
    mentions_qs = discussions_of(field="meeting", record=meeting).exclude(meeting=meeting)
    if public_only:
        mentions_qs = mentions_qs.filter(meeting__classification=Meeting.Classification.PUBLIC)
    mentions = list(mentions_qs)
    return MeetingPage(
        meeting=meeting,
        areas=areas,
        reviews=action_review_list_for_meeting(meeting=meeting),
        next_meeting=next_meeting,
        headline_reports=reports,
        mentions=mentions,
    )
