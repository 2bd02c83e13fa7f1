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
import zlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from core import roles

from .api import headline_report_import, headline_report_text
from .documents import DOCX_PART, is_docx
from .parse import headline_report_parse
from .records import ParsedReport
from .results import HeadlineReportImportError, ImportProblem, ImportResult

MAX_FILES = settings.DATA_UPLOAD_MAX_NUMBER_FILES  # one number for Django and the import
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
    number: int = 0  # its position among the files, from 1 (two files may share a name)


class CatalogueImportError(HeadlineReportImportError):
    """The catalogue cannot be imported; each problem names its file. Nothing was written."""


def _refused(message: str) -> CatalogueImportError:
    return CatalogueImportError([ImportProblem(None, message)])


def _members(name: str, archive: zipfile.ZipFile) -> list[tuple[str, bytes]]:
    """The archive's files (folders and hidden files left out), read whole once their
    declared sizes are checked; a member that does not unpack to what the directory says
    (a damaged or lying archive) refuses the archive in words."""
    members = archive.infolist()
    too_big = [m.filename for m in members if m.file_size > MAX_MEMBER_BYTES]
    if too_big or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise _refused(
            f"{name}: unpacked, it is larger than a back catalogue can be "
            f"({MAX_MEMBER_BYTES // 2**20} MB a file, {MAX_UNPACKED_BYTES // 2**20} MB in all)."
        )
    out = []
    for member in sorted(members, key=lambda m: m.filename):
        base = member.filename.rsplit("/", 1)[-1]
        if member.is_dir() or not base or base.startswith((".", "__MACOSX")):
            continue
        try:
            out.append((f"{name}/{member.filename}", archive.read(member)))
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            raise _refused(f"{name} is damaged: {exc}") from exc
        except RuntimeError as exc:  # an encrypted member
            raise _refused(f"{name}: {member.filename} is encrypted and cannot be read") from exc
    return out


def expand(files: Iterable[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The files, with each ZIP archive replaced by the files in it (folders and hidden
    files left out). A Word document is a ZIP too, and is kept whole; a ZIP inside a ZIP is
    kept as it is, and :func:`catalogue_read` refuses it."""
    out: list[tuple[str, bytes]] = []
    for name, data in files:
        if data.startswith(b"PK\x03\x04") and not name.lower().endswith(".docx"):
            try:
                archive = zipfile.ZipFile(io.BytesIO(data))
            except zipfile.BadZipFile as exc:
                if name.lower().endswith(".zip"):
                    raise _refused(f"{name} is damaged: {exc}") from exc
                out.append((name, data))
                continue
            if DOCX_PART in archive.namelist():
                out.append((name, data))
                continue
            out += _members(name, archive)
        else:
            out.append((name, data))
    return out


def _nested_zip(data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04") and not is_docx(data)


def _twice(read: list[CatalogueFile]) -> list[ImportProblem]:
    """A meeting in two files, named by their positions (two files may share a name)."""
    first: dict[str, CatalogueFile] = {}
    problems = []
    for item in read:
        earlier = first.setdefault(item.report.meeting_ref, item)
        if earlier is not item:
            problems.append(
                ImportProblem(
                    None,
                    f"{item.report.meeting_ref} is in both {earlier.name} (file "
                    f"{earlier.number}) and {item.name} (file {item.number})",
                )
            )
    return problems


def catalogue_read(
    files: Iterable[tuple[str, bytes]], *, progress: Progress | None = None
) -> list[CatalogueFile]:
    """Read and parse every file, in meeting order; raises CatalogueImportError with every
    file's problems (each message starting with the file's name)."""
    files = list(files)
    items = expand(files)
    if not items:
        raise CatalogueImportError([ImportProblem(None, "No files were given.")])
    if len(items) > MAX_FILES:
        raise CatalogueImportError(
            [ImportProblem(None, f"{len(items)} files: import at most {MAX_FILES} at once.")]
        )
    read: list[CatalogueFile] = []
    problems: list[ImportProblem] = []
    inside = {name for name, _ in items} - {name for name, _ in files}
    for number, (name, data) in enumerate(items, start=1):
        try:
            if name in inside and _nested_zip(data):
                raise HeadlineReportImportError(
                    [ImportProblem(None, "a ZIP inside a ZIP is not read")]
                )
            text = headline_report_text(data)
            read.append(CatalogueFile(name, text, headline_report_parse(text), number))
        except HeadlineReportImportError as error:
            problems += [ImportProblem(None, f"{name}: {problem}") for problem in error.problems]
        if progress:
            progress(number, len(items), f"Read {name}")
    problems += _twice(read)
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
