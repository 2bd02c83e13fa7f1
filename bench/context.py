"""What the measurements share: the run's context and the request helpers.

Paths are found by URL or import at run time, so a path that is not in this tree yet gives
a "not available" row instead of stopping the run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve

from .harness import NotAvailableError

API_LIST = "/api/v1/actions/"


@dataclass
class Context:
    """What the measurements share: the database, logins, the reference date, repeats."""

    db: str
    today: dt.date
    repeats: int
    pmo: Any
    member: Any
    token: str
    small: bool
    load_seconds: int = 10
    register_baseline: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def repeats_within(self, one_run: float, budget: float = 15.0) -> int:
        """Repeats for a figure whose single run took ``one_run`` seconds: ``repeats``, or
        fewer (at least 3) so that a slow path does not stretch the run past ``budget``."""
        if one_run <= 0:
            return self.repeats
        return max(3, min(self.repeats, int(budget / one_run)))

    @property
    def is_postgres(self) -> bool:
        return connection.vendor == "postgresql"

    def api_client(self) -> Client:
        return Client(headers={"authorization": f"Token {self.token}"})

    def browser_client(self, user: Any = None) -> Client:
        client = Client()
        client.force_login(user or self.pmo)
        return client


def _require_url(path: str) -> None:
    try:
        resolve(path.split("?")[0])
    except Resolver404 as exc:
        raise NotAvailableError(f"{path.split('?')[0]} is not routed in this tree") from exc


def _get(client: Client, path: str, expect: int = 200) -> Any:
    response = client.get(path)
    if response.status_code != expect:
        raise RuntimeError(f"GET {path} answered {response.status_code}, expected {expect}")
    # A streamed response (a PDF served from storage) is read, as a client would.
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    else:
        _ = response.content
    return response


def api_results(response: Any) -> list[dict[str, Any]]:
    """The rows of a list response: ``results`` of a page, or the list itself."""
    data = response.json()
    return data["results"] if isinstance(data, dict) else data
