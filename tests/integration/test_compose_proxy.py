"""The compose stack's proxy: nginx with deploy/nginx's config in front of gunicorn as
docker-compose.yml runs it, against clients that send their request body one byte at a time.

gunicorn's sync workers each serve one request from its first byte to its last, so without
the proxy three such clients hold all three workers and ``/health/`` waits for them (the
fault this test was written against). nginx reads each request whole before passing it on,
so the workers stay free. nginx is Debian's here (scripts/ensure-system-deps) and the official
image's in the stack; the config is the same file, its ``${...}`` filled in as the image's
templates feature does.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import ROOT, compose_services, free_port, wait_for

pytestmark = pytest.mark.integration

TEMPLATE = ROOT / "deploy" / "nginx" / "default.conf.template"
SLOW_CLIENTS = 6
HEALTH_LIMIT = 5.0  # seconds; a held worker would keep /health/ waiting 100 s


def _nginx_conf(work: Path, *, upstream: str, port: int) -> Path:
    """A whole nginx.conf around the template (the image wraps it the same way, in its own
    /etc/nginx/nginx.conf), with the variables the compose file gives it filled in."""
    proxy = compose_services()["proxy"]
    assert proxy["environment"] == {"APP_UPSTREAM": "web:8000", "PROXY_PORT": "8080"}
    server = TEMPLATE.read_text()
    server = server.replace("${APP_UPSTREAM}", upstream)
    server = server.replace("${PROXY_PORT}", f"127.0.0.1:{port}")
    assert not re.search(r"\$\{", server), "every template variable comes from the compose file"
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / name).mkdir()
    conf = work / "nginx.conf"
    conf.write_text(
        f"pid {work}/nginx.pid;\nerror_log {work}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n client_body_temp_path {work}/client_body;\n"
        f" proxy_temp_path {work}/proxy;\n fastcgi_temp_path {work}/fastcgi;\n"
        f" uwsgi_temp_path {work}/uwsgi;\n scgi_temp_path {work}/scgi;\n{server}\n}}\n"
    )
    return conf


def _slow_client(port: int, stop: threading.Event) -> None:
    """POST a 100-byte body one byte a second (a slow-loris body), until told to stop."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            # As if through TLS, with a CSRF cookie and a good origin, so Django reads the body
            # (to find the CSRF token) instead of answering at once.
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
            b"Origin: https://127.0.0.1\r\nCookie: csrftoken=" + b"a" * 32 + b"\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
        )
        for _ in range(100):
            if stop.wait(1):
                return
            try:
                sock.sendall(b"a")
            except OSError:
                return


def _health_seconds(port: int, *, timeout: float = 30) -> float:
    """Seconds ``/health/`` took to answer 200 on ``port``; raises on a timeout."""
    started = time.monotonic()
    url = f"http://127.0.0.1:{port}/health/"
    with urllib.request.urlopen(url, timeout=timeout) as response:
        assert response.status == 200
    return time.monotonic() - started


@contextmanager
def _slow_clients(port: int) -> Iterator[None]:
    """SLOW_CLIENTS connections to ``port``, each a few bytes into its slow body."""
    stop = threading.Event()
    clients = [
        threading.Thread(target=_slow_client, args=(port, stop), daemon=True)
        for _ in range(SLOW_CLIENTS)
    ]
    for client in clients:
        client.start()
    try:
        time.sleep(3)
        yield
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=10)


def test_health_answers_through_the_proxy_while_slow_clients_send_their_bodies(stack):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        pytest.fail("nginx is not installed: run scripts/ensure-system-deps")
    web_port, proxy_port = free_port(), free_port()
    stack.env["GUNICORN_CMD_ARGS"] = f"--bind 127.0.0.1:{web_port}"
    stack.start("web")
    conf = _nginx_conf(stack.work, upstream=f"127.0.0.1:{web_port}", port=proxy_port)
    stack.start("proxy", [nginx, "-c", str(conf), "-g", "daemon off;"])
    wait_for(
        lambda: _health_seconds(proxy_port) >= 0,
        timeout=45,
        what="/health/ through the proxy",
        logs=stack.logs,
    )
    # Twice as many slow clients as the compose file's sync workers. Each would take 100 s
    # to send its body; the proxy holds them, so /health/ answers as usual (well under the
    # limit here, which leaves room for a busy machine).
    workers = compose_services()["web"]["command"]
    assert int(workers[workers.index("--workers") + 1]) * 2 == SLOW_CLIENTS
    with _slow_clients(proxy_port):
        timings = [_health_seconds(proxy_port) for _ in range(5)]
    assert max(timings) < HEALTH_LIMIT, (timings, stack.logs())
    # The same clients sent to gunicorn directly (as the stack published it before the
    # proxy) hold every worker, and /health/ gets no answer.
    with _slow_clients(web_port), pytest.raises(TimeoutError):  # no worker read the request
        _health_seconds(web_port, timeout=HEALTH_LIMIT)
