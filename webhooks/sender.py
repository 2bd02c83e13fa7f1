"""One signed POST of a webhook body (the standard library's http.client): bounded in time
as a whole, no redirect followed, the answer summed up as a :class:`PostResult` for the
delivery log. Knows no model."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import threading
import time
from dataclasses import dataclass
from http.client import HTTPConnection, HTTPSConnection
from urllib.parse import urlsplit

from django.utils import timezone

from .payloads import SIGNATURE_HEADER, signature

# Seconds to connect, and to wait for each part of the answer; and for the whole exchange.
TIMEOUT_S = 5
TOTAL_S = 10
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
    PMO entered), a refused connection, or no complete answer within ``TOTAL_S`` seconds.

    The whole exchange is bounded, not only each read: a receiver that trickles its answer
    a byte at a time would hold a worker for as long as it liked under a per-read timeout.
    The request runs in a thread; at the deadline its socket is shut, which ends the
    thread's read at once.
    """
    at = timezone.now()
    started = time.monotonic()
    sent = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature(secret, body),
        **headers,
    }
    parts = urlsplit(url)
    connection_class = HTTPSConnection if parts.scheme == "https" else HTTPConnection
    connection = connection_class(parts.hostname or "", parts.port, timeout=TIMEOUT_S)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    answer: dict[str, object] = {}

    def exchange() -> None:
        try:
            connection.request("POST", target, body=body, headers=sent)
            response = connection.getresponse()
            answer["code"] = response.status
            answer["location"] = response.getheader("Location", "?")
        except Exception as exc:  # every failure is a failed delivery
            answer["error"] = exc

    worker = threading.Thread(target=exchange, name="webhook-post", daemon=True)
    worker.start()
    worker.join(TOTAL_S)
    if worker.is_alive():
        _shut(connection)
        worker.join(1)
        return PostResult(at, False, None, f"No complete answer within {TOTAL_S} s", _ms(started))
    connection.close()
    if "error" in answer:
        exc = answer["error"]
        name = "ConnectionError" if isinstance(exc, OSError) else type(exc).__name__
        return PostResult(at, False, None, f"{name}: {exc}", _ms(started))
    code = int(answer["code"])  # type: ignore[call-overload]
    if 200 <= code < 300:
        return PostResult(at, True, code, "", _ms(started))
    error = f"HTTP {code}"
    if 300 <= code < 400:
        error = f"Redirect to {answer['location']} not followed"
    return PostResult(at, False, code, error, _ms(started))


def _shut(connection: HTTPConnection) -> None:
    """End a connection another thread is reading from (its read returns at once)."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    connection.close()


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
