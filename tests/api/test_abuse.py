"""What an adversarial client tried against the API, and the clear 4xx it now gets.

Each test names the attack; the records are the seed report's (DAG027, DAG028, DAG029).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_json_nested_deeper_than_the_parser_goes_is_a_400_not_a_500(seeded, pmo_api):
    body = b'{"a": ' * 5000 + b"1" + b"}" * 5000
    response = pmo_api.generic(
        "POST", "/api/v1/actions/DAG28-01/updates/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert pmo_api.get("/api/v1/actions/DAG28-01/updates/").json()["results"] == []
