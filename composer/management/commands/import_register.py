"""``manage.py import_register FILE [--dry-run]``: an edited action register (XLSX or CSV,
as ``export_register`` wrote it) back in, through ``composer.register_import``.

Prints every change as ``ref field: old → new``; a value changed in the product since the
export (a conflict) keeps the product's value and is listed as such. One bad row writes
nothing (the errors are printed and the command fails).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from composer.register_import import Change, register_import_apply, register_import_plan
from core.actors import SYSTEM


def _shown(value: Any) -> str:
    if hasattr(value, "strftime"):
        return f"{value:%d/%m/%Y}"
    return {"open": "Open", "closed": "Closed"}.get(value, str(value or "(none)"))


def change_line(change: Change) -> str:
    line = f"{change.ref} {change.label}: {_shown(change.old)} → {_shown(change.new)}"
    return line + ("  [conflict: changed since the export, kept]" if change.conflict else "")


class Command(BaseCommand):
    help = "Import an edited action register (XLSX or CSV) back: --dry-run to only list."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="List; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        data = Path(options["file"]).read_bytes()
        if options["dry_run"]:
            plan = register_import_plan(data=data, user=SYSTEM)
        else:
            plan = register_import_apply(data=data, acting_user=SYSTEM)
        for change in plan.changes:
            self.stdout.write(change_line(change))
        if plan.errors:
            raise CommandError("Nothing was imported:\n" + "\n".join(plan.errors))
        applied = len([c for c in plan.changes if not c.conflict])
        verb = "would change" if options["dry_run"] else "changed"
        self.stdout.write(
            f"{plan.rows} rows read; {verb} {applied} values; "
            f"{len(plan.conflicts)} conflicts kept as they are."
        )
