"""Headline reports as PDF files, read by their structure with pdfplumber into the text form
the parser reads (as :mod:`.documents` does for Word documents).

pdfplumber finds each table from its ruling lines and gives its cells' boxes, so a cell's
words are read from inside its box (never the flattened page text): a merged Area cell is
one box spanning several rows (its rows get its text); an Area cell continued from the page
before is empty at the top of the next page's table and takes the area above; a header row
repeated on a new page is skipped. Bold words (their font's name says Bold) become ``<b>``,
and words over a short ruled line inside their cell (an underline) become ``<u>``. Text
outside the tables is read line by line; the running header and page numbers (the same text
in the margin of several pages) are left out, and a line set larger than the body text is a
heading.

A PDF with no text layer (a scan), an encrypted PDF and a damaged file are refused with a
sentence saying so, never a traceback.
"""

from __future__ import annotations

import collections
import io
import re
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from .documents import DocumentText, column_order
from .results import HeadlineReportImportError, ImportProblem

MARGIN = 60  # points: running headers and page numbers sit within this of the edge
_PAGE_NUMBER = re.compile(r"^(page\s+)?\d+(\s+(of|/)\s+\d+)?$", re.I)


def is_pdf(data: bytes) -> bool:
    return data.lstrip()[:5] == b"%PDF-"


def _refuse(message: str) -> HeadlineReportImportError:
    return HeadlineReportImportError([ImportProblem(None, message)])


def _encrypted(exc: BaseException) -> bool:
    """True when pdfminer's failure (wrapped by pdfplumber) is a password or encryption."""
    seen: list[Any] = [exc, exc.__cause__, exc.__context__, *getattr(exc, "args", ())]
    return any(isinstance(e, PDFPasswordIncorrect | PDFEncryptionError) for e in seen)


def _open(data: bytes) -> Any:
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        _ = pdf.pages  # parses the page tree: a damaged file fails here
    except Exception as exc:  # pdfminer raises many kinds (PDFSyntaxError, ...)
        if _encrypted(exc):
            raise _refuse("This PDF is encrypted: upload one without a password.") from exc
        raise _refuse(f"The PDF cannot be read ({exc.__class__.__name__}).") from exc
    return pdf


def _inside(obj: dict, box: tuple[float, float, float, float], slack: float = 1.0) -> bool:
    x0, top, x1, bottom = box
    return (
        obj["x0"] >= x0 - slack
        and obj["x1"] <= x1 + slack
        and obj["top"] >= top - slack
        and obj["bottom"] <= bottom + slack
    )


def _underlines(page: Any, box: tuple[float, float, float, float]) -> list[dict]:
    """Short horizontal rules inside a cell (not its borders): the underlines."""
    x0, _, x1, _ = box
    rules = [*page.lines, *[r for r in page.rects if r["height"] < 1.5]]
    return [
        rule
        for rule in rules
        if abs(rule["bottom"] - rule["top"]) < 1.5
        and _inside(rule, box, slack=0.5)
        and rule["x1"] - rule["x0"] < (x1 - x0) - 4
    ]


def _underlined(word: dict, rules: list[dict]) -> bool:
    middle = (word["x0"] + word["x1"]) / 2
    return any(
        rule["x0"] - 1 <= middle <= rule["x1"] + 1 and 0 <= rule["top"] - word["bottom"] <= 4
        for rule in rules
    )


def _mark(words: list[tuple[str, bool, bool]]) -> str:
    """Words with (bold, underlined) flags as text with ``<b>``/``<u>`` around each run."""
    out: list[str] = []
    bold = underline = False
    for text, is_bold, is_underlined in words:
        closing = ("</u>" if underline and not is_underlined else "") + (
            "</b>" if bold and not is_bold else ""
        )
        opening = ("<b>" if is_bold and not bold else "") + (
            "<u>" if is_underlined and not underline else ""
        )
        if closing and out:
            out[-1] += closing
        out.append(opening + text)
        bold, underline = is_bold, is_underlined
    if out:
        out[-1] += ("</u>" if underline else "") + ("</b>" if bold else "")
    return " ".join(out)


