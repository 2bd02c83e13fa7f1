"""The action register as a PDF: the register's filtered, sorted actions, A4 landscape.

WeasyPrint's cost grows with every cell it lays out and paints, and a document keeps every
laid-out page until it is written: one 2,000-row table took 37-48 s and ~400 MiB. So the
register is rendered in chunks of :data:`CHUNK_ROWS` rows, each its own small document with a
fixed-layout table (no content-based column sizing), written to PDF bytes and dropped before
the next; pypdf joins the chunks and stamps "Page N of M" once the total is known. A chunk's
last, part-filled page is thrown away and its rows start the next chunk, so pages are full
however the chunks fall. Python's cyclic garbage collector is paused while a chunk is laid
out (WeasyPrint allocates hundreds of thousands of boxes, and each collection walks them
all) and run once after it, so memory is still returned chunk by chunk.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from core.pdf import INTERNAL_BASE_URL, pdf_url_fetcher

from .models import Action
from .selectors import ActionRegisterFilters, action_register

# The most actions one PDF lists. It is rendered while the request waits, at about 6-8 ms of
# CPU an action here (2,000 actions: 16-23 s of CPU on a loaded 2-core machine), and a web
# worker is killed after 60 s: 3,000 (some 25 s on a quiet machine) leaves room for a busy
# one. Anyone who wants more narrows the filters (the PDF and the register page say so).
REGISTER_PDF_MAX_ROWS = 3000
# Rows per WeasyPrint document: small enough that a chunk's layout stays a few tens of MiB,
# large enough that the per-document start-up (styles, fonts, PDF writing) is noise.
CHUNK_ROWS = 250
# The most rows one page can hold (a page is ~530 pt tall, a one-line row ~12 pt), with room
# to spare: the last rows of a chunk carry an id so the renderer can tell which of them start
# its last page. Anchors cost layout time and PDF bytes, so the other rows have none.
_ROWS_PER_PAGE_MAX = 60

SORT_LABELS = {
    "ref": "ref",
    "-ref": "ref, newest first",
    "due_date": "due date, soonest first",
    "-due_date": "due date, latest first",
    "status": "status",
    "-status": "status, reversed",
}


@dataclass(frozen=True)
class RegisterPdf:
    """A rendered register: the PDF, how many actions it lists (``shown``) of how many the
    filters matched (``total``), and its page count."""

    pdf: bytes
    shown: int
    total: int
    pages: int

    @property
    def is_capped(self) -> bool:
        return self.total > self.shown


@dataclass(frozen=True)
class _Row:
    index: int
    ref: str
    meeting: str
    area: str
    description: str
    owners: str
    due: str
    due_meeting: str
    status: str
    is_overdue: bool


def _row(index: int, action: Action, today: dt.date) -> _Row:
    owners = "; ".join(o.display for o in action.owners.all())  # prefetched, lead first
    return _Row(
        index=index,
        ref=action.ref,
        meeting=action.meeting.ref,
        area=action.agenda_item.title if action.agenda_item_id else "",
        description=action.description,
        owners=owners or "—",
        due=f"{action.due_date:%d/%m/%Y}" if action.due_date else "—",
        due_meeting=action.due_meeting.ref if action.due_meeting_id else "",
        status=action.get_status_display(),
        is_overdue=action.is_overdue(today),
    )


def action_register_pdf(
    *,
    user: Any,
    filters: ActionRegisterFilters,
    today: dt.date,
    filters_text: str = "none",
    generated_at: dt.datetime | None = None,
    max_rows: int | None = None,
) -> RegisterPdf:
    """The register ``user`` sees with ``filters`` (as ``/actions/`` lists it) as a PDF.

    ``today`` is the London date that decides what is overdue; ``filters_text`` says in words
    which filters were applied (the view writes it from its form); ``generated_at`` (aware,
    default now) is printed in Europe/London time. At most ``max_rows`` (default
    :data:`REGISTER_PDF_MAX_ROWS`) actions are listed, in the register's order; when the
    filters match more, the PDF says how many and that it shows the first ``max_rows``.
    Visibility is the register's: an Observer gets only actions
    raised at Public meetings. Costs a fixed number of queries (the actions, their owners,
    and a count when there are more than ``max_rows``).
    """
    if max_rows is None:
        max_rows = REGISTER_PDF_MAX_ROWS
    qs = action_register(user=user, filters=filters, today=today)
    actions = list(qs[: max_rows + 1])
    total = len(actions)
    if total > max_rows:
        actions = actions[:max_rows]
        total = qs.count()
    rows = [_row(i, action, today) for i, action in enumerate(actions)]
    del actions
    context = {
        "filters_text": filters_text,
        "sort_text": SORT_LABELS.get(filters.sort, SORT_LABELS["ref"]),
        "generated_at": timezone.localtime(generated_at or timezone.now()),
        "shown": len(rows),
        "total": total,
        "capped": total > len(rows),
        "max_rows": max_rows,
    }
    generated = context["generated_at"]
    pdf, pages = _render_chunks(
        rows, context, footer=f"Action register, generated {generated:%d/%m/%Y %H:%M}"
    )
    return RegisterPdf(pdf=pdf, shown=len(rows), total=total, pages=pages)


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic collector for one chunk, then collect what the chunk left behind.

    WeasyPrint's boxes point at their parents, so a chunk's layout (some 160,000 objects for
    250 rows) is freed by the collector, not by reference counting. With collection paused,
    all of it is in the youngest generation: collecting that one alone frees it without
    walking the rest of the process's objects. Renders in several threads count themselves
    in under a lock: the first pauses the collector and the last one out restores it, so
    overlapping renders never leave it off (each checking ``gc.isenabled()`` on its own
    could read the other's pause and keep it).
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()
        gc.collect(0)


def _render_chunks(
    rows: Sequence[_Row], context: dict[str, Any], *, footer: str
) -> tuple[bytes, int]:
    """Lay out ``rows`` chunk by chunk, join the chunks' PDFs, stamp page numbers."""
    # WeasyPrint logs each rendering step (and its import) at INFO: too chatty for our log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = pdf_url_fetcher()  # the template loads nothing; anything else is refused
    # One font configuration for every chunk: making one loads the system's fonts into a new
    # Fontconfig configuration and Pango font map, and WeasyPrint's font caches hang on it.
    font_config = FontConfiguration()
    parts: list[bytes] = []
    start = 0
    while True:
        end = min(start + CHUNK_ROWS, len(rows))
        html = render_to_string(
            "actions/register_pdf.html",
            {
                **context,
                "rows": rows[start:end],
                "is_first": start == 0,
                "anchor_from": end - _ROWS_PER_PAGE_MAX if end < len(rows) else end,
            },
        )
        with _gc_paused():
            document = HTML(string=html, base_url=INTERNAL_BASE_URL, url_fetcher=fetcher).render(
                font_config=font_config
            )
            pages = document.pages
            next_start = end
            if end < len(rows) and len(pages) > 1:
                # The last page is part-filled: drop it and start the next chunk with its
                # first row, so no page in the middle of the register is left half empty.
                first_on_last = _first_row_on(pages[-1])
                if (
                    first_on_last is not None
                    and first_on_last > start
                    # A row longer than what was left of the page before is split, and
                    # WeasyPrint names it on both pages: that row is then kept whole here
                    # (with its page) rather than printed again, cut, by the next chunk.
                    and f"r{first_on_last}" not in pages[-2].anchors
                ):
                    next_start = first_on_last
                    pages = pages[:-1]
            parts.append(document.copy(pages).write_pdf())
            del document, pages, html
        if next_start >= len(rows):
            break
        start = next_start
    return _join_and_number(parts, footer=footer)


