"""The measurements: each returns Result rows and never raises (see ``harness.guarded``).

Paths are found by URL or import at run time, so a path that is not in this tree yet gives
a "not available" row instead of stopping the run.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve

from . import floors
from .harness import NotAvailableError, Result, Stats, count_queries, guarded, ms, time_calls

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
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_postgres(self) -> bool:
        return connection.vendor == "postgresql"

    def api_client(self) -> Client:
        return Client(headers={"authorization": f"Token {self.token}"})

    def browser_client(self) -> Client:
        client = Client()
        client.force_login(self.pmo)
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


# --- 1. the API list of actions ------------------------------------------------------------


def api_list(ctx: Context) -> list[Result]:
    """ms per request of ``/api/v1/actions/`` at 50 and 500 rows, against the floor."""
    out = []
    for size, order in ((50, "id"), (500, "id"), (50, "ref")):
        target = "≤ 4× floor (PostgreSQL)" if (size, order) == (50, "id") else ""
        label = "" if order == "id" else f", ordering={order}"
        result = Result(
            key=f"api_list_{size}_{order}",
            title=f"API action list, {size} rows{label}",
            db=ctx.db,
            target=target,
            floor_label="raw SQL + orjson",
        )

        def fill(r: Result, size: int = size, order: str = order) -> None:
            path = f"{API_LIST}?page_size={size}"
            if order != "id":
                path += f"&ordering={order}"
            _require_url(path)
            client = ctx.api_client()
            rows = api_results(_get(client, path))
            if len(rows) != size:
                raise RuntimeError(f"{path} returned {len(rows)} rows, not {size}")
            floor_rows = floors.action_page_rows(limit=size, order=order)
            api_refs = [row.get("ref") for row in rows]
            floor_refs = [row["ref"] for row in floor_rows]
            if api_refs != floor_refs:
                r.note = (
                    f"the API's rows are not the floor's (API starts {api_refs[:3]}, "
                    f"floor {floor_refs[:3]}): the ratio compares different work"
                )
            r.queries, _ = count_queries(lambda: _get(client, path))
            r.value = ms(time_calls(lambda: _get(client, path), repeats=ctx.repeats, warmup=2))
            r.floor = ms(
                time_calls(
                    lambda: floors.action_page_json(limit=size, order=order),
                    repeats=ctx.repeats,
                    warmup=2,
                )
            )
            if r.target and ctx.is_postgres:
                r.met = r.ratio is not None and r.ratio <= 4
            r.extra["bytes"] = len(_get(client, path).content)

        out.append(guarded(result, fill))

    queries = Result(
        key="api_list_queries",
        title="API action list, queries at 10/50/200/500 rows",
        db=ctx.db,
        unit="",
        target="same count at 10 and 200",
    )

    def fill_queries(r: Result) -> None:
        _require_url(API_LIST)
        client = ctx.api_client()
        counts = {}
        for size in (10, 50, 200, 500):
            counts[size], _ = count_queries(
                lambda size=size: _get(client, f"{API_LIST}?page_size={size}")
            )
        # The second page too: keyset or offset, a later page must cost the same.
        first = _get(client, f"{API_LIST}?page_size=50").json()
        next_url = first.get("next") if isinstance(first, dict) else None
        if next_url:
            counts["page 2"], _ = count_queries(lambda: _get(client, next_url))
        r.queries = counts[10]
        r.extra["counts"] = counts
        r.note = "queries " + ", ".join(f"{k}: {v}" for k, v in counts.items())
        r.met = counts[10] == counts[200]

    out.append(guarded(queries, fill_queries))
    return out


# --- 2. the browser pages -------------------------------------------------------------------


def _page(ctx: Context, key: str, title: str, path_of: Any) -> Result:
    result = Result(key=key, title=title, db=ctx.db, target="< 10 queries, < 50 ms")

    def fill(r: Result) -> None:
        path = path_of()
        _require_url(path)
        client = ctx.browser_client()
        _get(client, path)
        r.queries, _ = count_queries(lambda: _get(client, path))
        r.value = ms(time_calls(lambda: _get(client, path), repeats=ctx.repeats, warmup=1))
        r.met = r.queries < 10 and r.value.median < 50
        r.extra["path"] = path
        r.note = r.note or f"GET {path}"

    return guarded(result, fill)


def busiest_recent_meeting() -> Any:
    """The most recent held meeting of the first committee: the page people open most."""
    from meetings.models import Meeting

    meeting = (
        Meeting.objects.exclude(status=Meeting.Status.PLANNED)
        .exclude(committee__code="DAG")
        .order_by("-start_at")
        .first()
    )
    if meeting is None:
        raise RuntimeError("no held meeting in the database")
    return meeting


def pages(ctx: Context) -> list[Result]:
    """The meeting page and the action register pages: ms and queries."""

    def meeting_path() -> str:
        meeting = busiest_recent_meeting()
        return f"/meetings/{meeting.ref}/"

    return [
        _page(ctx, "page_meeting", "Meeting page (recent meeting)", meeting_path),
        _page(ctx, "page_register", "Action register, first page", lambda: "/actions/"),
        _page(
            ctx,
            "page_register_open",
            "Action register, open by due date",
            lambda: "/actions/?status=open&sort=due_date",
        ),
    ]


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
        results: dict[str, list[load.LoadRun]] = {}
        for name, app, ready, headers in (
            ("floor", "bench.floor_wsgi:application", "/?page_size=1", {}),
            ("api", "dag.wsgi:application", f"{API_LIST}?page_size=1", auth),
        ):
            url_path = "/?page_size=50" if name == "floor" else path
            with load.gunicorn(app, ready_path=ready, headers=headers) as base:
                load.wrk(base + url_path, seconds=1, headers=headers)  # warm both workers
                results[name] = [
                    load.wrk(base + url_path, seconds=ctx.load_seconds, headers=headers)
                    for _ in range(runs)
                ]
        bad = sum(run.non_2xx for run in results["api"])
        if bad:
            raise RuntimeError(f"{bad} responses of the API under load were not 2xx")
        r.value = Stats.of([run.rps for run in results["api"]])
        r.floor = Stats.of([run.rps for run in results["floor"]])
        r.met = r.value.median >= 250
        r.note = (
            f"wrk -t1 -c{load.CONNECTIONS}, {runs} runs of {ctx.load_seconds}s each, "
            f"{sum(run.requests for run in results['api'])} requests"
        )
        p99.value = Stats.of([run.p99_ms for run in results["api"]])
        p99.floor = Stats.of([run.p99_ms for run in results["floor"]])

    guarded(rps, fill)
    if rps.status != "ok":
        p99.status = rps.status
    return [rps, p99]


SECTIONS = {
    "api": api_list,
    "pages": pages,
    "throughput": throughput,
}


def environment() -> dict[str, Any]:
    """The machine and software a run measured on."""
    import platform

    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as fh:
            info["memory_gib"] = round(int(fh.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            info["database"] = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("select sqlite_version()")
            info["database"] = f"SQLite {cursor.fetchone()[0]}"
    return info


__all__ = ["SECTIONS", "Context", "Stats", "environment"]
