"""``manage.py send_reminders [--today YYYY-MM-DD] [--dry-run]``: the reminder run, by hand.

Runs the same service as the scheduled task (``composer.reminders.reminders_send``) and
prints one line per email.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from composer.reminders import reminders_send
from core.actors import SYSTEM


class Command(BaseCommand):
    help = (
        "Send the reminder emails owed today (due soon, due today, overdue, meeting digests); "
        "each reminder goes once however often this runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            help="Run as on this Europe/London date (YYYY-MM-DD); default: today.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be sent; write and send nothing.",
        )

    def handle(self, *args: Any, today: str | None, dry_run: bool, **options: Any) -> None:
        run_date = None
        if today:
            try:
                run_date = dt.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today {today!r}: give a date as YYYY-MM-DD.") from exc
        try:
            run = reminders_send(today=run_date, dry_run=dry_run, acting_user=SYSTEM)
        except ValueError as exc:
            raise CommandError(f"--today {today!r}: {exc}") from exc
        if run.locked_out:
            raise CommandError("Another reminder run is in progress; nothing was sent.")
        for email in run.emails:
            if email.error:
                self.stdout.write(self.style.ERROR(f"FAILED {email.describe()} ({email.error})"))
            else:
                self.stdout.write(email.describe())
        for ref, owner in run.unreachable:
            self.stdout.write(
                self.style.WARNING(f"UNREACHABLE {ref}: {owner} has no email; nobody is reminded")
            )
        verb = "Would send" if dry_run else "Sent"
        count = len(run.sent)
        summary = f"{verb} {count} email{'s' if count != 1 else ''} for {run.today.isoformat()}"
        if run.failed:
            summary += f"; {len(run.failed)} failed (they are retried by the next run)"
        self.stdout.write(self.style.SUCCESS(summary + "."))
