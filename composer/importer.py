"""Import a headline report (the text of its PDF) into linked records.

The input is the text form of ``seeds/DAG028-headline-report.txt``: Markdown-like headings
(title, issue date, ``Actions``, ``Decisions``, ``Key Discussion Items``), tab-separated table
rows, and ``Date of next DAG: …``. It was extracted from a PDF, so:

* a merged Area cell prints its words on some rows of its group, often the middle ones
  (``Minutes and`` … ``Actions``; ``CR023`` / ``Decision``), and the other rows of the group
  have an empty Area cell;
* a page number sits in a stray row, repeated table headers may appear on a new page;
* a cell broken over several rows continues on rows whose key cell (Ref) is empty; bullet
  points of one discussion cell come as rows of their own.

How the areas are rebuilt (nothing here is specific to one file):

1. The Area fragments of one table are joined into labels when the joined text is an area the
   report prints whole somewhere (the Decisions table prints ``Minutes and Actions`` and
   ``CR023 Decision`` in one cell), when one fragment ends with a joining word
   (``Minutes and``), or when both sit on the same record. A row between two fragments of one
   label belongs to that label.
2. Rows between two labels are ambiguous: the group boundary is placed where the report's own
   cross-references agree best. A discussion paragraph that names ``ACTION DAG28-07`` belongs
   to the area that action sits in, and the reverse; naming ``DECISION DAG-DEC68`` ties a
   paragraph to that decision's area; naming ``CR027`` leans towards the area about CR027.
   With no evidence, the empty Area cell continues the area above (how the printed table reads).
3. The tables are resolved in turn (Decisions, Key Discussion Items, Actions, and again) so
   evidence found in one table settles rows in another.

Discussion rows: a row ending with ``:`` opens a list, and the short unpunctuated rows or
``•`` rows after it are its items; they are stored in one discussion item as lines starting
with ``• `` (separated by ``<br>``). A row starting in lower case after a row with no closing
punctuation continues that paragraph (a paragraph broken by a page break).

Validation comes first and the write is all or nothing: :func:`headline_report_import`
parses the whole file, reports every problem with its line number
(:class:`HeadlineReportImportError`), and only then writes, in one transaction, through the
apps' services. Importing a report again updates the meeting's records in place (matched by
their refs; discussion items by position) and reports which changed, so nothing is
duplicated; a dry run does the same work and rolls it back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from actions.models import Action, ActionReview
from actions.services import OwnerSpec, action_create, action_review_record, action_update
from changerequests.models import ChangeRequest, DesignIssueNotification
from changerequests.services import (
    change_request_create,
    change_request_transition,
    change_request_update,
    din_create,
)
from composer.discussion import (
    discussion_item_create,
    discussion_item_update,
    discussion_references_refresh,
)
from core import refs, roles
from core.services import validated_save
from decisions.models import Decision
from decisions.services import CR_STATUS_FOR_DECISION, decision_create, decision_update
from meetings.models import PLACEHOLDER_TITLE, Committee, DiscussionItem, Meeting
from meetings.services import agenda_item_create, committee_create, meeting_create, meeting_update

LONDON = ZoneInfo(settings.TIME_ZONE)

# --- problems and results --------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """One thing that failed: the file's line number (1-based; None for the whole file)."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class HeadlineReportImportError(Exception):
    """The file cannot be imported; ``problems`` says what failed, line by line.

    Nothing was written when this is raised.
    """

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.message))
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"The headline report cannot be imported ({len(self.problems)} problems):"]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


@dataclass(frozen=True)
class ImportChange:
    """One record the import creates, updates or leaves unchanged (for previews and logs)."""

    kind: str
    label: str
    verb: str  # "create", "update" or "unchanged"
    detail: str = ""


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do).

    ``str(result)`` is a one-line summary; ``changes`` lists every record touched in file
    order; ``warnings`` are things the import did not change but a person should know.
    """

    meeting_ref: str
    dry_run: bool
    changes: list[ImportChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    meeting_id: int | None = None

    def count(self, verb: str, kind: str | None = None) -> int:
        """How many changes have ``verb`` (and ``kind`` when given)."""
        return sum(1 for c in self.changes if c.verb == verb and (kind is None or c.kind == kind))

    @property
    def count_create(self) -> int:
        return self.count("create")

    @property
    def count_update(self) -> int:
        return self.count("update")

    @property
    def count_unchanged(self) -> int:
        return self.count("unchanged")

    def kinds(self) -> dict[str, int]:
        """Records per kind, in first-seen order: ``{"action": 15, …}``."""
        counts: dict[str, int] = {}
        for change in self.changes:
            counts[change.kind] = counts.get(change.kind, 0) + 1
        return counts

    def __str__(self) -> str:
        parts = ", ".join(f"{n} {_plural(kind, n)}" for kind, n in self.kinds().items())
        verb = "would create" if self.dry_run else "created"
        upd = "would update" if self.dry_run else "updated"
        return (
            f"{self.meeting_ref}: {parts} ({self.count('create')} {verb}, "
            f"{self.count('update')} {upd}, {self.count('unchanged')} unchanged)"
            + (
                f"; {len(self.warnings)} warning{'' if len(self.warnings) == 1 else 's'}"
                if self.warnings
                else ""
            )
        )


_PLURALS = {"discussion item": "discussion items", "change request": "change requests"}


def _plural(kind: str, n: int) -> str:
    if n == 1:
        return kind
    return _PLURALS.get(kind, kind + "s")


# --- parsed records -------------------------------------------------------------------------


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


# --- small text helpers ---------------------------------------------------------------------

_WS_RE = re.compile(r"\s+")
_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_DATE_RE = re.compile(
    r"^(?:(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})"
    r"|(?:[A-Za-z]+day,?\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month>[A-Za-z]+)\s+(?P<year>\d{4}))"
)
_TIME_RE = re.compile(
    r"^(?P<h>\d{1,2})(?:[:.]?(?P<m>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE
)


def _squash(text: str) -> str:
    return _WS_RE.sub(" ", text or "").strip()


def _key(text: str) -> str:
    """Compare area titles ignoring case and spacing."""
    return _squash(text).casefold()


def _plain(text: str) -> str:
    """Cell text without markup: tags dropped, entities decoded, spaces squashed."""
    return _squash(html.unescape(nh3.clean(text or "", tags=set(), attributes={})))


def parse_date(text: str) -> dt.date:
    """``11/10/2023`` or ``11 October 2023`` to a date; ValueError otherwise."""
    match = _DATE_RE.match(_squash(text))
    if not match or match.end() != len(_squash(text)):
        raise ValueError(f"“{text}” is not a date such as 11/10/2023 or 11 October 2023")
    if match["d"]:
        return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    month = _MONTHS.get(match["month"].lower())
    if month is None:
        raise ValueError(f"“{match['month']}” is not a month")
    return dt.date(int(match["year"]), month, int(match["day"]))


def parse_time(text: str) -> dt.time:
    """``1000``, ``10:00``, ``10am``, ``1.30pm`` to a time; ValueError otherwise."""
    match = _TIME_RE.match(_squash(text))
    if not match:
        raise ValueError(f"“{text}” is not a time such as 1000, 10:00 or 10am")
    hour, minute = int(match["h"]), int(match["m"] or 0)
    ampm = (match["ampm"] or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise ValueError(f"“{text}” is not a time of day")
    return dt.time(hour, minute)


def parse_date_and_times(
    text: str, *, default_time: dt.time | None = None
) -> tuple[dt.datetime, dt.datetime | None]:
    """``13 September 2023 1000-1300`` to aware start and end (Europe/London).

    The end is None when only a start time is written; with no time at all ``default_time``
    is used (ValueError when there is none).
    """
    text = _squash(text)
    match = _DATE_RE.match(text)
    if not match:
        raise ValueError(f"“{text}” does not start with a date such as 13 September 2023")
    date = parse_date(match.group(0))
    rest = text[match.end() :].strip().lstrip(",").strip()
    rest = re.sub(r"^(?:at|from)\s+", "", rest, flags=re.IGNORECASE)
    if not rest:
        if default_time is None:
            raise ValueError(f"“{text}” has no time")
        return dt.datetime.combine(date, default_time, tzinfo=LONDON), None
    parts = [p for p in re.split(r"\s*(?:-|–|—|\bto\b|\buntil\b)\s*", rest) if p]
    if len(parts) > 2:
        raise ValueError(f"“{rest}” is not a time or a time range such as 1000-1300")
    start_time = parse_time(parts[0])
    end_time = parse_time(parts[1]) if len(parts) == 2 else None
    # "2-4pm" is 14:00-16:00, while "10-1pm" stays 10:00-13:00.
    if (
        end_time
        and not re.search(r"am|pm", parts[0], re.IGNORECASE)
        and re.search(r"pm", parts[1], re.IGNORECASE)
        and start_time.hour < 12
        and dt.time(start_time.hour + 12, start_time.minute) < end_time
    ):
        start_time = dt.time(start_time.hour + 12, start_time.minute)
    start = dt.datetime.combine(date, start_time, tzinfo=LONDON)
    end = dt.datetime.combine(date, end_time, tzinfo=LONDON) if end_time else None
    if end is not None and end <= start:
        raise ValueError(f"the meeting ends ({parts[1]}) before it starts ({parts[0]})")
    return start, end


# Discussion cells keep the emphasis the report uses; the PDF's extraction put spaces inside
# brackets around emphasised text ("( <b>ACTION DAG28-02</b> )"), which are removed.
_EMPH = r"(?:b|strong|u|i|em)"


def discussion_html(cell: str) -> str:
    """A discussion cell as sanitised HTML, with the extraction's stray spaces removed."""
    text = _squash(cell)
    text = re.sub(rf"\(\s+(?=<{_EMPH}>)", "(", text)
    text = re.sub(rf"(</{_EMPH}>)\s+\)", r"\1)", text)
    text = re.sub(rf"(</{_EMPH}>)\s+(?=[:;,.])", r"\1", text)
    text = re.sub(r"</u>\s+<u>", " ", text)
    return nh3.clean(text, tags={"b", "strong", "u", "i", "em", "br"}, attributes={}).strip()


