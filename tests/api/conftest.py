"""Fixtures of the API tests: the seed report imported, and API clients in each role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.actors import SYSTEM
from core.api.db import KEPT_ANSWERS_ATTR


@pytest.fixture(scope="module")
def seeded_module(django_db_setup, django_db_blocker):
    """The DAG028 headline report imported once per test module (the system as actor).

    It is written inside an outer transaction; each test runs in a savepoint within it (the
    ``db`` fixture) and is rolled back to the imported state, and the import itself is rolled
    back when the module ends, so other modules never see it.
    """
    from composer.importer import headline_report_import_file
    from tests.conftest import SEED_PATH
    from tests.meetings.factories import CommitteeFactory

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            CommitteeFactory(code="DAG", name="Design Advisory Group", programme_name="MHHS")
            headline_report_import_file(path=SEED_PATH, acting_user=SYSTEM)
            yield SEED_PATH
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def seeded(seeded_module, db):
    """The seed's records, for one test (changes are rolled back after it)."""
    return seeded_module


@pytest.fixture
def api_client_for() -> Callable[[Any], APIClient]:
    """``api_client_for(user)``: a client authenticated by the user's API token."""

    def make(user: Any) -> APIClient:
        token, _ = Token.objects.get_or_create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def pmo_api(api_client_for, pmo_user) -> APIClient:
    return api_client_for(pmo_user)


@pytest.fixture
def chair_api(api_client_for, role_user) -> APIClient:
    return api_client_for(role_user("Chair", person=True))


@pytest.fixture
def member_api(api_client_for, member_user) -> APIClient:
    return api_client_for(member_user)


@pytest.fixture
def observer_api(api_client_for, observer_user) -> APIClient:
    return api_client_for(observer_user)


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


# Where core.api.db keeps a connection's answers (kept_while_unchanged).
KEPT_ANSWERS = KEPT_ANSWERS_ATTR


@pytest.fixture
def no_kept_answers():
    """Kept answers live on the connection, across tests: the test starts and ends with none."""
    from django.db import connection

    connection.__dict__.pop(KEPT_ANSWERS, None)
    yield
    connection.__dict__.pop(KEPT_ANSWERS, None)
