"""The headline report's data, read in a fixed number of queries.

Layout (DESIGN.md "The headline report"): title and issue date; the header table (Meeting
Number, Venue, Meeting Date and Time, Classification); Actions (this meeting's, then the
``Previous Meeting(s)`` reviews); Decisions; Key Discussion Items with refs in bold; the date
of the next meeting. Rows of one area share one area cell. The HTML preview and the PDF come
from one template (``composer.report_render``).

This module reads what the report shows; ``composer.report_text`` holds its wording (dates,
the next meeting, hidden rows, the discussion cell) and ``composer.report_render`` turns it
into HTML and PDF and keeps the renders.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from actions.models import Action, ActionReview
from actions.rows import ActionRow, action_rows
from composer.report_attendance import INQUORATE_NOTE, AttendanceSection, report_attendance
from composer.report_text import (
    HIDDEN_REVIEW_TEXT,
    PREVIOUS_MEETINGS,
    date_text,
    discussion_cell_html_cached,
    meeting_date_and_time,
    next_meeting_text,
)
from core import visibility
from decisions.models import Decision
from meetings.models import Committee, DiscussionItem, Meeting
from meetings.selectors import meeting_next

# --- the data shown -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    """An earlier action taken up at the meeting (``Previous Meeting(s)``): the action's row
    (``actions.rows``), the due date the report writes for it (the new one when re-dated,
    ``Closed`` when closed, else its own) and the review's note."""

    action: ActionRow
    due: str
    note: str = ""
    # The action is of a meeting some readers of this report may not see
    # (core.visibility.hidden_from_readers_of): printed as "an action of a restricted
    # meeting", without its ref, text or owner.
    is_hidden: bool = False

    @property
    def description(self) -> str:
        return HIDDEN_REVIEW_TEXT if self.is_hidden else self.action.description


@dataclass(frozen=True)
class DecisionRow:
    """One Decisions row: the decision's text and its outcome as the report prints it.

    ``outcome`` is the status in words (``Approved``, ``Rejected``…, and ``Proposed – not yet
    decided`` for one still open), so a reader never takes a proposal for a decision;
    ``conditions`` follow an approval with conditions.
    """

    ref: str
    text: str
    outcome: str = ""
    conditions: str = ""
    is_proposed: bool = False


# The outcome printed for each decision status. The model records no date a deferred
# decision is deferred to, so "Deferred" says no more than that.
DECISION_OUTCOMES = {
    Decision.Status.PROPOSED: "Proposed \u2013 not yet decided",
    Decision.Status.APPROVED: "Approved",
    Decision.Status.APPROVED_WITH_CONDITIONS: "Approved with conditions",
    Decision.Status.REJECTED: "Rejected",
    Decision.Status.DEFERRED: "Deferred",
    Decision.Status.WITHDRAWN: "Withdrawn",
}


def decision_row(decision: Decision, *, is_inquorate: bool = False) -> DecisionRow:
    """The report's row of ``decision``: its text, outcome and (if approved with them) its
    conditions; a decision taken while the meeting was inquorate says so after its outcome."""
    status = decision.status
    outcome = DECISION_OUTCOMES.get(status, decision.get_status_display())
    if is_inquorate and status not in (Decision.Status.PROPOSED, Decision.Status.WITHDRAWN):
        outcome = f"{outcome} \u2013 {INQUORATE_NOTE}"
    return DecisionRow(
        ref=decision.ref,
        text=decision.text,
        outcome=outcome,
        conditions=(
            decision.conditions if status == Decision.Status.APPROVED_WITH_CONDITIONS else ""
        ),
        is_proposed=status == Decision.Status.PROPOSED,
    )


@dataclass(frozen=True)
class DiscussionRow:
    """One Key Discussion Items cell as safe HTML (refs in bold, bullet lists)."""

    html: str


@dataclass(frozen=True)
class AreaGroup:
    """Consecutive rows of one area, shown under one area cell.

    When a long group breaks across pages, the stylesheet names it again at the top of the
    next page ("<area> (continued)", a named string in the page's top-left margin box).
    """

    area: str
    rows: list[Any]

    @property
    def keep_together(self) -> bool:
        """True when the rows fill well under half an A4 page: the PDF never splits them."""
        return sum(_estimated_lines(row) for row in self.rows) <= KEEP_TOGETHER_LINES


