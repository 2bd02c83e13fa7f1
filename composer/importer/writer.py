"""The state of one import's write: what was written so far, its changes and problems.

The write functions (:mod:`.write_meeting`, :mod:`.write_records`) take a :class:`Writer`
and write through the apps' services (one record each, or the new actions, decisions and
discussion items of the report in one batch each), as the person who imports (the system
for a command) so that history records them; who may import is checked once, before the
write, by :func:`.api.headline_report_import`. A decision's outcome is recorded as the system:
the chair took it at the meeting.

Every field of a record that exists already goes through :meth:`Writer.resolve`, which
says whether the report's value is written: not when the tracker changed that field since
the report was last imported (:mod:`.baseline`) and the PMO did not take the imported value.

The records the report names are read once, before the records are written
(:mod:`.prefetch`), so the import costs a fixed number of reads per record.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from actions.models import Action, ActionReview
from changerequests.models import ChangeRequest
from decisions.models import Decision
from meetings.models import AgendaItem, Committee, Meeting

from .baseline import Baselines, value_text
from .records import ParsedReport
from .results import FieldChange, ImportChange, ImportConflict, ImportProblem, ImportResult
from .results import conflict_key as _conflict_key
from .text import cr_numbers


class Writer:
    """Collects problems and changes while a ParsedReport is written."""

    def __init__(
        self,
        parsed: ParsedReport,
        result: ImportResult,
        actor: Any,
        take_imported: Collection[str] = (),
    ) -> None:
        self.p = parsed
        self.actor = actor
        self.result = result
        self.take_imported = set(take_imported)
        self.baselines = Baselines(parsed.meeting_ref)
        self.problems: list[ImportProblem] = []
        self.created_refs: set[str] = set()
        self.crs: dict[int, ChangeRequest] = {}
        self.agenda: dict[str, AgendaItem] = {}
        self.committee: Committee | None = None
        self.meeting: Meeting | None = None
        # Read once by .prefetch.records_prefetch: the records the report names, by ref.
        self.actions: dict[str, Action] = {}
        self.decisions: dict[str, Decision] = {}
        self.reviews: dict[int, ActionReview] = {}  # by action id, at this meeting
        self.meetings: dict[tuple[int, int], Meeting] = {}  # the committee's, by number
        self.fields: list[FieldChange] = []

    def change(self, kind: str, label: str, verb: str, detail: str = "") -> None:
        """Record one record's change (``verb``: create, update, unchanged or locked), with
        the fields :meth:`resolve` wrote for it."""
        fields, self.fields = tuple(self.fields), []
        self.result.changes.append(ImportChange(kind, label, verb, detail, fields))
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

    def resolve(self, kind: str, ref: str, field: str, current: Any, imported: Any) -> bool:
        """Whether to write the report's value of one field of an existing record.

        True when it differs from the tracker's and the tracker still holds what the last
        import wrote, or when the field changed since (a conflict, listed on the result)
        and the PMO took the imported value. The value written (or agreed) becomes the
        field's baseline; a kept conflict leaves the baseline as it was.
        """
        key = (kind, ref, field)
        now, new = value_text(current), value_text(imported)
        if now == new:
            self.baselines.record(key, new)
            return False
        if self.baselines.changed_since_import(key, now):
            taken = _conflict_key(*key) in self.take_imported
            self.result.conflicts.append(ImportConflict(kind, ref, field, now, new, taken))
            if not taken:
                return False
        self.baselines.record(key, new)
        self.fields.append(FieldChange(field, now, new))
        return True

    def created(self, kind: str, ref: str, values: dict[str, Any]) -> None:
        """A record this import created: its fields' values are their baselines."""
        for field, value in values.items():
            self.baselines.record((kind, ref, field), value_text(value))

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