def _first_row_on(page: Any) -> int | None:
    """The index of the first register row that starts on ``page`` (rows carry ``id="rN"``)."""
    found = [int(name[1:]) for name in page.anchors if name[:1] == "r" and name[1:].isdigit()]
    return min(found) if found else None


# Widths of the characters of "Page N of M" in Helvetica, in 1/1000 em (the AFM metrics of a
# standard PDF font, which needs no embedding): to right-align the stamp.
_HELVETICA_WIDTHS = {" ": 278, "P": 667, "a": 556, "g": 556, "e": 556, "o": 556, "f": 278}
_FOOTER_SIZE = 7.0
_FOOTER_MARGIN = 28.35  # 10 mm, the page's side margins
_FOOTER_BASELINE = 18.0  # points above the bottom edge, inside the 13 mm bottom margin


def _text_width(text: str, size: float) -> float:
    return sum(_HELVETICA_WIDTHS.get(ch, 556) for ch in text) * size / 1000


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _join_and_number(parts: Sequence[bytes], *, footer: str) -> tuple[bytes, int]:
    """Join the chunks' PDFs and stamp each page with ``footer`` and "Page N of M".

    Each page's own content is wrapped in ``q``/``Q`` (WeasyPrint leaves its coordinate
    transform in place) and the stamp is drawn after it in PDF's default coordinates, in
    Helvetica (a standard PDF font: nothing to embed). ``footer`` must be plain ASCII.
    Returns the PDF and its page count.
    """
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    total = len(writer.pages)
    # An indirect object, as readers expect of a font resource (pypdf has no public name for
    # adding one; ``_add_object`` is what its own stamping code uses).
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    for number, page in enumerate(writer.pages, start=1):
        label = f"Page {number} of {total}"
        x = float(page.mediabox.width) - _FOOTER_MARGIN - _text_width(label, _FOOTER_SIZE)
        stamp = (
            f"q 0.27 g BT /RegisterFooter {_FOOTER_SIZE} Tf "
            f"{_FOOTER_MARGIN:.2f} {_FOOTER_BASELINE:.2f} Td {_pdf_string(footer)} Tj ET "
            f"BT /RegisterFooter {_FOOTER_SIZE} Tf {x:.2f} {_FOOTER_BASELINE:.2f} Td "
            f"{_pdf_string(label)} Tj ET Q\n"
        ).encode("ascii")
        resources = page[NameObject("/Resources")].get_object()
        if "/Font" not in resources:
            resources[NameObject("/Font")] = DictionaryObject()
        resources["/Font"].get_object()[NameObject("/RegisterFooter")] = font
        # The page's own streams are edited in place (pypdf re-encodes them on write): no
        # objects are added or dropped, so the joined file's cross-references stay whole.
        streams = page["/Contents"].get_object()
        if not isinstance(streams, ArrayObject):
            streams = [streams]
        first, last = streams[0].get_object(), streams[-1].get_object()
        first.set_data(b"q\n" + first.get_data())
        last.set_data(last.get_data() + b"\nQ\n" + stamp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), total
