"""Headline reports as documents: the secretariat's Word file (``.docx``), read by its
structure, into the text form the parser reads (:mod:`.reader`).

Why through the text form: the parser, its validation and every message it gives are built
and tested on that form; a document only changes how the rows are found. What the document
knows and the flattened text does not is kept: a merged (spanning) Area cell is read as the
area of every row it spans, so each row carries its area in full and nothing is inferred;
bold and underlined runs become ``<b>`` and ``<u>``; a table's repeated header rows and the
page furniture (headers, footers, page numbers) are not part of the body and are never read.
``python-docx`` reads the file (it resolves merged cells to the cell they continue).

Each text line made from a table row remembers where it came from, so a problem reads
"table 2, row 5" rather than a line of a text the user never saw (:func:`where`).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from .results import HeadlineReportImportError, ImportProblem

DOCX_PART = "word/document.xml"
# A .docx is a ZIP: its declared unpacked size is checked before anything is read.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024


@dataclass
class DocumentText:
    """The text form made from a document, and where each of its lines came from."""

    kind: str
    lines: list[str] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)

    def add(self, line: str, origin: str) -> None:
        self.lines.append(line)
        self.origins.append(origin)

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def where(self, line: int | None) -> str:
        """The document place of text line ``line`` (1-based): "table 2, row 5"."""
        if line is None or not 0 < line <= len(self.origins):
            return ""
        return self.origins[line - 1]


def is_docx(data: bytes) -> bool:
    """True for a Word document (a ZIP holding ``word/document.xml``), by its content."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return DOCX_PART in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _blocks(document: Document) -> Iterator[Paragraph | Table]:
    """The body's paragraphs and tables in document order (headers and footers are not in
    the body)."""
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, document)
        elif child.tag == qn("w:tbl"):
            yield Table(child, document)


def _runs_html(paragraph: Paragraph) -> str:
    """A paragraph's text with bold and underlined runs marked as the text form marks them."""
    parts = []
    for run in paragraph.runs:
        text = run.text.replace("\t", " ")
        if not text:
            continue
        if run.underline and text.strip():
            text = f"<u>{text}</u>"
        if run.bold and text.strip():
            text = f"<b>{text}</b>"
        parts.append(text)
    return "".join(parts).replace("</b><b>", "").replace("</u><u>", "")


def _cell_text(cell: object, *, formatted: bool) -> str:
    paragraphs = cell.paragraphs  # type: ignore[attr-defined]
    texts = [(_runs_html(p) if formatted else p.text).strip() for p in paragraphs]
    # A discussion cell's paragraphs (a list of points) keep their breaks, as the text
    # form writes them; elsewhere a cell is one run of words.
    return ("<br>" if formatted else " ").join(t for t in texts if t)


def _heading_level(paragraph: Paragraph) -> int:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name.lower().startswith("heading"):
        digits = "".join(ch for ch in name if ch.isdigit())
        return int(digits) if digits else 1
    return 1 if name.lower() == "title" else 0


# The text form's column orders; a document may order (or name the case of) them otherwise.
CANONICAL = (
    ("Area", "Ref", "Action", "Owner", "Due"),
    ("Area", "Ref", "Decision"),
    ("Area", "Discussion"),
)


def column_order(heading: list[str]) -> list[int] | None:
    """Where each of the text form's columns is in a table with ``heading``, or None when
    the table is not one of the report's record tables (the header table). Columns the text
    form has no place for (a decision's Outcome) are left out."""
    names = [name.strip().lower() for name in heading]
    for columns in CANONICAL:
        if all(c.lower() in names for c in columns):
            return [names.index(c.lower()) for c in columns]
    return None


def _table_lines(out: DocumentText, table: Table, number: int) -> None:
    rows = table.rows
    heading = [cell.text.strip() for cell in rows[0].cells] if rows else []
    order = column_order(heading)
    if order is not None:
        heading = [heading[i] for i in order]
    # Only the discussion's own text keeps its bold and underlining (its refs, CR titles).
    formatted = [name == "Discussion" for name in heading]
    for index, row in enumerate(rows, start=1):
        row_cells = list(row.cells)
        if order is not None:
            row_cells = [row_cells[i] for i in order if i < len(row_cells)]
        cells = [
            _cell_text(cell, formatted=index > 1 and column < len(formatted) and formatted[column])
            for column, cell in enumerate(row_cells)
        ]
        if index > 1 and cells == heading:
            continue  # a header row repeated on a later page
        if not any(cells):
            continue
        out.add("\t".join(cells), f"table {number}, row {index}")


def docx_text(data: bytes) -> DocumentText:
    """The text form of a Word headline report; raises HeadlineReportImportError for a file
    Word would not open."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        unpacked = 0
    if unpacked > MAX_UNPACKED_BYTES:
        raise HeadlineReportImportError(
            [
                ImportProblem(
                    None,
                    "This Word document unpacks to more than 50 MB: it is not a headline report.",
                )
            ]
        )
    try:
        document = Document(io.BytesIO(data))
    except KeyError as exc:  # a part Word writes is missing: [Content_Types].xml, say
        raise HeadlineReportImportError(
            [ImportProblem(None, f"The Word document cannot be read: {exc.args[0]}.")]
        ) from exc
    except Exception as exc:
        raise HeadlineReportImportError(
            [ImportProblem(None, f"The Word document cannot be read ({exc.__class__.__name__}).")]
        ) from exc
    out = DocumentText("Word document")
    tables = 0
    for block in _blocks(document):
        if isinstance(block, Table):
            tables += 1
            out.add("", "")
            _table_lines(out, block, tables)
            out.add("", "")
            continue
        text = block.text.strip()
        if not text:
            continue
        level = _heading_level(block)
        out.add(("#" * level + " " + text) if level else text, f"paragraph “{text[:40]}”")
    if not tables:
        raise HeadlineReportImportError(
            [ImportProblem(None, "This Word document has no tables: it is not a headline report.")]
        )
    return out


def located(error: HeadlineReportImportError, source: DocumentText) -> HeadlineReportImportError:
    """``error`` with each problem's text line replaced by its place in the document."""
    problems = []
    for problem in error.problems:
        place = source.where(problem.line)
        message = f"{source.kind}, {place}: {problem.message}" if place else problem.message
        problems.append(ImportProblem(None, message))
    return HeadlineReportImportError(problems)
