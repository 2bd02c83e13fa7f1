"""The measurements: each returns Result rows and never raises (see ``harness.guarded``).

Paths are found by URL or import at run time, so a path that is not in this tree yet gives
a "not available" row instead of stopping the run. One module a concern: the shared context
(``context``), the API and pages (``measure_pages``), the report and register PDFs
(``measure_report``), the reminder run and throughput (``measure_load``); this module names
the sections and the environment, and re-exports what callers import from it.
"""

from __future__ import annotations

import os
from typing import Any

from django.db import connection

from .context import API_LIST, Context, api_results
from .harness import Stats
from .measure_growth import growth
from .measure_load import reminder_floor, reminders, throughput
from .measure_pages import api_list, busiest_recent_meeting, pages
from .measure_report import (
    register_pdf_floor_html,
    register_pdf_render,
    report,
    seed_meeting,
)
from .measure_sink import reminders_sink
from .measure_stack import stack

SECTIONS = {
    "api": api_list,
    "pages": pages,
    "report": report,
    "reminders": reminders,
    "reminders_sink": reminders_sink,
    "throughput": throughput,
    "stack": stack,
    "growth": growth,
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


__all__ = [
    "API_LIST",
    "SECTIONS",
    "Context",
    "Stats",
    "api_list",
    "api_results",
    "busiest_recent_meeting",
    "environment",
    "growth",
    "pages",
    "register_pdf_floor_html",
    "register_pdf_render",
    "reminder_floor",
    "reminders",
    "report",
    "seed_meeting",
    "stack",
    "throughput",
]