# --- reading the file: lines, sections and table rows ---------------------------------------


@dataclass
class _Row:
    line: int
    area: str
    cells: list[str]


@dataclass
class _Record:
    """One logical table row (a cell broken over several text rows is joined)."""

    line: int
    cells: list[str]
    fragments: list[tuple[int, str]] = field(default_factory=list)
    list_mode: bool = False


@dataclass
class _Label:
    title: str
    first: int
    last: int
    line: int


_SECTION_NAMES = {
    "actions": "actions",
    "decisions": "decisions",
    "key discussion items": "discussion",
    "key discussion": "discussion",
    "discussion": "discussion",
}
_COLUMNS = {
    "actions": ["area", "ref", "action", "owner", "due"],
    "decisions": ["area", "ref", "decision"],
    "discussion": ["area", "discussion"],
}
_TITLE_RE = re.compile(
    r"^(?P<name>.+?)\s*\((?P<code>[A-Z]{2,10})\)\s*Headline\s+Report\b", re.IGNORECASE
)
_ISSUE_RE = re.compile(r"^Issue\s+date\s*:?\s*(?P<date>.+)$", re.IGNORECASE)
_NEXT_RE = re.compile(r"^Date\s+of\s+(?:the\s+)?next\s+(?P<what>[^:]+?)\s*:\s*(?P<when>.+)$", re.I)
_PAGE_RE = re.compile(r"^(?:\d{1,3}|Page\s+\d+(?:\s+of\s+\d+)?)$", re.IGNORECASE)
_PREVIOUS_RE = re.compile(r"\bprevious\s+meeting", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"[.!?:;)\]]\s*(?:</\w+>)?$")
_BULLET_RE = re.compile(r"^\s*[•●▪◦‣∙·\-–*]\s*")
_HEADER_KEYS = {
    "meeting number": "number",
    "meeting no": "number",
    "meeting": "number",
    "venue": "venue",
    "location": "venue",
    "meeting date and time": "when",
    "date and time": "when",
    "meeting date": "when",
    "classification": "classification",
}


def _heading(line: str) -> str | None:
    """The text of a Markdown heading line (``# **Key Discussion Items**``), else None."""
    stripped = line.strip()
    if not stripped.startswith("#"):
        return None
    return stripped.lstrip("#").strip().strip("*").strip()


def _section_of(line: str) -> str | None:
    text = _heading(line)
    if text is None and "\t" not in line:
        text = line.strip().strip("*").strip()
    return _SECTION_NAMES.get(_key(text or ""))


def _is_furniture(cells: list[str]) -> bool:
    """A page number or an empty row left by the PDF's page layout."""
    filled = [c.strip() for c in cells if c.strip()]
    return not filled or (len(filled) == 1 and bool(_PAGE_RE.match(filled[0])))


