"""Nobody silently unreachable: the reminder run names the owners no email reaches."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from composer.reminders import reminders_send
from core.actors import SYSTEM
from meetings import people_services
from meetings.models import Person
from tests.fixtures import build_seedlike

pytestmark = pytest.mark.django_db

# DAG28-01 and DAG28-02 are due on 11/10/2023; DAG's reminders go 3 days ahead.
RUN_DATE = "2023-10-08"


def test_dry_run_lists_actions_whose_owner_has_no_email(db, capsys):
    build_seedlike()
    call_command("send_reminders", "--today", RUN_DATE, "--dry-run")
    out = capsys.readouterr().out
    # Haz Elmamoun (DAG28-02) has no email; Rob Short (DAG28-01) is the demo member.
    assert "UNREACHABLE DAG28-02: Haz Elmamoun has no email" in out
    assert "DAG28-01" not in out.split("UNREACHABLE", 1)[1]
    assert mail.outbox == []


def test_an_owner_given_an_email_is_reachable_again(db):
    build_seedlike()
    run = reminders_send(acting_user=SYSTEM, today=dt.date(2023, 10, 8), dry_run=True)
    assert run.unreachable == [("DAG28-02", "Haz Elmamoun")]
    haz = Person.objects.get(name="Haz Elmamoun")
    people_services.person_update(person=haz, email="haz@example.org", acting_user=SYSTEM)
    run = reminders_send(acting_user=SYSTEM, today=dt.date(2023, 10, 8), dry_run=True)
    assert run.unreachable == []
    assert "Haz Elmamoun" in [email.name for email in run.emails]


def test_a_real_run_logs_the_unreachable_owners(db, caplog):
    build_seedlike()
    with caplog.at_level("WARNING", logger="composer.reminders.run"):
        run = reminders_send(acting_user=SYSTEM, today=dt.date(2023, 10, 8))
    assert run.unreachable == [("DAG28-02", "Haz Elmamoun")]
    assert run.as_dict()["unreachable"] == ["DAG28-02: Haz Elmamoun"]
    assert "reminder unreachable: DAG28-02 owner Haz Elmamoun has no email" in caplog.text


def test_the_register_marks_an_owner_without_email(client, db):
    build_seedlike()
    client.login(username="pmo", password="pmo-demo")
    html = client.get("/actions/").content.decode()
    row = html.split('id="r-DAG28-02"', 1)[1].split("</tr>", 1)[0]
    assert "no email" in row
    other = html.split('id="r-DAG28-01"', 1)[1].split("</tr>", 1)[0]
    assert "no email" not in other
