"""Floors: the least work that could produce the same output, timed in the same run.

A floor is what the figure is divided by. For a list of actions it is SQL written by hand
(one statement, or the API's two where one statement's plan would read the owners table
whole: :func:`floor_shape`), sent through the database driver's own cursor (no ORM, no
Django cursor wrapper) and prepared the way the API prepares its reads (on PostgreSQL:
bound server-side and prepared, ``LIMIT`` written into the SQL as Django writes it), the
rows grouped per action and serialised with orjson. ``bench.explain`` shows their plans.
For a PDF it is WeasyPrint turning the very same HTML into a PDF, with no template
rendering and no ORM.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson
from django.db import connection

# The action list's orders: the API's default (creation order, the primary key) and "ref"
# (committee, meeting number, sub-number, seq), which is also the register's default.
# Table names are Django's defaults.
ORDERS = {
    "id": "a.id",
    # Action.ref_sort is the ref order in one indexed column (actions migration 0005).
    "ref": "a.ref_sort, a.id",
}

# The page: one row per action, its meeting, committee, area and due meeting. LIMIT is a
# literal, as Django writes a sliced queryset's (the API's keyset page is such a slice): a
# prepared statement is then planned for that LIMIT, not for an unknown one.
_PAGE_SQL = """
SELECT a.id, a.ref, a.description, a.due_date, a.status, a.closed_date, a.closure_note,
       {created_at}, {updated_at}, a.agenda_item_id, ai.title, m.ref, {due_ref}, c.code, c.name
