"""Headline reports as PDF files, read by their structure with pdfplumber into the text form
the parser reads (as :mod:`.documents` does for Word documents).

pdfplumber finds each table from its ruling lines and gives its cells' boxes, so a cell's
words are read from inside its box (never the flattened page text): a merged Area cell is
one box spanning several rows (its rows get its text); an Area cell continued from the page
before is empty at the top of the next page's table and takes the area above; a header row
repeated on a new page is skipped; a table a page break cut without a rule under its last
row is closed where its borders end (:mod:`.pdf_layout`). Bold runs (their font's name says
Bold) become ``<b>``, and characters over a short ruled line inside their cell (an
underline) become ``<u>``. Text outside the tables is read line by line; the running header
and page numbers (the same pieces of text in the margin of several pages) are left out, as
are an area's "(continued)" head and this product's own stamps, and a line set larger than
the body text is a heading. The report this product renders reads back into the text it was
rendered from (``tests/composer/test_import_roundtrip.py``).

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
from pdfplumber.utils import extract_words

from .documents import DocumentText, column_order
from .pdf_layout import closing_rules, line_pieces, underline_rules, with_underlines
from .results import HeadlineReportImportError, ImportProblem

MARGIN = 60  # points: running headers and page numbers sit within this of the edge
_PAGE_NUMBER = re.compile(r"^(page\s+)?\d+(\s+(of|/)\s+\d+)?$", re.I)
# This product's own stamp on a report it rendered: not part of the report's content.
_STAMP = re.compile(r"^(DRAFT\b.*|Version \d+, issued .*)$")
_VERSION = re.compile(r"\s*·\s*Version \d+$")  # after its issue date
# A running head naming the area a page goes on with ("CR027 Decision (continued)").
_CONTINUED = re.compile(r"\((continued|cont'd|cont\.)\)$", re.I)


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


def _mark(words: list[tuple[str, bool, bool, bool]]) -> str:
    """Words with (bold, underlined, glued) flags as text with ``<b>``/``<u>`` around each
    run; a glued word follows the one before with no space (a run changed mid-word)."""
    out: list[str] = []
    bold = underline = False
    for text, is_bold, is_underlined, glued in words:
        closing = ("</u>" if underline and not is_underlined else "") + (
            "</b>" if bold and not is_bold else ""
        )
        opening = ("<b>" if is_bold and not bold else "") + (
            "<u>" if is_underlined and not underline else ""
        )
        if closing and out:
            out[-1] += closing
        if glued and out:
            out[-1] += opening + text
        else:
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
        if obj.get("object_type") != "char" or _rotated(obj):
            return False  # a rotated character is a watermark's (DRAFT), not the cell's
        middle_x, middle_y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return x0 <= middle_x <= x1 and top <= middle_y <= bottom

    rules = underline_rules(page, box) if formatted else []
    chars = with_underlines(page.filter(centred_in_cell).chars, rules)
    words = extract_words(chars, extra_attrs=["fontname", "underline"])
    lines: list[list[dict]] = []
    for word in words:
        if lines and abs(word["top"] - lines[-1][0]["top"]) < 2:
            lines[-1].append(word)
        else:
            lines.append([word])
    texts = []
    for line in lines:
        flags = [
            (
                w["text"],
                formatted and "Bold" in w["fontname"],
                w["underline"],
                i > 0 and w["x0"] - line[i - 1]["x1"] < 0.5,
            )
            for i, w in enumerate(line)
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
        # A row with nothing in it (a merged cell's background drawn short, cutting it in
        # two) adds nothing, not even the area above.
        filled = any(cells)
        if area_at == 0:
            # An empty Area is the rest of a merged cell: the area above (on this page or
            # the page before).
            cells[0] = cells[0] or state.last_area
            state.last_area = cells[0]
        if filled:
            out.add("\t".join(cells), f"page {page.page_number}, table {number}, row {index}")
            state.last_line = len(out.lines) - 1


def _shape(text: str) -> str:
    """A margin line with its numbers blanked: "Page 1 of 7" and "Page 2 of 7" are one."""
    return re.sub(r"\d+", "#", text.strip())


def _rotated(obj: dict) -> bool:
    """True for a character set at an angle (its text matrix turns it)."""
    matrix = obj.get("matrix") or (1, 0, 0, 1, 0, 0)
    return abs(matrix[1]) > 1e-3 or abs(matrix[2]) > 1e-3


def _upright(page: Any) -> Any:
    """The page without rotated characters (a diagonal DRAFT watermark)."""
    return page.filter(lambda o: o.get("object_type") != "char" or not _rotated(o))


def _furniture(pdf: Any) -> set[str]:
    """Text lines in the top or bottom margin of more than one page (numbers aside): the
    running header and footer."""
    seen: collections.Counter[str] = collections.Counter()
    for page in pdf.pages:
        for line in _upright(page).extract_text_lines():
            if line["top"] < MARGIN or line["bottom"] > page.height - MARGIN:
                # Counted by piece: a running head set in boxes apart (title, classification)
                # may stand alone on one page ("PUBLIC" beside the first page's own title).
                seen.update({_shape(piece) for piece in line_pieces(line)})
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
            rules = closing_rules(page)
            found = page.find_tables({"explicit_horizontal_lines": rules} if rules else None)
            boxes = [table.bbox for table in found]
            blocks: list[tuple[float, Any]] = [(t.bbox[1], t) for t in found]
            outside = _upright(page).filter(
                lambda o, boxes=boxes: not any(_inside(o, b) for b in boxes)
            )
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
    text = _VERSION.sub("", line["text"].strip())
    in_margin = line["top"] < MARGIN or line["bottom"] > page.height - MARGIN
    if in_margin:
        text = " ".join(
            piece
            for piece in line_pieces(line)
            if not (_shape(piece) in furniture or _PAGE_NUMBER.match(piece))
            and not _CONTINUED.search(piece)
        )
    if not text or _STAMP.match(text):
        return
    size = max(c["size"] for c in line["chars"])
    # The title is the first line set larger than the body; the parser knows the rest of
    # the report's lines (sections, issue date, next meeting) by their words.
    title = size > body * 1.15 and not any(out.lines)
    out.add("", "")
    out.add(f"# {text}" if title else text, f"page {page.page_number}, “{text[:40]}”")
