"""Matters arising: what changed since the committee's previous meeting, read from the records'
own history (django-simple-history rows, as ``core.history`` reads them) rather than a log
of its own.

For a meeting, the window runs from the end of the committee's previous meeting (its start
when no end is recorded) to the meeting's start, or now when that is earlier. In it:

- actions closed and actions re-dated (a status or due-date change in an action's history
  rows, with who made it and when);
- actions newly overdue (open and due before the window's last day, not before its
  first: ``Action.objects.overdue``);
- progress updates posted (the update rows, by their author);
- decisions taken (a change out of proposed in a decision's history);
- change requests whose status moved (programme-wide, as CRs are).

Every list holds only what the reader may see (``visible_to(user)``, ``core.visibility``).
The meeting pack's section (``composer.since_last_pack``) passes its least-privileged reader
and ``with_meeting_records``: every reader of a pack reads its meeting, so the records of
that meeting itself are theirs whatever its classification.

A decision is dated when it was decided (``decided_at``), not when the row changed: an
import records a report's decisions as taken at the report's meeting, so a decision of
DAG028 imported a week later is not "taken between meetings".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from actions.models import Action, ActionUpdate
from changerequests.models import ChangeRequest
from core.history import actor_name
from decisions.models import Decision
from meetings.models import Meeting

DECIDED = {
    Decision.Status.APPROVED,
    Decision.Status.APPROVED_WITH_CONDITIONS,
    Decision.Status.REJECTED,
    Decision.Status.DEFERRED,
}


@dataclass(frozen=True)
class Change:
    """One line of the view: the record (for its link), what happened, who and when."""

    record: Any
    what: str
    who: str = ""
    at: dt.datetime | None = None


@dataclass
class SinceLast:
    meeting: Meeting
    previous: Meeting | None
    previous_named: bool = False  # whether the reader may see (and so be told) which it was
    with_meeting_records: bool = False
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    closed: list[Change] = field(default_factory=list)
    re_dated: list[Change] = field(default_factory=list)
    overdue: list[Change] = field(default_factory=list)
    updates: list[Change] = field(default_factory=list)
    decisions: list[Change] = field(default_factory=list)
    change_requests: list[Change] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return (
            not any((self.closed, self.re_dated, self.overdue, self.updates, self.decisions))
            and not self.change_requests
        )


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "no date"


def _history_moves(model: Any, ids: Any, since: dt.datetime, until: dt.datetime) -> list[Any]:
    """``(row, previous row)`` of each change of the records ``ids`` in the window, oldest
    first, from their history rows (two queries: which records changed, then their rows up
    to the window's end, each row read against the one before it)."""
    changed = (
        model.history.filter(history_date__gt=since, history_date__lte=until, id__in=ids)
        .values_list("id", flat=True)
        .distinct()
    )
    rows = (
        model.history.filter(id__in=list(changed), history_date__lte=until)
        .select_related("history_user__person")
        .order_by("id", "history_date", "history_id")
    )
    previous: dict[int, Any] = {}
    moves = []
    for row in rows:
        before = previous.get(row.id)
        previous[row.id] = row
        if before is not None and row.history_type == "~" and row.history_date > since:
            moves.append((row, before))
    return sorted(moves, key=lambda m: m[0].history_date)


def _visible(model: Any, result: SinceLast, user: Any) -> Any:
    """The committee's records of ``model`` that ``user`` may see (and, for a pack, the
    records of the meeting itself: every reader of the pack reads that meeting)."""
    visible = model.objects.visible_to(user)
    if result.with_meeting_records:
        visible = visible | model.objects.filter(meeting_id=result.meeting.pk)
    return visible.filter(committee_id=result.meeting.committee_id)


def _action_changes(result: SinceLast, user: Any) -> None:
    since, until = result.since, result.until
    visible = _visible(Action, result, user)
    moves = _history_moves(Action, visible.values("pk"), since, until)
    records = Action.objects.in_bulk([row.id for row, _ in moves])
    for row, before in moves:
        who, action = actor_name(row.history_user), records.get(row.id)
        if row.status == Action.Status.CLOSED and before.status != Action.Status.CLOSED:
            result.closed.append(
                Change(action, f"Closed {_date(row.closed_date)}", who, row.history_date)
            )
        if row.due_date != before.due_date:
            what = f"Re-dated from {_date(before.due_date)} to {_date(row.due_date)}"
            result.re_dated.append(Change(action, what, who, row.history_date))
    first, last = timezone.localtime(since).date(), timezone.localtime(until).date()
    for action in visible.overdue(last).exclude(pk__in=Action.objects.overdue(first)):
        result.overdue.append(Change(action, f"Due {_date(action.due_date)}, still open"))
    updates = (
        ActionUpdate.objects.filter(action__in=visible, created_at__gt=since, created_at__lte=until)
        .select_related("action", "author__person")
        .order_by("created_at", "id")
    )
    result.updates = [Change(u.action, u.text, actor_name(u.author), u.created_at) for u in updates]


def _decision_changes(result: SinceLast, user: Any, now: dt.datetime) -> None:
    visible = _visible(Decision, result, user)
    # Rows written up to now: an import after the window may record a decision taken in it.
    moves = _history_moves(Decision, visible.values("pk"), result.since, max(now, result.until))
    records = Decision.objects.in_bulk([row.id for row, _ in moves])
    for row, before in moves:
        at = row.decided_at or row.history_date
        if not result.since < at <= result.until:
            continue  # decided at or before the previous meeting (an import), or after
        if row.status in DECIDED and before.status != row.status:
            what = f"{row.get_status_display()} (was {before.get_status_display().lower()})"
            result.decisions.append(
                Change(records.get(row.id), what, actor_name(row.history_user), at)
            )
    result.decisions.sort(key=lambda change: change.at)


def _change_request_changes(result: SinceLast) -> None:
    moves = _history_moves(
        ChangeRequest, ChangeRequest.objects.values("pk"), result.since, result.until
    )
    records = ChangeRequest.objects.in_bulk([row.id for row, _ in moves])
    for row, before in moves:
        if row.status != before.status:
            what = f"{before.get_status_display()} → {row.get_status_display()}"
            result.change_requests.append(
                Change(records.get(row.id), what, actor_name(row.history_user), row.history_date)
            )


def since_last_meeting(
    *,
    meeting: Meeting,
    user: Any,
    now: dt.datetime | None = None,
    with_meeting_records: bool = False,
) -> SinceLast:
    """What changed between the committee's previous meeting and ``meeting`` (or now, when
    that is earlier), as ``user`` may see it. Nothing when there is no previous meeting.
    ``with_meeting_records`` adds the records of ``meeting`` itself (for its pack)."""
    now = now or timezone.now()
    previous = (
        Meeting.objects.real()
        .filter(committee_id=meeting.committee_id, start_at__lt=meeting.start_at)
        .order_by("-start_at")
        .first()
    )
    result = SinceLast(
        meeting=meeting, previous=previous, with_meeting_records=with_meeting_records
    )
    if previous is None:
        return result
    # The window starts at the previous meeting whoever reads it; a reader who may not see
    # that meeting is not told which it was.
    result.previous_named = Meeting.objects.visible_to(user).filter(pk=previous.pk).exists()
    result.since = previous.end_at or previous.start_at
    result.until = min(now, meeting.start_at)
    if result.until <= result.since:
        return result
    _action_changes(result, user)
    _decision_changes(result, user, now)
    _change_request_changes(result)
    return result
