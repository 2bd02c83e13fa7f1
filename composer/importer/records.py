"""The plain records a headline report parses into, validated and ready to write."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from core import refs


@dataclass
class ParsedAction:
    """An Actions row: a new action of the meeting, or (``is_review``) an earlier one."""

    line: int
    ref: str
    key: refs.ActionKey
    area: str
    description: str
    owners: list[Any]  # actions.services.OwnerSpec
    due_date: dt.date | None
    is_review: bool = False


@dataclass
class ParsedDecision:
    """A Decisions row."""

    line: int
    ref: str
    seq: int
    area: str
    text: str


@dataclass
class ParsedDiscussion:
    """A Key Discussion Items cell: sanitised HTML (``b``, ``u``, ``br``)."""

    line: int
    area: str
    text: str


@dataclass
class ParsedReport:
    """Everything read from a headline report, validated, ready to write.

    Times are aware datetimes in Europe/London; dates are calendar dates.
    """

    committee_code: str
    committee_full_name: str
    meeting_number: int
    meeting_sub_number: int
    venue: str
    start_at: dt.datetime
    end_at: dt.datetime | None
    classification: str
    issue_date: dt.date | None
    areas: list[str]
    actions: list[ParsedAction]
    reviews: list[ParsedAction]
    decisions: list[ParsedDecision]
    discussion: list[ParsedDiscussion]
    change_request_titles: dict[int, str]
    change_request_lines: dict[int, int]
    din_numbers: dict[int, str]  # DIN number -> area it was discussed under
    next_meeting_at: dt.datetime | None
    next_meeting_line: int | None = None

    @property
    def meeting_ref(self) -> str:
        return refs.meeting_ref(self.committee_code, self.meeting_number, self.meeting_sub_number)
