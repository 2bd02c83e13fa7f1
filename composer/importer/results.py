"""What an import reports: its problems (line by line), the changes it makes, its warnings."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ImportProblem:
    """One thing that failed: the file's line number (1-based; None for the whole file)."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class HeadlineReportImportError(Exception):
    """The file cannot be imported; ``problems`` says what failed, line by line.

    Nothing was written when this is raised.
    """

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.message))
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"The headline report cannot be imported ({len(self.problems)} problems):"]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


@dataclass(frozen=True)
class FieldChange:
    """One field of a record: its value in the tracker now and the value the report gives."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class ImportChange:
    """One record the import creates, updates or leaves unchanged (for previews and logs).

    ``verb`` "locked": a decided decision the report words differently, not changed.
    ``fields`` lists each field written (or, when locked, each field that differs), old → new.
    """

    kind: str
    label: str
    verb: str  # "create", "update", "unchanged" or "locked"
    detail: str = ""
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class ImportConflict:
    """A field changed in the tracker since the report was last imported, which the report
    gives otherwise. The current value stays unless the PMO chose the imported one
    (``taken``); ``key`` names the conflict in the preview form."""

    kind: str
    ref: str
    field: str
    current: str
    imported: str
    taken: bool = False

    @property
    def key(self) -> str:
        return conflict_key(self.kind, self.ref, self.field)

    def sentence(self, *, preview: bool = False) -> str:
        """What the import does (``preview``: will do) with this conflict, in one line:
        the single report's confirmation and the back catalogue's check both say it so."""
        if self.taken:
            verb = "takes" if preview else "took"
            return (
                f"{self.ref} {self.field}: {verb} the report's value ({self.imported or 'none'})."
            )
        verb = "keeps" if preview else "kept"
        return (
            f"{self.ref} {self.field}: {verb} the tracker's value ({self.current or 'none'}; "
            f"the report has {self.imported or 'none'})."
        )


def conflict_key(kind: str, ref: str, field: str) -> str:
    """``action|DAG28-01|due_date``: one conflict, as the preview form sends it back."""
    return f"{kind}|{ref}|{field}"


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do).

    ``str(result)`` is a one-line summary; ``changes`` lists every record touched in file
    order; ``warnings`` are things the import did not change but a person should know.
    """

    meeting_ref: str
    dry_run: bool
    changes: list[ImportChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    conflicts: list[ImportConflict] = field(default_factory=list)
    new_people: list[str] = field(default_factory=list)
    new_organisations: list[str] = field(default_factory=list)
    meeting_id: int | None = None

    @property
    def locked(self) -> list[ImportChange]:
        """Decided records the report words differently: listed, not changed."""
        return [c for c in self.changes if c.verb == "locked"]

    @property
    def conflicts_kept(self) -> list[ImportConflict]:
        return [c for c in self.conflicts if not c.taken]

    def count(self, verb: str, kind: str | None = None) -> int:
        """How many changes have ``verb`` (and ``kind`` when given)."""
        return sum(1 for c in self.changes if c.verb == verb and (kind is None or c.kind == kind))

    @property
    def count_create(self) -> int:
        return self.count("create")

    @property
    def count_update(self) -> int:
        return self.count("update")

    @property
    def count_unchanged(self) -> int:
        return self.count("unchanged")

    def kinds(self) -> dict[str, int]:
        """Records per kind, in first-seen order: ``{"action": 15, …}``."""
        counts: dict[str, int] = {}
        for change in self.changes:
            counts[change.kind] = counts.get(change.kind, 0) + 1
        return counts

    def __str__(self) -> str:
        parts = ", ".join(f"{n} {_plural(kind, n)}" for kind, n in self.kinds().items())
        verb = "would create" if self.dry_run else "created"
        upd = "would update" if self.dry_run else "updated"
        return (
            f"{self.meeting_ref}: {parts} ({self.count('create')} {verb}, "
            f"{self.count('update')} {upd}, {self.count('unchanged')} unchanged)"
            + (
                f"; {len(self.conflicts)} conflict{'' if len(self.conflicts) == 1 else 's'} "
                f"({len(self.conflicts_kept)} kept as in the tracker)"
                if self.conflicts
                else ""
            )
            + (f"; {len(self.locked)} locked, not changed" if self.locked else "")
            + (
                f"; {len(self.warnings)} warning{'' if len(self.warnings) == 1 else 's'}"
                if self.warnings
                else ""
            )
        )


_PLURALS = {"discussion item": "discussion items", "change request": "change requests"}


def _plural(kind: str, n: int) -> str:
    if n == 1:
        return kind
    return _PLURALS.get(kind, kind + "s")
