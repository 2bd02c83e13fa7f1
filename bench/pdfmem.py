"""One PDF render in a fresh process, for its time and peak memory (``ru_maxrss``).

``python -m bench.pdfmem headline DAG028``: the report's whole path (ORM reads, template,
WeasyPrint). ``python -m bench.pdfmem weasyprint PATH.html``: WeasyPrint alone on HTML saved
by the parent run (the floor: no template, no ORM); ``weasyprint-parts DIR``: WeasyPrint
alone on each HTML file of DIR in turn (the register's parts and page numbers).
``register-baseline N``: WeasyPrint on a plain HTML table of N actions; ``register N``: the
action register's own PDF of N actions.
Prints one JSON line: seconds (wall, and this process's CPU), the resident set before the
render (imports and Django set up) and the peak after it, in MiB.
The peak is sampled during the render (``RssSampler``) as well as read from ``ru_maxrss``.
Run by ``bench.measures`` with the parent's ``DATABASE_URL``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path


def main(argv: list[str]) -> int:
    kind, target = argv[0], argv[1]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    # Import everything a render touches first, so the baseline is the process at rest.
    import weasyprint  # noqa: F401

    from .harness import RssSampler, peak_rss_mb

    render = _renderer(kind, target)
    max_before = peak_rss_mb()
    cpu_before = time.process_time()
    started = time.perf_counter()
    with RssSampler() as sampler:
        pdf, rows = render()
    seconds = time.perf_counter() - started
    # CPU time of this process: on a shared machine the wall time counts other work too.
    cpu_seconds = time.process_time() - cpu_before
    from io import BytesIO

    from pypdf import PdfReader

    pages = len(PdfReader(BytesIO(pdf)).pages) if pdf else 0  # after the measured window
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "rss_before_mb": sampler.before_mb,
                "rss_peak_mb": max(sampler.peak_mb, peak_rss_mb()),
                "render_peak_mb": sampler.peak_mb,
                "startup_peak_mb": max_before,
                "bytes": len(pdf),
                "rows": rows,
                "pages": pages,
            }
        )
    )
    return 0


def _renderer(kind: str, target: str) -> Callable[[], tuple[bytes, int]]:
    """The render to measure, with its inputs read and its modules imported now: only the
    call it returns falls inside the measured window."""
    # Imported after django.setup() in main, as every project module here must be.
    from composer import report as headline
    from composer import report_render
    from core import pdf as pdf_kit

    from .floors import weasyprint_pdf

    if kind == "weasyprint":
        html = Path(target).read_text(encoding="utf-8")
        fetcher = pdf_kit.pdf_url_fetcher()

        def render() -> tuple[bytes, int]:
            return weasyprint_pdf(html, base_url=pdf_kit.INTERNAL_BASE_URL, url_fetcher=fetcher), 0

    elif kind == "weasyprint-parts":
        # The register's floor: each HTML file of the folder (its parts, then the page
        # numbers) laid out and written by WeasyPrint alone, one after another, as the path
        # lays them out; no template, no ORM, no merging.
        import gc

        documents = [p.read_text(encoding="utf-8") for p in sorted(Path(target).glob("*.html"))]
        fetcher = pdf_kit.pdf_url_fetcher()

        def render() -> tuple[bytes, int]:
            written = []
            for html in documents:
                written.append(
                    weasyprint_pdf(html, base_url=pdf_kit.INTERNAL_BASE_URL, url_fetcher=fetcher)
                )
                gc.collect()
            return written[0], 0

    elif kind == "headline":
        from meetings.models import Meeting

        meeting = Meeting.objects.get(ref=target)

        def render() -> tuple[bytes, int]:
            data = headline.headline_report_data(meeting=meeting)
            return report_render.headline_report_pdf(data=data), 0

    elif kind == "register-baseline":
        from .floors import Page, action_page_rows, plain_register_html

        table = plain_register_html(action_page_rows(Page(int(target), order="ref")))
        rows = int(target)

        def render() -> tuple[bytes, int]:
            return weasyprint_pdf(table), rows

    elif kind == "register":
        from .measures import register_pdf_render

        def render() -> tuple[bytes, int]:
            return register_pdf_render(int(target))

    else:
        raise SystemExit(f"unknown kind {kind!r}")
    return render


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
