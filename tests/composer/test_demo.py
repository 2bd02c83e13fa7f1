"""The demo (``manage.py load_demo``): its next meeting lies ahead of today whenever it is
loaded, the seed's DAG029 (October 2023) being past and so held; the logins table and the
rest of what README says of the demo stay."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core.management import call_command

from decisions.models import Decision
from meetings.models import Meeting
from tests.conftest import london


@time_machine.travel(london(2026, 12, 6, 9), tick=False)
def test_the_demos_next_meeting_lies_ahead_of_today(db, capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "Imported DAG028-headline-report.txt" in out
    assert Meeting.objects.get(ref="DAG029").status == Meeting.Status.HELD
    upcoming = Meeting.objects.planned().filter(committee__code="DAG").get()
    assert upcoming.ref == "DAG030"
    assert upcoming.date == dt.date(2026, 12, 20)  # two weeks from today, worked out by hand
    assert f"Added {upcoming.ref}, DAG's next meeting" in out
    # The chair's queue has its proposed decision on that meeting; TMAG's meeting follows.
    assert Decision.objects.get(status=Decision.Status.PROPOSED).meeting == upcoming
    assert Meeting.objects.get(ref="TMAG001").start_at > upcoming.start_at
    for line in (
        "PMO       username: pmo       password: pmo-demo",
        "Chair     username: chair     password: chair-demo",
        "Member    username: member    password: member-demo",
        "Observer  username: observer  password: observer-demo",
    ):
        assert line in out, line

    # Loaded again the same day: nothing new.
    call_command("load_demo")
    assert Meeting.objects.planned().filter(committee__code="DAG").count() == 1
    assert "DAG's next meeting" not in capsys.readouterr().out


def test_loaded_again_once_that_meeting_has_passed_the_next_is_planned(db, capsys):
    with time_machine.travel(london(2026, 12, 6, 9), tick=False):
        call_command("load_demo")
    with time_machine.travel(london(2027, 1, 5, 9), tick=False):
        call_command("load_demo")
    assert Meeting.objects.get(ref="DAG030").status == Meeting.Status.HELD
    assert Meeting.objects.planned().filter(committee__code="DAG").get().ref == "DAG031"
