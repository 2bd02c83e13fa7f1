"""One reminder scanner at a time: a run that finds the lock held does nothing.

On PostgreSQL the lock is a session advisory lock (taken here from a second connection); on
SQLite with REDIS_URL set it is a Redis lock (taken here on a real redis-server).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection

from composer import reminders
from core.actors import SYSTEM
from tests.actions.factories import ActionFactory
from tests.meetings.factories import PersonFactory

pytestmark = pytest.mark.integration


@pytest.fixture
def owed(db):
    """One action due in three days, owned by a person with an email address."""
    return ActionFactory(due_date=dt.date(2023, 10, 11), owner=PersonFactory())


def test_a_run_that_finds_the_scanner_lock_held_does_nothing(owed, redis_url, settings):
    today = dt.date(2023, 10, 8)
    if connection.vendor == "postgresql":
        import psycopg

        params = connection.get_connection_params()
        other = psycopg.connect(
            **{k: v for k, v in params.items() if k in ("dbname", "user", "host", "port")},
            autocommit=True,
        )
        holder = other.execute("SELECT pg_try_advisory_lock(%s)", [reminders.PG_LOCK_KEY])
        assert holder.fetchone()[0] is True

        def release() -> None:
            other.execute("SELECT pg_advisory_unlock(%s)", [reminders.PG_LOCK_KEY])
            other.close()

    else:
        import redis

        settings.REDIS_URL = redis_url
        lock = redis.Redis.from_url(redis_url).lock(f"dag:{reminders.LOCK_NAME}", timeout=60)
        assert lock.acquire(blocking=False)
        release = lock.release
    try:
        run = reminders.reminders_send(today=today, acting_user=SYSTEM)
        assert run.locked_out
        assert run.emails == []
        assert mail.outbox == []
    finally:
        release()
    run = reminders.reminders_send(today=today, acting_user=SYSTEM)
    assert not run.locked_out
    assert [e.reminders for e in run.sent] == [{"due_soon": [owed.ref]}]
