"""The reminder run's hand-written statements (``composer.reminders.statements``): the claims'
insert writes what ``bulk_create`` wrote, and on PostgreSQL each per-email statement keeps
one text whatever the number of rows, so the database prepares it once."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection

from actions.models import Action, ReminderLog
from composer import reminders
from composer.reminders.rules import ReminderKey
from composer.reminders.statements import action_statuses, insert_claims
from core.actors import SYSTEM
from meetings.models import Meeting, Person
from tests.actions.test_reminders import seed  # noqa: F401 (the fixture)
from tests.conftest import london

D = dt.date
Status = ReminderLog.Status
Kind = ReminderLog.Kind


def _keys(committee) -> list[ReminderKey]:
    person = Person.objects.create(name="P", email="p@example.org")
    meeting = Meeting.objects.create(
        committee=committee, number=1, ref="DAG001", start_at=london(2023, 1, 11)
    )
    action = Action.objects.create(
        committee=committee, meeting=meeting, seq=1, description="A", due_date=D(2023, 1, 9)
    )
    return [
        ReminderKey(person.pk, None, meeting.pk, Kind.MEETING_DIGEST, D(2023, 1, 8)),
        ReminderKey(person.pk, action.pk, None, Kind.DUE_SOON, D(2023, 1, 9)),
        ReminderKey(person.pk, action.pk, None, Kind.OVERDUE, D(2023, 1, 10)),
    ]


def test_the_claims_are_inserted_as_bulk_create_did_and_existing_keys_are_left(committee):
    digest, due_soon, overdue = _keys(committee)
    earlier, run_id = uuid.uuid4(), uuid.uuid4()
    ReminderLog.objects.create(
        **overdue._asdict(), status=Status.SENT, run_id=earlier, attempts=1, error=""
    )
    insert_claims([digest, due_soon, overdue], run_id=run_id)
    rows = {
        ReminderKey(r.person_id, r.action_id, r.meeting_id, r.kind, r.reminder_date): r
        for r in ReminderLog.objects.all()
    }
    assert set(rows) == {digest, due_soon, overdue}
    for key in (digest, due_soon):
        row = rows[key]
        assert (row.status, row.run_id, row.attempts, row.error) == (
            Status.CLAIMED,
            run_id,
            0,
            "",
        )
        assert row.created_at is not None
        assert row.attempt_at is None
        assert row.sent_at is None
    # The key another run holds is not this run's.
    assert (rows[overdue].status, rows[overdue].run_id) == (Status.SENT, earlier)
    insert_claims([], run_id=run_id)
    assert ReminderLog.objects.count() == 3


def test_statuses_of_many_actions_read_by_one_statement(committee, django_assert_num_queries):
    _, key, _ = _keys(committee)
    with django_assert_num_queries(1):
        found = action_statuses([key.action_id, 10**9, 10**12])
    assert found == {key.action_id: "open"}
    assert action_statuses([]) == {}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_each_per_email_statement_has_one_text_and_is_prepared(seed):  # noqa: F811
    # Ten people with different numbers of actions: on PostgreSQL the statuses SELECT and
    # the begin UPDATE keep one text each (an array of ids, however many), prepared once.
    run = reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8))
    assert len(run.sent) == 10
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = {row[0] for row in cursor.fetchall()}
    statuses = [sql for sql in prepared if 'FROM "actions_action" WHERE' in sql]
    begins = [sql for sql in prepared if "actions_reminderlog" in sql and "RETURNING" in sql]
    assert len(statuses) == 1
    assert len(begins) == 1
    assert "= ANY($" in statuses[0]
    assert "= ANY($" in begins[0]
