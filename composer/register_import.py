"""An edited action register back in: the XLSX or CSV that ``composer.exports`` wrote,
changed in a spreadsheet program, read, checked whole, and applied through the services.

Rows are matched by ref. Three columns may change an action: its description, its due date
and its status (Open or Closed: closing and reopening go through ``action_close`` and
``action_reopen``). Other columns are the register's own reading and are not imported.

The conflict rule is the headline-report import's: a value changed in the product since the
row was exported is not overwritten silently. Each exported row carries its record's version
(the time of its last recorded change); a field whose value in the product is no longer the
one it had at that version is a **conflict**, kept as it is unless the importer chooses the
file's value. Everything is validated before anything is written, and the writes happen in
one transaction: one bad row writes nothing.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import transaction
from django.utils.dateparse import parse_datetime
from openpyxl import load_workbook

from actions.models import Action
from actions.services import action_close, action_reopen, action_update
from core import roles
from core.times import DATE_YEARS, date_in_range

VERSION_HEADING = "Record version"
IMPORTED = {"Description": "description", "Due date": "due_date", "Status": "status"}
STATUS_WORDS = {"open": Action.Status.OPEN, "closed": Action.Status.CLOSED}
_LABELS = {"description": "Description", "due_date": "Due date", "status": "Status"}
_NEUTRALISED = ("'=", "'+", "'-", "'@", "'\t", "'\r")
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Change:
    """One field of one action the file changes: ``old`` → ``new`` (as stored values)."""

    ref: str
    field: str
    old: Any
    new: Any
    conflict: bool = False

    @property
    def label(self) -> str:
        return _LABELS[self.field]

    @property
    def key(self) -> str:
        return f"{self.ref}:{self.field}"


@dataclass
class Plan:
    """What an import would do: ``changes`` (conflicts flagged) and per-row ``errors``."""

    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rows: int = 0

    @property
    def conflicts(self) -> list[Change]:
        return [change for change in self.changes if change.conflict]


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    # The export put an apostrophe before text a spreadsheet would run as a formula.
    return text[1:] if text.startswith(_NEUTRALISED) else text


def _decoded(data: bytes) -> str:
    """CSV bytes as text: UTF-16 by its byte-order mark (Excel's "Unicode text"), else UTF-8
    (with or without a mark) or, failing that, Windows-1252."""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ValidationError("The file starts as UTF-16 text but is not.") from exc
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("The file is neither an XLSX workbook nor a CSV text file.")


def read_table(data: bytes) -> list[list[Any]]:
    """The file's rows (the first is the headings): XLSX by its content (a ZIP), otherwise
    CSV text (see :func:`_decoded`), separated by commas, semicolons or tabs."""
    if data[:4] == b"PK\x03\x04":
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as exc:
            raise ValidationError("The file is not a readable XLSX workbook.") from exc
        if (sheet.max_row or 0) > MAX_ROWS + 1:
            raise ValidationError(
                f"The sheet has {sheet.max_row - 1} rows; import at most {MAX_ROWS}."
            )
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    text = _decoded(data)
    # The delimiter is the headings line's most frequent of comma, semicolon and tab (Excel
    # writes semicolons in some locales, tabs in "Unicode text"); quoting is Excel's (a
    # quote doubled inside a quoted cell), which csv.Sniffer, reading one line, guesses wrong.
    headings = text.splitlines()[0] if text else ""
    delimiter = max(",;\t", key=headings.count)
    reader = csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter)
    try:
        return [list(row) for row in reader]
    except csv.Error as exc:
        raise ValidationError(
            f"Line {reader.line_num} of the file is not readable CSV ({exc}): a line break "
            "inside a cell must be in a quoted cell."
        ) from exc


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, form).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    raise ValueError(f"“{text}” is not a date (write 11/10/2023 or 2023-10-11)")


def _version(value: Any) -> dt.datetime | None:
    """The row's record version; ValueError when it is not a date and time (the export
    writes one, ISO 8601, and a spreadsheet program may make it a datetime cell)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if not value:
        return None
    text = str(value).strip()
    try:
        parsed = parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError(f"the record version “{text}” is not a date and time the export wrote")
    return parsed


def _values_at(action: Action, when: dt.datetime | None) -> dict[str, Any] | None:
    """The action's imported fields as they were at ``when`` (from its history)."""
    if when is None:
        return None
    record = action.history.filter(history_date__lte=when).order_by("-history_date").first()
    if record is None:
        return None
    return {name: getattr(record, name) for name in IMPORTED.values()}