class _Reader:
    """Reads the text form into sections, collecting every problem with its line number."""

    def __init__(self, text: str) -> None:
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
        self.problems: list[ImportProblem] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(ImportProblem(line, message))

    def read(self) -> dict[str, Any]:
        found: dict[str, Any] = {"tables": {"actions": [], "decisions": [], "discussion": []}}
        section = "preamble"
        header_seen: dict[str, bool] = {}
        for number, raw in enumerate(self.lines, start=1):
            line = raw.rstrip("\n")
            if not line.strip():
                continue
            heading = _heading(line)
            if "title" not in found and heading is not None:
                match = _TITLE_RE.match(heading)
                if match:
                    found["title"] = (number, match["name"].strip(), match["code"].upper())
                    continue
            issue = _ISSUE_RE.match(heading if heading is not None else line.strip())
            if issue and "issue_date" not in found:
                found["issue_date"] = (number, issue["date"].strip())
                continue
            next_match = _NEXT_RE.match(line.strip())
            if next_match:
                found["next"] = (number, next_match["what"].strip(), next_match["when"].strip())
                section = "after"
                continue
            new_section = _section_of(line)
            if (
                new_section
                and _heading(line) is None
                and not self._header_follows(number, new_section)
            ):
                # A plain "Decisions" line is a heading only when its table's header follows;
                # otherwise it is an Area word of the table above.
                new_section = None
            if new_section:
                if new_section in header_seen:
                    self.problem(number, f"a second “{line.strip('# *')}” section")
                section = new_section
                header_seen[section] = False
                continue
            cells = line.split("\t")
            if section == "preamble":
                if "\t" in line:
                    self._header_row(number, cells, found)
                else:
                    self.problem(number, f"unexpected text before the Actions table: “{line}”")
                continue
            if section == "after":
                if not _is_furniture(cells):
                    self.problem(
                        number, f"unexpected text after the date of the next meeting: “{line}”"
                    )
                continue
            if _is_furniture(cells):
                continue
            columns = _COLUMNS[section]
            normalised = [_key(c) for c in cells if c.strip()]
            if normalised == columns:
                header_seen[section] = True  # also a header repeated on a new page
                continue
            if not header_seen[section]:
                self.problem(
                    number,
                    f"the {section} table should start with its header row "
                    f"({', '.join(c.title() for c in columns)})",
                )
                header_seen[section] = True
            extra = [c for c in cells[len(columns) :] if c.strip()]
            if extra:
                self.problem(
                    number,
                    f"{len(columns) + len(extra)} cells in a {len(columns)}-column row "
                    f"({', '.join(c.title() for c in columns)})",
                )
                continue
            cells = (cells + [""] * len(columns))[: len(columns)]
            found["tables"][section].append(_Row(number, cells[0].strip(), cells[1:]))
        for section in ("actions", "decisions", "discussion"):
            if section not in header_seen:
                title = {"discussion": "Key Discussion Items"}.get(section, section.title())
                self.problem(None, f"no “{title}” section was found")
        return found

    def _header_follows(self, number: int, section: str) -> bool:
        """True when the next non-blank line (after line ``number``) is ``section``'s header."""
        for line in self.lines[number:]:
            if line.strip():
                return [_key(c) for c in line.split("\t") if c.strip()] == _COLUMNS[section]
        return False

    def _header_row(self, number: int, cells: list[str], found: dict[str, Any]) -> None:
        pairs = [
            (cells[i], cells[i + 1] if i + 1 < len(cells) else "") for i in range(0, len(cells), 2)
        ]
        for label, value in pairs:
            if not label.strip() and not value.strip():
                continue
            key = _HEADER_KEYS.get(_key(label))
            if key is None:
                self.problem(number, f"unknown header field “{label.strip()}”")
            elif key in found:
                self.problem(number, f"“{label.strip()}” is given twice")
            else:
                found[key] = (number, _squash(value))


# --- rebuilding the areas --------------------------------------------------------------------

_JOINING_WORDS = {"and", "of", "to", "for", "the", "&", "with", "on", "in", "a", "an", "-", "–"}


def _joins(left: str, right: str) -> bool:
    """True when two fragments read as one title: ``Minutes and`` + ``Actions``."""
    words = left.split()
    return (
        bool(words)
        and (words[-1].lower() in _JOINING_WORDS or left.rstrip().endswith(("-", "–", ",")))
    ) or right[:1].islower()


def _labels(records: list[_Record], known: set[str]) -> list[_Label]:
    """Join a table's Area fragments into labels with the span of records they mark."""
    frags = [
        (index, line, text) for index, rec in enumerate(records) for line, text in rec.fragments
    ]
    labels: list[_Label] = []
    i = 0
    while i < len(frags):
        best = i
        joined = frags[i][2]
        for j in range(i + 1, len(frags)):
            joined = f"{joined} {frags[j][2]}"
            if _key(joined) in known:
                best = j
            elif not any(k.startswith(_key(joined) + " ") for k in known):
                break
        if best == i:
            while best + 1 < len(frags) and _joins(frags[best][2], frags[best + 1][2]):
                best += 1
        while best + 1 < len(frags) and frags[best + 1][0] == frags[best][0]:
            best += 1  # one record has one area: its fragments are one label
        title = _squash(" ".join(f[2] for f in frags[i : best + 1]))
        labels.append(_Label(title, frags[i][0], frags[best][0], frags[i][1]))
        i = best + 1
    return labels


Votes = Callable[[int], dict[str, float]]


def _assign(count: int, labels: list[_Label], votes: Votes | None) -> list[str]:
    """Each record's area title: spans are firm, gaps split where the evidence agrees best."""
    areas = [""] * count
    if not labels:
        return areas
    for index in range(count):
        if index < labels[0].first:
            areas[index] = labels[0].title
        if index > labels[-1].last:
            areas[index] = labels[-1].title
    for label in labels:
        for index in range(label.first, label.last + 1):
            areas[index] = label.title
    for above, below in itertools.pairwise(labels):
        gap = range(above.last + 1, below.first)
        if not gap:
            continue
        weights = [votes(r) if votes else {} for r in gap]
        best_split, best_score = below.first, None
        for split in range(above.last + 1, below.first + 1):
            score = sum(
                w.get(_key(above.title if r < split else below.title), 0.0)
                for r, w in zip(gap, weights, strict=True)
            )
            # ">=": on a tie the later split wins, so an empty cell continues the area above.
            if best_score is None or score >= best_score:
                best_split, best_score = split, score
        for r in gap:
            areas[r] = above.title if r < best_split else below.title
    return areas


def _firm(count: int, labels: list[_Label]) -> list[str]:
    """Areas known without any evidence (inside a label's span, or before/after all labels)."""
    areas = [""] * count
    if not labels:
        return areas
    for index in range(count):
        if index < labels[0].first:
            areas[index] = labels[0].title
        elif index > labels[-1].last:
            areas[index] = labels[-1].title
    for label in labels:
        for index in range(label.first, label.last + 1):
            areas[index] = label.title
    return areas


# --- the parser ----------------------------------------------------------------------------


# A label-only row (an Area fragment with nothing else on its row): where it sits between
# two records, as ``(index of the record after it, line, text)``.
_Floating = tuple[int, int, str]


def _records(
    rows: list[_Row], key_column: int | None, reader: _Reader
) -> tuple[list[_Record], list[_Floating]]:
    """Join the text rows of one table into records (Ref-keyed tables: Actions, Decisions)."""
    records: list[_Record] = []
    floating: list[_Floating] = []
    for row in rows:
        has_content = any(c.strip() for c in row.cells)
        fragment = [(row.line, row.area)] if row.area else []
        if not has_content:
            floating += [(len(records), line, text) for line, text in fragment]
            continue
        if key_column is not None and not row.cells[key_column].strip():
            if not records:
                reader.problem(row.line, "a row with no Ref that continues nothing above it")
                continue
            previous = records[-1]
            previous.cells = [
                _squash(f"{a} {b}") for a, b in zip(previous.cells, row.cells, strict=True)
            ]
            previous.fragments += fragment
            continue
        records.append(_Record(row.line, [c.strip() for c in row.cells], fragment))
    if floating and not records:
        reader.problem(floating[0][1], "an Area with no rows under it")
    return records, floating