FROM actions_action a
JOIN meetings_meeting m ON m.id = a.meeting_id
JOIN meetings_committee c ON c.id = m.committee_id
LEFT JOIN meetings_agendaitem ai ON ai.id = a.agenda_item_id
LEFT JOIN meetings_meeting dm ON dm.id = a.due_meeting_id
{where}
ORDER BY {order}
LIMIT {limit}{offset}
"""

# The owners of the page's actions, lead first: the API's second query. On PostgreSQL the
# ids are one array parameter, so the statement is the same whatever the page's size.
_OWNERS_SQL = """
SELECT o.action_id, o.is_lead, o.role, o.organisation_id, org.name, o.person_id, p.name
FROM actions_actionowner o
LEFT JOIN meetings_organisation org ON org.id = o.organisation_id
LEFT JOIN meetings_person p ON p.id = o.person_id
WHERE o.action_id {match}
ORDER BY o.action_id, o.is_lead DESC, o."order", o.id
"""


# Page and owners in one statement (the page in a CTE, its owners joined to it): one round
# trip, the least work while PostgreSQL reads the page's owners by their index. Its plan is
# not stable with the page's size: from a few hundred rows PostgreSQL hash-joins the whole
# owners table to the page instead, and the floor then takes the two statements above.
_ONE_SQL = """
WITH page AS ({page})
SELECT page.*, o.action_id, o.is_lead, o.role, o.organisation_id, org.name, o.person_id, p.name
FROM page
LEFT JOIN actions_actionowner o ON o.action_id = page.id
LEFT JOIN meetings_organisation org ON org.id = o.organisation_id
LEFT JOIN meetings_person p ON p.id = o.person_id
ORDER BY {outer_order}, o.is_lead DESC, o."order", o.id
"""
_OUTER_ORDERS = {"id": "page.id", "ref": "page.ref_sort, page.id"}
# Tables that grow with the programme's history: a floor never reads them whole.
GROWING = ("actions_action", "actions_actionowner")


def _iso(value: Any) -> Any:
    # psycopg returns dates; the bare sqlite3 driver returns the stored ISO text.
    return value.isoformat() if isinstance(value, dt.date) else value


def _in(column: str, ids: tuple[int, ...], postgres: bool, hidden: bool) -> tuple[str, list[Any]]:
    if postgres:
        return f"{column} {'<> ALL' if hidden else '= ANY'}(%s)", [list(ids)]
    marks = ", ".join("?" * len(ids)) or "NULL"
    return f"{column} {'NOT IN' if hidden else 'IN'} ({marks})", list(ids)


def reader_meetings(visible: list[int], every: list[int]) -> tuple[tuple[int, ...], bool]:
    """What the floor is told of a reader's meetings: the ids of the ``visible`` ones, or of
    the hidden ones when they are fewer (less to send and to test per row), with True."""
    hidden = tuple(sorted(set(every) - set(visible)))
    return (hidden, True) if len(hidden) < len(visible) else (tuple(sorted(visible)), False)


@dataclass(frozen=True)
class Page:
    """A page of the action list, as a floor reads it.

    ``limit`` rows after ``offset``, in ``order`` (``id``, the API's default, or ``ref``);
    ``status="open"`` keeps actions that are not closed (the register's open filter).
    ``meetings``: the ids of the meetings the reader may see (or, with ``hidden``, may not
    see), for a reader who does not see them all: only their actions are listed, and a due
    meeting they may not see is left out, as the API leaves it out. The floor is given the
    ids, worked out beforehand by the app's own rule (:func:`reader_meetings`): the least
    work, since the API must also find out what the reader sees."""

    limit: int
    offset: int = 0
    status: str = ""
    order: str = "id"
    meetings: tuple[int, ...] | None = None
    hidden: bool = False


def floor_sql(page: Page) -> tuple[str, list[Any]]:
    """The page query of the floor and its parameters, in the driver's placeholder style."""
    limit, offset, status, order = page.limit, page.offset, page.status, page.order
    meetings, hidden = page.meetings, page.hidden
    postgres = connection.vendor == "postgresql"
    ph = "%s" if postgres else "?"
    conditions = [f"a.status <> {ph}"] if status == "open" else []
    params: list[Any] = ["closed"] if status == "open" else []
    due_ref, due_params = "dm.ref", []
    if meetings is not None:
        test, due_params = _in("dm.id", meetings, postgres, hidden)
        due_ref = f"CASE WHEN {test} THEN dm.ref END"
        test, ids = _in("a.meeting_id", meetings, postgres, hidden)
        conditions.append(test)
        params += ids
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    params = due_params + params
    # On PostgreSQL timestamps are read as UTC without a zone, which psycopg's C loader
    # reads; with a zone Django's Python loader runs per value (the API reads them as text).
    stamps = {
        name: f"a.{name} AT TIME ZONE 'UTC'" if postgres else f"a.{name}"
        for name in ("created_at", "updated_at")
    }
    sql = _PAGE_SQL.format(
        where=where,
        order=ORDERS[order],
        limit=int(limit),
        offset=f" OFFSET {int(offset)}" if offset else "",
        due_ref=due_ref,
        **stamps,
    )
    return sql, params


def one_sql(page: Page) -> tuple[str, list[Any]]:
    """The page and its owners as one statement (see ``_ONE_SQL``) and its parameters."""
    sql, params = floor_sql(page)
    sql = sql.replace("c.name\nFROM", "c.name, a.ref_sort\nFROM", 1)
    return _ONE_SQL.format(page=sql.strip(), outer_order=_OUTER_ORDERS[page.order]), params


def owners_sql(action_ids: list[int]) -> tuple[str, list[Any]]:
    """The owners query of the floor for ``action_ids`` and its parameters."""
    if connection.vendor == "postgresql":
        return _OWNERS_SQL.format(match="= ANY(%s)"), [action_ids]
    return _OWNERS_SQL.format(match=f"IN ({', '.join('?' * len(action_ids))})"), action_ids


def _execute(sql: str, params: list[Any]) -> list[tuple]:
    """``sql`` on the driver's own cursor, prepared as the API's reads are.

    On PostgreSQL a psycopg ``Cursor`` (server-side binding) with ``prepare=True``: planned
    once per connection, as the API's ``core.api.db.prepared_statements`` has psycopg do
    from a statement's second run. sqlite3 keeps its own cache of compiled statements.
    """
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "postgresql":
        import psycopg

        # Django leaves prepare_threshold None, which psycopg reads as "never prepare", even
        # when asked; the API sets it for its reads, and so does the floor.
        threshold = raw.prepare_threshold
        raw.prepare_threshold = 1 if threshold is None else threshold
        try:
            with psycopg.Cursor(raw) as cursor:
                cursor.execute(sql, params, prepare=True)
                return cursor.fetchall()
        finally:
            raw.prepare_threshold = threshold
    cursor = raw.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def action_page_rows(page: Page) -> list[dict[str, Any]]:
    """One :class:`Page` of actions with meeting, area and owners, by one or two statements
    on the raw driver.

    Returns one dict per action in the list's order, with the columns the API shows:
    ``ref``, ``committee``, ``meeting`` (ref), ``area`` (title), ``description``,
    ``due_date`` (ISO text), ``status``, ``closed_date``, ``created_at``/``updated_at`` and
    ``owners`` (lead first: ``organisation``, ``role``, ``person``, ``is_lead``).

    One statement (the page in a CTE, its owners joined) while its plan reads the owners
    by their index; two, as the API (the page, then the owners of its ids), where PostgreSQL
    would hash-join the whole owners table (108,000 rows) to the page (:func:`floor_shape`).
    """
    if floor_shape(page) == "one":
        joined = _execute(*one_sql(page))
        rows = list(dict.fromkeys(row[:15] for row in joined))
        owners = [row[16:] for row in joined if row[16] is not None]
        return _grouped(rows, owners)
    rows = _execute(*floor_sql(page))
    owners = _execute(*owners_sql([row[0] for row in rows])) if rows else []
    return _grouped(rows, owners)


_SHAPES: dict[tuple, str] = {}


def floor_shape(page: Page) -> str:
    """``one`` (page and owners in one statement) when PostgreSQL's plan for it reads no
    growing table whole, else ``two`` (the page, then its owners); decided once per
    process and page shape from the plan (``EXPLAIN``, not run). SQLite reads the owners
    of a joined page by their index at any size: ``one``."""
    key = (connection.vendor, page)
    if key not in _SHAPES:
        shape = "one"
        if connection.vendor == "postgresql":
            import psycopg

            sql, params = one_sql(page)
            connection.ensure_connection()
            with psycopg.Cursor(connection.connection) as cursor:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
                document = cursor.fetchone()[0]
            if _reads_whole((document[0] if isinstance(document, list) else document)["Plan"]):
                shape = "two"
        _SHAPES[key] = shape
    return _SHAPES[key]


def _reads_whole(node: dict[str, Any]) -> bool:
    if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in GROWING:
        return True
    return any(_reads_whole(child) for child in node.get("Plans", []))


def _grouped(page: list[tuple], owners: list[tuple]) -> list[dict[str, Any]]:
    """The page's rows as one dict per action with its owners (lead first, the owners
    query's order), in the shape the API returns."""
    by_action: dict[int, list[dict[str, Any]]] = {}
    for action_id, is_lead, role, organisation_id, organisation, person_id, person in owners:
        by_action.setdefault(action_id, []).append(
            {
                "organisation": organisation,
                "organisation_id": organisation_id,
                "role": role,
                "person": person,
                "person_id": person_id,
                "is_lead": bool(is_lead),
            }
        )
    return [
        {
            "id": action_id,
            "ref": ref,
            "committee": {"code": code, "name": committee_name},
            "meeting": meeting_ref,
            "area": area,
            "agenda_item_id": agenda_item_id,
            "description": description,
            "due_date": _iso(due_date),
            "due_meeting": due_meeting_ref,
            "status": status_value,
            "closed_date": _iso(closed_date),
            "closure_note": closure_note,
            "created_at": _iso(created_at),
            "updated_at": _iso(updated_at),
            "owners": by_action.get(action_id, []),
        }
        for (
            action_id,
            ref,
            description,
            due_date,
            status_value,
            closed_date,
            closure_note,
            created_at,
            updated_at,
            agenda_item_id,
            area,
            meeting_ref,
            due_meeting_ref,
            code,
            committee_name,
        ) in page
    ]


def action_page_json(page: Page) -> bytes:
    """The floor of the action list: :func:`action_page_rows` serialized by orjson."""
    return orjson.dumps(action_page_rows(page))


def owner_display(owner: dict[str, Any]) -> str:
    """An owner as the report writes it (``Programme (Rob Short)``, ``Chair``)."""
    party = owner["organisation"] or owner["role"]
    return f"{party} ({owner['person']})" if owner["person"] else party


_FLOOR_FONTS: list[Any] = []


def weasyprint_pdf(html: str, *, base_url: str | None = None, url_fetcher: Any = None) -> bytes:
    """The floor of a PDF: WeasyPrint alone rendering ``html`` (same fetcher, same base URL).

    One ``FontConfiguration`` serves every floor render of the process, as the report keeps
    one per thread: loading the system fonts anew is work the floor need not do either.
    """
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if not _FLOOR_FONTS:
        _FLOOR_FONTS.append(FontConfiguration())
    kwargs: dict[str, Any] = {"string": html, "base_url": base_url}
    if url_fetcher is not None:
        kwargs["url_fetcher"] = url_fetcher
    return HTML(**kwargs).write_pdf(font_config=_FLOOR_FONTS[0])


PLAIN_TABLE_CSS = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 8pt; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.5pt solid #999; padding: 2pt 3pt; vertical-align: top; text-align: left; }
thead { display: table-header-group; }
"""


def plain_register_html(rows: list[dict[str, Any]]) -> str:
    """A plain HTML table of actions (ref, meeting, area, action, owner, due, status): the
    baseline a register PDF is compared with. Text is escaped; no template engine."""
    from html import escape

    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(str(value or ''))}</td>"
            for value in (
                row["ref"],
                row["meeting"],
                row["area"],
                row["description"],
                "; ".join(owner_display(o) for o in row["owners"]),
                row["due_date"],
                row["status"],
            )
        )
        + "</tr>"
        for row in rows
    )
    head = "".join(
        f"<th>{h}</th>" for h in ("Ref", "Meeting", "Area", "Action", "Owner", "Due", "Status")
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><style>{PLAIN_TABLE_CSS}</style>"
        f"</head><body><h1>Action register</h1><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></body></html>"
    )
