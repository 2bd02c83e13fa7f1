"""The throughput floor: a bare WSGI app serving the action list floor under the same gunicorn.

``GET /?page_size=50`` answers the floor of the action list (one raw SQL query through the
driver, orjson) with no Django request handling, middleware, authentication or serializer.
Served with the same gunicorn settings as the real app, its requests per second are the
most the machine could give that list.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from .floors import Page, action_page_json  # noqa: E402 (needs django.setup() first)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """WSGI entry point: the floor payload for ``page_size`` rows (default 50, at most 500)."""
    query = parse_qs(environ.get("QUERY_STRING", ""))
    try:
        size = min(500, max(1, int(query.get("page_size", ["50"])[0])))
    except ValueError:
        size = 50
    body = action_page_json(Page(size))
    start_response(
        "200 OK",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]
