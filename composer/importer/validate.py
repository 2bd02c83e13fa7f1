"""Validating what was read: the header fields and each table record, into plain records.

Every check reports through ``problem(line, message)`` and goes on, so one pass lists every
problem of the file; a value that fails is left out (or at its empty default).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from actions.services import OwnerSpec
from core import refs
from core.services import name_length_check
from meetings.models import Meeting, Organisation, Person

from .reader import ReadReport
from .records import ParsedAction, ParsedDecision
from .tables import Record
from .text import LONDON, parse_date, parse_date_and_times, plain, squash

Problem = Callable[[int | None, str], None]

_PREVIOUS_RE = re.compile(r"\bprevious\s+meeting", re.IGNORECASE)
_NO_DATE = {"TBC", "TBA", "N/A", "-", "–"}


@dataclass
class Header:
    """The report's header fields, validated (empty defaults where a field failed)."""

    code: str = ""
    full_name: str = ""
    number: int = 0
    sub_number: int = 0
    venue: str = ""
    start_at: dt.datetime | None = None
    end_at: dt.datetime | None = None
    classification: str = Meeting.Classification.PUBLIC.value
    issue_date: dt.date | None = None
    next_at: dt.datetime | None = None
    next_line: int | None = None


def header_validate(found: ReadReport, problem: Problem) -> Header:
    """The title, header table, issue date and next meeting's date, checked."""
    fields = found.fields
    header = Header(venue=fields["venue"][1] if "venue" in fields else "")
    _committee_validate(fields, header, problem)
    _meeting_validate(fields, header, problem)
    _classification_validate(fields, header, problem)
    if "issue_date" in fields:
        line, value = fields["issue_date"]
        try:
            header.issue_date = parse_date(value)
        except ValueError as exc:
            problem(line, f"Issue date: {exc}")
    if "next" in fields:
        header.next_line, what, when = fields["next"]
        start = header.start_at
        try:
            header.next_at, _ = parse_date_and_times(
                when, default_time=start.astimezone(LONDON).time() if start else None
            )
        except ValueError as exc:
            problem(header.next_line, f"Date of next {what}: {exc}")
    return header


def _committee_validate(fields: dict, header: Header, problem: Problem) -> None:
    if "title" not in fields:
        problem(None, "no title such as “# MHHS Design Advisory Group (DAG) Headline Report”")
        return
    line, header.full_name, header.code = fields["title"]
    try:
        refs.validate_committee_code(header.code)
    except ValidationError:
        problem(line, f"“{header.code}” is not a committee code")


def _meeting_validate(fields: dict, header: Header, problem: Problem) -> None:
    if "number" not in fields:
        problem(None, "no “Meeting Number” in the header table")
    else:
        line, value = fields["number"]
        try:
            key = refs.parse_meeting_ref(value)
        except ValidationError as exc:
            problem(line, exc.messages[0])
        else:
            header.number, header.sub_number = key.number, key.sub_number
            if header.code and key.code != header.code:
                problem(line, f"meeting {value} is not a meeting of the {header.code} in the title")
    if "when" not in fields:
        problem(None, "no “Meeting Date and Time” in the header table")
        return
    line, value = fields["when"]
    try:
        header.start_at, header.end_at = parse_date_and_times(value)
    except ValueError as exc:
        problem(line, f"Meeting Date and Time: {exc}")


def _classification_validate(fields: dict, header: Header, problem: Problem) -> None:
    if "classification" not in fields:
        return
    line, value = fields["classification"]
    by_label = {label.lower(): val for val, label in Meeting.Classification.choices}
    if value.lower() in by_label:
        header.classification = by_label[value.lower()]
        return
    problem(
        line,
        f"Classification “{value}” is not one of "
        f"{', '.join(label for _, label in Meeting.Classification.choices)}",
    )