def _discussion_records(rows: list[_Row]) -> tuple[list[_Record], list[_Floating]]:
    """Join discussion rows into cells: bullet lists and paragraphs broken by a page."""
    records: list[_Record] = []
    floating: list[_Floating] = []
    for row in rows:
        text = _squash(row.cells[0])
        fragment = [(row.line, row.area)] if row.area else []
        if not text:
            floating += [(len(records), line, label) for line, label in fragment]
            continue
        previous = records[-1] if records else None
        bullet = bool(_BULLET_RE.match(text)) and not text.startswith("<")
        plain_end = _plain(text)
        if previous is not None and (
            (bullet and (previous.list_mode or _plain(previous.cells[0]).endswith(":")))
            or (previous.list_mode and not plain_end.endswith((".", "!", "?")))
        ):
            item = _BULLET_RE.sub("", text, count=1) if bullet else text
            previous.cells[0] = f"{previous.cells[0]}<br>• {item}"
            previous.list_mode = True
            previous.fragments += fragment
            continue
        if (
            previous is not None
            and not previous.list_mode
            and not _SENTENCE_END_RE.search(previous.cells[0])
            and text[:1].islower()
        ):
            previous.cells[0] = f"{previous.cells[0]} {text}"
            previous.fragments += fragment
            continue
        record = _Record(row.line, [text], fragment)
        record.list_mode = _plain(text).endswith(":")
        records.append(record)
    return records, floating


def _reads_as_one(left: str, right: str, known: set[str]) -> bool:
    joined = _key(f"{left} {right}")
    return joined in known or any(k.startswith(joined + " ") for k in known) or _joins(left, right)


def _place_floating(records: list[_Record], floating: list[_Floating], known: set[str]) -> None:
    """Give each label-only row to the record it reads with: the one above, unless its words
    run on into the first Area words of the record below (``Release`` / ``Plan``)."""
    for position, line, text in floating:
        above = records[position - 1] if position > 0 else None
        below = records[position] if position < len(records) else None
        if (
            above is not None
            and above.fragments
            and _reads_as_one(above.fragments[-1][1], text, known)
        ):
            above.fragments.append((line, text))
        elif (
            below is not None
            and below.fragments
            and _reads_as_one(text, below.fragments[0][1], known)
        ):
            below.fragments.insert(0, (line, text))
        elif above is not None:
            above.fragments.append((line, text))
        elif below is not None:
            below.fragments.insert(0, (line, text))


def _cr_numbers(text: str) -> list[int]:
    return [
        refs.parse_change_request_ref(f.ref)
        for f in refs.find_refs(_plain(text), ())
        if f.kind == refs.RefKind.CHANGE_REQUEST
    ]


def _cr_votes(text: str, candidates: Iterable[str]) -> dict[str, float]:
    numbers = set(_cr_numbers(text))
    votes: dict[str, float] = {}
    if not numbers:
        return votes
    for title in candidates:
        if numbers & set(_cr_numbers(title)):
            votes[_key(title)] = votes.get(_key(title), 0.0) + 1.0
    return votes


def _add(votes: dict[str, float], title: str, weight: float) -> None:
    if title:
        votes[_key(title)] = votes.get(_key(title), 0.0) + weight


_UNDERLINED_TITLE_RE = re.compile(r"^\s*\(\s*((?:<u>.*?</u>\s*)+)\)")


def _titles_after_refs(cell: str, code: str) -> list[tuple[int, int, str]]:
    """``(number, priority, title)`` for CRs written with their title after them.

    ``CR023 (<u>Title</u>)`` (underlined, priority 2) or ``CR029 (Title (With) Brackets)``
    (priority 1).
    """
    found: list[tuple[int, int, str]] = []
    for ref in refs.find_refs(cell, (code,)):
        if ref.kind != refs.RefKind.CHANGE_REQUEST:
            continue
        number = refs.parse_change_request_ref(ref.ref)
        rest = cell[ref.end :]
        underlined = _UNDERLINED_TITLE_RE.match(rest)
        if underlined:
            found.append((number, 2, _plain(underlined.group(1))))
            continue
        stripped = rest.lstrip()
        if not stripped.startswith("("):
            continue
        depth, end = 0, None
        for index, char in enumerate(stripped):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0:
                end = index
                break
        if end is None:
            continue
        title = _squash(stripped[1:end])
        words = title.split()
        if (
            "<" not in title
            and len(words) >= 2
            and title[:1].isupper()
            and not re.match(r"^(?:see|ACTION|DECISION|CR\s?\d|DIN)", title)
        ):
            found.append((number, 1, title))
    return found


