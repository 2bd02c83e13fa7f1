"""Requests per second and p99 latency under gunicorn, from wrk on 127.0.0.1.

gunicorn runs 2 sync workers (the issue's setting) of the real app and, separately, of the
floor app (``bench.floor_wsgi``); wrk sends a bounded load (one thread, four connections,
a fixed number of seconds) on the loopback interface only, and is stopped by its own
duration. Each figure is the median of a few such runs.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .harness import NotAvailableError

WORKERS = 2
CONNECTIONS = 4
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass
class LoadRun:
    """One wrk run: requests per second, p99 latency (ms), and responses that were not 2xx."""

    rps: float
    p99_ms: float
    requests: int
    non_2xx: int
    timeouts: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app: str, *, ready_path: str, headers: dict[str, str] | None = None) -> Iterator[str]:
    """Serve ``app`` with gunicorn on a free loopback port; yields the base URL."""
    port = free_port()
    env = os.environ.copy()
    env.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {proc.stderr.read()[-1000:]}")
            try:
                # Always http://127.0.0.1:<port>: built above, never from input.
                request = urllib.request.Request(base + ready_path, headers=headers or {})  # noqa: S310
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer within 60 s")
            time.sleep(0.3)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _latency_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if not match:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return float(match[1]) * _UNITS[match[2]]


def wrk(
    url: str,
    *,
    seconds: int,
    headers: dict[str, str] | None = None,
    connections: int = CONNECTIONS,
    threads: int = 1,
) -> LoadRun:
    """One bounded wrk run against ``url`` (loopback only)."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("load is only ever sent to 127.0.0.1")
    binary = shutil.which("wrk")
    if binary is None:
        raise NotAvailableError(
            "wrk is not installed (WITH_BENCH_TOOLS=1 scripts/ensure-system-deps)"
        )
    command = [binary, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    proc = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    out = proc.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p99 = _latency_ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE)[1])
    requests = int(re.search(r"(\d+) requests in", out)[1])
    non_2xx_match = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    timeouts_match = re.search(r"Socket errors:.*timeout (\d+)", out)
    return LoadRun(
        rps=rps,
        p99_ms=p99,
        requests=requests,
        non_2xx=int(non_2xx_match[1]) if non_2xx_match else 0,
        timeouts=int(timeouts_match[1]) if timeouts_match else 0,
    )


def rounds(
    urls: dict[str, str], headers: dict[str, dict[str, str]], *, runs: int, seconds: int
) -> dict[str, list[LoadRun]]:
    """``runs`` rounds of one wrk run per target, in turn within each round (a path and its
    floor interleaved, as the in-process figures are): the runs of each target."""
    out: dict[str, list[LoadRun]] = {name: [] for name in urls}
    for _ in range(runs):
        for name, url in urls.items():
            out[name].append(wrk(url, seconds=seconds, headers=headers.get(name)))
    return out