def _cell_text(page: Any, box: tuple[float, float, float, float], *, formatted: bool) -> str:
    """The words inside a cell's box, lines joined (a wrapped line goes on with a space; a
    line starting a bullet starts a new line, ``<br>``), runs marked when ``formatted``."""
    x0, top, x1, bottom = box

    def centred_in_cell(obj: dict) -> bool:
        # A character belongs to the cell its middle is in: a line's ascenders may rise a
        # little above the cell's top rule.
        if obj.get("object_type") != "char":
            return False
        middle_x, middle_y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return x0 <= middle_x <= x1 and top <= middle_y <= bottom

    words = page.filter(centred_in_cell).extract_words(extra_attrs=["fontname"])
    rules = _underlines(page, box) if formatted else []
    lines: list[list[dict]] = []
    for word in words:
        if lines and abs(word["top"] - lines[-1][0]["top"]) < 2:
            lines[-1].append(word)
        else:
            lines.append([word])
    texts = []
    for line in lines:
        flags = [
            (w["text"], formatted and "Bold" in w["fontname"], _underlined(w, rules)) for w in line
        ]
        texts.append(_mark(flags) if formatted else " ".join(w["text"] for w in line))
    if not formatted:
        # A merged cell split by a page break may print its words again: once is enough.
        texts = [t for i, t in enumerate(texts) if i == 0 or t != texts[i - 1]]
    joined = ""
    for text in texts:
        joined = join_wrapped(joined, text, formatted=formatted)
    return joined


def _plain(text: str) -> str:
    return re.sub(r"</?[bu]>", "", text)


def join_wrapped(before: str, after: str, *, formatted: bool = False) -> str:
    """Two pieces of a cell's text broken by a line or a page: a bullet starts a new line;
    a word broken after a hyphen ("DAG-" "DEC72", "1000-" "1300") joins up; otherwise a
    space."""
    if not before:
        return after
    if not after:
        return before
    if formatted and _plain(after).startswith("•"):
        text = before + "<br>" + after
    elif re.search(r"\w-$", _plain(before)):
        text = before + after
    else:
        text = before + " " + after
    return (
        text.replace("</b><b>", "")
        .replace("</u><u>", "")
        .replace("</b> <b>", " ")
        .replace("</u> <u>", " ")
    )


class _Tables:
    """The record tables read so far: the heading and last area of each, so a table
    continued on the next page goes on where the previous page left it (its last line in
    ``out``, to join a row the page break cut in two)."""

    def __init__(self) -> None:
        self.last_heading: list[str] | None = None
        self.last_area = ""
        self.last_line: int | None = None


def _continues(cells: list[str], heading: list[str], previous: str) -> bool:
    """True when the first row of a table's next page is the rest of the row the page
    break cut: an action or decision row with no ref, or a discussion cell going on from a
    sentence the previous page left unfinished."""
    if "Ref" in heading:
        return not cells[heading.index("Ref")]
    last = _plain(previous).rstrip()
    return bool(last) and last[-1] not in '.);!?”"'  # a colon leads on to a list


