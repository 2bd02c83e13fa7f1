"""The action list's links (link makers kept per origin) follow each request's own host."""

import pytest
from rest_framework.authtoken.models import Token

from tests.actions.factories import ActionFactory
from tests.meetings.factories import UserFactory

pytestmark = pytest.mark.django_db


def _urls(data):
    out = []
    if isinstance(data, dict):
        for v in data.values():
            out += _urls(v)
    elif isinstance(data, list):
        for v in data:
            out += _urls(v)
    elif isinstance(data, str) and "://" in data:
        out.append(data)
    return out


@pytest.mark.parametrize("secure", [False, True])
def test_links_per_host(client, settings, secure):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    ActionFactory(meeting__classification="public")
    user = UserFactory(role="PMO")
    token = Token.objects.create(user=user)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    if secure:
        auth["HTTP_X_FORWARDED_PROTO"] = "https"
    scheme = "https" if secure else "http"
    for host in ["localhost", "127.0.0.1", "testserver", "localhost", "127.0.0.1:8000"]:
        response = client.get(
            "/api/v1/actions/", HTTP_HOST=host, HTTP_X_FORWARDED_HOST="evil.example", **auth
        )
        if host == "127.0.0.1:8000":
            assert response.status_code in (200, 400)
            if response.status_code == 400:
                continue
        assert response.status_code == 200, response.content[:300]
        urls = _urls(response.json())
        assert urls
        assert all(u.startswith(f"{scheme}://{host}/") for u in urls), urls[:5]
    assert client.get("/api/v1/actions/", HTTP_HOST="evil.example", **auth).status_code == 400
