"""A back catalogue of headline reports in one go: several files (text, Word, PDF, or ZIP
archives of them), read and checked, then imported in meeting order in one transaction.

Every file is read and parsed before anything is written, and the problems of all of them
are reported together, each under its file's name. The imports then run oldest meeting
first, so an action raised at DAG027 and reviewed at DAG028 is one record (DAG028's import
finds it), and decisions number on. One file the importer refuses rolls back every file:
all or nothing. ``progress`` (a callable taking (done, total, label)) is told as each file
is read and imported, for a progress bar or a task's state.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from core import roles

from .api import headline_report_import, headline_report_text
from .parse import headline_report_parse
from .records import ParsedReport
from .results import HeadlineReportImportError, ImportProblem, ImportResult

MAX_FILES = 200
# What an archive may unpack to: a ZIP's members are read whole, and a small archive can
# hold gigabytes (a "zip bomb"); the sizes its directory declares are checked first.
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class CatalogueFile:
    """One report of a catalogue: its name (inside its archive: ``reports.zip/DAG027.pdf``),
    its text form and what it parses to."""

    name: str
    text: str
    report: ParsedReport


class CatalogueImportError(HeadlineReportImportError):
    """The catalogue cannot be imported; each problem names its file. Nothing was written."""


def expand(files: Iterable[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The files, with each ZIP archive replaced by the files in it (folders and hidden
    files left out). A Word document is a ZIP too, and is kept whole."""
    out: list[tuple[str, bytes]] = []
    for name, data in files:
        if data.startswith(b"PK\x03\x04") and not name.lower().endswith(".docx"):
            try:
                archive = zipfile.ZipFile(io.BytesIO(data))
            except zipfile.BadZipFile:
                out.append((name, data))
                continue
            if "word/document.xml" in archive.namelist():
                out.append((name, data))
                continue
            members = archive.infolist()
            too_big = [m.filename for m in members if m.file_size > MAX_MEMBER_BYTES]
            if too_big or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
                raise CatalogueImportError(
                    [
                        ImportProblem(
                            None,
                            f"{name}: unpacked, it is larger than a back catalogue can be "
                            f"({MAX_MEMBER_BYTES // 2**20} MB a file, "
                            f"{MAX_UNPACKED_BYTES // 2**20} MB in all).",
                        )
                    ]
                )
            for member in sorted(members, key=lambda m: m.filename):
                base = member.filename.rsplit("/", 1)[-1]
                if member.is_dir() or not base or base.startswith((".", "__MACOSX")):
                    continue
                out.append((f"{name}/{member.filename}", archive.read(member)))
        else:
            out.append((name, data))
    return out


def catalogue_read(
    files: Iterable[tuple[str, bytes]], *, progress: Progress | None = None
) -> list[CatalogueFile]:
    """Read and parse every file, in meeting order; raises CatalogueImportError with every
    file's problems (each message starting with the file's name)."""
    items = expand(files)
    if not items:
        raise CatalogueImportError([ImportProblem(None, "No files were given.")])
    if len(items) > MAX_FILES:
        raise CatalogueImportError(
            [ImportProblem(None, f"{len(items)} files: import at most {MAX_FILES} at once.")]
        )
    read: list[CatalogueFile] = []
    problems: list[ImportProblem] = []
    for number, (name, data) in enumerate(items, start=1):
        try:
            text = headline_report_text(data)
            read.append(CatalogueFile(name, text, headline_report_parse(text)))
        except HeadlineReportImportError as error:
            problems += [ImportProblem(None, f"{name}: {problem}") for problem in error.problems]
        if progress:
            progress(number, len(items), f"Read {name}")
    refs: dict[str, str] = {}
    for item in read:
        earlier = refs.setdefault(item.report.meeting_ref, item.name)
        if earlier != item.name:
            problems.append(
                ImportProblem(None, f"{item.name}: {item.report.meeting_ref} is also in {earlier}")
            )
    if problems:
        raise CatalogueImportError(problems)
    return sorted(read, key=lambda item: (item.report.committee_code, item.report.start_at))


def catalogue_import(
    files: Iterable[tuple[str, bytes]],
    *,
    acting_user: Any,
    dry_run: bool = False,
    progress: Progress | None = None,
    take_imported: Collection[str] = (),
) -> list[tuple[CatalogueFile, ImportResult]]:
    """Import a back catalogue (see the module docstring); returns each file with what its
    import did (would do, with ``dry_run``), in meeting order.

    ``take_imported``: the conflicts whose report value is taken (as for
    :func:`.api.headline_report_import`; a key names its record). A catalogue of one report
    tells ``progress`` of that report's records as they are written, not of its one file.
    """
    roles.require_pmo(acting_user)
    catalogue = catalogue_read(files, progress=progress)
    done: list[tuple[CatalogueFile, ImportResult]] = []
    within = progress if len(catalogue) == 1 else None
    with transaction.atomic():
        for number, item in enumerate(catalogue, start=1):
            try:
                result = headline_report_import(
                    text=item.text,
                    acting_user=acting_user,
                    take_imported=take_imported,
                    progress=within,
                )
            except HeadlineReportImportError as error:
                transaction.set_rollback(True)
                raise CatalogueImportError(
                    [ImportProblem(None, f"{item.name}: {p}") for p in error.problems]
                ) from error
            result.dry_run = dry_run
            done.append((item, result))
            if progress:
                progress(number, len(catalogue), f"Imported {item.report.meeting_ref}")
        if dry_run:
            transaction.set_rollback(True)
    return done
