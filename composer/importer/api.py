"""What callers use: import a report's text or file, decode an upload, checksum a preview."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from django.db import transaction

from core import roles

from . import documents, pdf
from .parse import headline_report_parse
from .results import HeadlineReportImportError, ImportProblem, ImportResult
from .write import report_write


def headline_report_import(
    *,
    text: str,
    acting_user: Any,
    dry_run: bool = False,
    take_imported: Collection[str] = (),
    progress: Callable[[int, int, str], None] | None = None,
) -> ImportResult:
    """Import a headline report's text form: create or update its meeting's records.

    Validates the whole text first (:func:`headline_report_parse`), then writes through the
    apps' services, as ``acting_user``, in one transaction. Returns an :class:`ImportResult`.
    With ``dry_run`` every write is done and rolled back, so the result says exactly what
    would happen. A field changed in the tracker since this report was last imported is a
    conflict (``result.conflicts``): the tracker's value is kept unless the conflict's key is
    in ``take_imported``; decided decisions are never changed (listed as locked). Raises
    :class:`HeadlineReportImportError` (line-by-line problems; nothing written) and
    PermissionDenied unless ``acting_user`` is the PMO or the system. ``progress`` (done,
    total, what) is told of the records as they are written, for a background job's bar.
    """
    roles.require_pmo(acting_user)
    parsed = headline_report_parse(text)
    result = ImportResult(meeting_ref=parsed.meeting_ref, dry_run=dry_run)
    with transaction.atomic():
        writer = report_write(
            parsed, result, acting_user=acting_user, take_imported=take_imported, progress=progress
        )
        if writer.problems:
            raise HeadlineReportImportError(writer.problems)
        result.meeting_id = writer.meeting_written().pk
        if dry_run:
            transaction.set_rollback(True)
    if dry_run:
        result.meeting_id = None
    return result


def headline_report_text(data: bytes) -> str:
    """The text form of an uploaded or read file, decided by its content: a Word document
    (:mod:`.documents`) or a PDF (:mod:`.pdf`), each read by its structure, or a UTF-8 text
    file (with or without BOM).

    A document is checked here as well, so that its problems name the page, table and row
    they are in rather than a line of the text made from it. Raises
    HeadlineReportImportError when a document cannot be read or is not a headline report,
    or the bytes are not UTF-8 text, or hold a NUL character (no text file does, and
    PostgreSQL refuses to store one).
    """
    source = None
    if documents.is_docx(data):
        source = documents.docx_text(data)
    elif pdf.is_pdf(data):
        source = pdf.pdf_text(data)
    if source is not None:
        try:
            headline_report_parse(source.text)
        except HeadlineReportImportError as error:
            raise documents.located(error, source) from error
        return source.text
    if data.startswith(b"PK\x03\x04"):
        raise HeadlineReportImportError(
            [
                ImportProblem(
                    None,
                    "the file is a ZIP archive but not a Word document: it has no "
                    f"{documents.DOCX_PART}",
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
    *, path: str | Path, acting_user: Any, dry_run: bool = False
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