def headline_report_parse(text: str) -> ParsedReport:
    """Read and validate a headline report's text form (see the module docstring).

    Returns a :class:`ParsedReport`; raises :class:`HeadlineReportImportError` with every
    problem found, line by line. Touches no database.
    """

    reader = _Reader(text)
    found = reader.read()
    problem = reader.problem

    # Title, header table, next meeting.
    code, full_name = "", ""
    if "title" in found:
        _, full_name, code = found["title"]
        try:
            refs.validate_committee_code(code)
        except ValidationError:
            problem(found["title"][0], f"“{code}” is not a committee code")
    else:
        problem(None, "no title such as “# MHHS Design Advisory Group (DAG) Headline Report”")
    number = sub_number = 0
    if "number" in found:
        line, value = found["number"]
        try:
            key = refs.parse_meeting_ref(value)
        except ValidationError as exc:
            problem(line, exc.messages[0])
        else:
            number, sub_number = key.number, key.sub_number
            if code and key.code != code:
                problem(line, f"meeting {value} is not a meeting of the {code} in the title")
    else:
        problem(None, "no “Meeting Number” in the header table")
    start_at: dt.datetime | None = None
    end_at: dt.datetime | None = None
    if "when" in found:
        line, value = found["when"]
        try:
            start_at, end_at = parse_date_and_times(value)
        except ValueError as exc:
            problem(line, f"Meeting Date and Time: {exc}")
    else:
        problem(None, "no “Meeting Date and Time” in the header table")

    classification = Meeting.Classification.PUBLIC.value
    if "classification" in found:
        line, value = found["classification"]
        by_label = {label.lower(): val for val, label in Meeting.Classification.choices}
        if value.lower() not in by_label:
            problem(
                line,
                f"Classification “{value}” is not one of "
                f"{', '.join(label for _, label in Meeting.Classification.choices)}",
            )
        else:
            classification = by_label[value.lower()]
    issue_date: dt.date | None = None
    if "issue_date" in found:
        line, value = found["issue_date"]
        try:
            issue_date = parse_date(value)
        except ValueError as exc:
            problem(line, f"Issue date: {exc}")
    next_at: dt.datetime | None = None
    next_line: int | None = None
    if "next" in found:
        next_line, what, when = found["next"]
        try:
            next_at, _ = parse_date_and_times(
                when, default_time=start_at.astimezone(LONDON).time() if start_at else None
            )
        except ValueError as exc:
            problem(next_line, f"Date of next {what}: {exc}")

    tables = found["tables"]
    action_records, action_floating = _records(tables["actions"], 0, reader)
    decision_records, decision_floating = _records(tables["decisions"], 0, reader)
    discussion_records, discussion_floating = _discussion_records(tables["discussion"])

    # Area labels. An area printed whole anywhere in the report is "known".
    known = {
        _key(text)
        for records in (action_records, decision_records, discussion_records)
        for record in records
        for _, text in record.fragments
    } | {
        _key(text)
        for floating in (action_floating, decision_floating, discussion_floating)
        for _, _, text in floating
    }
    _place_floating(action_records, action_floating, known)
    _place_floating(decision_records, decision_floating, known)
    _place_floating(discussion_records, discussion_floating, known)
    action_labels = _labels(action_records, known)
    decision_labels = _labels(decision_records, known)
    discussion_labels = _labels(discussion_records, known)

    # Refs each record names, for the evidence.
    codes = (code,) if code else ()
    action_ref_index: dict[str, int] = {}
    for index, record in enumerate(action_records):
        action_ref_index.setdefault(_squash(record.cells[0]).upper(), index)
    decision_ref_index: dict[str, int] = {}
    for index, record in enumerate(decision_records):
        decision_ref_index.setdefault(_squash(record.cells[0]).upper(), index)
    discussion_names: list[tuple[set[str], set[str]]] = []
    for record in discussion_records:
        named = refs.find_refs(_plain(record.cells[0]), codes)
        discussion_names.append(
            (
                {f.ref for f in named if f.kind == refs.RefKind.ACTION},
                {f.ref for f in named if f.kind == refs.RefKind.DECISION},
            )
        )

    action_titles = [label.title for label in action_labels]
    decision_titles = [label.title for label in decision_labels]
    discussion_titles = [label.title for label in discussion_labels]

    def decision_votes(discussion_areas: list[str]) -> Votes:
        def votes(index: int) -> dict[str, float]:
            record = decision_records[index]
            result = _cr_votes(record.cells[1], decision_titles)
            ref = _squash(record.cells[0]).upper()
            for (_, decisions), area in zip(discussion_names, discussion_areas, strict=True):
                if ref in decisions:
                    _add(result, area, 2.0)
            return result

        return votes

    def discussion_votes(action_areas: list[str], decision_areas: list[str]) -> Votes:
        def votes(index: int) -> dict[str, float]:
            result = _cr_votes(discussion_records[index].cells[0], discussion_titles)
            actions_named, decisions_named = discussion_names[index]
            for ref in actions_named:
                if ref in action_ref_index:
                    _add(result, action_areas[action_ref_index[ref]], 2.0)
            for ref in decisions_named:
                if ref in decision_ref_index:
                    _add(result, decision_areas[decision_ref_index[ref]], 2.0)
            return result

        return votes

    def action_votes(discussion_areas: list[str]) -> Votes:
        def votes(index: int) -> dict[str, float]:
            record = action_records[index]
            result = _cr_votes(record.cells[1], action_titles)
            ref = _squash(record.cells[0]).upper()
            for (actions_named, _), area in zip(discussion_names, discussion_areas, strict=True):
                if ref in actions_named:
                    _add(result, area, 2.0)
            return result

        return votes

    n_act, n_dec, n_dis = len(action_records), len(decision_records), len(discussion_records)
    action_areas = _firm(n_act, action_labels)
    discussion_areas = _firm(n_dis, discussion_labels)
    decision_areas = _assign(n_dec, decision_labels, decision_votes(discussion_areas))
    for _ in range(2):
        discussion_areas = _assign(
            n_dis, discussion_labels, discussion_votes(action_areas, decision_areas)
        )
        action_areas = _assign(n_act, action_labels, action_votes(discussion_areas))

    # Actions and reviews.
    actions: list[ParsedAction] = []
    reviews: list[ParsedAction] = []
    seen_refs: dict[str, int] = {}
    for record, area in zip(action_records, action_areas, strict=True):
        ref_text, description, owner_text, due_text = (_squash(c) for c in record.cells)
        try:
            key = refs.parse_action_ref(ref_text)
        except ValidationError as exc:
            problem(record.line, exc.messages[0])
            continue
        ref = refs.action_ref(key.code, key.number, key.sub_number, key.seq)
        if ref in seen_refs:
            problem(record.line, f"{ref} is listed twice (also on line {seen_refs[ref]})")
            continue
        seen_refs[ref] = record.line
        if code and key.code != code:
            problem(record.line, f"{ref} is not an action of the {code}")
            continue
        is_review = (key.number, key.sub_number) != (number, sub_number)
        if is_review and (key.number, key.sub_number) > (number, sub_number):
            problem(
                record.line, f"{ref} was raised after {refs.meeting_ref(code, number, sub_number)}"
            )
            continue
        if not is_review and _PREVIOUS_RE.search(area):
            problem(record.line, f"{ref} is under “{area}” but was raised at this meeting")
            continue
        description = _plain(description)
        if not description:
            problem(record.line, f"{ref} has no action text")
        owners = []
        owner_parts = [p for p in re.split(r"\s*;\s*|\s+/\s+|\n", _plain(owner_text)) if p]
        if not owner_parts:
            problem(record.line, f"{ref} has no owner")
        for part in owner_parts:
            try:
                owners.append(OwnerSpec.from_text(part))
            except ValidationError as exc:
                problem(record.line, f"{ref} owner: {exc.messages[0]}")
        due_date = None
        if due_text and due_text.upper() not in {"TBC", "TBA", "N/A", "-", "–"}:
            try:
                due_date = parse_date(due_text)
            except ValueError as exc:
                problem(record.line, f"{ref} due date: {exc}")
        parsed = ParsedAction(
            line=record.line,
            ref=ref,
            key=key,
            area="" if _PREVIOUS_RE.search(area) else area,
            description=description,
            owners=owners,
            due_date=due_date,
            is_review=is_review,
        )
        (reviews if is_review else actions).append(parsed)

    decisions: list[ParsedDecision] = []
    for record, area in zip(decision_records, decision_areas, strict=True):
        ref_text, body = _squash(record.cells[0]), record.cells[1]
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
        if not _plain(body):
            problem(record.line, f"{ref} has no decision text")
        decisions.append(ParsedDecision(record.line, ref, key.seq, area, _plain(body)))

    discussion = [
        ParsedDiscussion(record.line, area, discussion_html(record.cells[0]))
        for record, area in zip(discussion_records, discussion_areas, strict=True)
    ]

    # Agenda order: the discussion's areas, with the other tables' areas slotted in.
    areas: list[str] = []
    for titles in (
        [d.area for d in discussion],
        [d.area for d in decisions],
        [a.area for a in actions],
    ):
        _merge_order(areas, [t for t in titles if t])

    # Change requests named anywhere, with titles where the text gives them.
    first_line_of_area: dict[str, int] = {}
    for item in [*actions, *decisions, *discussion]:
        first_line_of_area.setdefault(_key(item.area), item.line)
    cr_titles: dict[int, tuple[int, str]] = {}
    cr_lines: dict[int, int] = {}
    texts: list[tuple[int, str]] = (
        [(0, title) for title in areas]
        + [(a.line, a.description) for a in actions + reviews]
        + [(d.line, d.text) for d in decisions]
        + [(d.line, d.text) for d in discussion]
    )
    for line, cell in texts:
        for cr_number in _cr_numbers(cell):
            cr_lines.setdefault(cr_number, line or first_line_of_area.get(_key(cell), 0))
        for cr_number, priority, title in _titles_after_refs(cell, code or "DAG"):
            if priority > cr_titles.get(cr_number, (0, ""))[0]:
                cr_titles[cr_number] = (priority, title)
    din_areas: dict[int, str] = {}
    for item in discussion:
        for ref in refs.find_refs(_plain(item.text), codes):
            if ref.kind == refs.RefKind.DIN:
                din_areas.setdefault(refs.parse_din_ref(ref.ref), item.area)

    if reader.problems:
        raise HeadlineReportImportError(reader.problems)
    assert start_at is not None  # no problems means the header was read
    return ParsedReport(
        committee_code=code,
        committee_full_name=_squash(full_name),
        meeting_number=number,
        meeting_sub_number=sub_number,
        venue=found["venue"][1] if "venue" in found else "",
        start_at=start_at,
        end_at=end_at,
        classification=classification,
        issue_date=issue_date,
        areas=areas,
        actions=actions,
        reviews=reviews,
        decisions=decisions,
        discussion=discussion,
        change_request_titles={n: t for n, (_, t) in sorted(cr_titles.items())},
        change_request_lines=dict(sorted(cr_lines.items())),
        din_numbers=din_areas,
        next_meeting_at=next_at,
        next_meeting_line=next_line,
    )


