"""Shared fixtures: the seed report's path, users in each role, a DAG committee."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

SEED_PATH = Path(__file__).resolve().parent.parent / "seeds" / "DAG028-headline-report.txt"
LONDON = ZoneInfo("Europe/London")


def london(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware Europe/London datetime."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with no requests counted against the rate limits (core.ratelimit):
    the counts live in the cache, which is this process's memory under test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def seed_path() -> Path:
    return SEED_PATH


@pytest.fixture
def committee(db):
    from tests.meetings.factories import CommitteeFactory

    return CommitteeFactory(code="DAG", name="Design Advisory Group", programme_name="MHHS")


@pytest.fixture
def role_user(db):
    """``role_user("PMO")`` makes a user in that group (with a Person when ``person=True``)."""
    from tests.meetings.factories import UserFactory

    def make(role: str, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def pmo_user(role_user):
    return role_user("PMO")


@pytest.fixture
def chair_user(role_user):
    return role_user("Chair")


@pytest.fixture
def member_user(role_user):
    return role_user("Member")


@pytest.fixture
def observer_user(role_user):
    return role_user("Observer")


@pytest.fixture(autouse=True)
def legacy_seats_on_new_committees():
    """A committee made during a test seats the users made with a Chair, Member or Observer
    role (``tests.meetings.factories.give_legacy_seats``): tests written when roles were
    global groups keep their users' rights on the committees they build afterwards."""
    from django.db.models.signals import post_save

    from meetings.models import Committee
    from tests.meetings.factories import give_legacy_seats

    def seat(sender, instance, created, raw=False, **kwargs):
        if created and not raw:
            give_legacy_seats(instance)

    post_save.connect(seat, sender=Committee, dispatch_uid="legacy-seats")
    yield
    post_save.disconnect(sender=Committee, dispatch_uid="legacy-seats")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, with leftover PostgreSQL sessions ended before the drop.

    Threads of the concurrency tests and the live server's request threads open their own
    connections; one still closing when the session ends makes PostgreSQL refuse to drop the
    test database ("is being accessed by other users"). They are reported, then ended.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name, state, left(query, 80) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        leftovers = cursor.fetchall()
        for pid, *about in leftovers:
            print(f"\nEnding a leftover test database session {pid}: {about}")
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