@dataclass
class HeadlineReportData:
    """Everything the report shows, as display strings (also what the fingerprint covers).

    A render is either an issued ``version`` (its number, with its ``issue_date``) or a
    draft: ``version`` None, marked DRAFT on every page with ``draft_note`` ("not issued",
    or "changed since version N issued on <date>"; ``composer.report_render`` writes it).
    The version, the issue date and the note are how a render is labelled, not what the
    records say: the fingerprint leaves them out.
    """

    meeting_ref: str
    committee_code: str
    title: str
    issue_date: dt.date | None
    venue: str
    date_and_time: str
    classification: str
    action_groups: list[AreaGroup] = field(default_factory=list)
    review_rows: list[ReviewRow] = field(default_factory=list)
    decision_groups: list[AreaGroup] = field(default_factory=list)
    discussion_groups: list[AreaGroup] = field(default_factory=list)
    next_meeting: str = ""
    version: int | None = None
    draft_note: str = ""
    # Shown only when the PMO switched it on for the meeting (composer.report_attendance).
    attendance: AttendanceSection | None = None

    @property
    def issue_date_text(self) -> str:
        return self.issue_date.strftime("%d/%m/%Y") if self.issue_date else ""

    @property
    def is_draft(self) -> bool:
        return self.version is None

    @property
    def version_text(self) -> str:
        """``Version 2, issued 20/09/2023`` for an issued version; "" for a draft."""
        if self.version is None:
            return ""
        return f"Version {self.version}, issued {self.issue_date_text}"

    @property
    def proposed_decisions(self) -> list[str]:
        """The refs of decisions still proposed (not yet decided), in the report's order."""
        return [row.ref for g in self.decision_groups for row in g.rows if row.is_proposed]

    @property
    def review_group(self) -> AreaGroup:
        """The ``Previous Meeting(s)`` rows as one group."""
        return AreaGroup(area=PREVIOUS_MEETINGS, rows=self.review_rows)

    @property
    def action_count(self) -> int:
        return sum(len(g.rows) for g in self.action_groups)

    @property
    def filename(self) -> str:
        return f"{self.meeting_ref}-headline-report.pdf"


# About 58 lines of 9pt text fit an A4 page inside the margins; a group of up to 30 lines is
# kept on one page, a longer one may break (else it could leave over half a page empty).
KEEP_TOGETHER_LINES = 30