def _merge_order(order: list[str], titles: list[str]) -> None:
    """Slot ``titles`` (in their own order) into ``order``: after their predecessor."""
    keys = [_key(t) for t in order]
    previous: str | None = None
    for index, title in enumerate(titles):
        key = _key(title)
        if key in keys:
            previous = key
            continue
        if previous is not None:
            position = keys.index(previous) + 1
        else:
            following = [_key(t) for t in titles[index + 1 :] if _key(t) in keys]
            position = keys.index(following[0]) if following else len(keys)
        order.insert(position, title)
        keys.insert(position, key)
        previous = key


# --- writing the records ---------------------------------------------------------------------


_CONDITION_RE = re.compile(
    r"\b(?:subject to|provided that|on condition that|conditional (?:up)?on|with the condition)\b",
    re.IGNORECASE,
)


def decision_outcome(text: str) -> tuple[str, str]:
    """The status (and conditions) a decision's text records, as ``(status, conditions)``.

    A headline report lists decisions taken, so wording with no other outcome is
    ``approved``; "rejected"/"not approved", "deferred" and "withdrawn" are read as such, and
    an approval "subject to …" or "provided that …" is ``approved_with_conditions`` with
    that clause as its conditions.
    """

    lower = text.lower()
    if re.search(r"\b(?:not approved|rejected|declined)\b", lower):
        return Decision.Status.REJECTED, ""
    if re.search(r"\bdeferred\b", lower):
        return Decision.Status.DEFERRED, ""
    if re.search(r"\bwithdrawn\b", lower):
        return Decision.Status.WITHDRAWN, ""
    match = _CONDITION_RE.search(text)
    if match and re.search(r"\bapprov", lower):
        conditions = text[match.start() :].strip().rstrip(".")
        return Decision.Status.APPROVED_WITH_CONDITIONS, conditions[:1].upper() + conditions[1:]
    return Decision.Status.APPROVED, ""


def _split_committee_name(full_name: str, code: str) -> tuple[str, str]:
    """``MHHS Design Advisory Group`` -> programme ``MHHS``, name ``Design Advisory Group``."""
    words = full_name.split()
    lead = 0
    while lead < len(words) - 1 and words[lead].isupper() and words[lead] != code:
        lead += 1
    if lead == 0 or lead == len(words):
        return "", full_name
    return " ".join(words[:lead]), " ".join(words[lead:])