def _row_changes(
    action: Action, wanted: dict[str, Any], version: dt.datetime | None
) -> list[Change]:
    current = {name: getattr(action, name) for name in IMPORTED.values()}
    then = _values_at(action, version)
    changes = []
    for name, new in wanted.items():
        if new == current[name]:
            continue
        changed_since = then is None or then[name] != current[name]
        changes.append(Change(action.ref, name, current[name], new, conflict=changed_since))
    return changes


def _wanted(row: dict[str, Any]) -> dict[str, Any]:
    """The imported fields of one row as stored values; ValueError names a bad cell."""
    wanted: dict[str, Any] = {}
    if "Description" in row:
        text = _text(row["Description"])
        if not text:
            raise ValueError("the description is empty")
        try:
            ProhibitNullCharactersValidator()(text)
        except ValidationError as exc:
            raise ValueError("the description holds a NUL character") from exc
        wanted["description"] = text
    if "Due date" in row:
        due = _date(row["Due date"])
        if not date_in_range(due):
            raise ValueError(
                f"the due date {due.isoformat()} is out of range "
                f"(give a date from {DATE_YEARS[0]} to {DATE_YEARS[1]})"
            )
        wanted["due_date"] = due
    if "Status" in row:
        word = _text(row["Status"]).lower()
        if word not in STATUS_WORDS:
            raise ValueError(f"the status “{_text(row['Status'])}” is not Open or Closed")
        wanted["status"] = STATUS_WORDS[word]
    return wanted


def register_import_plan(*, data: bytes, user: Any) -> Plan:
    """Read and check the whole file against the actions ``user`` may see; write nothing."""
    roles.require_pmo(user)
    plan = Plan()
    try:
        table = read_table(data)
    except ValidationError as exc:
        plan.errors += exc.messages
        return plan
    if not table or "Ref" not in [_text(h) for h in table[0]]:
        plan.errors.append("The first row must hold the register's headings, with “Ref”.")
        return plan
    headings = [_text(h) for h in table[0]]
    if not set(headings) & set(IMPORTED):
        plan.errors.append("No column to import: Description, Due date or Status.")
        return plan
    body = [row for row in table[1:] if any(_text(cell) for cell in row)]
    if len(body) > MAX_ROWS:
        plan.errors.append(f"The file has {len(body)} rows; import at most {MAX_ROWS}.")
        return plan
    records = [dict(zip(headings, row, strict=False)) for row in body]
    refs = [_text(record.get("Ref")) for record in records]
    actions = Action.objects.visible_to(user).in_bulk(refs, field_name="ref")
    seen: set[str] = set()
    for number, (ref, record) in enumerate(zip(refs, records, strict=True), start=2):
        if not ref or ref not in actions:
            plan.errors.append(f"Row {number}: no action “{ref}” that you can see.")
            continue
        if ref in seen:
            plan.errors.append(f"Row {number}: {ref} appears twice.")
            continue
        seen.add(ref)
        try:
            wanted = _wanted({k: v for k, v in record.items() if k in IMPORTED})
            version = _version(record.get(VERSION_HEADING))
        except ValueError as exc:
            plan.errors.append(f"Row {number} ({ref}): {exc}.")
            continue
        plan.changes += _row_changes(actions[ref], wanted, version)
    plan.rows = len(records)
    return plan


def _apply_one(action: Action, changes: Sequence[Change], acting_user: Any) -> None:
    by_field = {change.field: change for change in changes}
    edits = {name: by_field[name].new for name in ("description", "due_date") if name in by_field}
    if edits:
        action_update(action=action, acting_user=acting_user, **edits)
    status = by_field.get("status")
    if status is not None:
        action.refresh_from_db()
        if status.new == Action.Status.CLOSED:
            note = "Closed by a register import."
            action_close(action=action, acting_user=acting_user, note=note)
        else:
            action_reopen(action=action, acting_user=acting_user)


def register_import_apply(*, data: bytes, acting_user: Any, take: Iterable[str] = ()) -> Plan:
    """Import the file: every change that is not a conflict, and the conflicts named in
    ``take`` (``"DAG28-01:due_date"``); the others keep the product's value. All or nothing:
    a file with any error, or a service refusing one change, writes nothing."""
    roles.require_pmo(acting_user)
    take = set(take)
    with transaction.atomic():
        plan = register_import_plan(data=data, user=acting_user)
        if plan.errors:
            return plan
        chosen = [c for c in plan.changes if not c.conflict or c.key in take]
        by_ref: dict[str, list[Change]] = {}
        for change in chosen:
            by_ref.setdefault(change.ref, []).append(change)
        actions = Action.objects.in_bulk(list(by_ref), field_name="ref")
        for ref, changes in by_ref.items():
            try:
                _apply_one(actions[ref], changes, acting_user)
            except ValidationError as exc:
                transaction.set_rollback(True)
                plan.errors.append(f"{ref}: {'; '.join(exc.messages)}")
                return plan
    return plan
