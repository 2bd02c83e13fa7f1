"""Real servers and processes for the integration tests: Redis, a PostgreSQL database, and the
processes docker-compose.yml runs (its own commands and environment, read from the file).

These tests run in the PostgreSQL pass of ``make test`` (``scripts/with-postgres`` sets
DATABASE_URL): the stack runs on PostgreSQL, so each session creates a fresh database on that
server (and drops it afterwards). In the SQLite pass they are reported as skipped, with that
reason. Every process is started in its own process group and stopped (SIGTERM, then SIGKILL)
when its test ends; every wait is bounded.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    check: Callable[[], Any], *, timeout: float, what: str, logs: Callable[[], str] = str
) -> Any:
    """Poll ``check`` until it returns something truthy; fail with ``what`` and the logs."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except Exception as exc:
            value, last = None, exc
        else:
            last = None
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout:.0f}s waiting for {what} ({last!r}).\n{logs()}")
        time.sleep(0.25)


def compose_services() -> dict[str, dict]:
    """docker-compose.yml's services, YAML anchors merged."""
    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]


def env_example() -> dict[str, str]:
    """The variables .env.example sets (KEY=VALUE lines; comments and blanks skipped)."""
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


@dataclass
class Process:
    """A process started by a test, with its output in a log file."""

    name: str
    argv: list[str]
    log_path: Path
    popen: subprocess.Popen

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
            except ProcessLookupError:
                pass


@dataclass
class Stack:
    """The environment the compose processes get, and the processes a test started."""

    env: dict[str, str]
    work: Path
    database_url: str
    processes: list[Process] = field(default_factory=list)

    @property
    def mail_dir(self) -> Path:
        return Path(self.env["EMAIL_URL"].removeprefix("filemail:///"))

    @property
    def media_root(self) -> Path:
        return Path(self.env["MEDIA_ROOT"])

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name} (exit {p.popen.poll()}): last lines ---\n"
            + "\n".join(p.log().splitlines()[-40:])
            for p in self.processes
        )

    def start(self, name: str, argv: list[str] | None = None) -> Process:
        """Start compose service ``name`` with its own command (or ``argv``)."""
        argv = argv or compose_services()[name]["command"]
        log_path = self.work / f"{name}-{len(self.processes)}.log"
        with log_path.open("wb") as log:
            popen = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, argv, log_path, popen)
        self.processes.append(process)
        return process

    def run(self, argv: list[str], *, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run a command to completion in the stack's environment; fail on a non-zero exit."""
        done = subprocess.run(
            argv, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            pytest.fail(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done

    def scenario(self, *args: str) -> dict:
        import json

        done = self.run([sys.executable, "-m", "tests.integration.scenario", *args])
        return json.loads(done.stdout.strip().splitlines()[-1])

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh database on the PostgreSQL server of DATABASE_URL, dropped at the end."""
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        pytest.skip(
            "runs in the PostgreSQL pass of make test (make test-postgres, or "
            "scripts/with-postgres .venv/bin/pytest tests/integration): the compose stack "
            "runs on PostgreSQL"
        )
    import psycopg

    name = f"dag_stack_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A throwaway redis-server on a free loopback port (no persistence)."""
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.fail("redis-server is not installed: run scripts/ensure-system-deps")
    port = free_port()
    work = tmp_path_factory.mktemp("redis")
    log_path = work / "redis.log"
    with log_path.open("wb") as log:
        popen = subprocess.Popen(
            [
                *(executable, "--bind", "127.0.0.1", "--port", str(port)),
                *("--save", "", "--appendonly", "no", "--dir", str(work)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    process = Process("redis", [executable], log_path, popen)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        wait_for(
            lambda: redis.Redis.from_url(url, socket_connect_timeout=1).ping(),
            timeout=15,
            what="redis-server to answer",
            logs=process.log,
        )
        yield url
    finally:
        process.stop()


@pytest.fixture(scope="session")
def stack_base(postgres_database, redis_url, tmp_path_factory) -> dict[str, Any]:
    """The compose processes' environment (their settings, .env.example, then ours), static
    files collected as the image build does, and the database migrated by the compose file's
    own ``migrate`` command."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(env_example())
    app_env = compose_services()["web"]["environment"]
    env.update({k: str(v) for k, v in app_env.items() if "${" not in str(v)})
    env.update(
        {
            # The virtualenv's python, gunicorn and celery stand for the image's.
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": postgres_database,
            "REDIS_URL": redis_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CONN_MAX_AGE": "0",
        }
    )
    work = tmp_path_factory.mktemp("stack")
    # Static files as the image has them: collected at build time (see the Dockerfile),
    # without the gzip/Brotli copies (a minute of CPU; whitenoise serves either way).
    env["STATIC_ROOT"] = str(work / "static")
    env["STATIC_COMPRESS"] = "False"
    stack = Stack(env=env, work=work, database_url=postgres_database)
    stack.run(["python", "manage.py", "collectstatic", "--noinput"], timeout=300)
    stack.run(compose_services()["migrate"]["command"], timeout=300)
    return {"env": env, "database_url": postgres_database}


@pytest.fixture
def stack(stack_base, tmp_path) -> Iterator[Stack]:
    """A Stack for one test: its own mail folder and media root; its processes stopped after."""
    env = dict(stack_base["env"])
    (tmp_path / "mail").mkdir()
    (tmp_path / "media").mkdir()
    env["EMAIL_URL"] = f"filemail:///{tmp_path / 'mail'}"
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    stack = Stack(env=env, work=tmp_path, database_url=stack_base["database_url"])
    try:
        yield stack
    finally:
        stack.stop_all()


def emails_in(folder: Path) -> list:
    """Every email the file backend wrote in ``folder``, parsed (one file per connection)."""
    from email import message_from_string, policy

    separator = "-" * 79
    return [
        message_from_string(chunk.strip() + "\n", policy=policy.default)
        for path in sorted(folder.glob("*.log"))
        for chunk in path.read_text().split(separator)
        if chunk.strip()
    ]


def text_of(message) -> str:
    """The text/plain body of a parsed email."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""
