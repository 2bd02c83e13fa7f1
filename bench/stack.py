"""The production stack as ``docker-compose.yml`` runs it, on this machine, for measuring.

gunicorn and the Celery worker are started with the compose file's own commands and
environment (``dag.settings.production``), against the bench's PostgreSQL database and a
throwaway ``redis-server`` on loopback, so ``make bench`` measures the configuration that is
deployed rather than one of its own. Only two things differ from the compose file, and both
are forced by running without containers: gunicorn binds a free port on 127.0.0.1 (the
container listens on 8000 behind the proxy), and the requests carry the proxy's
``X-Forwarded-Proto: https`` (production redirects plain HTTP).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .cgroups import DEFAULT_SHARES, CpuGroup, cpu_group
from .harness import NotAvailableError
from .throughput import free_port

ROOT = Path(__file__).resolve().parents[1]
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def compose_services() -> dict[str, dict]:
    """docker-compose.yml's services, YAML anchors merged."""
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def _wait(check: Callable[[], Any], *, timeout: float, what: str, logs: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except Exception:  # noqa: S110 - polled until it answers or the time is up
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not happen within {timeout:.0f}s:\n{logs()[-2000:]}")
        time.sleep(0.3)


@dataclass
class Stack:
    """The processes started, their environment and the web server's base URL."""

    env: dict[str, str]
    work: Path
    base: str = ""
    processes: list[tuple[str, subprocess.Popen, Path]] = field(default_factory=list)
    groups: list[CpuGroup] = field(default_factory=list)
    # Each service's CPU weight as started ({"worker": 102}), or why none could be given.
    cpu_shares: dict[str, int | str] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], *, service: str = "") -> subprocess.Popen:
        """Start ``argv`` as ``name``; with ``service``, in a cpu control group weighted as
        docker-compose.yml weights that service's container (``bench.cgroups``)."""
        group = None
        if service:
            shares = int(compose_services()[service].get("cpu_shares", DEFAULT_SHARES))
            group, why_not = cpu_group(name, shares)
            self.cpu_shares[name] = group.shares if group else why_not
            if group:
                self.groups.append(group)
        log_path = self.work / f"{name}.log"
        with log_path.open("wb") as log:
            popen = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=group.enter() if group else None,
            )
        self.processes.append((name, popen, log_path))
        return popen

    def logs(self) -> str:
        return "\n".join(
            f"--- {name} ---\n{path.read_text(errors='replace')[-1500:]}"
            for name, _, path in self.processes
        )

    def run(self, argv: list[str], *, timeout: float = 300) -> str:
        done = subprocess.run(
            argv, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-2000:]}")
        return done.stdout

    def stop(self) -> None:
        for _, popen, _ in reversed(self.processes):
            if popen.poll() is None:
                try:
                    os.killpg(popen.pid, signal.SIGTERM)
                    popen.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(popen.pid, signal.SIGKILL)
                    popen.wait(timeout=10)
                except ProcessLookupError:
                    pass
        for group in self.groups:
            group.remove()


def _environment(database_url: str, redis_url: str, work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    app_env = compose_services()["web"]["environment"]
    env.update({k: str(v) for k, v in app_env.items() if "${" not in str(v)})
    env.update(
        {
            # The virtualenv's python, gunicorn and celery stand for the image's.
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MEDIA_ROOT": str(work / "media"),
            "STATIC_ROOT": str(work / "static"),
            "STATIC_COMPRESS": "False",
            "EMAIL_URL": "consolemail://",
        }
    )
    return env


@contextmanager
def compose_stack(
    database_url: str,
    work: Path,
    *,
    web_argv: list[str] | None = None,
    static_root: Path | None = None,
    env_extra: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """redis-server, then gunicorn (``web``) and the Celery ``worker`` with the compose file's
    commands, on ``database_url``; yields the Stack once ``/health/`` answers 200. Static files
    are collected first, as the image build does (production settings need their manifest
    even to load the URLs), unless ``static_root`` names a folder already collected.
    ``env_extra``: settings given to every process beside the compose file's (a variant)."""
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        raise NotAvailableError("redis-server is not installed (scripts/ensure-system-deps)")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise NotAvailableError("the compose stack runs on PostgreSQL")
    work.mkdir(parents=True, exist_ok=True)
    redis_port = free_port()
    env = _environment(database_url, f"redis://127.0.0.1:{redis_port}/0", work)
    env.update(env_extra or {})
    stack = Stack(env=env, work=work)
    try:
        stack.start(
            "redis",
            [
                redis_server,
                "--bind",
                "127.0.0.1",
                "--port",
                str(redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(work),
            ],
            service="redis",
        )
        if static_root is None:
            stack.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"])
        else:
            env["STATIC_ROOT"] = str(static_root)
        services = compose_services()
        port = free_port()
        stack.start(
            "web",
            [*(web_argv or services["web"]["command"]), "--bind", f"127.0.0.1:{port}"],
            service="web",
        )
        stack.start("worker", services["worker"]["command"], service="worker")
        stack.base = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            # Always http://127.0.0.1:<port>: built above, never from input.
            request = urllib.request.Request(stack.base + "/health/", headers=PROXY_HEADERS)  # noqa: S310
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                return response.status == 200

        _wait(healthy, timeout=90, what="gunicorn's /health/ answering 200", logs=stack.logs)
        yield stack
    finally:
        stack.stop()


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    if initdb is None:
        raise NotAvailableError("PostgreSQL's server programs are not installed")
    return Path(initdb).parent


@contextmanager
def durable_copy(database_url: str) -> Iterator[str]:
    """A copy of ``database_url``'s database in a new PostgreSQL cluster at the server's
    durable defaults (fsync, synchronous_commit and full_page_writes on: what a deployment
    runs, where the bench's and the tests' throwaway cluster turns them off); yields its
    URL. The copy is ``pg_dump`` into ``pg_restore``; the cluster, in a new temporary
    folder as ``scripts/with-postgres`` makes one, is removed afterwards."""
    bindir = _postgres_bin()
    work = Path(tempfile.mkdtemp(prefix="dag-durable-pg."))
    data = work / "data"
    as_pg: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root, as scripts/with-postgres says
        shutil.chown(work, "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    ctl = [*as_pg, str(bindir / "pg_ctl"), "-D", str(data)]

    def run(argv: list[str], **kwargs: Any) -> None:
        done = subprocess.run(argv, capture_output=True, timeout=900, **kwargs)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[-1]!r}: {done.stderr.decode(errors='replace')[-1500:]}")

    run([*as_pg, str(bindir / "initdb"), "-D", str(data), "-U", "dag", "-A", "trust", "-E",
         "UTF8", "--locale=C.UTF-8"])  # fmt: skip
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -k {work} -c max_connections=100"
    run([*ctl, "-w", "-l", str(work / "server.log"), "-o", options, "start"])
    try:
        copy_url = f"postgres://dag@127.0.0.1:{port}/dag"
        run([*as_pg, str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "dag",
             "dag"])  # fmt: skip
        dump = subprocess.Popen(
            [str(bindir / "pg_dump"), "-Fc", "-d", database_url], stdout=subprocess.PIPE
        )
        run([str(bindir / "pg_restore"), "--no-owner", "-d", copy_url], stdin=dump.stdout)
        if dump.wait(timeout=60) != 0:
            raise RuntimeError("pg_dump of the bench database failed")
        run([str(bindir / "psql"), "-d", copy_url, "-c", "VACUUM ANALYZE"])
        yield copy_url
    finally:
        subprocess.run([*ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
