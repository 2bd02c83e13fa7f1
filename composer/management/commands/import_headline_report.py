"""``manage.py import_headline_report FILE [FILE ...] [--dry-run]``: reports into records.

One file is imported on its own (text, Word or PDF). Several files, or ZIP archives of them,
are a back catalogue (``composer.importer.catalogue``): read and checked first, imported in
meeting order, all or nothing, with a progress line per file on stderr.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from composer.importer import (
    HeadlineReportImportError,
    ImportResult,
    headline_report_import_file,
)
from composer.importer.catalogue import catalogue_import
from core.actors import SYSTEM


class Command(BaseCommand):
    help = (
        "Import a headline report (the text of its PDF, tab-separated, as in "
        "seeds/DAG028-headline-report.txt): its meeting, areas, actions, decisions, "
        "discussion and change requests. All or nothing; importing again updates in place. "
        "A field changed in the tracker since the report was last imported keeps its value "
        "(the conflicts are printed; take the report's values in the browser's preview), and "
        "a decided decision is never changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            nargs="+",
            help="the report (its text as UTF-8, its Word document or its PDF); several files "
            "or ZIP archives of them are imported as one back catalogue",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and say what would change, writing nothing",
        )
        parser.add_argument(
            "--verbose-changes",
            action="store_true",
            help="list every record created, updated or unchanged",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = options["file"]
        if len(paths) > 1 or paths[0].lower().endswith(".zip"):
            self._catalogue(paths, dry_run=options["dry_run"], verbose=options["verbose_changes"])
            return
        try:
            result = headline_report_import_file(
                path=paths[0], dry_run=options["dry_run"], acting_user=SYSTEM
            )
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {paths[0]}") from exc
        except HeadlineReportImportError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{paths[0]} was not imported ({len(exc.problems)} problems); nothing was written."
            ) from exc
        self._report(result, verbose=options["verbose_changes"])

    def _catalogue(self, paths: list[str], *, dry_run: bool, verbose: bool) -> None:
        """Several reports as one back catalogue, with a progress bar on stderr."""
        files = []
        for path in paths:
            try:
                with open(path, "rb") as handle:
                    files.append((path, handle.read()))
            except FileNotFoundError as exc:
                raise CommandError(f"No such file: {path}") from exc
        try:
            done = catalogue_import(
                files, acting_user=SYSTEM, dry_run=dry_run, progress=self._progress
            )
        except HeadlineReportImportError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"The {len(paths)} files were not imported ({len(exc.problems)} problems); "
                "nothing was written."
            ) from exc
        for item, result in done:
            self.stdout.write(f"{item.name}:")
            self._report(result, verbose=verbose)

    def _progress(self, number: int, total: int, message: str) -> None:
        filled = round(20 * number / total) if total else 20
        self.stderr.write(f"[{'#' * filled}{'.' * (20 - filled)}] {number}/{total} {message}")

    def _report(self, result: ImportResult, *, verbose: bool) -> None:
        if verbose:
            for change in result.changes:
                detail = f"  {change.detail}" if change.detail else ""
                self.stdout.write(f"{change.verb:>9}  {change.kind}: {change.label}{detail}")
                for field in change.fields:
                    self.stdout.write(f"{'':>11}{field.field}: {field.old!r} -> {field.new!r}")
        self._report_kept(result)
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"warning: {warning}"))
        prefix = "Dry run, nothing written. " if result.dry_run else "Imported "
        self.stdout.write(self.style.SUCCESS(f"{prefix}{result}"))

    def _report_kept(self, result: ImportResult) -> None:
        """What the import did not change, and the people and organisations it added."""
        for conflict in result.conflicts:
            self.stdout.write(
                self.style.WARNING(
                    f"conflict: {conflict.ref} {conflict.field}: current {conflict.current!r}, "
                    f"imported {conflict.imported!r} (changed since the last import; the "
                    "current value is kept)"
                )
            )
        for locked in result.locked:
            fields = ", ".join(f.field for f in locked.fields)
            self.stdout.write(
                f"locked: {locked.label} ({locked.detail}; the report differs in {fields})"
            )
        if result.new_organisations:
            self.stdout.write(f"new organisations: {', '.join(result.new_organisations)}")
        if result.new_people:
            self.stdout.write(f"new people: {', '.join(result.new_people)}")
