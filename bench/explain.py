"""The plans the database chose for the list's floor, so a floor is known to be a good one.

A floor is only a floor if its own plan is the one a DBA would want: every table read by an
index range or by the ids it needs, none read whole. :func:`floor_plans` runs the floor's
statements under ``EXPLAIN (ANALYZE, FORMAT JSON)`` on PostgreSQL (``EXPLAIN QUERY PLAN``
on SQLite) and summarises each plan: its top node, the path of nodes, the tables read whole,
and the planning and execution times.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from . import floors

GROWING = floors.GROWING


def _nodes(node: dict[str, Any], depth: int = 0) -> list[tuple[int, dict[str, Any]]]:
    out = [(depth, node)]
    for child in node.get("Plans", []):
        out.extend(_nodes(child, depth + 1))
    return out


def _label(node: dict[str, Any]) -> str:
    label = node["Node Type"]
    if node.get("Index Name"):
        label += f" using {node['Index Name']}"
    if node.get("Relation Name"):
        label += f" on {node['Relation Name']}"
    return label


def _postgres_plan(sql: str, params: list[Any]) -> dict[str, Any]:
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        # Bound server-side, as the floor runs it: the plan for these values.
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        document = cursor.fetchone()[0]
    plan = document[0] if isinstance(document, list) else document
    nodes = _nodes(plan["Plan"])
    whole = sorted(
        {
            n["Relation Name"]
            for _, n in nodes
            if n["Node Type"] == "Seq Scan" and n.get("Relation Name") in GROWING
        }
    )
    # How each growing table is read: the part of the plan that decides its cost.
    reads = [
        f"{_label(n)} ({n.get('Actual Rows')} rows × {n.get('Actual Loops', 1)})"
        for _, n in nodes
        if n.get("Relation Name") in GROWING
    ]
    return {
        "top": _label(plan["Plan"]),
        "reads": reads,
        "nodes": [f"{'  ' * depth}{_label(n)} (rows {n.get('Actual Rows')})" for depth, n in nodes],
        "read_whole": whole,
        "planning_ms": plan.get("Planning Time"),
        "execution_ms": plan.get("Execution Time"),
    }


def _sqlite_plan(sql: str, params: list[Any]) -> dict[str, Any]:
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    try:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        lines = [row[-1] for row in cursor.fetchall()]
    finally:
        cursor.close()
    # SQLite's "SCAN a" in rowid order under a LIMIT stops at the page: the lines are shown,
    # not judged.
    reads = [
        line for line in lines if line.startswith(("SCAN a", "SEARCH a", "SEARCH o", "SCAN o"))
    ]
    return {"top": lines[0] if lines else "", "reads": reads, "nodes": lines, "read_whole": []}


def floor_plans(page: floors.Page) -> dict[str, dict[str, Any]]:
    """The plans of the floor's statements for ``page``: ``one`` (page and owners
    together), or ``page`` and ``owners``, as :func:`floors.floor_shape` chose."""
    explain = _postgres_plan if connection.vendor == "postgresql" else _sqlite_plan
    if floors.floor_shape(page) == "one":
        return {"one": explain(*floors.one_sql(page))}
    page_sql, page_params = floors.floor_sql(page)
    plans = {"page": explain(page_sql, page_params)}
    rows = floors.action_page_rows(page)
    plans["owners"] = explain(*floors.owners_sql([row["id"] for row in rows] or [0]))
    return plans


def plan_note(plans: dict[str, dict[str, Any]]) -> str:
    """One line for the table's notes: each query's top node, times, and tables read whole."""
    parts = []
    for name, plan in plans.items():
        text = f"{name}: {plan['top']}"
        if plan["reads"] and plan["reads"] != [plan["top"]]:
            text += f" [{', '.join(plan['reads'])}]"
        if plan.get("execution_ms") is not None:
            text += (
                f" (EXPLAIN ANALYZE, unprepared: planning {plan['planning_ms']:.2f} ms,"
                f" execution {plan['execution_ms']:.2f} ms)"
            )
        if plan["read_whole"]:
            text += f", READS WHOLE {', '.join(plan['read_whole'])}"
        parts.append(text)
    shape = "one query" if set(plans) == {"one"} else "two queries"
    return f"floor: {shape}; plans: " + "; ".join(parts)
