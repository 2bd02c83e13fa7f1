"""The printed table: one line per figure and database, with its floor, ratio and target."""

from __future__ import annotations

import math
from collections.abc import Iterable

from .harness import Result, Stats

HEADERS = [
    "measurement",
    "db",
    "median",
    "p10–p90",
    "floor",
    "ratio",
    "queries",
    "target",
    "result",
]


def _num(value: float) -> str:
    if value is None or math.isnan(value):
        return "–"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _figure(stats: Stats | None, unit: str) -> str:
    return "–" if stats is None else f"{_num(stats.median)} {unit}"


def _spread(stats: Stats | None) -> str:
    if stats is None or stats.n < 2:
        return "–"
    return f"{_num(stats.p10)}–{_num(stats.p90)}"


def _verdict(result: Result) -> str:
    if result.status != "ok":
        return result.status.upper() if result.status == "error" else result.status
    if result.met is None:
        return ""
    return "met" if result.met else "MISSED"


def rows(results: Iterable[Result]) -> list[list[str]]:
    """The table's cells, as text, in the order the results were measured."""
    out = []
    for r in results:
        floor = "–"
        if r.floor is not None:
            floor = f"{_num(r.floor.median)} {r.unit}"
            if r.floor_label:
                floor += f" ({r.floor_label})"
        ratio = "–" if r.ratio is None else f"{r.ratio:.2f}×"
        out.append(
            [
                r.title,
                r.db,
                _figure(r.value, r.unit),
                _spread(r.value),
                floor,
                ratio,
                "–" if r.queries is None else str(r.queries),
                r.target or "",
                _verdict(r),
            ]
        )
    return out


def text_table(results: Iterable[Result]) -> str:
    """A fixed-width table for the terminal."""
    results = list(results)
    body = rows(results)
    widths = [
        max(len(h), *(len(row[i]) for row in body)) if body else len(h)
        for i, h in enumerate(HEADERS)
    ]
    line = "  ".join(h.ljust(w) for h, w in zip(HEADERS, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out.extend("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in body)
    notes = notes_of(results)
    if notes:
        out.append("")
        out.extend(notes)
    return "\n".join(out)


def markdown_table(results: Iterable[Result]) -> str:
    """The same table in Markdown (for BENCHMARKS.md), with notes after it."""
    results = list(results)
    body = rows(results)
    out = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    out.extend("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in body)
    notes = notes_of(results)
    if notes:
        out.append("")
        out.extend(f"- {n[2:]}" if n.startswith("* ") else n for n in notes)
    return "\n".join(out)


def notes_of(results: Iterable[Result]) -> list[str]:
    """One line per row that carries a note (why it is missing, what it measured)."""
    return [f"* {r.title} [{r.db}]: {r.note}" for r in results if r.note]


def _growth_cell(r: Result) -> str:
    if r.status != "ok" or r.value is None:
        return r.status
    queries = "–" if r.queries is None else str(r.queries)
    return f"{_num(r.value.median)} ms ({_spread(r.value)}), {queries} q"


def growth_rows(results: Iterable[Result]) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The growth table per database: headers (page, position, role, one column per
    size) and one row per page, position and role, each cell median (p10–p90), queries."""
    cells: dict[str, dict[tuple[str, str, str], dict[int, Result]]] = {}
    sizes: dict[str, set[int]] = {}
    for r in results:
        growth = r.extra.get("growth")
        if not growth:
            continue
        row = (growth["page"], growth["position"], growth["role"])
        cells.setdefault(r.db, {}).setdefault(row, {})[growth["actions"]] = r
        sizes.setdefault(r.db, set()).add(growth["actions"])
    out = {}
    for db, by_row in cells.items():
        columns = sorted(sizes[db])
        headers = ["page", "position", "role", *(f"{n:,} actions" for n in columns)]
        body = [
            [*row, *(_growth_cell(by_size[n]) if n in by_size else "–" for n in columns)]
            for row, by_size in by_row.items()
        ]
        out[db] = (headers, body)
    return out


def growth_table(results: Iterable[Result], *, markdown: bool = False) -> str:
    """The growth table of each database, fixed-width or Markdown, with the cells' notes."""
    results = list(results)
    out = []
    for db, (headers, body) in growth_rows(results).items():
        out.append(f"Growth, {db}: median (p10–p90) per request, queries")
        if markdown:
            out.append("")
            out.append("| " + " | ".join(headers) + " |")
            out.append("|" + "---|" * len(headers))
            out.extend("| " + " | ".join(row) + " |" for row in body)
        else:
            widths = [max(len(h), *(len(row[i]) for row in body)) for i, h in enumerate(headers)]
            out.append("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
            out.append("  ".join("-" * w for w in widths))
            out.extend(
                "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in body
            )
        out.append("")
    failed = (r for r in results if r.note and r.status == "error")
    notes = sorted({f"* {r.title} [{r.db}]: {r.note}" for r in failed})
    out.extend(notes)
    return "\n".join(out).rstrip()
