"""Reminder emails over SMTP by parallel senders (composer.reminders.senders).

The run sends to a real SMTP server on 127.0.0.1 (``bench.smtp_sink``) that holds each
message's answer back, as a relay does: forty people are owed an email (a due-soon action
and the DAG900 digest each), sent by four senders over connections kept open for the run.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from email.utils import parseaddr
from typing import ClassVar

import pytest
from django.core.mail.backends import locmem
from django.db import connection

from actions.models import ReminderLog
from bench.smtp_sink import SmtpReceiver
from composer import reminders
from core.actors import SYSTEM
from tests.actions.test_reminders import _bulk_scenario

PEOPLE = 40


@pytest.fixture
def owed(committee):
    _bulk_scenario(committee, people=PEOPLE, open_actions=PEOPLE, closed_actions=0)
    return {f"p{i}@example.org" for i in range(PEOPLE)}


def _run_against(sink: SmtpReceiver, settings, parallel: int) -> reminders.ReminderRun:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 30
    settings.REMINDER_SEND_PARALLEL = parallel
    return reminders.reminders_send(acting_user=SYSTEM, today=dt.date(2023, 10, 8))


def _received(sink: SmtpReceiver) -> Counter:
    return Counter(parseaddr(message["To"])[1] for message in sink.messages)


def _all_sent() -> bool:
    return set(ReminderLog.objects.values_list("status", flat=True)) == {"sent"}


def test_four_senders_send_each_person_one_email_over_four_connections(owed, settings):
    with SmtpReceiver(delay=0.05) as sink:
        run = _run_against(sink, settings, parallel=4)
    assert len(run.sent) == PEOPLE
    assert run.failed == []
    assert _received(sink) == Counter(dict.fromkeys(owed, 1))
    # One connection per sender for the whole run, not one per message; and the senders
    # did send at once (messages waited for their answers together).
    assert sink.connections == 4
    assert 2 <= sink.busiest <= 4
    assert _all_sent()
    # The run's result lists the emails in name order, whatever order they went in.
    assert [e.name for e in run.emails] == sorted(e.name for e in run.emails)


def test_one_sender_sends_over_one_connection(owed, settings):
    with SmtpReceiver() as sink:
        run = _run_against(sink, settings, parallel=1)
    assert len(run.sent) == PEOPLE
    assert _received(sink) == Counter(dict.fromkeys(owed, 1))
    assert sink.connections == 1
    assert sink.busiest == 1


def test_a_relay_taking_two_connections_gets_two_senders(owed, settings):
    with SmtpReceiver(delay=0.02, max_connections=2) as sink:
        run = _run_against(sink, settings, parallel=4)
    assert len(run.sent) == PEOPLE
    assert run.failed == []
    assert _received(sink) == Counter(dict.fromkeys(owed, 1))
    assert sink.connections == 2
    assert _all_sent()


def test_a_relay_closing_connections_after_five_messages_is_reconnected_to(owed, settings):
    # Past five messages the relay closes the connection as the sixth starts (421 to MAIL
    # FROM, nothing of it sent): the sender reconnects and sends it on the new connection.
    with SmtpReceiver(messages_per_connection=5) as sink:
        run = _run_against(sink, settings, parallel=4)
    assert len(run.sent) == PEOPLE
    assert run.failed == []
    assert _received(sink) == Counter(dict.fromkeys(owed, 1))
    assert sink.connections >= PEOPLE // 5
    assert _all_sent()


def test_a_relay_refusing_every_connection_sends_nothing_and_claims_nothing(owed, settings):
    with SmtpReceiver(max_connections=0) as sink:
        run = _run_against(sink, settings, parallel=4)
    assert run.sent == []
    assert len(run.failed) == PEOPLE
    assert "SMTPConnectError" in run.failed[0].error
    assert not sink.messages
    assert not ReminderLog.objects.exists()


class ThreadNotingBackend(locmem.EmailBackend):
    """The locmem backend, noting the thread each email is sent from."""

    threads: ClassVar[set[str]] = set()
    made: ClassVar[int] = 0

    def __init__(self, *args, **kwargs):
        ThreadNotingBackend.made += 1
        super().__init__(*args, **kwargs)

    def send_messages(self, messages):
        ThreadNotingBackend.threads.add(threading.current_thread().name)
        return super().send_messages(messages)


def test_an_in_process_backend_gets_one_sender_in_the_runs_thread_whatever_is_asked(owed, settings):
    # Sending to memory waits on nothing: sender threads would only slow the run's writes.
    settings.EMAIL_BACKEND = "tests.actions.test_reminder_senders.ThreadNotingBackend"
    settings.REMINDER_SEND_PARALLEL = 4
    ThreadNotingBackend.threads, ThreadNotingBackend.made = set(), 0
    run = reminders.reminders_send(acting_user=SYSTEM, today=dt.date(2023, 10, 8))
    assert len(run.sent) == PEOPLE
    assert ThreadNotingBackend.threads == {threading.current_thread().name}
    assert ThreadNotingBackend.made == 1  # one connection for the run
    assert _all_sent()


# --- cheap commits (composer.reminders.commits) ------------------------------------------------


def _durability() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW synchronous_commit")
        else:
            cursor.execute("PRAGMA synchronous")
        return str(cursor.fetchone()[0])


class DurabilityBackend(locmem.EmailBackend):
    """The locmem backend, noting the connection's commit durability as each email goes."""

    seen: ClassVar[list[str]] = []

    def send_messages(self, messages):
        DurabilityBackend.seen.append(_durability())
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_the_run_commits_without_waiting_for_the_disk_and_restores_it_after(committee, settings):
    _bulk_scenario(committee, people=3, open_actions=3, closed_actions=0)
    settings.EMAIL_BACKEND = "tests.actions.test_reminder_senders.DurabilityBackend"
    settings.REMINDER_SEND_PARALLEL = 1  # sends from the run's thread, on its connection
    DurabilityBackend.seen = []
    before = _durability()
    run = reminders.reminders_send(acting_user=SYSTEM, today=dt.date(2023, 10, 8))
    assert len(run.sent) == 3
    # SQLite: NORMAL (1) under WAL; PostgreSQL: synchronous_commit off.
    relaxed = "off" if connection.vendor == "postgresql" else "1"
    assert DurabilityBackend.seen == [relaxed] * 3
    assert _durability() == before
    assert _all_sent()
