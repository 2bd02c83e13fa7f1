"""The state of one import's write: what was written so far, its changes and problems.

The write functions (:mod:`.write_meeting`, :mod:`.write_records`) take a :class:`Writer`
and write one record each through the apps' services, as the person who imports (the system
for a command) so that history records them; who may import is checked once, before the
write, by :func:`.api.headline_report_import`. A decision's outcome is recorded as the system:
the chair took it at the meeting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from changerequests.models import ChangeRequest
from meetings.models import AgendaItem, Committee, Meeting

from .records import ParsedReport
from .results import ImportChange, ImportProblem, ImportResult
from .text import cr_numbers


class Writer:
    """Collects problems and changes while a ParsedReport is written."""

    def __init__(self, parsed: ParsedReport, result: ImportResult, actor: Any) -> None:
        self.p = parsed
        self.actor = actor
        self.result = result
        self.problems: list[ImportProblem] = []
        self.created_refs: set[str] = set()
        self.crs: dict[int, ChangeRequest] = {}
        self.agenda: dict[str, AgendaItem] = {}
        self.committee: Committee | None = None
        self.meeting: Meeting | None = None

    def change(self, kind: str, label: str, verb: str, detail: str = "") -> None:
        """Record one record's change (``verb``: create, update or unchanged)."""
        self.result.changes.append(ImportChange(kind, label, verb, detail))
        if verb == "create":
            self.created_refs.add(label)

    def warn(self, message: str) -> None:
        self.result.warnings.append(message)

    def step(self, line: int | None, work: Callable[[], Any]) -> None:
        """Run one record's writes in a savepoint; a ValidationError becomes a problem."""
        try:
            with transaction.atomic():
                work()
        except ValidationError as exc:
            for message in exc.messages:
                self.problems.append(ImportProblem(line, message))

    def cr_of(self, text: str) -> ChangeRequest | None:
        """The first CR named in ``text`` that this import knows."""
        for number in cr_numbers(text):
            if number in self.crs:
                return self.crs[number]
        return None

    def meeting_written(self) -> Meeting:
        """The report's meeting (written first: every later step needs it)."""
        assert self.meeting is not None
        return self.meeting
