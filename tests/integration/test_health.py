"""``/health/`` against a real Redis: it reports the broker, and reuses its connection."""

from __future__ import annotations

import pytest
import redis

pytestmark = pytest.mark.integration


@pytest.mark.django_db
def test_health_reports_the_broker_and_opens_one_connection_for_many_calls(
    client, settings, redis_url
):
    settings.REDIS_URL = redis_url
    server = redis.Redis.from_url(redis_url)
    before = server.info("stats")["total_connections_received"]
    for _ in range(20):
        response = client.get("/health/")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
    opened = server.info("stats")["total_connections_received"] - before
    assert opened == 1  # one pooled connection, not one per call


@pytest.mark.django_db
def test_health_is_503_when_the_broker_does_not_answer(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "ok", "broker": "error: ConnectionError"},
    }
