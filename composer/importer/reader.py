"""Reading a report's text form: its lines, headings, header table, sections and table rows.

The text was extracted from a PDF, so page numbers stand in stray rows, blank rows are left
by the layout and a table's header may be repeated on a new page: those are page furniture
and are dropped here. Every problem is collected with its line number; nothing stops early.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .results import ImportProblem
from .text import squash, title_key

SECTION_NAMES = {
    "actions": "actions",
    "decisions": "decisions",
    "key discussion items": "discussion",
    "key discussion": "discussion",
    "discussion": "discussion",
}
COLUMNS = {
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


@dataclass
class Row:
    """One text row of a table: its line, its Area cell and its other cells."""

    line: int
    area: str
    cells: list[str]


@dataclass
class ReadReport:
    """What :class:`Reader` found: header fields as ``(line, …)`` tuples, and table rows."""

    fields: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    tables: dict[str, list[Row]] = field(
        default_factory=lambda: {"actions": [], "decisions": [], "discussion": []}
    )


def heading(line: str) -> str | None:
    """The text of a Markdown heading line (``# **Key Discussion Items**``), else None."""
    stripped = line.strip()
    if not stripped.startswith("#"):
        return None
    return stripped.lstrip("#").strip().strip("*").strip()


def _section_of(line: str) -> str | None:
    text = heading(line)
    if text is None and "\t" not in line:
        text = line.strip().strip("*").strip()
    return SECTION_NAMES.get(title_key(text or ""))


def is_furniture(cells: list[str]) -> bool:
    """A page number or an empty row left by the PDF's page layout."""
    filled = [c.strip() for c in cells if c.strip()]
    return not filled or (len(filled) == 1 and bool(_PAGE_RE.match(filled[0])))


def _column_titles(section: str) -> str:
    return ", ".join(c.title() for c in COLUMNS[section])


class Reader:
    """Reads the text form into sections, collecting every problem with its line number."""

    def __init__(self, text: str) -> None:
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
        self.problems: list[ImportProblem] = []
        self.section = "preamble"
        self.header_seen: dict[str, bool] = {}

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(ImportProblem(line, message))

    def read(self) -> ReadReport:
        """Read every line once: title, issue date, header table, the three tables, next date."""
        found = ReadReport()
        for number, line in enumerate(self.lines, start=1):
            if not line.strip():
                continue
            if self._report_field(number, line, found) or self._section_start(number, line):
                continue
            self._body_line(number, line, found)
        for section in ("actions", "decisions", "discussion"):
            if section not in self.header_seen:
                title = {"discussion": "Key Discussion Items"}.get(section, section.title())
                self.problem(None, f"no “{title}” section was found")
        return found

    def _report_field(self, number: int, line: str, found: ReadReport) -> bool:
        """The title, the issue date or the next meeting's date on ``line``: True when read."""
        head = heading(line)
        if "title" not in found.fields and head is not None:
            match = _TITLE_RE.match(head)
            if match:
                found.fields["title"] = (number, match["name"].strip(), match["code"].upper())
                return True
        issue = _ISSUE_RE.match(head if head is not None else line.strip())
        if issue and "issue_date" not in found.fields:
            found.fields["issue_date"] = (number, issue["date"].strip())
            return True
        next_match = _NEXT_RE.match(line.strip())
        if next_match:
            found.fields["next"] = (number, next_match["what"].strip(), next_match["when"].strip())
            self.section = "after"
            return True
        return False

    def _section_start(self, number: int, line: str) -> bool:
        """A section heading on ``line``: True when it starts a section."""
        new_section = _section_of(line)
        if new_section and heading(line) is None and not self._header_follows(number, new_section):
            # A plain "Decisions" line is a heading only when its table's header follows;
            # otherwise it is an Area word of the table above.
            return False
        if not new_section:
            return False
        if new_section in self.header_seen:
            self.problem(number, f"a second “{line.strip('# *')}” section")
        self.section = new_section
        self.header_seen[new_section] = False
        return True

    def _body_line(self, number: int, line: str, found: ReadReport) -> None:
        cells = line.split("\t")
        if self.section == "preamble":
            if "\t" in line:
                self._header_row(number, cells, found)
            else:
                self.problem(number, f"unexpected text before the Actions table: “{line}”")
        elif self.section == "after":
            if not is_furniture(cells):
                self.problem(
                    number, f"unexpected text after the date of the next meeting: “{line}”"
                )
        elif not is_furniture(cells):
            self._table_row(number, cells, found)

    def _table_row(self, number: int, cells: list[str], found: ReadReport) -> None:
        section = self.section
        columns = COLUMNS[section]
        if [title_key(c) for c in cells if c.strip()] == columns:
            self.header_seen[section] = True  # also a header repeated on a new page
            return
        if not self.header_seen[section]:
            self.problem(
                number,
                f"the {section} table should start with its header row ({_column_titles(section)})",
            )
            self.header_seen[section] = True
        extra = [c for c in cells[len(columns) :] if c.strip()]
        if extra:
            self.problem(
                number,
                f"{len(columns) + len(extra)} cells in a {len(columns)}-column row "
                f"({_column_titles(section)})",
            )
            return
        cells = (cells + [""] * len(columns))[: len(columns)]
        found.tables[section].append(Row(number, cells[0].strip(), cells[1:]))

    def _header_follows(self, number: int, section: str) -> bool:
        """True when the next non-blank line (after line ``number``) is ``section``'s header."""
        for line in self.lines[number:]:
            if line.strip():
                return [title_key(c) for c in line.split("\t") if c.strip()] == COLUMNS[section]
        return False

    def _header_row(self, number: int, cells: list[str], found: ReadReport) -> None:
        pairs = [
            (cells[i], cells[i + 1] if i + 1 < len(cells) else "") for i in range(0, len(cells), 2)
        ]
        for label, value in pairs:
            if not label.strip() and not value.strip():
                continue
            key = _HEADER_KEYS.get(title_key(label))
            if key is None:
                self.problem(number, f"unknown header field “{label.strip()}”")
            elif key in found.fields:
                self.problem(number, f"“{label.strip()}” is given twice")
            else:
                found.fields[key] = (number, squash(value))
