"""The headline report as HTML and PDF (WeasyPrint), and its stored renders.

The HTML preview and the PDF come from one template, ``templates/meetings/report/headline.html``,
which extends a PDF frame or the site's page frame. WeasyPrint fetches nothing from the
network: the kernel's fetcher (``core.pdf``) serves our own static files and refuses every
other URL (``file:``, other hosts, ``data:``), as Indico does.

A rendered PDF is kept under its *fingerprint*, a SHA-256 of everything the report shows
plus the template and stylesheet: a repeat request with unchanged records is served from
storage without rendering (an issued version with the same fingerprint is served as is).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import get_template, render_to_string

from actions.rows import ActionRow
from composer.report import HeadlineReportData, headline_report_data
from core.pdf import INTERNAL_BASE_URL, font_config, pdf_url_fetcher
from meetings.models import HeadlineReport, Meeting

TEMPLATE = "meetings/report/headline.html"
PDF_FRAME = "meetings/report/_pdf.html"
PAGE_FRAME = "meetings/report/_page.html"
STYLESHEET = "report/headline.css"
# Raised when the layout changes in a way the template and stylesheet hashes do not show.
RENDER_VERSION = 2


# --- fingerprint ---------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _file_digest(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _layout_digest() -> str:
    """Digest of the template files and the stylesheet (re-read when a file changes)."""
    paths = [get_template(name).origin.name for name in (TEMPLATE, PDF_FRAME)]
    stylesheet = finders.find(STYLESHEET)
    if stylesheet:
        paths.append(str(stylesheet))
    digests = [_file_digest(p, Path(p).stat().st_mtime_ns) for p in paths]
    return hashlib.sha256(f"{RENDER_VERSION}:{':'.join(digests)}".encode()).hexdigest()


def _shown_action(row: ActionRow, due: str, note: str = "") -> dict[str, str]:
    return {
        "ref": row.ref,
        "description": row.description,
        "owner": row.owners_text,
        "due": due,
        "note": note,
    }


def _shown(data: HeadlineReportData) -> dict[str, Any]:
    """What the report shows of ``data``, for the fingerprint: the action rows as the
    strings the report writes (not the whole row, whose ``is_overdue`` changes by the day
    and is not shown), in the keys the fingerprints of issued versions were taken with."""
    payload = asdict(replace(data, action_groups=[], review_rows=[]))
    payload["action_groups"] = [
        {"area": group.area, "rows": [_shown_action(r, r.due_on) for r in group.rows]}
        for group in data.action_groups
    ]
    payload["review_rows"] = [_shown_action(r.action, r.due, r.note) for r in data.review_rows]
    return payload


def headline_report_fingerprint(data: HeadlineReportData) -> str:
    """SHA-256 hex of what the report shows and how (template, stylesheet, render version).

    Two renders with the same fingerprint give the same PDF content, so a stored one can be
    served instead of rendering again.
    """
    payload = json.dumps(_shown(data), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{_layout_digest()}\n{payload}".encode()).hexdigest()


# --- HTML and PDF --------------------------------------------------------------------------------


def headline_report_html(
    *, data: HeadlineReportData, for_pdf: bool = True, context: dict[str, Any] | None = None
) -> str:
    """The report as HTML: a standalone document for WeasyPrint (``for_pdf``), or the
    site page with the same report inside (``context`` adds the page's own values and
    must carry ``request`` for the site frame)."""
    request = (context or {}).get("request")
    values = {
        "report": data,
        "frame": PDF_FRAME if for_pdf else PAGE_FRAME,
        "for_pdf": for_pdf,
        "stylesheet": STYLESHEET,
        **(context or {}),
    }
    return render_to_string(TEMPLATE, values, request=request)


def headline_report_pdf(*, data: HeadlineReportData) -> bytes:
    """Render the report to PDF bytes (A4) with WeasyPrint; nothing is fetched from outside.

    One layout. A long area that breaks across pages is named again at the top of the next
    page as "<area> (continued)" by the stylesheet alone: each area cell sets the named
    string ``hr-cont`` and the last cell of its group clears it, so the page's top-left
    margin box shows ``string(hr-cont, start)``, the area still open where the page begins
    (``static/report/headline.css``).
    """
    # WeasyPrint logs each rendering step (and its import) at INFO: too chatty for our log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML

    html = headline_report_html(data=data, for_pdf=True)
    document = HTML(string=html, base_url=INTERNAL_BASE_URL, url_fetcher=pdf_url_fetcher())
    return document.write_pdf(font_config=font_config())


# --- stored renders ------------------------------------------------------------------------------


def _preview_dir(meeting_ref: str) -> str:
    return f"{settings.HEADLINE_REPORT_STORAGE_DIR}/previews/{meeting_ref}"


@dataclass
class StoredPdf:
    """A PDF to send: an open file (or bytes), its fingerprint and a download filename."""

    file: IO[bytes]
    fingerprint: str
    filename: str
    version: HeadlineReport | None = None


def headline_report_pdf_get(*, meeting: Meeting) -> StoredPdf:
    """The current report of ``meeting`` as PDF, rendered only when the records changed.

    Serves an issued version whose fingerprint matches, else a stored preview render with
    that fingerprint, else renders now and stores it (older previews of the meeting are
    removed). About ten queries and no rendering on a repeat request.
    """
    data = headline_report_data(meeting=meeting)
    fingerprint = headline_report_fingerprint(data)
    issued = (
        HeadlineReport.objects.filter(
            meeting=meeting, status=HeadlineReport.Status.ISSUED, fingerprint=fingerprint
        )
        .order_by("-version")
        .first()
    )
    if issued is not None and issued.file and default_storage.exists(issued.file.name):
        return StoredPdf(issued.file.open("rb"), fingerprint, data.filename, issued)
    name = f"{_preview_dir(meeting.ref)}/{fingerprint}.pdf"
    if default_storage.exists(name):
        return StoredPdf(default_storage.open(name, "rb"), fingerprint, data.filename)
    pdf = headline_report_pdf(data=data)
    try:
        _, old_files = default_storage.listdir(_preview_dir(meeting.ref))
    except FileNotFoundError:
        old_files = []
    for old in old_files:
        default_storage.delete(f"{_preview_dir(meeting.ref)}/{old}")
    if not default_storage.exists(name):  # another request may have stored it meanwhile
        default_storage.save(name, ContentFile(pdf))
    return StoredPdf(BytesIO(pdf), fingerprint, data.filename)
