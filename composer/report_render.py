"""The headline report as HTML and PDF (WeasyPrint), and its stored renders.

The HTML preview and the PDF come from one template, ``templates/meetings/report/headline.html``,
which extends a PDF frame or the site's page frame. WeasyPrint fetches nothing from the
network: the kernel's fetcher (``core.pdf``) serves our own static files and refuses every
other URL (``file:``, other hosts, ``data:``), as Indico does.

A report's *fingerprint* is a SHA-256 of everything it shows plus the template and
stylesheet: issuing adds no version when it is unchanged, and the live PDF
(``composer.report_drafts``) is rendered in the background once per fingerprint and served
from storage until the records change (an issued version with the same fingerprint is
served as is). Background renders run WeasyPrint bounded in time and memory
(:func:`headline_report_pdf_bounded`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import get_template, render_to_string

from actions.rows import ActionRow
from composer.report import HeadlineReportData, headline_report_data
from core.bounded import run_bounded
from core.pdf import INTERNAL_BASE_URL, font_config, pdf_url_fetcher
from meetings.models import HeadlineReport, Meeting

TEMPLATE = "meetings/report/headline.html"
PDF_FRAME = "meetings/report/_pdf.html"
PAGE_FRAME = "meetings/report/_page.html"
STYLESHEET = "report/headline.css"
# Raised when the layout changes in a way the template and stylesheet hashes do not show.
RENDER_VERSION = 3


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
    # How a render is labelled (draft or version N, its issue date) is not what the records
    # say: left out, so an unchanged report keeps its fingerprint from one issue to the next.
    for label in ("issue_date", "version", "draft_note"):
        payload.pop(label)
    # Off by default: then not in the payload, as before the section existed.
    if payload["attendance"] is None:
        payload.pop("attendance")
    payload["action_groups"] = [
        {"area": group.area, "rows": [_shown_action(r, r.due_on) for r in group.rows]}
        for group in data.action_groups
    ]
    payload["review_rows"] = [_shown_action(r.action, r.due, r.note) for r in data.review_rows]
    return payload


def headline_report_fingerprint(data: HeadlineReportData) -> str:
    """SHA-256 hex of what the report shows and how (template, stylesheet, render version).

    Two renders with the same fingerprint show the same records the same way, whatever
    their labels (draft or version, issue date): issuing again with the same fingerprint
    as the last issued version adds nothing, and a stored render can be served instead of
    rendering again.
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
    return _weasyprint_pdf(headline_report_html(data=data, for_pdf=True))


def _weasyprint_pdf(html: str) -> bytes:
    # WeasyPrint logs each rendering step (and its import) at INFO: too chatty for our log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML

    document = HTML(string=html, base_url=INTERNAL_BASE_URL, url_fetcher=pdf_url_fetcher())
    return document.write_pdf(font_config=font_config())


def headline_report_pdf_bounded(*, data: HeadlineReportData) -> bytes:
    """:func:`headline_report_pdf` in a child process bounded in time and memory
    (``core.bounded``; ``HEADLINE_REPORT_RENDER_TIMEOUT_S`` and ``_MEMORY_MB``): what the
    background renders call. The HTML is made here (it reads nothing more from the
    database, but made in this process all the same); only WeasyPrint runs in the child.
    Raises RenderLimitExceeded, in words, past a bound."""
    # WeasyPrint and its libraries (pango, gobject) are loaded here, before the fork: the
    # child then only renders, and its memory bound counts the render, not the loading.
    import weasyprint  # noqa: F401

    return run_bounded(
        _weasyprint_pdf,
        headline_report_html(data=data, for_pdf=True),
        memory_mb=settings.HEADLINE_REPORT_RENDER_MEMORY_MB,
        timeout_s=settings.HEADLINE_REPORT_RENDER_TIMEOUT_S,
        what="The headline report",
    )


# --- the current report: the last issued version, or a draft --------------------------------


def headline_report_latest_issued(*, meeting: Meeting) -> HeadlineReport | None:
    """The newest issued version of the meeting's report, or None."""
    return (
        meeting.headline_reports.filter(status=HeadlineReport.Status.ISSUED)
        .order_by("-version")
        .first()
    )


@dataclass
class CurrentReport:
    """The report of a meeting as it stands, labelled truthfully: the newest issued version
    (``data.version`` set) when the records have not changed since it, else a draft whose
    note says so. ``fingerprint`` is the records'; ``latest_issued`` the newest version."""

    data: HeadlineReportData
    fingerprint: str
    latest_issued: HeadlineReport | None

    @property
    def changed_since_issue(self) -> bool:
        return self.latest_issued is not None and self.data.is_draft


def headline_report_draft_note(latest_issued: HeadlineReport | None) -> str:
    """``not issued``, or ``changed since version 2 issued on 20/09/2023``."""
    if latest_issued is None:
        return "not issued"
    issued_on = latest_issued.issue_date.strftime("%d/%m/%Y") if latest_issued.issue_date else ""
    return f"changed since version {latest_issued.version} issued on {issued_on}"


def headline_report_current(*, meeting: Meeting) -> CurrentReport:
    """The current report of ``meeting`` (see :class:`CurrentReport`): one query more than
    reading its data."""
    data = headline_report_data(meeting=meeting)
    fingerprint = headline_report_fingerprint(data)
    latest = headline_report_latest_issued(meeting=meeting)
    if latest is not None and latest.fingerprint == fingerprint:
        data = replace(data, version=latest.version, issue_date=latest.issue_date)
    else:
        data = replace(data, version=None, draft_note=headline_report_draft_note(latest))
    return CurrentReport(data, fingerprint, latest)


# --- stored renders ------------------------------------------------------------------------------


@dataclass
class StoredPdf:
    """A PDF to send: an open file (or bytes), its fingerprint and a download filename."""

    file: IO[bytes]
    fingerprint: str
    filename: str
    version: HeadlineReport | None = None
