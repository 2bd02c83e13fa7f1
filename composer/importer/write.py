"""Writing a parsed report: every record in turn, each in a savepoint, problems collected;
the report's new actions, decisions and discussion items each in one batch (issue #18), a
batch's problems under their rows' lines.

The order matters: the committee and meeting first (everything hangs on them), then the
change requests (areas, actions, decisions and DINs link to them), the agenda areas, the
records, the discussion, the next meeting, and last the references elsewhere to what was
created now. What the records are compared with is read once beforehand (:mod:`.prefetch`);
what the import wrote is recorded last, for the next import (:mod:`.baseline`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from changerequests.models import DesignIssueNotification

from .prefetch import change_requests_prefetch, new_names, records_prefetch
from .records import ParsedReport
from .results import ImportResult
from .write_decisions import decision_created, decision_write, new_decisions_write
from .write_meeting import (
    agenda_item_write,
    change_request_write,
    committee_write,
    din_write,
    meeting_write,
    next_meeting_write,
)
from .write_records import (
    action_created,
    action_write,
    discussion_write,
    new_actions_write,
    other_references_refresh,
    review_write,
)
from .writer import Writer


def report_write(
    parsed: ParsedReport,
    result: ImportResult,
    *,
    acting_user: Any,
    take_imported: Collection[str] = (),
    progress: Callable[[int, int, str], None] | None = None,
) -> Writer:
    """Write ``parsed`` (inside the caller's transaction); the Writer holds any problems.

    ``take_imported``: the keys of the conflicts (``ImportConflict.key``) for which the
    report's value is written; every other conflict keeps the tracker's value.
    ``progress`` is told (records written, records in all, what is being written) as each
    kind of record is written.
    """
    w = Writer(parsed, result, acting_user, take_imported)
    told = _Told(parsed, progress)
    w.step(None, lambda: committee_write(w))
    if w.problems:
        return w
    w.step(None, lambda: meeting_write(w))
    if w.problems:
        return w
    records_prefetch(w)
    result.new_people, result.new_organisations = new_names(w)
    _frame_write(w)
    told("Writing the actions")
    new = new_actions_write(w, [a for a in parsed.actions if a.ref not in w.actions])
    for action in parsed.actions:
        if action.ref in new:
            action_created(w, action, new[action.ref])
        elif action.ref in w.actions:
            w.step(action.line, lambda a=action: action_write(w, a))
    told("Writing the reviews of earlier actions", len(parsed.actions))
    for review in parsed.reviews:
        w.step(review.line, lambda r=review: review_write(w, r))
    told("Writing the decisions", len(parsed.reviews))
    made = new_decisions_write(w, [d for d in parsed.decisions if d.ref not in w.decisions])
    for decision in parsed.decisions:
        if decision.ref in made:
            decision_created(w, decision, made[decision.ref])
        elif decision.ref in w.decisions:
            w.step(decision.line, lambda d=decision: decision_write(w, d))
    dins = set(
        DesignIssueNotification.objects.filter(number__in=list(parsed.din_numbers)).values_list(
            "number", flat=True
        )
    )
    for number, area in parsed.din_numbers.items():
        w.step(None, lambda n=number, a=area: din_write(w, n, a, n in dins))
    told("Writing the discussion", len(parsed.decisions))
    w.step(None, lambda: discussion_write(w))
    told("Linking the records", len(parsed.discussion))
    if parsed.next_meeting_at is not None:
        w.step(parsed.next_meeting_line, lambda: next_meeting_write(w))
    w.step(None, lambda: other_references_refresh(w))
    if not w.problems:
        w.baselines.save()
    return w


class _Told:
    """Tells ``progress`` how many of the report's records are written so far."""

    def __init__(self, p: ParsedReport, progress: Callable[[int, int, str], None] | None):
        self.progress = progress
        self.done = 0
        self.total = len(p.actions) + len(p.reviews) + len(p.decisions) + len(p.discussion)

    def __call__(self, step: str, written: int = 0) -> None:
        self.done += written
        if self.progress is not None:
            self.progress(self.done, self.total, step)


def _frame_write(w: Writer) -> None:
    """The change requests the report names and the meeting's agenda areas."""
    crs = change_requests_prefetch(w)
    for number, line in w.p.change_request_lines.items():
        w.step(line or None, lambda n=number: change_request_write(w, n, crs.get(n)))
    agenda = {item.title: item for item in w.meeting_written().agenda_items.all()}
    for order, title in enumerate(w.p.areas, start=1):
        w.step(None, lambda o=order, t=title: agenda_item_write(w, o, t, agenda.get(t)))
