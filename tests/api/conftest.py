"""Fixtures of the API tests: the seed report imported, and API clients in each role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture
def seeded(db, committee, seed_path):
    """The DAG028 headline report imported through the importer (the system as actor)."""
    from meetings.importer import headline_report_import_file

    headline_report_import_file(path=seed_path)
    return seed_path


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