class _Writer:
    """Writes a ParsedReport through the services; collects problems and changes."""

    def __init__(self, parsed: ParsedReport, result: ImportResult, acting_user: Any) -> None:
        self.p = parsed
        self.result = result
        self.user = acting_user
        self.problems: list[ImportProblem] = []
        self.created_refs: set[str] = set()
        self.crs: dict[int, Any] = {}
        self.agenda: dict[str, Any] = {}
        self.committee_obj: Any = None
        self.meeting_obj: Any = None

    # helpers
    def change(self, kind: str, label: str, verb: str, detail: str = "") -> None:
        self.result.changes.append(ImportChange(kind, label, verb, detail))
        if verb == "create":
            self.created_refs.add(label)

    def warn(self, message: str) -> None:
        self.result.warnings.append(message)

    def step(self, line: int | None, work: Callable[[], None]) -> None:
        """Run one record's writes in a savepoint; a ValidationError becomes a problem."""
        try:
            with transaction.atomic():
                work()
        except ValidationError as exc:
            for message in exc.messages:
                self.problems.append(ImportProblem(line, message))

    def run(self) -> None:
        self.step(None, self.committee)
        if self.problems:
            return
        self.step(None, self.meeting)
        if self.problems:
            return
        for number in self.p.change_request_lines:
            self.step(self.p.change_request_lines[number] or None, lambda n=number: self.cr(n))
        for order, title in enumerate(self.p.areas, start=1):
            self.step(None, lambda o=order, t=title: self.agenda_item(o, t))
        for action in self.p.actions:
            self.step(action.line, lambda a=action: self.action(a))
        for review in self.p.reviews:
            self.step(review.line, lambda r=review: self.review(r))
        for decision in self.p.decisions:
            self.step(decision.line, lambda d=decision: self.decision(d))
        for number, area in self.p.din_numbers.items():
            self.step(None, lambda n=number, a=area: self.din(n, a))
        self.step(None, self.discussion)
        if self.p.next_meeting_at is not None:
            self.step(self.p.next_meeting_line, self.next_meeting)
        self.step(None, self.refresh_other_references)

    # records
    def committee(self) -> None:

        existing = Committee.objects.filter(code=self.p.committee_code).first()
        if existing is None:
            programme, name = _split_committee_name(
                self.p.committee_full_name, self.p.committee_code
            )
            self.committee_obj = committee_create(
                code=self.p.committee_code,
                name=name,
                programme_name=programme,
                acting_user=self.user,
            )
            self.change("committee", self.p.committee_code, "create", self.p.committee_full_name)
            return
        self.committee_obj = existing
        if _key(existing.full_name) != _key(self.p.committee_full_name):
            self.warn(
                f"The report names the {existing.code} “{self.p.committee_full_name}”; it is "
                f"recorded as “{existing.full_name}” and was left as it is."
            )
        self.change("committee", existing.code, "unchanged", existing.full_name)

    def meeting(self) -> None:

        p = self.p
        status = Meeting.Status.REPORT_ISSUED if p.issue_date else Meeting.Status.HELD
        values: dict[str, Any] = {
            "start_at": p.start_at,
            "end_at": p.end_at,
            "venue": p.venue,
            "classification": p.classification,
            "status": status,
            "report_issue_date": p.issue_date,
        }
        existing = Meeting.objects.filter(ref=p.meeting_ref).first()
        if existing is None:
            self.meeting_obj = meeting_create(
                committee=self.committee_obj,
                number=p.meeting_number,
                sub_number=p.meeting_sub_number,
                **values,
                acting_user=self.user,
            )
            self.change("meeting", p.meeting_ref, "create", _when(p.start_at, p.end_at))
            return
        if existing.headline_reports.filter(status="issued").exists():
            # Issued here since: the issue date and status of that issue stand.
            if (
                existing.report_issue_date
                and existing.report_issue_date != values["report_issue_date"]
            ):
                file_date = values["report_issue_date"]
                self.warn(
                    f"{existing.ref}'s report was issued in the tracker on "
                    f"{existing.report_issue_date:%d/%m/%Y}"
                    + (
                        f", after this file's issue date ({file_date:%d/%m/%Y})"
                        if file_date
                        else ""
                    )
                    + f"; the tracker's issue date, {existing.report_issue_date:%d/%m/%Y}, is kept."
                )
            values.pop("status")
            values.pop("report_issue_date")
        if existing.title == PLACEHOLDER_TITLE:
            values["title"] = ""
        diff = {k: v for k, v in values.items() if getattr(existing, k) != v}
        if diff:
            self.meeting_obj = meeting_update(meeting=existing, **diff, acting_user=self.user)
            self.change("meeting", p.meeting_ref, "update", ", ".join(sorted(diff)))
        else:
            self.meeting_obj = existing
            self.change("meeting", p.meeting_ref, "unchanged")

    def cr(self, number: int) -> None:

        title = self.p.change_request_titles.get(number, "")
        ref = refs.change_request_ref(number)
        existing = ChangeRequest.objects.filter(number=number).first()
        if existing is None:
            self.crs[number] = change_request_create(
                number=number, title=title, acting_user=self.user
            )
            self.change("change request", ref, "create", title)
        elif title and not existing.title:
            self.crs[number] = change_request_update(
                change_request=existing, title=title, acting_user=self.user
            )
            self.change("change request", ref, "update", title)
        else:
            self.crs[number] = existing
            self.change("change request", ref, "unchanged", existing.title)

    def cr_of(self, text: str) -> Any:
        for number in _cr_numbers(text):
            if number in self.crs:
                return self.crs[number]
        return None

    def agenda_item(self, order: int, title: str) -> None:

        cr = self.cr_of(title)
        existing = self.meeting_obj.agenda_items.filter(title=title).first()
        if existing is None:
            item = agenda_item_create(
                meeting=self.meeting_obj,
                title=title,
                order=order,
                change_request=cr,
                acting_user=self.user,
            )
            self.change("agenda item", title, "create")
        elif (existing.order, existing.change_request_id) != (order, cr.pk if cr else None):
            existing.order, existing.change_request = order, cr
            item = validated_save(existing, acting_user=self.user)
            self.change("agenda item", title, "update")
        else:
            item = existing
            self.change("agenda item", title, "unchanged")
        self.agenda[_key(title)] = item

    def _action_crs(self, action: ParsedAction) -> list[Any]:
        numbers = _cr_numbers(action.description) + _cr_numbers(action.area)
        seen: list[Any] = []
        for number in numbers:
            cr = self.crs.get(number)
            if cr is not None and cr not in seen:
                seen.append(cr)
        return seen

    def action(self, parsed: ParsedAction) -> None:

        agenda_item = self.agenda.get(_key(parsed.area))
        crs = self._action_crs(parsed)
        existing = Action.objects.filter(ref=parsed.ref).first()
        if existing is None:
            action = action_create(
                meeting=self.meeting_obj,
                seq=parsed.key.seq,
                description=parsed.description,
                owners=parsed.owners,
                due_date=parsed.due_date,
                agenda_item=agenda_item,
                acting_user=self.user,
            )
            action.change_requests.set(crs)
            self.change("action", parsed.ref, "create", parsed.description)
            return
        changes: dict[str, Any] = {}
        if existing.description != parsed.description:
            changes["description"] = parsed.description
        if existing.due_date != parsed.due_date:
            changes["due_date"] = parsed.due_date
        if existing.agenda_item_id != (agenda_item.pk if agenda_item else None):
            changes["agenda_item"] = agenda_item
        owners_now = [o.display for o in existing.owners.select_related("organisation", "person")]
        if owners_now != [str(o) for o in parsed.owners]:
            changes["owners"] = parsed.owners
        crs_now = set(existing.change_requests.values_list("pk", flat=True))
        if changes:
            action_update(action=existing, **changes, acting_user=self.user)
        if crs_now != {cr.pk for cr in crs}:
            existing.change_requests.set(crs)
            changes["change_requests"] = crs
        verb = "update" if changes else "unchanged"
        self.change("action", parsed.ref, verb, ", ".join(sorted(changes)))

    def review(self, parsed: ParsedAction) -> None:

        key = parsed.key
        earlier = Meeting.objects.filter(
            committee=self.committee_obj, number=key.number, sub_number=key.sub_number
        ).first()
        if earlier is None:
            gap = max(1, self.p.meeting_number - key.number)
            earlier = meeting_create(
                committee=self.committee_obj,
                number=key.number,
                sub_number=key.sub_number,
                start_at=self.meeting_obj.start_at - dt.timedelta(days=gap),
                status=Meeting.Status.HELD,
                classification=self.meeting_obj.classification,
                title=PLACEHOLDER_TITLE,
                acting_user=self.user,
            )
            self.change("meeting", earlier.ref, "create", "placeholder: date not known")
            self.warn(
                f"{earlier.ref} (which raised {parsed.ref}) was not recorded: it was added as a "
                "placeholder whose date is not known. Import its report or set its date."
            )
        action = Action.objects.filter(ref=parsed.ref).first()
        if action is None:
            action = action_create(
                meeting=earlier,
                seq=key.seq,
                description=parsed.description,
                owners=parsed.owners,
                due_date=parsed.due_date,
                acting_user=self.user,
            )
            action.change_requests.set(self._action_crs(parsed))
            self.change("action", parsed.ref, "create", parsed.description)
        review = ActionReview.objects.filter(action=action, meeting=self.meeting_obj).first()
        if action.due_date == parsed.due_date:
            outcome = review.outcome if review else ActionReview.Outcome.KEPT_OPEN
            new_due_date = review.new_due_date if review else None
        else:
            outcome, new_due_date = ActionReview.Outcome.RE_DATED, parsed.due_date
        if review is not None and (review.outcome, review.new_due_date) == (outcome, new_due_date):
            self.change("review", parsed.ref, "unchanged")
            return
        action_review_record(
            action=action,
            meeting=self.meeting_obj,
            outcome=outcome,
            new_due_date=new_due_date,
            acting_user=self.user,
        )
        self.change(
            "review",
            parsed.ref,
            "update" if review else "create",
            ActionReview.Outcome(outcome).label,
        )

    def decision(self, parsed: ParsedDecision) -> None:

        agenda_item = self.agenda.get(_key(parsed.area))
        cr = self.cr_of(parsed.text) or self.cr_of(parsed.area)
        status, conditions = decision_outcome(parsed.text)
        existing = Decision.objects.filter(ref=parsed.ref).select_related("meeting").first()
        if existing is not None and existing.meeting_id != self.meeting_obj.pk:
            raise ValidationError(
                f"{parsed.ref} is already recorded at {existing.meeting.ref}; "
                "a decision's ref is never reused."
            )
        if existing is None:
            decision = decision_create(
                meeting=self.meeting_obj,
                seq=parsed.seq,
                text=parsed.text,
                agenda_item=agenda_item,
                change_request=cr,
                status=status,
                conditions=conditions,
                acting_user=self.user,
            )
            # Decided at the meeting: the report records decisions already taken.
            decision.decided_at = self.meeting_obj.start_at
            validated_save(decision, acting_user=self.user)
            self.change("decision", parsed.ref, "create", parsed.text)
        else:
            decision = existing
            changes: dict[str, Any] = {}
            if existing.text != parsed.text:
                changes["text"] = parsed.text
            if existing.agenda_item_id != (agenda_item.pk if agenda_item else None):
                changes["agenda_item"] = agenda_item
            if existing.change_request_id != (cr.pk if cr else None):
                changes["change_request"] = cr
            if changes:
                decision = decision_update(decision=existing, **changes, acting_user=self.user)
            if (decision.status, decision.conditions) != (status, conditions):
                # The outcome as the report records it (the chair's queue is for new ones).
                decision.status, decision.conditions = status, conditions
                validated_save(decision, acting_user=self.user)
                changes["status"] = status
            self.change(
                "decision", parsed.ref, "update" if changes else "unchanged", ", ".join(changes)
            )
        cr_status = CR_STATUS_FOR_DECISION.get(status)
        undecided = {
            ChangeRequest.Status.DRAFT,
            ChangeRequest.Status.IMPACT_ASSESSMENT,
            ChangeRequest.Status.AWAITING_DECISION,
        }
        if cr is not None and cr_status and cr.status in undecided:
            change_request_transition(
                change_request=cr, to_status=cr_status, force=True, acting_user=self.user
            )
            cr.refresh_from_db()

    def din(self, number: int, area: str) -> None:

        ref = refs.din_ref(number)
        if DesignIssueNotification.objects.filter(number=number).exists():
            self.change("DIN", ref, "unchanged")
            return
        din_create(number=number, change_request=self.cr_of(area), acting_user=self.user)
        self.change("DIN", ref, "create")

    def discussion(self) -> None:

        existing = list(self.meeting_obj.discussion_items.order_by("order", "id"))
        for index, parsed in enumerate(self.p.discussion):
            order = index + 1
            agenda_item = self.agenda.get(_key(parsed.area))
            label = f"{order}. {parsed.area or 'discussion'}"
            if index >= len(existing):
                self.step(
                    parsed.line,
                    lambda p=parsed, o=order, a=agenda_item: discussion_item_create(
                        meeting=self.meeting_obj,
                        text=p.text,
                        agenda_item=a,
                        order=o,
                        acting_user=self.user,
                    ),
                )
                self.change("discussion item", label, "create", _plain(parsed.text)[:80])
                continue
            item = existing[index]
            changes: dict[str, Any] = {}
            if item.text != parsed.text:
                changes["text"] = parsed.text
            if item.agenda_item_id != (agenda_item.pk if agenda_item else None):
                changes["agenda_item"] = agenda_item
            if item.order != order:
                changes["order"] = order
            if changes:
                self.step(
                    parsed.line,
                    lambda i=item, c=changes: discussion_item_update(
                        discussion_item=i, **c, acting_user=self.user
                    ),
                )
            self.change(
                "discussion item", label, "update" if changes else "unchanged", ", ".join(changes)
            )
        for item in existing[len(self.p.discussion) :]:
            self.warn(
                f"{self.meeting_obj.ref} has a discussion item (#{item.order}) that is not in "
                "the report; it was left as it is."
            )

    def next_meeting(self) -> None:

        when = self.p.next_meeting_at
        assert when is not None
        number = self.p.meeting_number + 1
        committee = self.committee_obj
        following = Meeting.objects.filter(committee=committee, number=number, sub_number=0).first()
        day_start = dt.datetime.combine(when.date(), dt.time(0), tzinfo=LONDON)
        on_that_day = Meeting.objects.filter(
            committee=committee,
            start_at__gte=day_start,
            start_at__lt=day_start + dt.timedelta(days=1),
        ).first()
        if on_that_day is not None:
            self.change("meeting", on_that_day.ref, "unchanged", "next meeting")
            return
        if following is not None:
            self.warn(
                f"The report gives the next {committee.code} as {when:%d/%m/%Y %H:%M}; "
                f"{following.ref} is recorded on {following.local_start:%d/%m/%Y %H:%M} "
                "and was left as it is."
            )
            self.change("meeting", following.ref, "unchanged", "next meeting")
            return
        created = meeting_create(
            committee=committee,
            number=number,
            start_at=when,
            status=Meeting.Status.PLANNED,
            classification=self.meeting_obj.classification,
            acting_user=self.user,
        )
        self.change("meeting", created.ref, "create", f"next meeting, {when:%d/%m/%Y %H:%M}")

    def refresh_other_references(self) -> None:
        """Discussion elsewhere that named a record created now links to it from now on."""

        if not self.created_refs:
            return
        items = (
            DiscussionItem.objects.filter(references__ref__in=self.created_refs)
            .exclude(meeting=self.meeting_obj)
            .distinct()
        )
        for item in items:
            discussion_references_refresh(discussion_item=item, acting_user=self.user)


