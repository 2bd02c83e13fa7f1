"""Reminders survive a crash: a run killed mid-way leaves one email in doubt, the rest go next.

The records are the seed report imported (as in ``tests/actions/test_reminders.py``): on
8 October 2023 ten people are owed an email (the DAG029 digest and their due-soon actions).
The run is the real ``manage.py send_reminders`` in a subprocess, sending over SMTP to a
receiver on 127.0.0.1 (``bench.smtp_sink``) that waits before confirming each message; the test
kills it with SIGKILL once a few messages have arrived, then runs it again. With one sender
one email is left in doubt; with four in parallel (``REMINDER_SEND_PARALLEL``), at most four.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from email.utils import parseaddr
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection

from actions.models import Action, ReminderLog
from actions.services import action_close
from bench.smtp_sink import SmtpReceiver
from composer import reminders
from composer.importer import headline_report_import_file
from core.actors import SYSTEM
from meetings.models import Committee, Membership, Person
from tests.conftest import SEED_PATH

ROOT = Path(__file__).resolve().parents[2]
RUN_DAY = "2023-10-08"
OWED_ON_RUN_DAY = 10  # the seed's owners of actions due by DAG029, and the chair


def email_for(name: str) -> str:
    return ".".join(name.lower().split()) + "@example.org"


def _seed() -> None:
    headline_report_import_file(path=SEED_PATH, acting_user=SYSTEM)
    for person in Person.objects.all():
        person.email = email_for(person.name)
        person.save()
    chair = Person.objects.create(name="Dag Chair", email="dag.chair@example.org")
    Membership.objects.create(
        committee=Committee.objects.get(code="DAG"), person=chair, role=Membership.Role.CHAIR
    )


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _command(port: int, parallel: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dag.settings.base",
        "DATABASE_URL": _database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
        "REMINDER_SEND_PARALLEL": str(parallel),
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "send_reminders", "--today", RUN_DAY],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _recipient(message) -> str:
    return parseaddr(message["To"])[1]


def _statuses() -> dict[str, set[str]]:
    """Each status in the log -> the addresses of the people with rows in it."""
    found: dict[str, set[str]] = {}
    for status, address in ReminderLog.objects.values_list("status", "person__email"):
        found.setdefault(status, set()).add(address)
    return found


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("parallel", "killed_after"), [(1, 4), (4, 6)])
def test_a_run_killed_mid_way_leaves_one_email_per_sender_in_doubt_and_the_rerun_sends_the_rest(
    parallel, killed_after
):
    _seed()
    owed = reminders.reminders_send(acting_user=SYSTEM, today=dt.date(2023, 10, 8), dry_run=True)
    people = {email.email for email in owed.emails}
    assert len(people) == OWED_ON_RUN_DAY
    with SmtpReceiver(delay=1.5) as slow:
        run = _command(slow.port, parallel)
        deadline = time.monotonic() + 120
        while len(slow.messages) < killed_after and time.monotonic() < deadline:
            assert run.poll() is None, run.communicate()
            time.sleep(0.05)
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
        first = [_recipient(m) for m in slow.messages]
        assert slow.connections == parallel  # one per sender, kept open across its messages
    # Messages from parallel senders arrive together: a second batch may be in whole.
    assert killed_after <= len(first) < OWED_ON_RUN_DAY
    statuses = _statuses()
    in_doubt, sent = statuses.get("sending", set()), statuses.get("sent", set())
    assert "failed" not in statuses
    assert all(
        row.attempt_at is not None
        for row in ReminderLog.objects.filter(status=ReminderLog.Status.SENDING)
    )
    # Every message that arrived is recorded sent or in doubt; nothing recorded sent that
    # did not arrive; at most one email in doubt per sender.
    assert sent <= set(first) <= sent | in_doubt
    assert 1 <= len(in_doubt) <= parallel
    if parallel == 1:
        # Killed while the 4th message waited for the server's answer: three recorded sent,
        # the fourth in doubt, the other six claimed but never begun.
        assert in_doubt == {first[-1]}
        assert sent == set(first[:-1])

    with SmtpReceiver() as fast:
        rerun = _command(fast.port, parallel)
        out, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err
        second = [_recipient(m) for m in fast.messages]
    assert f"Sent {OWED_ON_RUN_DAY - len(sent | in_doubt)} emails for {RUN_DAY}." in out
    # Everyone not in doubt got exactly one email across the two runs; those in doubt were
    # not sent again (each got the one that arrived, if it did).
    received = Counter(first + second)
    assert {address: received[address] for address in people - in_doubt} == dict.fromkeys(
        people - in_doubt, 1
    )
    assert not in_doubt & set(second)
    assert _statuses() == {"sent": people - in_doubt, "sending": in_doubt}
    for message in slow.messages + fast.messages:
        assert message["List-Unsubscribe"].strip().startswith("<http://")


class ClosingBackend(locmem.EmailBackend):
    """The locmem backend; while the first email is being sent, the PMO closes ``close``."""

    close: str = ""

    def send_messages(self, messages):
        if ClosingBackend.close:
            action_close(action=Action.objects.get(ref=ClosingBackend.close), acting_user=SYSTEM)
            ClosingBackend.close = ""
        return super().send_messages(messages)


def test_an_action_closed_during_the_run_is_not_reminded(db, settings):
    _seed()
    settings.EMAIL_BACKEND = "tests.hardening.test_reminder_crash.ClosingBackend"
    # This backend writes to the database, which inside the test's transaction only the
    # run's own thread can: one sender, sending from that thread (composer.reminders.senders).
    settings.REMINDER_SEND_PARALLEL = 1
    # Fraser Mathieson owns DAG28-03, -05 and -08, due 11 October (the seed); the run writes
    # to people in name order, and his is not the first name.
    ClosingBackend.close = "DAG28-05"
    run = reminders.reminders_send(acting_user=SYSTEM, today=dt.date(2023, 10, 8))
    assert run.emails[0].name != "Fraser Mathieson"
    assert len(run.sent) == OWED_ON_RUN_DAY
    fraser = next(m for m in mail.outbox if "fraser.mathieson" in m.to[0])
    assert set(re.findall(r"DAG\d+-\d\d", fraser.body)) == {"DAG28-03", "DAG28-08"}
    assert not ReminderLog.objects.filter(action__ref="DAG28-05").exists()
