"""The measurements: each returns Result rows and never raises (see ``harness.guarded``).

Paths are found by URL or import at run time, so a path that is not in this tree yet gives
a "not available" row instead of stopping the run.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve

from core.actors import SYSTEM

from . import floors
from .harness import (
    NotAvailableError,
    Result,
    Stats,
    count_queries,
    guarded,
    ms,
    run_child,
    time_calls,
    time_pair,
)

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
            samples, floor_samples = time_pair(
                lambda: _get(client, path),
                lambda: floors.action_page_json(limit=size, order=order),
                repeats=ctx.repeats,
                warmup=2,
            )
            r.value, r.floor = ms(samples), ms(floor_samples)
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


def _page(ctx: Context, key: str, title: str, path_of: Any, user: Any = None) -> Result:
    result = Result(key=key, title=title, db=ctx.db, target="< 10 queries, < 50 ms")

    def fill(r: Result) -> None:
        path = path_of()
        _require_url(path)
        client = ctx.browser_client(user)
        _get(client, path)
        started = time.perf_counter()
        r.queries, _ = count_queries(lambda: _get(client, path))
        repeats = ctx.repeats_within(time.perf_counter() - started)
        r.value = ms(time_calls(lambda: _get(client, path), repeats=repeats, warmup=0))
        r.met = r.queries < 10 and r.value.median < 50
        r.extra["path"] = path
        r.title = f"{r.title}: {path}"

    return guarded(result, fill)


def busiest_recent_meeting() -> Any:
    """The most recent held meeting of the generated committees: the page people open most."""
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

    meeting_title = "Meeting page (most recent held meeting)"
    try:
        recent = busiest_recent_meeting()
        meeting_title = f"Meeting page ({recent.actions.count()} actions)"
    except RuntimeError:
        pass

    def meeting_path() -> str:
        meeting = busiest_recent_meeting()
        return f"/meetings/{meeting.ref}/"

    return [
        _page(ctx, "page_meeting", meeting_title, meeting_path),
        _page(ctx, "page_register", "Action register, first page", lambda: "/actions/"),
        _page(
            ctx,
            "page_register_open",
            "Action register, open by due date",
            lambda: "/actions/?status=open&sort=due_date",
        ),
        _page(
            ctx,
            "page_mine",
            "My actions (a member)",
            lambda: "/actions/mine/",
            user=ctx.member,
        ),
    ]


# --- 3. the headline report of DAG028 and a register PDF ------------------------------------

DAG028 = "DAG028"


def _report_module() -> Any:
    try:
        from composer import report as headline
    except ImportError as exc:
        raise NotAvailableError("composer.report is not in this tree") from exc
    return headline


def seed_meeting() -> Any:
    """The DAG028 meeting, imported from the seed report the first time it is asked for."""
    from meetings.models import Meeting

    meeting = Meeting.objects.filter(ref=DAG028).first()
    if meeting is not None:
        return meeting
    try:
        from composer.importer import headline_report_import_file
        from core.actors import SYSTEM
    except ImportError as exc:
        raise NotAvailableError("composer.importer is not in this tree") from exc
    from composer.demo import SEED_REPORT

    headline_report_import_file(path=SEED_REPORT, acting_user=SYSTEM)
    return Meeting.objects.get(ref=DAG028)


def report(ctx: Context) -> list[Result]:
    """DAG028's PDF: seconds and peak memory against WeasyPrint alone; the repeat request."""
    from .floors import weasyprint_pdf

    render = Result(
        key="report_pdf",
        title="Headline report DAG028, render PDF",
        db=ctx.db,
        unit="s",
        target="≤ 1.2× floor",
        floor_label="WeasyPrint alone",
    )
    memory = Result(
        key="report_pdf_memory",
        title="Headline report DAG028, peak memory",
        db=ctx.db,
        unit="MiB",
        floor_label="WeasyPrint alone",
    )
    repeat = Result(
        key="report_pdf_repeat",
        title="Headline report DAG028, repeat request",
        db=ctx.db,
        target="< 50 ms",
    )
    state: dict[str, Any] = {}

    def fill_render(r: Result) -> None:
        from composer import report_render
        from core import pdf as pdf_kit

        headline = _report_module()
        meeting = seed_meeting()
        html = report_render.headline_report_html(
            data=headline.headline_report_data(meeting=meeting)
        )
        state["html"] = html

        def full() -> bytes:
            return report_render.headline_report_pdf(
                data=headline.headline_report_data(meeting=meeting)
            )

        def floor() -> bytes:
            return weasyprint_pdf(
                html,
                base_url=pdf_kit.INTERNAL_BASE_URL,
                url_fetcher=pdf_kit.pdf_url_fetcher(),
            )

        r.queries, pdf = count_queries(full)
        samples, floor_samples = time_pair(full, floor, repeats=3 if ctx.small else 7, warmup=1)
        r.value, r.floor = Stats.of(samples), Stats.of(floor_samples)
        r.met = r.ratio is not None and r.ratio <= 1.2
        r.extra["bytes"] = len(pdf)

    def fill_memory(r: Result) -> None:
        if "html" not in state:
            raise NotAvailableError("the report did not render")
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_WORK_DIR")) as work:
            path = Path(work) / f"{DAG028}.html"
            path.write_text(state["html"], encoding="utf-8")
            full = run_child(["bench.pdfmem", "headline", DAG028])
            floor = run_child(["bench.pdfmem", "weasyprint", str(path)])
        r.value = Stats.of([full["render_peak_mb"]])
        r.floor = Stats.of([floor["render_peak_mb"]])
        growth = full["render_peak_mb"] - full["rss_before_mb"]
        floor_growth = floor["render_peak_mb"] - floor["rss_before_mb"]
        r.note = (
            f"peak RSS of a fresh process during the render; {full['rss_before_mb']:.0f} MiB "
            f"of it is Python, Django and WeasyPrint loaded before it (growth {growth:.0f} MiB, "
            f"floor {floor_growth:.0f} MiB)"
        )

    def fill_repeat(r: Result) -> None:
        from composer import report_render

        _report_module()
        meeting = seed_meeting()
        path = f"/meetings/{meeting.ref}/report.pdf"
        try:
            resolve(path)
        except Resolver404:
            # No URL yet: time the service that serves a stored render instead.
            def fetch() -> None:
                stored = report_render.headline_report_pdf_get(meeting=meeting)
                stored.file.read()
                stored.file.close()

            r.note = "no report URL yet: headline_report_pdf_get() timed directly"
        else:
            client = ctx.browser_client()

            def fetch() -> None:
                _get(client, path)

            r.note = f"GET {path} (records unchanged since the first request rendered it)"
        fetch()  # the first request renders and stores
        r.queries, _ = count_queries(fetch)
        r.value = ms(time_calls(fetch, repeats=ctx.repeats, warmup=1))
        r.met = r.value.median < 50

    guarded(render, fill_render)
    guarded(memory, fill_memory)
    guarded(repeat, fill_repeat)
    register = Result(
        key="register_pdf",
        title="Register PDF, 2,000 actions",
        db=ctx.db,
        unit="s",
        target="< 20 s, < 300 MiB",
        floor_label="WeasyPrint alone",
    )

    def fill_register(r: Result) -> None:
        size = 100 if ctx.small else 2000
        r.title = f"Register PDF, {size:,} actions"
        register_pdf_render(0)  # raises NotAvailableError until the path exists
        if ctx.register_baseline:
            # The floor: WeasyPrint alone on the register's own template with the same rows,
            # in a fresh process (no request, no ORM, no storing).
            with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_WORK_DIR")) as work:
                path = Path(work) / "register.html"
                path.write_text(register_pdf_floor_html(size), encoding="utf-8")
                base = run_child(["bench.pdfmem", "weasyprint", str(path)], timeout=1800)
            r.floor = Stats.of([base["seconds"]])
            r.extra["floor_peak_mb"] = base["render_peak_mb"]
            r.note = (
                f"floor: WeasyPrint alone on the register's template, {base['seconds']:.0f} s, "
                f"peak RSS {base['render_peak_mb']:.0f} MiB"
            )
        out = [
            run_child(["bench.pdfmem", "register", str(size)], timeout=1800)
            for _ in range(1 if ctx.small else 2)
        ]
        r.value = Stats.of([o["seconds"] for o in out])
        peak = max(o["render_peak_mb"] for o in out)
        r.extra["rss_peak_mb"] = peak
        r.met = r.value.median < 20 and peak < 300
        r.note = f"{out[0]['rows']} rows; peak RSS {peak:.0f} MiB (fresh process). " + r.note

    guarded(register, fill_register)
    return [render, memory, repeat, register]


