"""Joining a table's text rows into records: one logical row per Ref, one cell per paragraph.

A cell broken over several text rows continues on rows whose key cell (Ref) is empty; the
bullet points of one discussion cell come as rows of their own, and a paragraph broken by a
page break continues on a row starting in lower case. A row with only an Area fragment on it
floats between two records until the area inference places it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .reader import Reader, Row
from .text import plain, squash

_SENTENCE_END_RE = re.compile(r"[.!?:;)\]]\s*(?:</\w+>)?$")
_BULLET_RE = re.compile(r"^\s*[•●▪◦‣∙·\-–*]\s*")


@dataclass
class Record:
    """One logical table row (a cell broken over several text rows is joined)."""

    line: int
    cells: list[str]
    fragments: list[tuple[int, str]] = field(default_factory=list)
    list_mode: bool = False


# A label-only row (an Area fragment with nothing else on its row): where it sits between
# two records, as ``(index of the record after it, line, text)``.
Floating = tuple[int, int, str]


def table_records(
    rows: list[Row], key_column: int | None, reader: Reader
) -> tuple[list[Record], list[Floating]]:
    """Join the text rows of one table into records (Ref-keyed tables: Actions, Decisions)."""
    records: list[Record] = []
    floating: list[Floating] = []
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
                squash(f"{a} {b}") for a, b in zip(previous.cells, row.cells, strict=True)
            ]
            previous.fragments += fragment
            continue
        records.append(Record(row.line, [c.strip() for c in row.cells], fragment))
    if floating and not records:
        reader.problem(floating[0][1], "an Area with no rows under it")
    return records, floating


def discussion_records(rows: list[Row]) -> tuple[list[Record], list[Floating]]:
    """Join discussion rows into cells: bullet lists and paragraphs broken by a page."""
    records: list[Record] = []
    floating: list[Floating] = []
    for row in rows:
        text = squash(row.cells[0])
        fragment = [(row.line, row.area)] if row.area else []
        if not text:
            floating += [(len(records), line, label) for line, label in fragment]
            continue
        previous = records[-1] if records else None
        bullet = bool(_BULLET_RE.match(text)) and not text.startswith("<")
        plain_end = plain(text)
        if previous is not None and (
            (bullet and (previous.list_mode or plain(previous.cells[0]).endswith(":")))
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
        record = Record(row.line, [text], fragment)
        record.list_mode = plain(text).endswith(":")
        records.append(record)
    return records, floating
