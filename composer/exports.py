"""Registers as spreadsheets: the action, decision and change-request registers as XLSX
(openpyxl) and CSV, with the columns a programme publishes.

Each register is read through the same selector as its page (the action register with the
page's filters and sort), so an export holds exactly what its reader may see. Dates are
real dates (date cells in XLSX, ISO dates in CSV). Text a spreadsheet would run as a formula
(a cell starting ``=``, ``+``, ``-``, ``@``, tab or carriage return) is neutralised: in XLSX
every text cell is written as a string, which no spreadsheet evaluates; in CSV, which has no
types, such a cell gets a leading apostrophe (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from actions.models import Action, ActionUpdate
from actions.register import ActionRegisterFilters, action_register
from actions.rows import action_rows
from changerequests.models import ImpactAssessmentResponse
from changerequests.selectors import change_request_register
from decisions.selectors import decision_register

FORMATS = ("xlsx", "csv")
KINDS = ("actions", "decisions", "change-requests")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

ACTION_HEADINGS = (
    "Ref",
    "Meeting",
    "Meeting date",
    "Area",
    "Description",
    "Owners",
    "Due date",
    "Due by meeting",
    "Status",
    "Overdue",
    "Latest update",
    "Latest update date",
    "Closed date",
    "Record version",
)

DECISION_HEADINGS = (
    "Ref",
    "Meeting",
    "Meeting date",
    "Area",
    "Decision",
    "Outcome",
    "Conditions",
    "Decided on",
    "Change request",
)

CR_HEADINGS = (
    "Ref",
    "Title",
    "Status",
    "Raised by",
    "Target release",
    "Backstop release",
    "IA start",
    "IA end",
    "IA responses",
    "IA supporting",
    "IA opposing",
)


@dataclass(frozen=True)
class Sheet:
    """One register as a title, column headings and rows of plain values."""

    title: str
    headings: Sequence[str]
    rows: Iterable[Sequence[Any]]


def csv_safe(value: Any) -> Any:
    """``value`` with a leading apostrophe if a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


def _latest_updates(action_ids: Sequence[int]) -> dict[int, ActionUpdate]:
    """The newest progress update of each action (one query)."""
    latest: dict[int, ActionUpdate] = {}
    updates = ActionUpdate.objects.filter(action_id__in=action_ids).order_by(
        "action_id", "-created_at", "-id"
    )
    for update in updates.only("action_id", "text", "created_at"):
        latest.setdefault(update.action_id, update)
    return latest


def _versions(action_ids: Sequence[int]) -> dict[int, str]:
    """Each action's version: the time of its last recorded change (ISO 8601, UTC), which
    an import of the edited register compares against (``composer.register_import``)."""
    rows = (
        Action.history.filter(id__in=action_ids)
        .values("id")
        .annotate(last=Max("history_date"))
        .values_list("id", "last")
    )
    return {pk: last.astimezone(dt.UTC).isoformat() for pk, last in rows}


def action_sheet(*, user: Any, filters: ActionRegisterFilters, today: dt.date) -> Sheet:
    """The action register as ``user`` sees it with ``filters`` (the page's order)."""
    rows = action_rows(
        action_register(user=user, filters=filters, today=today), today=today, area_titles=True
    )
    latest = _latest_updates([row.pk for row in rows])
    versions = _versions([row.pk for row in rows])

    def values() -> Iterator[Sequence[Any]]:
        for row in rows:
            update = latest.get(row.pk)
            yield (
                row.ref,
                row.meeting_ref,
                _local_date(row.meeting_start),
                row.agenda_item_title or "",
                row.description,
                row.owners_text,
                row.due_date,
                row.due_meeting_ref or "",
                row.status_label,
                "Yes" if row.is_overdue else "",
                update.text if update else "",
                _local_date(update.created_at) if update else None,
                row.closed_date,
                versions.get(row.pk, ""),
            )

    return Sheet(
        "Actions",
        ACTION_HEADINGS,
        values(),
    )


def decision_sheet(*, user: Any, status: str = "", committee: str = "", text: str = "") -> Sheet:
    """The decision register as ``user`` sees it: outcome and conditions included."""
    decisions = decision_register(user=user, status=status, committee=committee, text=text)
    decisions = decisions.select_related("meeting", "agenda_item", "decided_by", "change_request")

    def values() -> Iterator[Sequence[Any]]:
        for decision in decisions:
            yield (
                decision.ref,
                decision.meeting.ref,
                _local_date(decision.meeting.start_at),
                decision.agenda_item.title if decision.agenda_item_id else "",
                decision.text,
                decision.get_status_display(),
                decision.conditions,
                _local_date(decision.decided_at),
                decision.change_request.ref if decision.change_request_id else "",
            )

    return Sheet(
        "Decisions",
        DECISION_HEADINGS,
        values(),
    )


def change_request_sheet(*, status: str = "", text: str = "") -> Sheet:
    """The CR register: status, releases, IA window and the responses' tally."""
    crs = change_request_register(status=status, text=text)
    position = ImpactAssessmentResponse.Position
    supporting = [position.SUPPORT, position.SUPPORT_WITH_CONDITIONS]
    crs = crs.annotate(
        ia_support=Count("ia_responses", filter=Q(ia_responses__position__in=supporting)),
        ia_oppose=Count("ia_responses", filter=Q(ia_responses__position=position.OPPOSE)),
    )

    def values() -> Iterator[Sequence[Any]]:
        for cr in crs:
            yield (
                cr.ref,
                cr.title,
                cr.get_status_display(),
                cr.raiser.name if cr.raiser_id else "",
                cr.target_release.code if cr.target_release_id else "",
                cr.backstop_release.code if cr.backstop_release_id else "",
                cr.ia_start_date,
                cr.ia_end_date,
                cr.ia_count,
                cr.ia_support,
                cr.ia_oppose,
            )

    return Sheet(
        "Change requests",
        CR_HEADINGS,
        values(),
    )


def sheet_bytes(sheet: Sheet, fmt: str) -> bytes:
    """``sheet`` as an XLSX workbook or a UTF-8 CSV (with a BOM, so Excel reads it right)."""
    if fmt == "xlsx":
        return _xlsx(sheet)
    if fmt == "csv":
        return _csv(sheet)
    raise ValueError(f"Unknown format {fmt!r}: choose xlsx or csv.")


def _xlsx(sheet: Sheet) -> bytes:
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet.title)
    bold = Font(bold=True)
    heading_cells = []
    for heading in sheet.headings:
        cell = WriteOnlyCell(worksheet, value=heading)
        cell.font = bold
        heading_cells.append(cell)
    worksheet.append(heading_cells)
    for row in sheet.rows:
        worksheet.append([_xlsx_cell(worksheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(worksheet: Any, value: Any) -> Any:
    cell = WriteOnlyCell(worksheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, never a formula, whatever it starts with
    elif isinstance(value, dt.date):
        cell.number_format = "dd/mm/yyyy"
    return cell


def _csv(sheet: Sheet) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(sheet.headings)
    for row in sheet.rows:
        writer.writerow(
            [value.isoformat() if isinstance(value, dt.date) else csv_safe(value) for value in row]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def content_type(fmt: str) -> str:
    return XLSX_TYPE if fmt == "xlsx" else CSV_TYPE
