"""Sections 4 and 5: the reminder run, and throughput under gunicorn."""

from __future__ import annotations

import datetime as dt
import time
from contextlib import ExitStack
from typing import Any

from django.db import connection

from core.actors import SYSTEM

from .context import API_LIST, Context, _require_url
from .harness import (
    NotAvailableError,
    Result,
    Stats,
    count_queries,
    guarded,
)

# --- 4. the reminder run ---------------------------------------------------------------------

_REMINDER_FLOOR_SQL = """
SELECT p.id, p.name, p.email, a.id, a.ref, a.description, a.due_date, a.status, c.code
FROM actions_action a
JOIN actions_actionowner o ON o.action_id = a.id
JOIN meetings_person p ON p.id = o.person_id
JOIN meetings_committee c ON c.id = a.committee_id
WHERE a.status <> 'closed' AND a.due_date <= {ph} AND p.email <> '' AND NOT p.reminders_opt_out
ORDER BY p.id, a.due_date, a.id
"""


def reminder_floor(today: dt.date, days: int = 3) -> dict[int, list[tuple]]:
    """The one-query floor of the reminder run: every open action due by ``today + days``
    with its named owners' addresses, by one raw query, grouped per person."""
    connection.ensure_connection()
    ph = "?" if connection.vendor == "sqlite" else "%s"
    cursor = connection.connection.cursor()
    try:
        due = today + dt.timedelta(days=days)
        cursor.execute(
            _REMINDER_FLOOR_SQL.format(ph=ph),
            [due.isoformat() if connection.vendor == "sqlite" else due],
        )
        rows = cursor.fetchall()
    finally:
        cursor.close()
    grouped: dict[int, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    return grouped


def reminders(ctx: Context) -> list[Result]:
    """The reminder run over the whole data set, emails to locmem: seconds and queries."""
    result = Result(
        key="reminders",
        title="Reminder run (digests rendered, locmem email)",
        db=ctx.db,
        unit="s",
        target="< 2 s, fixed queries",
        floor_label="1 raw query",
    )

    def fill(r: Result) -> None:
        try:
            from actions.models import ReminderLog
            from composer.reminders import reminders_send
        except ImportError as exc:
            raise NotAvailableError("composer.reminders is not in this tree") from exc
        from django.core import mail

        def reset() -> None:
            ReminderLog.objects.all().delete()
            mail.outbox = []

        def run() -> Any:
            return reminders_send(today=ctx.today, acting_user=SYSTEM)

        samples = []
        floor_samples = []
        repeats = 3 if ctx.small else 5
        for i in range(repeats + 1):
            reset()
            started = time.perf_counter()
            outcome = run()
            elapsed = time.perf_counter() - started
            started = time.perf_counter()
            reminder_floor(ctx.today)
            floor_elapsed = time.perf_counter() - started
            if i:  # the first run warms caches and templates
                samples.append(elapsed)
                floor_samples.append(floor_elapsed)
        reset()
        r.queries, outcome = count_queries(run)
        if outcome.locked_out:
            raise RuntimeError("the reminder run was locked out by another run")
        sent = len(outcome.sent)
        if len(mail.outbox) != sent:
            raise RuntimeError(f"{sent} emails reported sent but {len(mail.outbox)} in the outbox")
        candidates = reminder_floor(ctx.today)
        r.value, r.floor = Stats.of(samples), Stats.of(floor_samples)
        r.met = r.value.median < 2
        r.extra.update(
            emails=sent,
            reminders=ReminderLog.objects.count(),
            candidate_people=len(candidates),
            candidate_rows=sum(len(v) for v in candidates.values()),
        )
        r.note = (
            f"{sent} emails ({r.extra['reminders']} reminders) to the owners of "
            f"{r.extra['candidate_rows']} open actions due or overdue "
            f"({len(candidates)} people named); {r.queries} queries"
        )
        reset()

    return [guarded(result, fill)]


# --- 5. throughput under gunicorn -----------------------------------------------------------


def throughput(ctx: Context) -> list[Result]:
    """Requests per second and p99 of the list at 50 rows under gunicorn (PostgreSQL only)."""
    from . import throughput as load

    if not ctx.is_postgres:
        return []
    rps = Result(
        key="load_api_50",
        title=f"Throughput, API list 50 rows (gunicorn {load.WORKERS} workers)",
        db=ctx.db,
        unit="req/s",
        higher_is_better=True,
        target="≥ 250 req/s",
        floor_label="bare WSGI app",
    )
    p99 = Result(
        key="load_api_50_p99",
        title="p99 latency under that load",
        db=ctx.db,
        floor_label="bare WSGI app",
    )
    runs = 2 if ctx.small else 3
    auth = {"Authorization": f"Token {ctx.token}"}

    def fill(r: Result) -> None:
        path = f"{API_LIST}?page_size=50"
        _require_url(path)
        # Both servers up at once and loaded in rounds (API, floor, API, floor, ...), so
        # each sees the same moments of a shared machine; an idle server costs nothing.
        targets = (
            ("api", "dag.wsgi:application", f"{API_LIST}?page_size=1", auth, path),
            ("floor", "bench.floor_wsgi:application", "/?page_size=1", {}, "/?page_size=50"),
        )
        with ExitStack() as servers:
            bases = {
                name: servers.enter_context(load.gunicorn(app, ready_path=ready, headers=headers))
                + url_path
                for name, app, ready, headers, url_path in targets
            }
            heads = {name: headers for name, _, _, headers, _ in targets}
            for name, url in bases.items():
                load.wrk(url, seconds=1, headers=heads[name])  # warm both workers
            results = load.rounds(bases, heads, runs=runs, seconds=ctx.load_seconds)
        bad = sum(run.non_2xx for run in results["api"])
        if bad:
            raise RuntimeError(f"{bad} responses of the API under load were not 2xx")
        r.value = Stats.of([run.rps for run in results["api"]])
        r.floor = Stats.of([run.rps for run in results["floor"]])
        r.met = r.value.median >= 250
        r.note = (
            f"wrk -t1 -c{load.CONNECTIONS}, {runs} rounds of {ctx.load_seconds}s each "
            "(API then floor in each round, both servers up), "
            f"{sum(run.requests for run in results['api'])} requests"
        )
        p99.value = Stats.of([run.p99_ms for run in results["api"]])
        p99.floor = Stats.of([run.p99_ms for run in results["floor"]])

    guarded(rps, fill)
    if rps.status != "ok":
        p99.status = rps.status
    return [rps, p99]