def actions_validate(
    records: list[Record],
    areas: list[str],
    header: Header,
    seen_refs: dict[str, int],
    problem: Problem,
) -> tuple[list[ParsedAction], list[ParsedAction]]:
    """The Actions rows as ``(actions of this meeting, reviews of earlier ones)``.

    ``seen_refs`` (ref -> line) collects the refs read so far, to report a ref listed twice.
    """
    actions: list[ParsedAction] = []
    reviews: list[ParsedAction] = []
    for record, area in zip(records, areas, strict=True):
        parsed = _action_validate(record, area, header, seen_refs, problem)
        if parsed is not None:
            (reviews if parsed.is_review else actions).append(parsed)
    return actions, reviews


def _action_validate(
    record: Record, area: str, header: Header, seen_refs: dict[str, int], problem: Problem
) -> ParsedAction | None:
    ref_text, description, owner_text, due_text = (squash(c) for c in record.cells)
    code, meeting = header.code, (header.number, header.sub_number)
    try:
        key = refs.parse_action_ref(ref_text)
    except ValidationError as exc:
        problem(record.line, exc.messages[0])
        return None
    ref = refs.action_ref(key.code, key.number, key.sub_number, key.seq)
    if ref in seen_refs:
        problem(record.line, f"{ref} is listed twice (also on line {seen_refs[ref]})")
        return None
    seen_refs[ref] = record.line
    if code and key.code != code:
        problem(record.line, f"{ref} is not an action of the {code}")
        return None
    is_review = (key.number, key.sub_number) != meeting
    if is_review and (key.number, key.sub_number) > meeting:
        problem(record.line, f"{ref} was raised after {refs.meeting_ref(code, *meeting)}")
        return None
    if not is_review and _PREVIOUS_RE.search(area):
        problem(record.line, f"{ref} is under “{area}” but was raised at this meeting")
        return None
    description = plain(description)
    if not description:
        problem(record.line, f"{ref} has no action text")
    return ParsedAction(
        line=record.line,
        ref=ref,
        key=key,
        area="" if _PREVIOUS_RE.search(area) else area,
        description=description,
        owners=_owners_validate(record.line, ref, owner_text, problem),
        due_date=_due_validate(record.line, ref, due_text, problem),
        is_review=is_review,
    )


def _owners_validate(line: int, ref: str, text: str, problem: Problem) -> list[OwnerSpec]:
    owners = []
    parts = [p for p in re.split(r"\s*;\s*|\s+/\s+|\n", plain(text)) if p]
    if not parts:
        problem(line, f"{ref} has no owner")
    for part in parts:
        try:
            spec = OwnerSpec.from_text(part)
        except ValidationError as exc:
            problem(line, f"{ref} owner: {exc.messages[0]}")
            continue
        try:
            # Checked here, before anything is written: the person is made only at the write.
            name_length_check(Person, spec.person)
            name_length_check(Organisation, spec.party)
        except ValidationError as exc:
            problem(line, exc.messages[0])
            continue
        owners.append(spec)
    return owners


def _due_validate(line: int, ref: str, text: str, problem: Problem) -> dt.date | None:
    if not text or text.upper() in _NO_DATE:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        problem(line, f"{ref} due date: {exc}")
        return None


def decisions_validate(
    records: list[Record],
    areas: list[str],
    code: str,
    seen_refs: dict[str, int],
    problem: Problem,
) -> list[ParsedDecision]:
    """The Decisions rows; ``seen_refs`` as for :func:`actions_validate`."""
    decisions: list[ParsedDecision] = []
    for record, area in zip(records, areas, strict=True):
        ref_text, body = squash(record.cells[0]), record.cells[1]
        try:
            key = refs.parse_decision_ref(ref_text)
        except ValidationError as exc:
            problem(record.line, exc.messages[0])
            continue
        ref = refs.decision_ref(key.code, key.seq)
        if code and key.code != code:
            problem(record.line, f"{ref} is not a decision of the {code}")
            continue
        if ref in seen_refs:
            problem(record.line, f"{ref} is listed twice (also on line {seen_refs[ref]})")
            continue
        seen_refs[ref] = record.line
        if not plain(body):
            problem(record.line, f"{ref} has no decision text")
        decisions.append(ParsedDecision(record.line, ref, key.seq, area, plain(body)))
    return decisions
