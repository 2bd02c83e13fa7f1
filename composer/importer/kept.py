"""A re-import never moves a meeting's report backwards: a draft report (no issue date) of a
meeting whose report is recorded as issued leaves the issue as recorded, and a status
further on than the report's (a draft recorded in the tracker, say) is kept."""

from __future__ import annotations

from typing import Any

from meetings.models import Meeting

from .writer import Writer

ORDER = [
    Meeting.Status.PLANNED,
    Meeting.Status.HELD,
    Meeting.Status.REPORT_DRAFT,
    Meeting.Status.REPORT_ISSUED,
]


def _behind(status: str, recorded: str) -> bool:
    return ORDER.index(status) < ORDER.index(recorded)


def never_backwards(w: Writer, existing: Meeting, values: dict[str, Any]) -> None:
    """Drop from ``values`` a status behind ``existing``'s and the clearing of its issue
    date, saying in the import's warnings (shown in the preview) what is kept."""
    kept = []
    status = values.get("status")
    if status in ORDER and existing.status in ORDER and _behind(status, existing.status):
        kept.append(f"status “{existing.get_status_display()}”")
        values.pop("status")
    if (
        "report_issue_date" in values
        and existing.report_issue_date
        and not values["report_issue_date"]
    ):
        kept.append(f"issue date {existing.report_issue_date:%d/%m/%Y}")
        values.pop("report_issue_date")
    if kept:
        verb = "is" if len(kept) == 1 else "are"
        w.warn(
            f"This report of {existing.ref} is behind what the tracker records (a draft of an "
            f"issued report, say): the recorded {' and '.join(kept)} {verb} kept."
        )
