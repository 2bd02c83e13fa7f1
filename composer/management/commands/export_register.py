"""``manage.py export_register actions|decisions|change-requests --format xlsx|csv
--output FILE``: a register as a spreadsheet, with the register page's filters as options.

By default the export holds every record (the command runs with the database's rights);
``--user NAME`` exports what that user sees, as their page would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import QueryDict

from composer.export_views import register_sheet
from composer.exports import FORMATS, KINDS, sheet_bytes
from core.actors import SYSTEM

# Options that become the page's query parameters, by the page's names.
FILTERS = {"committee": "committee", "meeting": "meeting", "status": "status",
           "owner": "owner", "due": "due", "within_days": "days", "text": "q",
           "sort": "sort"}  # fmt: skip


class Command(BaseCommand):
    help = "Export the action, decision or change-request register as XLSX or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="xlsx")
        parser.add_argument("--output", required=True, help="The file to write.")
        parser.add_argument("--user", help="Export what this user sees (a username).")
        parser.add_argument("--committee", help="A committee code (DAG).")
        parser.add_argument("--meeting", help="Actions raised at this meeting (DAG028).")
        parser.add_argument("--status", help="A status, as the register page's filter.")
        parser.add_argument("--owner", help="An owner choice (o<id>, p<id>, r<role>).")
        parser.add_argument("--due", help="overdue, within or next.")
        parser.add_argument("--within-days", type=int, help="With --due within.")
        parser.add_argument("--text", help="Words or a ref to search for.")
        parser.add_argument("--sort", help="ref, -ref, due_date, -due_date, status, -status.")

    def handle(self, *args: Any, **options: Any) -> None:
        user: Any = SYSTEM
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No user named {options['user']!r}.") from exc
        params = QueryDict(mutable=True)
        for option, name in FILTERS.items():
            if options.get(option) not in (None, ""):
                params[name] = str(options[option])
        sheet = register_sheet(options["kind"], user=user, params=params)
        body = sheet_bytes(sheet, options["fmt"])
        Path(options["output"]).write_bytes(body)
        self.stdout.write(f"Wrote the {options['kind']} register to {options['output']}.")
