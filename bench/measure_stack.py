"""Section ``stack``: the compose configuration under wrk, and the API while PDFs render.

Both run against the processes ``docker-compose.yml`` starts (``bench.stack``): gunicorn with
the compose file's worker model and count, the Celery worker, production settings with
PostgreSQL and Redis. PostgreSQL only, as the stack is.

1. **Throughput and p99** of the 50-row API list at 16 connections (wrk, two threads).
   The compose file's command is measured, and beside it each alternative worker model in
   :data:`WEB_VARIANTS`, so the choice written in the compose file is a measured one.
2. **PDFs off the request path**: three register PDFs of the 3,000-row cap and one headline
   report are asked for as the buttons ask (``bench.stack_queue``), and wrk runs against the
   list until they are done. The floor is the same list's throughput measured just before
   and just after in the same stack; the target is at least 80% of it, with no request
   timing out and every render finished.
"""

from __future__ import annotations

import json
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from .context import API_LIST, Context, _require_url
from .harness import NotAvailableError, Result, Stats, guarded
from .stack import PROXY_HEADERS, compose_stack, durable_copy

CONNECTIONS = 16
THREADS = 2
REGISTERS = 3
RENDER_WAIT_S = 600
# Measured beside the compose file's own configuration, each differing from it in one thing:
# (gunicorn's command or None for the compose file's, settings added, durable PostgreSQL).
# ``--bind`` is added to each command.
_GUNICORN = ("gunicorn", "dag.wsgi", "--timeout", "60")
WEB_VARIANTS: dict[str, tuple[list[str] | None, dict[str, str], bool]] = {
    "sync 2 workers": ([*_GUNICORN, "--workers", "2"], {}, False),
    "gthread 2 workers x 4 threads": ([*_GUNICORN, "--workers", "2", "--threads", "4"], {}, False),
    "with gunicorn's access log": (
        [*_GUNICORN, "--workers", "3", "--access-logfile", "-"],
        {},
        False,
    ),
    "with connection health checks": (None, {"CONN_HEALTH_CHECKS": "True"}, False),
    # Every request computes its answer, as the first read after a write does.
    "no answer kept": (None, {"API_KEPT_ANSWER_ROWS": "0"}, False),
    "PostgreSQL at durable defaults": (None, {}, True),
}


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        raise NotAvailableError("the compose stack runs on PostgreSQL")
    host = db.get("HOST") or "127.0.0.1"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def _work_dir() -> Path:
    return Path(settings.MEDIA_ROOT).parent / "stack"


def _headers(ctx: Context) -> dict[str, str]:
    return {"Authorization": f"Token {ctx.token}", **PROXY_HEADERS}


def _load(base: str, ctx: Context, seconds: int) -> Any:
    from . import throughput as load

    return load.wrk(
        f"{base}{API_LIST}?page_size=50",
        seconds=seconds,
        headers=_headers(ctx),
        connections=CONNECTIONS,
        threads=THREADS,
    )


def _throughput_rows(ctx: Context, label: str, runs: list[Any]) -> list[Result]:
    rps = Result(
        key=f"stack_api_50[{label}]",
        title=f"Compose stack, API list 50 rows, {CONNECTIONS} connections ({label})",
        db=ctx.db,
        unit="req/s",
        higher_is_better=True,
        target="≥ 400 req/s",
    )
    p99 = Result(
        key=f"stack_api_50_p99[{label}]",
        title=f"p99 latency under that load ({label})",
        db=ctx.db,
        target="< 50 ms",
    )
    bad = sum(run.non_2xx + run.timeouts for run in runs)
    rps.value = Stats.of([run.rps for run in runs])
    p99.value = Stats.of([run.p99_ms for run in runs])
    rps.met = rps.value.median >= 400 and not bad
    p99.met = p99.value.median < 50
    rps.note = (
        f"wrk -t{THREADS} -c{CONNECTIONS}, {len(runs)} runs of {ctx.load_seconds}s, "
        f"{sum(run.requests for run in runs)} requests, {bad} not 2xx or timed out"
    )
    return [rps, p99]


def _measure_variant(
    ctx: Context,
    label: str,
    web_argv: list[str] | None,
    env_extra: dict[str, str] | None = None,
    durable: bool = False,
) -> list[Result]:
    runs_count = 2 if ctx.small else 3
    with ExitStack() as stacked:
        database_url = _database_url()
        if durable:
            database_url = stacked.enter_context(durable_copy(database_url))
        stack = stacked.enter_context(
            compose_stack(database_url, _work_dir() / "web", web_argv=web_argv, env_extra=env_extra)
        )
        _load(stack.base, ctx, 1)  # warm every worker
        runs = [_load(stack.base, ctx, ctx.load_seconds) for _ in range(runs_count)]
    return _throughput_rows(ctx, label, runs)


