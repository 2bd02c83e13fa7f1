"""Project-level views: the health check."""

from __future__ import annotations

from functools import cache

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


@cache
def _broker(url: str) -> redis.Redis:
    """One client (and so one connection pool) per process and broker URL: opening a new
    connection on every call made the health check several times slower than a view that
    touches nothing (BENCHMARKS.md)."""
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """``/health/``: 200 when the database answers and, when REDIS_URL is set, the broker.

    Returns ``{"status": "ok"|"error", "checks": {"database": ..., "broker": ...}}``; 503 when
    a check fails (the error's class only, so nothing sensitive leaks). Used by the compose
    health checks and load balancers; it needs no login.
    """
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            _broker(settings.REDIS_URL).ping()
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"error: {exc.__class__.__name__}"
    ok = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "error", "checks": checks}, status=200 if ok else 503
    )
