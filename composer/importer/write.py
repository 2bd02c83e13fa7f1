"""Writing a parsed report: every record in turn, each in a savepoint, problems collected.

The order matters: the committee and meeting first (everything hangs on them), then the
change requests (areas, actions, decisions and DINs link to them), the agenda areas, the
records, the discussion, the next meeting, and last the references elsewhere to what was
created now.
"""

from __future__ import annotations

from typing import Any

from .records import ParsedReport
from .results import ImportResult
from .write_meeting import (
    agenda_item_write,
    change_request_write,
    committee_write,
    din_write,
    meeting_write,
    next_meeting_write,
)
from .write_records import (
    action_write,
    decision_write,
    discussion_write,
    other_references_refresh,
    review_write,
)
from .writer import Writer


def report_write(parsed: ParsedReport, result: ImportResult, *, acting_user: Any) -> Writer:
    """Write ``parsed`` (inside the caller's transaction); the Writer holds any problems."""
    w = Writer(parsed, result, acting_user)
    w.step(None, lambda: committee_write(w))
    if w.problems:
        return w
    w.step(None, lambda: meeting_write(w))
    if w.problems:
        return w
    for number, line in parsed.change_request_lines.items():
        w.step(line or None, lambda n=number: change_request_write(w, n))
    for order, title in enumerate(parsed.areas, start=1):
        w.step(None, lambda o=order, t=title: agenda_item_write(w, o, t))
    for action in parsed.actions:
        w.step(action.line, lambda a=action: action_write(w, a))
    for review in parsed.reviews:
        w.step(review.line, lambda r=review: review_write(w, r))
    for decision in parsed.decisions:
        w.step(decision.line, lambda d=decision: decision_write(w, d))
    for number, area in parsed.din_numbers.items():
        w.step(None, lambda n=number, a=area: din_write(w, n, a))
    w.step(None, lambda: discussion_write(w))
    if parsed.next_meeting_at is not None:
        w.step(parsed.next_meeting_line, lambda: next_meeting_write(w))
    w.step(None, lambda: other_references_refresh(w))
    return w