def _register_pdf_module() -> Any:
    try:
        from actions import register_pdf
    except ImportError as exc:
        raise NotAvailableError("no action register PDF in this tree") from exc
    if not hasattr(register_pdf, "register_pdf_request"):
        raise NotAvailableError("the register PDF is not rendered in the background here")
    return register_pdf


def _bench_pmo() -> Any:
    from django.contrib.auth import get_user_model

    pmo = get_user_model().objects.filter(groups__name="PMO", is_active=True).order_by("pk").first()
    if pmo is None:
        raise RuntimeError("no PMO user in the database")
    return pmo


def register_pdf_render(size: int) -> tuple[bytes, int]:
    """Ask for the action register as PDF and render it as the task does; (pdf, rows shown).

    ``size=0`` only checks that the path exists. The register a PMO user sees, unfiltered,
    sorted by ref, capped at ``size`` rows: the whole path of a request (stored, rendered by
    ``actions.register_pdf_render`` run in-process as with no broker, the file stored). Run
    in a child process of its own (``bench.pdfmem register N``): it lowers the cap there.
    """
    register_pdf = _register_pdf_module()
    if size == 0:
        return b"", 0
    from django.db import transaction
    from django.utils import timezone

    from actions.register import ActionRegisterFilters

    pmo = _bench_pmo()
    # The bench's register is far longer than the cap: the cap is the measured size, in this
    # child process only.
    register_pdf.REGISTER_PDF_MAX_ROWS = size
    with transaction.atomic():  # the task is queued on commit, and runs when it happens
        asked = register_pdf.register_pdf_request(
            filters=ActionRegisterFilters(sort="ref"),
            filters_text="none",
            today=timezone.localdate(),
            acting_user=pmo,
        )
    asked.refresh_from_db()
    if asked.status != asked.Status.READY:
        raise RuntimeError(f"the register PDF did not render: {asked.status} {asked.error}")
    with asked.file.open("rb") as handle:
        pdf = handle.read()
    asked.file.delete(save=False)  # the bench keeps no PDFs
    return pdf, asked.rows


def register_pdf_floor_html(size: int) -> str:
    """The register PDF's own HTML for ``size`` rows (a PMO user, unfiltered, by ref): what
    WeasyPrint alone renders for the floor."""
    register_pdf = _register_pdf_module()
    from django.utils import timezone

    from actions.register import ActionRegisterFilters

    html, _shown, _total = register_pdf.register_pdf_html(
        user=_bench_pmo(),
        filters=ActionRegisterFilters(sort="ref"),
        today=timezone.localdate(),
        max_rows=size,
    )
    return html


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
    "report": report,
    "reminders": reminders,
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
        with open("/proc/loadavg", encoding="ascii") as fh:
            # Other work on the machine during the run: 1, 5 and 15 minute load averages.
            info["load_average"] = " ".join(fh.read().split()[:3])
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