def _estimated_lines(row: Any) -> int:
    if isinstance(row, DiscussionRow):
        text, per_line = re.sub(r"<[^>]+>", "", row.html), 100
        extra = row.html.count("<li>")
    elif isinstance(row, DecisionRow):
        text, per_line, extra = f"{row.text} {row.conditions}", 55, 0
    else:
        text, per_line, extra = row.description, 48, 0
    return max(1, -(-len(text) // per_line)) + extra + 1


def _grouped(items: list[Any], area_of: Any, row_of: Any) -> list[AreaGroup]:
    """Rows grouped by area, areas in the order they first come, rows in their own order.

    An action added later under an earlier area (DAG28-16 under "Design (DIN)") joins that
    area's group rather than opening a second "Design (DIN)" group at the end.
    """
    groups: dict[Any, AreaGroup] = {}
    for item in items:
        key = area_of(item)
        if key not in groups:
            groups[key] = AreaGroup(area=key or "", rows=[])
        groups[key].rows.append(row_of(item))
    return list(groups.values())


def headline_report_data(
    *, meeting: Meeting, issue_date: dt.date | None = None, version: int | None = None
) -> HeadlineReportData:
    """Read everything the report of ``meeting`` shows, in a fixed number of queries (8; 10
    once attendance is recorded: ``composer.report_attendance``).

    ``version`` and ``issue_date`` label a version being issued; without ``version`` the
    data is a draft (its ``draft_note`` is the renderer's to write), and ``issue_date``
    defaults to the meeting's recorded report issue date.
    Due dates are calendar dates (dd/mm/yyyy); times are Europe/London.
    """

    committee = meeting.committee
    actions, review_rows = _report_actions(meeting)
    decisions = list(
        Decision.objects.filter(meeting=meeting).select_related("agenda_item").order_by("seq")
    )
    discussion = list(
        DiscussionItem.objects.filter(meeting=meeting)
        .select_related("agenda_item")
        .order_by("order", "id")
    )
    following = meeting_next(meeting=meeting)
    codes = tuple(Committee.objects.values_list("code", flat=True))
    anchors = _report_anchors(actions, review_rows, decisions)
    present = report_attendance(meeting)

    return HeadlineReportData(
        meeting_ref=meeting.ref,
        committee_code=committee.code,
        title=f"{committee.full_name} ({committee.code}) Headline Report",
        issue_date=issue_date or meeting.report_issue_date,
        venue=meeting.venue,
        date_and_time=meeting_date_and_time(meeting.start_at, meeting.end_at),
        classification=meeting.get_classification_display(),
        action_groups=_grouped(actions, lambda a: a.agenda_item_title or "", lambda a: a),
        review_rows=review_rows,
        decision_groups=_grouped(
            decisions,
            lambda d: d.agenda_item.title if d.agenda_item_id else "",
            lambda d: decision_row(d, is_inquorate=present.is_inquorate),
        ),
        discussion_groups=_grouped(
            discussion,
            lambda i: i.agenda_item.title if i.agenda_item_id else "",
            lambda i: DiscussionRow(html=discussion_cell_html_cached(i.text, codes, anchors)),
        ),
        next_meeting=next_meeting_text(following.start_at) if following else "",
        version=version,
        attendance=present.section,
    )


def _report_actions(meeting: Meeting) -> tuple[list[ActionRow], list[ReviewRow]]:
    """The actions raised at ``meeting`` and the earlier ones taken up at it, in the
    report's order: the reviews are read first, then both kinds as one list of rows
    (``actions.rows``) rather than a read for each."""
    reviews = list(
        ActionReview.objects.filter(meeting=meeting)
        .order_by("order", "id")
        .values_list(
            "action_id",
            "outcome",
            "new_due_date",
            "note",
            "action__meeting_id",
            "action__meeting__classification",
            "action__committee_id",
        )
    )
    rows = action_rows(
        Action.objects.filter(
            Q(meeting=meeting) | Q(pk__in=[action_id for action_id, *_ in reviews])
        ).order_by("meeting__start_at", "seq"),
        today=timezone.localdate(),
        area_titles=True,
    )
    by_pk = {row.pk: row for row in rows}
    actions = [row for row in rows if row.meeting_id == meeting.pk]
    review_rows = [
        _review_row(
            by_pk[action_id],
            outcome,
            new_due,
            note,
            is_hidden=visibility.hidden_from_readers_of(
                meeting,
                record_meeting_id=action_meeting_id,
                classification=classification,
                committee_id=committee_id,
            ),
        )
        for action_id, outcome, new_due, note, action_meeting_id, classification, committee_id in (
            reviews
        )
    ]
    return actions, review_rows


def _review_row(
    action: ActionRow, outcome: str, new_due: dt.date | None, note: str, *, is_hidden: bool
) -> ReviewRow:
    """The report's row of an action taken up: the due date it shows follows the outcome."""
    due = action.due_on
    if outcome == ActionReview.Outcome.RE_DATED and new_due:
        due = date_text(new_due)
    elif outcome == ActionReview.Outcome.CLOSED:
        due = "Closed"
    return ReviewRow(action=action, due=due, note=note, is_hidden=is_hidden)


def _report_anchors(
    actions: list[ActionRow], review_rows: list[ReviewRow], decisions: list[Decision]
) -> frozenset[tuple[str, str]]:
    """The report's own anchors by ref (``DAG28-01`` -> ``action-DAG28-01``): a ref in the
    discussion text links to its row in the report. A frozenset, so that the discussion
    cells' cache can key on it."""
    anchors = {a.ref: f"action-{a.ref}" for a in actions}
    anchors |= {r.action.ref: f"action-{r.action.ref}" for r in review_rows if not r.is_hidden}
    anchors |= {d.ref: f"decision-{d.ref}" for d in decisions}
    return frozenset(anchors.items())
