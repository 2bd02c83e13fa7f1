"""The reminder run's hand-written statements (``composer.reminders.statements``): the claims'
insert writes what ``bulk_create`` wrote, and on PostgreSQL each per-email statement keeps
one text whatever the number of rows, so the database prepares it once."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection

from actions.models import Action, ReminderLog
from actions.services import action_close
from composer import reminders
from composer.reminders.candidates import candidates_owed
from composer.reminders.claims import claim_begin, claims_take
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


def _claimed(today: dt.date):
    """What a run owes on ``today``, claimed: (candidates, held by person, run id)."""
    found = candidates_owed(today)
    run_id = uuid.uuid4()
    by_person: dict[int, list[ReminderKey]] = {}
    for key in found.keys:
        by_person.setdefault(key.person_id, []).append(key)
    return found, claims_take(owed=sorted(by_person.items()), retry_ids=[], run_id=run_id), run_id


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_each_email_is_begun_by_one_statement_of_one_text_prepared_once(seed):  # noqa: F811
    # Ten people with different numbers of actions: on PostgreSQL each email's begin (its
    # actions' statuses read, its rows begun, the email before it recorded) is one statement
    # whose text does not change with the number of rows (arrays of ids), prepared once.
    run = reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8))
    assert len(run.sent) == 10
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = {row[0] for row in cursor.fetchall()}
    begins = [sql for sql in prepared if sql.startswith("WITH statuses AS")]
    assert len(begins) == 1
    assert "= ANY($" in begins[0]
    assert 'UPDATE "actions_reminderlog"' in begins[0]


def test_each_email_costs_one_statement_on_postgresql_two_elsewhere(
    seed,  # noqa: F811
    django_assert_num_queries,
):
    found, held, run_id = _claimed(D(2023, 10, 8))
    first, second = held[0], held[1]
    statements = 1 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(statements):
        assert claim_begin(found=found, held=first, run_id=run_id, sent_ids=[]) == list(first.rows)
    with django_assert_num_queries(statements):
        begun = claim_begin(
            found=found, held=second, run_id=run_id, sent_ids=list(first.rows.values())
        )
    assert begun == list(second.rows)
    statuses = dict(ReminderLog.objects.values_list("pk", "status"))
    assert {statuses[pk] for pk in first.rows.values()} == {Status.SENT}
    assert {statuses[pk] for pk in second.rows.values()} == {Status.SENDING}


def test_an_action_closed_before_its_email_begins_is_dropped_and_its_digest_narrowed(
    seed,  # noqa: F811
):
    # Fraser Mathieson owns DAG28-03, -05 and -08, due 11 October: on 8 October each is due
    # soon, and the DAG029 digest lists them. DAG28-05 closes after the claims were taken.
    found, held, run_id = _claimed(D(2023, 10, 8))
    fraser = Person.objects.get(name="Fraser Mathieson")
    mine = next(h for h in held if h.person_id == fraser.pk)
    closed = seed["actions"]["DAG28-05"]
    action_close(action=closed, acting_user=SYSTEM)
    begun = claim_begin(found=found, held=mine, run_id=run_id, sent_ids=[])
    assert closed.pk not in {key.action_id for key in begun}
    assert {key.kind for key in begun} == {Kind.DUE_SOON, Kind.MEETING_DIGEST}
    assert len(begun) == len(mine.rows) - 1
    digest = next(key for key in begun if key.meeting_id is not None)
    listed = found.open_by_person[(fraser.pk, found.meetings[digest.meeting_id].committee_id)]
    assert closed.pk not in listed
    assert len(listed) == 2
    rows = ReminderLog.objects.filter(person=fraser)
    assert not rows.filter(action=closed).exists()
    assert set(rows.values_list("status", flat=True)) == {Status.SENDING}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's array literals")
def test_arrays_passed_as_text_read_back_as_given(db):
    from composer.reminders.statements import _flags, _ints, _texts

    texts = ["open", 'a "quoted" word', "back\\slash", "comma, brace {x}", ""]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::bigint[], %s::boolean[], %s::text[]",
            [_ints([3, 10**12, -1]), _flags([True, False]), _texts(texts)],
        )
        assert cursor.fetchone() == ([3, 10**12, -1], [True, False], texts)
        cursor.execute("SELECT %s::bigint[]", [_ints([])])
        assert cursor.fetchone() == ([],)
