"""Data for the integration tests, written through the services by a separate process.

Run as ``python -m tests.integration.scenario <command>`` with the stack's environment (its
settings, database and broker), the way the compose processes see them; prints JSON.

- ``dag028``: import the seed report, give its people email addresses (the seed has none),
  seat a chair, issue DAG028's headline report (queued after commit: Redis, then the worker)
  and queue the reminder task for 8 October 2023.
- ``remind YYYY-MM-DD``: queue the reminder task for that day.
- ``smoke``: committee SMK, one action due three days from today (Europe/London) owned by
  Sam Smoke <sam.smoke@example.org>, and a beat entry running the reminder task every
  second (besides the daily 08:00 one the migrations install).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from core.actors import SYSTEM


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dag.settings.production")
    django.setup()


def dag028() -> dict:
    from composer.headline_report import headline_report_issue
    from composer.importer import headline_report_import_file
    from composer.tasks import reminders_send_task
    from core.actors import SYSTEM
    from meetings.models import Committee, Meeting, Membership, Person

    seed = Path(__file__).resolve().parents[2] / "seeds" / "DAG028-headline-report.txt"
    headline_report_import_file(path=seed, acting_user=SYSTEM)
    for person in Person.objects.all():
        person.email = ".".join(person.name.lower().split()) + "@example.org"
        person.save()
    chair = Person.objects.create(name="Dag Chair", email="dag.chair@example.org")
    Membership.objects.create(
        committee=Committee.objects.get(code="DAG"), person=chair, role=Membership.Role.CHAIR
    )
    report = headline_report_issue(meeting=Meeting.objects.get(ref="DAG028"), acting_user=SYSTEM)
    reminders_send_task.delay(today="2023-10-08")
    return {"report_id": report.pk}


def remind(today: str) -> dict:
    from composer.tasks import reminders_send_task

    reminders_send_task.delay(today=today)
    return {"queued": today}


def smoke() -> dict:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from actions.services import action_create
    from composer.reminders import reminders_today
    from meetings.models import Person
    from meetings.services import committee_create, meeting_create

    committee = committee_create(code="SMK", name="Smoke Test Group", acting_user=SYSTEM)
    today = reminders_today()
    meeting = meeting_create(
        committee=committee,
        number=1,
        start_at=dt.datetime.combine(
            today - dt.timedelta(days=7), dt.time(10), tzinfo=ZoneInfo("Europe/London")
        ),
        acting_user=SYSTEM,
    )
    due = today + dt.timedelta(days=3)
    action = action_create(
        meeting=meeting,
        description="Programme to check the stack end to end",
        owners=["Programme (Sam Smoke)"],
        due_date=due,
        acting_user=SYSTEM,
    )
    Person.objects.filter(name="Sam Smoke").update(email="sam.smoke@example.org")
    every_second, _ = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.create(
        name="Smoke test reminders", task="actions.reminders_send", interval=every_second
    )
    return {"ref": action.ref, "due_date": due.isoformat()}


def main(argv: list[str]) -> int:
    _setup()
    commands = {"dag028": dag028, "remind": remind, "smoke": smoke}
    print(json.dumps(commands[argv[0]](*argv[1:])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