def _when(start: dt.datetime, end: dt.datetime | None) -> str:
    local = start.astimezone(LONDON)
    text = f"{local:%d/%m/%Y %H:%M}"
    return f"{text}–{end.astimezone(LONDON):%H:%M}" if end else text


def headline_report_import(*, text: str, dry_run: bool = False, acting_user: Any) -> ImportResult:
    """Import a headline report's text form: create or update its meeting's records.

    Validates the whole text first (:func:`headline_report_parse`), then writes through the
    apps' services in one transaction. Returns an :class:`ImportResult`. With ``dry_run``
    every write is done and rolled back, so the result says exactly what would happen.
    Raises :class:`HeadlineReportImportError` (line-by-line problems; nothing written) and
    PermissionDenied unless ``acting_user`` is the PMO or the system (``SYSTEM``).
    """
    roles.require_pmo(acting_user)
    parsed = headline_report_parse(text)
    result = ImportResult(meeting_ref=parsed.meeting_ref, dry_run=dry_run)
    with transaction.atomic():
        writer = _Writer(parsed, result, acting_user)
        writer.run()
        if writer.problems:
            raise HeadlineReportImportError(writer.problems)
        result.meeting_id = writer.meeting_obj.pk
        if dry_run:
            transaction.set_rollback(True)
    if dry_run:
        result.meeting_id = None
    return result


def headline_report_text(data: bytes) -> str:
    """Decode an uploaded or read file (UTF-8, with or without BOM).

    Raises HeadlineReportImportError when the bytes are a PDF (the report itself, not its
    text), are not UTF-8 text, or hold a NUL character (no text file does, and PostgreSQL
    refuses to store one).
    """
    if data.startswith(b"%PDF-"):
        raise HeadlineReportImportError(
            [
                ImportProblem(
                    None,
                    "this is a PDF: upload the report's text instead (copy the text out of the "
                    "PDF into a UTF-8 text file, tab-separated rows as in "
                    "seeds/DAG028-headline-report.txt)",
                )
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HeadlineReportImportError(
            [
                ImportProblem(
                    None,
                    f"the file is not UTF-8 text ({exc.reason} at byte {exc.start}): upload the "
                    "report's text saved as UTF-8, as in seeds/DAG028-headline-report.txt",
                )
            ]
        ) from exc
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise HeadlineReportImportError(
            [ImportProblem(line, "the file holds a NUL character: it is not a text file")]
        )
    return text


def headline_report_import_file(
    *, path: str | Path, dry_run: bool = False, acting_user: Any
) -> ImportResult:
    """Import the headline report in the text file at ``path``; see headline_report_import."""
    return headline_report_import(
        text=headline_report_text(Path(path).read_bytes()),
        dry_run=dry_run,
        acting_user=acting_user,
    )


def text_checksum(text: str) -> str:
    """SHA-256 hex of ``text`` (UTF-8): ties an import preview to the text confirmed."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
