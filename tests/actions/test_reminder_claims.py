"""The statement that begins one email and records the ones before it sent
(``composer.reminders.claims``): both moves or neither, each only on this run's rows in the
status it expects."""

from __future__ import annotations

import datetime as dt
import uuid

from actions.models import ReminderLog
from composer.reminders.statements import begin_recording
from meetings.models import Meeting, Person
from tests.conftest import london

D = dt.date
Status = ReminderLog.Status


def _rows(committee, statuses: list[str], run_id: uuid.UUID) -> list[ReminderLog]:
    person = Person.objects.create(name="P", email="p@example.org")
    meeting = Meeting.objects.create(
        committee=committee, number=1, ref="DAG001", start_at=london(2023, 1, 11)
    )
    return ReminderLog.objects.bulk_create(
        ReminderLog(
            person=person,
            meeting=meeting,
            kind=ReminderLog.Kind.MEETING_DIGEST,
            reminder_date=D(2023, 1, 1) + dt.timedelta(days=i),
            status=status,
            run_id=run_id,
            attempts=1 if status == Status.SENDING else 0,
        )
        for i, status in enumerate(statuses)
    )


def test_one_statement_records_the_sent_and_begins_the_next(committee, django_assert_num_queries):
    run_id = uuid.uuid4()
    sent, sent_too, begin, begin_too = _rows(
        committee, [Status.SENDING, Status.SENDING, Status.CLAIMED, Status.CLAIMED], run_id
    )
    with django_assert_num_queries(1):
        begun = begin_recording([begin.pk, begin_too.pk], [sent.pk, sent_too.pk], run_id=run_id)
    assert begun == 2
    rows = {row.pk: row for row in ReminderLog.objects.all()}
    for pk in (sent.pk, sent_too.pk):
        assert rows[pk].status == Status.SENT
        assert rows[pk].sent_at is not None
        assert rows[pk].attempt_at is None  # as it was
        assert rows[pk].attempts == 1
    for pk in (begin.pk, begin_too.pk):
        assert rows[pk].status == Status.SENDING
        assert rows[pk].attempt_at is not None
        assert rows[pk].sent_at is None
        assert rows[pk].attempts == 1


def test_rows_not_this_runs_or_not_in_the_expected_status_are_left_alone(committee):
    run_id = uuid.uuid4()
    # A row named to begin that is already sending, one named as sent that is only claimed,
    # and rows of another run: none moves.
    sending, claimed, other_sent, other_claimed = _rows(
        committee, [Status.SENDING, Status.CLAIMED, Status.SENDING, Status.CLAIMED], run_id
    )
    ReminderLog.objects.filter(pk__in=[other_sent.pk, other_claimed.pk]).update(run_id=uuid.uuid4())
    begun = begin_recording(
        [sending.pk, other_claimed.pk], [claimed.pk, other_sent.pk], run_id=run_id
    )
    assert begun == 0
    assert dict(ReminderLog.objects.values_list("pk", "status")) == {
        sending.pk: Status.SENDING,
        claimed.pk: Status.CLAIMED,
        other_sent.pk: Status.SENDING,
        other_claimed.pk: Status.CLAIMED,
    }
    assert not ReminderLog.objects.filter(sent_at__isnull=False).exists()
