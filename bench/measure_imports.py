"""Headline report imports: time and peak memory of each format and of a back catalogue.

``python -m bench --only imports`` (both databases) or, on one database,
``DATABASE_URL=... python -m bench.run --only imports --out results.json``. The run's
database is migrated and nothing is generated: each import goes into a fresh installation.
The cases: the seed DAG028 as its text form (``.txt``), its Word document (``.docx``) and
its PDF (``.pdf``), and the five-report back catalogue of issue #14 (text, Word, PDF and a
ZIP; ``tests/composer/catalogue_reports.py``) imported in one go.

Each import runs in a process of its own (``python -m bench.measure_imports one CASE``), so
its peak memory is its own: the resident set is sampled every 2 ms during the import
(``harness.RssSampler``, with ``ru_maxrss`` read after it as a check) and reported as the
process's peak and as the rise over the process at rest (Django set up, the readers
imported). Time is wall time of the whole import (reading the file, parsing, writing), the
median of ``--repeats`` processes (3 by default here; each costs a Python start-up). The
import's transaction is rolled back at its end, so every run starts from the same fresh
database; work started on commit (webhook deliveries) is not counted.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CASES = {
    "txt": "DAG028 text form (.txt)",
    "docx": "DAG028 Word document (.docx)",
    "pdf": "DAG028 PDF (.pdf)",
    "catalogue": "Back catalogue of five reports (.txt, .docx, .pdf, .zip)",
}


def _import(case: str) -> int:
    """Import one case as the system; the number of reports imported."""
    from composer.importer import headline_report_import, headline_report_text
    from composer.importer.catalogue import catalogue_import
    from core.actors import SYSTEM

    if case == "catalogue":
        sys.path.insert(0, str(ROOT))
        from tests.composer.catalogue_reports import catalogue

        return len(catalogue_import(catalogue(), acting_user=SYSTEM))
    data = (SEEDS / f"DAG028-headline-report.{case}").read_bytes()
    headline_report_import(text=headline_report_text(data), acting_user=SYSTEM)
    return 1


def one(case: str) -> dict[str, Any]:
    """One import in this process (the child's side): its seconds and memory."""
    # What every import reads with, imported first so the process at rest includes them.
    import docx  # noqa: F401
    import pdfplumber  # noqa: F401
    from django.db import transaction

    import composer.importer.catalogue  # noqa: F401

    from .harness import RssSampler, peak_rss_mb

    cpu_before = time.process_time()
    with RssSampler() as sampler, transaction.atomic():
        started = time.perf_counter()
        reports = _import(case)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)  # the next run starts from the same fresh database
    peak = max(sampler.peak_mb, peak_rss_mb())
    return {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu_before,
        "rss_before_mb": sampler.before_mb,
        "rss_peak_mb": peak,
        "rise_mb": peak - sampler.before_mb,
        "reports": reports,
    }


def imports(ctx: Any) -> list[Any]:
    """The section: each case imported ``repeats`` times, each in a fresh process."""
    from .harness import Result, Stats, guarded, ms, run_child

    repeats = ctx.repeats if ctx.repeats else 3
    results = []
    for case, title in CASES.items():
        result = Result(key=f"import.{case}", title=f"Import: {title}", db=ctx.db)

        def fill(result: Result, case: str = case) -> None:
            runs = [run_child(["bench.measure_imports", "one", case]) for _ in range(repeats)]
            result.value = ms([r["seconds"] for r in runs])
            peaks = [r["rss_peak_mb"] for r in runs]
            rises = [r["rise_mb"] for r in runs]
            result.extra = {
                "peak_rss_mb": Stats.of(peaks).__dict__,
                "rise_mb": Stats.of(rises).__dict__,
                "cpu_ms": Stats.of([r["cpu_seconds"] * 1000 for r in runs]).__dict__,
                "reports": runs[0]["reports"],
            }
            result.note = (
                f"peak RSS {max(peaks):.0f} MiB (+{max(rises):.0f} MiB over the process "
                f"at rest); {runs[0]['reports']} report(s)"
            )

        results.append(guarded(result, fill))
    return results


def run(out: Path, repeats: int | None) -> int:
    """``bench.run --only imports``: migrate the run's (fresh) database, measure, write the
    results as ``bench.run`` does (nothing generated)."""
    from django.core.management import call_command
    from django.db import connection

    from . import measures

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    db = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    ctx = type("ImportsContext", (), {"db": db, "repeats": repeats})()
    results = imports(ctx)
    payload = {
        "db": db,
        "environment": measures.environment(),
        "generated": {"counts": {}, "seconds": 0.0, "today": None},
        "sizes": {},
        "seconds": time.perf_counter() - started,
        "results": [r.as_dict() for r in results],
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    return 0


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    if argv[:1] == ["one"]:
        print(json.dumps(one(argv[1])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
