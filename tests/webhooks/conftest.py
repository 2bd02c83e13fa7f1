"""Fixtures of the webhook tests: the seed's records, the PMO, receivers on 127.0.0.1."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.fixtures import build_seedlike

from .receiver import receiver_start


@pytest.fixture
def seed(db):
    return build_seedlike()


@pytest.fixture
def pmo(seed):
    return get_user_model().objects.get(username="pmo")


@pytest.fixture
def receiver():
    state, server = receiver_start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def other_receiver():
    state, server = receiver_start()
    yield state
    server.shutdown()
    server.server_close()
