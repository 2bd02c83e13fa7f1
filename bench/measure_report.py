"""Section 3: the headline report of DAG028 and the action register as PDF."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from .context import Context, _get
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
    # The render step keeps its HTML here: the memory step renders the same HTML alone.
    state: dict[str, Any] = {}
    guarded(render, lambda r: _fill_render(ctx, state, r))
    guarded(memory, lambda r: _fill_memory(state, r))
    guarded(repeat, lambda r: _fill_repeat(ctx, r))
    register = Result(
        key="register_pdf",
        title="Register PDF, 2,000 actions",
        db=ctx.db,
        unit="s",
        target="< 20 s, < 300 MiB",
        floor_label="WeasyPrint alone",
    )
    guarded(register, lambda r: _fill_register(ctx, r))
    return [render, memory, repeat, register]


def _fill_render(ctx: Context, state: dict[str, Any], r: Result) -> None:
    """The whole report path (data, HTML, PDF) timed in turn with WeasyPrint alone on the
    same HTML, so the ratio is what our code adds."""
    from composer import report_render
    from core import pdf as pdf_kit

    from .floors import weasyprint_pdf

    headline = _report_module()
    meeting = seed_meeting()
    html = report_render.headline_report_html(data=headline.headline_report_data(meeting=meeting))
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


def _fill_memory(state: dict[str, Any], r: Result) -> None:
    """Peak memory of a fresh process rendering the report, against one rendering the
    same HTML with WeasyPrint alone (a fresh process so earlier work is not counted)."""
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


def _fill_repeat(ctx: Context, r: Result) -> None:
    """The second request for an unchanged report: served from the stored render."""

    _report_module()
    meeting = seed_meeting()
    path = f"/meetings/{meeting.ref}/report.pdf"
    client = ctx.browser_client()
    # The first request queues the draft's render and answers with its status page; with
    # no broker (bench.settings) the task runs when the request commits and stores it.
    _get(client, path, expect=302)

    def fetch() -> None:
        _get(client, path)

    r.note = f"GET {path} (records unchanged since the first request's render stored it)"
    fetch()
    r.queries, _ = count_queries(fetch)
    r.value = ms(time_calls(fetch, repeats=ctx.repeats, warmup=1))
    r.met = r.value.median < 50


def _fill_register(ctx: Context, r: Result) -> None:
    """The register PDF in fresh processes (seconds and peak memory), and its floor when the
    run asks for it: WeasyPrint alone on the very HTML the path lays out (its template's
    parts of 500 rows and the page-numbers document, same rows and context), also in a fresh
    process, timed between the path's runs."""
    size = 100 if ctx.small else 2000
    r.title = f"Register PDF, {size:,} actions"
    register_pdf_render(0)  # raises NotAvailableError until the path exists

    def path_run() -> dict[str, Any]:
        return run_child(["bench.pdfmem", "register", str(size)], timeout=1800)

    out = [path_run()]
    if ctx.register_baseline:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_WORK_DIR")) as work:
            register_pdf_floor_files(size, pages=out[0]["pages"], folder=Path(work))
            base = run_child(["bench.pdfmem", "weasyprint-parts", work], timeout=1800)
        r.floor = Stats.of([base["seconds"]])
        r.extra["floor_peak_mb"] = base["render_peak_mb"]
        r.extra["floor_cpu_seconds"] = base["cpu_seconds"]
        r.note = (
            f"floor: WeasyPrint alone on the path's own HTML (its parts and page numbers), "
            f"{base['seconds']:.0f} s, CPU {base['cpu_seconds']:.0f} s, "
            f"peak RSS {base['render_peak_mb']:.0f} MiB"
        )
    if not ctx.small:
        out.append(path_run())
    r.value = Stats.of([o["seconds"] for o in out])
    peak = max(o["render_peak_mb"] for o in out)
    r.extra["rss_peak_mb"] = peak
    r.extra["cpu_seconds"] = [o["cpu_seconds"] for o in out]
    r.met = r.value.median < 20 and peak < 300
    cpu = ", ".join(f"{o['cpu_seconds']:.0f}" for o in out)
    r.note = (
        f"{out[0]['rows']} rows, {out[0]['pages']} pages; CPU {cpu} s; "
        f"peak RSS {peak:.0f} MiB (fresh process). " + r.note
    )


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


def register_pdf_floor_files(size: int, *, pages: int, folder: Path) -> None:
    """The HTML the register PDF of ``size`` rows lays out (a PMO user, unfiltered, by ref),
    written to ``folder`` in layout order: the whole document when it is one part, else its
    parts and the ``pages``-page numbers document (``actions.register_pdf_parts``)."""
    register_pdf = _register_pdf_module()
    from django.template.loader import render_to_string
    from django.utils import timezone

    from actions.register import ActionRegisterFilters

    html, context = register_pdf.register_pdf_document(
        user=_bench_pmo(),
        filters=ActionRegisterFilters(sort="ref"),
        today=timezone.localdate(),
        max_rows=size,
    )
    if context["shown"] <= register_pdf.REGISTER_PDF_PART_ROWS:
        (folder / "0-document.html").write_text(html, encoding="utf-8")
        return
    parts = register_pdf.register_pdf_parts_html(
        context, part_rows=register_pdf.REGISTER_PDF_PART_ROWS
    )
    for index, part in enumerate(parts):
        (folder / f"{index:03d}-part.html").write_text(part, encoding="utf-8")
    numbers = render_to_string(
        "actions/register_pdf_pages.html", {"pages": range(pages), "footer": context["footer"]}
    )
    (folder / "999-numbers.html").write_text(numbers, encoding="utf-8")
