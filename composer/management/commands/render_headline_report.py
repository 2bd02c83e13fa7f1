"""``manage.py render_headline_report DAG028 --output FILE.pdf``: render a report now: the
newest issued version when the records have not changed since it, else a draft."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from composer.report_render import (
    headline_report_current,
    headline_report_html,
    headline_report_pdf,
)
from core import refs
from meetings.models import Meeting


class Command(BaseCommand):
    help = (
        "Render a meeting's headline report to PDF (or HTML with --html) at once, from the "
        "records as they stand. Issuing a version is done from the report page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("meeting", help="the meeting's ref, such as DAG028")
        parser.add_argument("--output", "-o", required=True, help="file to write")
        parser.add_argument(
            "--html", action="store_true", help="write the report's HTML instead of a PDF"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key = refs.parse_meeting_ref(options["meeting"])
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        ref = refs.meeting_ref(key.code, key.number, key.sub_number)
        meeting = Meeting.objects.select_related("committee").filter(ref=ref).first()
        if meeting is None:
            raise CommandError(f"No meeting {ref}.")
        # The issued version when nothing changed since it (its version and issue date, as
        # the report page serves it), else a draft of the records as they stand.
        data = headline_report_current(meeting=meeting).data
        output = Path(options["output"])
        if options["html"]:
            output.write_text(headline_report_html(data=data), encoding="utf-8")
        else:
            output.write_bytes(headline_report_pdf(data=data))
        self.stdout.write(self.style.SUCCESS(f"Wrote the {ref} headline report to {output}"))
