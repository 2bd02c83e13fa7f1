"""Import a headline report (the text of its PDF) into linked records.

The input is the text form of ``seeds/DAG028-headline-report.txt``: Markdown-like headings
(title, issue date, ``Actions``, ``Decisions``, ``Key Discussion Items``), tab-separated table
rows, and ``Date of next DAG: …``. It was extracted from a PDF, so merged Area cells print
their words on some rows of their group only, page numbers and repeated headers stand in
stray rows, and a cell may be broken over several rows.

The package, by concern (each module's docstring says more):

* :mod:`.reader` reads the lines, header table and sections, dropping page furniture;
* :mod:`.tables` joins a table's text rows into records (cells broken over rows, bullet lists);
* :mod:`.areas` infers each record's area (split Area words, rows between two labels);
* :mod:`.validate` checks the header and records into plain records (:mod:`.records`);
* :mod:`.parse` puts those together: :func:`headline_report_parse`;
* :mod:`.write` writes a parsed report through the apps' services (:mod:`.write_meeting`,
  :mod:`.write_records`, :mod:`.write_decisions`) as the person who imports, after reading
  what it compares with once (:mod:`.prefetch`);
* :mod:`.baseline` records what each import wrote, so a re-import keeps what was changed
  in the tracker since (a conflict, listed; the PMO may take the report's value) and never
  changes a decided decision (locked);
* :mod:`.api` is what callers use: :func:`headline_report_import`,
  :func:`headline_report_import_file`, :func:`headline_report_text`, :func:`text_checksum`.

Validation comes first and the write is all or nothing: :func:`headline_report_import`
parses the whole file, reports every problem with its line number
(:class:`HeadlineReportImportError`), and only then writes, in one transaction. Importing a
report again updates the meeting's records in place (matched by their refs; discussion items
by position) and reports which changed, field by field (old → new), so nothing is duplicated;
a dry run does the same work and rolls it back.
"""

from meetings.models import PLACEHOLDER_TITLE

from .api import (
    headline_report_import,
    headline_report_import_file,
    headline_report_text,
    text_checksum,
)
from .parse import headline_report_parse
from .records import ParsedAction, ParsedDecision, ParsedDiscussion, ParsedReport
from .results import (
    FieldChange,
    HeadlineReportImportError,
    ImportChange,
    ImportConflict,
    ImportProblem,
    ImportResult,
)
from .text import discussion_html, parse_date, parse_date_and_times, parse_time
from .write_decisions import decision_outcome

__all__ = [
    "PLACEHOLDER_TITLE",
    "FieldChange",
    "HeadlineReportImportError",
    "ImportChange",
    "ImportConflict",
    "ImportProblem",
    "ImportResult",
    "ParsedAction",
    "ParsedDecision",
    "ParsedDiscussion",
    "ParsedReport",
    "decision_outcome",
    "discussion_html",
    "headline_report_import",
    "headline_report_import_file",
    "headline_report_parse",
    "headline_report_text",
    "parse_date",
    "parse_date_and_times",
    "parse_time",
    "text_checksum",
]