def _queue_renders(stack: Any, ctx: Context, meeting_ref: str) -> dict[str, Any]:
    out = stack.run(
        [sys.executable, "-m", "bench.stack_queue", ctx.pmo.username, meeting_ref, str(REGISTERS)]
    )
    return json.loads([line for line in out.splitlines() if line.startswith("{")][-1])


def _renders_done(asked: dict[str, Any]) -> tuple[bool, dict[str, str]]:
    from actions.models import RegisterPdf
    from composer.models import HeadlineReportDraft

    statuses = {
        f"register {pk}": status
        for pk, status in RegisterPdf.objects.filter(pk__in=asked["registers"]).values_list(
            "pk", "status"
        )
    }
    if asked["draft"] is not None:
        draft = HeadlineReportDraft.objects.get(pk=asked["draft"])
        statuses[f"report draft {draft.pk}"] = draft.status
    done = all(s in ("ready", "failed") for s in statuses.values())
    return done, statuses


def _pdfs_under_load(ctx: Context) -> Result:
    from .measure_pages import busiest_recent_meeting

    result = Result(
        key="stack_api_50_pdfs",
        title=(
            f"Compose stack, API list 50 rows while {REGISTERS} register PDFs "
            "and a headline report render"
        ),
        db=ctx.db,
        unit="req/s",
        higher_is_better=True,
        target="≥ 80% of the floor, no timeout",
        floor_label="the same list just before and after",
    )

    def fill(r: Result) -> None:
        _require_url(API_LIST)
        meeting = busiest_recent_meeting()
        window = max(3, ctx.load_seconds // 2)
        with compose_stack(_database_url(), _work_dir() / "pdfs") as stack:
            _load(stack.base, ctx, 1)
            before = [_load(stack.base, ctx, window) for _ in range(2)]
            asked = _queue_renders(stack, ctx, meeting.ref)
            started = time.monotonic()
            during = []
            while True:
                during.append(_load(stack.base, ctx, window))
                done, statuses = _renders_done(asked)
                if done or time.monotonic() - started > RENDER_WAIT_S:
                    break
            rendered_s = time.monotonic() - started
            after = [_load(stack.base, ctx, window) for _ in range(2)]
        r.value = Stats.of([run.rps for run in during])
        r.floor = Stats.of([run.rps for run in before + after])
        bad = sum(run.non_2xx + run.timeouts for run in during)
        failed = [name for name, status in statuses.items() if status != "ready"]
        r.met = bool(r.value.median >= 0.8 * r.floor.median and not bad and not failed and done)
        r.extra.update(
            statuses=statuses, render_seconds=round(rendered_s, 1), cpu_shares=stack.cpu_shares
        )
        r.note = (
            f"{len(during)} windows of {window}s while rendering ({rendered_s:.0f}s until "
            f"all {len(statuses)} were done); p99 {Stats.of([x.p99_ms for x in during]).median:.0f}"
            f" ms; {bad} responses not 2xx or timed out; not ready: {', '.join(failed) or 'none'}"
            f"; CPU weights as the compose file's: {_weights(stack.cpu_shares)}"
        )

    return guarded(result, fill)


def _weights(shares: dict[str, int | str]) -> str:
    """The services' CPU weights as started (``bench.cgroups``), for a result's note."""
    return ", ".join(f"{name} {weight}" for name, weight in shares.items())


def stack(ctx: Context) -> list[Result]:
    """The compose configuration's throughput (and alternatives), then PDFs under load."""
    if not ctx.is_postgres:
        return []
    results: list[Result] = []
    variants = {"compose file": (None, {}, False), **WEB_VARIANTS}
    for label, (argv, env_extra, durable) in variants.items():
        placeholder = Result(
            key=f"stack_api_50[{label}]", title=f"Compose stack ({label})", db=ctx.db
        )

        variant = (argv, env_extra, durable)

        def fill(r: Result, label: str = label, variant: tuple = variant) -> None:
            results.extend(_measure_variant(ctx, label, *variant))

        guarded(placeholder, fill)
        if placeholder.status != "ok":
            results.append(placeholder)
    results.append(_pdfs_under_load(ctx))
    return results
