"""The two-committee scene of the access tests (``tests.fixtures.build_two_committees``)."""

from __future__ import annotations

import pytest

from tests.fixtures import TwoCommittees, build_two_committees


@pytest.fixture
def two(db) -> TwoCommittees:
    return build_two_committees()


@pytest.fixture
def as_user(client, two):
    """``as_user("chair")``: the test client signed in as that login of the scene."""

    def sign_in(username: str):
        client.force_login(two.users[username])
        return client

    return sign_in
