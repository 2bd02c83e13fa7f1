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
