"""Shared set-up of the notification tests: the seed's records at the seed's dates."""

from __future__ import annotations

import time_machine
from django.contrib.auth import get_user_model

from tests.conftest import london
from tests.fixtures import SeedLike, build_seedlike


def seed_at(*args) -> SeedLike:
    """``build_seedlike`` as on DAG028's afternoon (13 September 2023, 14:00 London)."""
    with time_machine.travel(london(*(args or (2023, 9, 13, 14))), tick=False):
        return build_seedlike()


def login(username: str):
    """A fresh user object (its seats read anew)."""
    return get_user_model().objects.get(username=username)


def to(message) -> str:
    (address,) = message.to
    return address.rsplit("<", 1)[-1].rstrip(">")