def _table_lines(out: DocumentText, page: Any, table: Any, number: int, state: _Tables) -> None:
    rows = table.rows
    first = [_cell_text(page, cell, formatted=False) if cell else "" for cell in rows[0].cells]
    order = column_order(first)
    start, area_at, continued = 0, -1, False
    if order is not None:
        heading = [first[i] for i in order]
        continued = heading == state.last_heading  # its header repeated on a new page
        if not continued:
            out.add("", "")
            out.add("\t".join(heading), f"page {page.page_number}, table {number}, row 1")
        state.last_heading, start, area_at = heading, 1, 0
    elif state.last_heading and len(first) == len(state.last_heading):
        # A table going on from the page before without repeating its header row.
        heading, order, area_at, continued = state.last_heading, list(range(len(first))), 0, True
    else:
        heading, state.last_heading = [], None
        order = list(range(len(first)))
    discussion = "Discussion" in heading
    for index, row in enumerate(rows[start:], start=start + 1):
        boxes = [row.cells[i] if i < len(row.cells) else None for i in order]
        cells = [
            (_cell_text(page, box, formatted=discussion and column == 1).strip() if box else "")
            for column, box in enumerate(boxes)
        ]
        previous = out.lines[state.last_line] if state.last_line is not None else ""
        if (
            continued
            and index == start + 1
            and cells[0] in ("", state.last_area)  # a merged Area may print again
            and _continues(cells, heading, previous.split("\t")[-1])
        ):
            joined = [
                before
                if column == 0  # the same area
                else join_wrapped(before, after, formatted=discussion and column == 1)
                for column, (before, after) in enumerate(
                    zip(previous.split("\t"), cells, strict=False)
                )
            ]
            out.lines[state.last_line] = "\t".join(joined)
            continue
        if area_at == 0:
            # An empty Area is the rest of a merged cell: the area above (on this page or
            # the page before).
            cells[0] = cells[0] or state.last_area
            state.last_area = cells[0]
        if any(cells):
            out.add("\t".join(cells), f"page {page.page_number}, table {number}, row {index}")
            state.last_line = len(out.lines) - 1


def _furniture(pdf: Any) -> set[str]:
    """Text lines in the top or bottom margin of more than one page: the running header."""
    seen: collections.Counter[str] = collections.Counter()
    for page in pdf.pages:
        for line in page.extract_text_lines():
            if line["top"] < MARGIN or line["bottom"] > page.height - MARGIN:
                seen[line["text"].strip()] += 1
    return {text for text, count in seen.items() if count > 1}


def pdf_text(data: bytes) -> DocumentText:
    """The text form of a headline report PDF (see the module docstring)."""
    pdf = _open(data)
    with pdf:
        if not any(page.chars for page in pdf.pages):
            raise _refuse(
                "This PDF has no text layer (a scan?): upload the report's Word document, "
                "its text, or a PDF made from the document."
            )
        sizes = collections.Counter(round(c["size"]) for p in pdf.pages for c in p.chars)
        body = sizes.most_common(1)[0][0]
        furniture = _furniture(pdf)
        out, state, tables = DocumentText("PDF"), _Tables(), 0
        for page in pdf.pages:
            found = page.find_tables()
            boxes = [table.bbox for table in found]
            blocks: list[tuple[float, Any]] = [(t.bbox[1], t) for t in found]
            outside = page.filter(lambda o, boxes=boxes: not any(_inside(o, b) for b in boxes))
            blocks += [(line["top"], line) for line in outside.extract_text_lines()]
            for _, block in sorted(blocks, key=lambda b: b[0]):
                if isinstance(block, dict):
                    _text_line(out, page, block, body, furniture)
                    continue
                tables += 1
                _table_lines(out, page, block, tables, state)
        if not tables:
            raise _refuse("This PDF has no tables: it is not a headline report.")
    return out


def _text_line(out: DocumentText, page: Any, line: dict, body: float, furniture: set[str]) -> None:
    text = line["text"].strip()
    in_margin = line["top"] < MARGIN or line["bottom"] > page.height - MARGIN
    if not text or (in_margin and (text in furniture or _PAGE_NUMBER.match(text))):
        return
    size = max(c["size"] for c in line["chars"])
    # The title is the first line set larger than the body; the parser knows the rest of
    # the report's lines (sections, issue date, next meeting) by their words.
    title = size > body * 1.15 and not any(out.lines)
    out.add("", "")
    out.add(f"# {text}" if title else text, f"page {page.page_number}, “{text[:40]}”")
