"""``manage.py load_demo``: demo logins and, into an empty database, the seed report."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from composer.demo import (
    SEED_REPORT,
    demo_logins_ensure,
    demo_next_meeting_ensure,
    demo_proposed_decision_ensure,
    demo_second_committee_ensure,
)
from composer.importer import headline_report_import_file
from core.actors import SYSTEM
from meetings.models import Meeting


class Command(BaseCommand):
    help = "Load the demo: the seed headline report (into an empty database) and demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if not Meeting.objects.exists():
            result = headline_report_import_file(path=SEED_REPORT, acting_user=SYSTEM)
            self.stdout.write(f"Imported {SEED_REPORT.name}: {result}")
        else:
            self.stdout.write("The database already holds meetings; the seed was not loaded again.")
        upcoming = demo_next_meeting_ensure()
        if upcoming:
            self.stdout.write(f"Added {upcoming}, DAG's next meeting, two weeks from today.")
        proposal = demo_proposed_decision_ensure()
        if proposal:
            self.stdout.write(f"Added {proposal}, a proposed decision for the chair's queue.")
        second = demo_second_committee_ensure()
        if second:
            self.stdout.write(
                f"Added {second}, a Restricted TMAG meeting the DAG member cannot see."
            )
        logins = demo_logins_ensure()
        self.stdout.write(self.style.SUCCESS("\nDemo logins for http://127.0.0.1:8000/"))
        for login in logins:
            self.stdout.write(
                f"  {login.role:<9} username: {login.username:<9} password: {login.password}"
            )
        self.stdout.write("")
