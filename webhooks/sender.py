"""One signed POST of a webhook body (requests): a timeout, no redirect followed, the answer
summed up as a :class:`PostResult` for the delivery log. Knows no model."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import requests
from django.utils import timezone

from .payloads import SIGNATURE_HEADER, signature

# Seconds to connect, and to wait for the answer.
TIMEOUT_S = 5
USER_AGENT = "governance-tracker-webhooks/1"


@dataclass(frozen=True)
class PostResult:
    at: dt.datetime
    ok: bool
    status_code: int | None = None
    error: str = ""
    duration_ms: int = 0


def post(*, url: str, body: bytes, secret: str, headers: dict[str, str]) -> PostResult:
    """POST ``body`` to ``url`` with its signature. A 2xx answer is a success; anything else
    fails: another status, a redirect (never followed: the body goes only to the URL the
    PMO entered), a timeout, a refused connection. Environment proxy settings apply."""
    at = timezone.now()
    started = time.monotonic()
    sent = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature(secret, body),
        **headers,
    }
    try:
        with requests.post(
            url, data=body, headers=sent, timeout=TIMEOUT_S, allow_redirects=False, stream=True
        ) as response:
            code = response.status_code
    except requests.RequestException as exc:
        return PostResult(at, False, None, f"{type(exc).__name__}: {exc}", _ms(started))
    if 200 <= code < 300:
        return PostResult(at, True, code, "", _ms(started))
    error = f"HTTP {code}"
    if 300 <= code < 400:
        error = f"Redirect to {response.headers.get('Location', '?')} not followed"
    return PostResult(at, False, code, error, _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
