"""Floors: the least work that could produce the same output, timed in the same run.

A floor is what the figure is divided by. For a list of actions it is one SQL query written
by hand, sent through the database driver's own cursor (no ORM, no Django cursor wrapper),
its rows grouped per action and serialized with orjson. For a PDF it is WeasyPrint turning
the very same HTML into a PDF, with no template rendering and no ORM.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from django.db import connection

# The action list's orders: the API's default (creation order, the primary key) and "ref"
# (committee, meeting number, sub-number, seq), which is also the register's default.
# Table names are Django's defaults.
ORDERS = {
    "id": ("a.id", "page.id"),
    # Action.ref_sort is the ref order in one indexed column (actions migration 0005).
    "ref": ("a.ref_sort, a.id", "page.ref_sort, page.id"),
}

_PAGE_SQL = """
WITH page AS (
    SELECT a.id, a.ref, a.description, a.due_date, a.status, a.closed_date, a.closure_note,
           {created_at} AS created_at, {updated_at} AS updated_at, a.agenda_item_id,
           ai.title AS area, m.ref AS meeting_ref, dm.ref AS due_meeting_ref, c.code,
           c.name AS committee_name, a.ref_sort
    FROM actions_action a
    JOIN meetings_meeting m ON m.id = a.meeting_id
    JOIN meetings_committee c ON c.id = m.committee_id
    LEFT JOIN meetings_agendaitem ai ON ai.id = a.agenda_item_id
    LEFT JOIN meetings_meeting dm ON dm.id = a.due_meeting_id
    {where}
    ORDER BY {inner_order}
    LIMIT {ph} OFFSET {ph}
)
SELECT page.id, page.ref, page.description, page.due_date, page.status, page.closed_date,
       page.closure_note, page.created_at, page.updated_at, page.agenda_item_id, page.area,
       page.meeting_ref, page.due_meeting_ref, page.code, page.committee_name,
       o.is_lead, o.role, o.organisation_id, org.name, o.person_id, p.name
FROM page
LEFT JOIN actions_actionowner o ON o.action_id = page.id
LEFT JOIN meetings_organisation org ON org.id = o.organisation_id
LEFT JOIN meetings_person p ON p.id = o.person_id
ORDER BY {outer_order}, o.is_lead DESC, o."order", o.id
"""


def _placeholder() -> str:
    return "?" if connection.vendor == "sqlite" else "%s"


def _iso(value: Any) -> Any:
    # psycopg returns dates; the bare sqlite3 driver returns the stored ISO text.
    return value.isoformat() if isinstance(value, dt.date) else value


def action_page_rows(
    *, limit: int, offset: int = 0, status: str = "", order: str = "id"
) -> list[dict[str, Any]]:
    """One page of actions with meeting, area and owners, by one query on the raw driver.

    ``order`` is ``id`` (the API's default) or ``ref``. Returns one dict per action in the
    list's order, with the columns the API shows: ``ref``, ``committee``, ``meeting`` (ref),
    ``area`` (title), ``description``, ``due_date`` (ISO text), ``status``, ``closed_date``,
    ``created_at``/``updated_at`` and ``owners`` (lead first: ``organisation``, ``role``,
    ``person``, ``is_lead``). ``status="open"`` keeps actions that are not closed (the
    register's open filter).
    """
    return _grouped(_page_query(limit=limit, offset=offset, status=status, order=order))


def _page_query(*, limit: int, offset: int, status: str, order: str) -> list[tuple]:
    """The page's rows, one per action and owner, read by the driver's own cursor so no
    ORM or Django loader work is part of the floor."""
    connection.ensure_connection()
    ph = _placeholder()
    where = f"WHERE a.status <> {ph}" if status == "open" else ""
    params: list[Any] = ["closed"] if status == "open" else []
    inner_order, outer_order = ORDERS[order]
    # On PostgreSQL timestamps are read as UTC without a zone, which psycopg's C loader
    # reads; with a zone Django's Python loader runs per value (the API reads them so too).
    stamps = {
        name: f"a.{name} AT TIME ZONE 'UTC'" if connection.vendor == "postgresql" else f"a.{name}"
        for name in ("created_at", "updated_at")
    }
    sql = _PAGE_SQL.format(
        where=where, ph=ph, inner_order=inner_order, outer_order=outer_order, **stamps
    )
    cursor = connection.connection.cursor()  # the driver's own cursor: psycopg or sqlite3
    try:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return rows


def _grouped(rows: list[tuple]) -> list[dict[str, Any]]:
    """The rows folded into one dict per action with its owners, lead first (the query's
    order), in the shape the API returns."""
    actions: list[dict[str, Any]] = []
    last_id = None
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
        is_lead,
        role,
        organisation_id,
        organisation,
        person_id,
        person,
    ) in rows:
        if action_id != last_id:
            last_id = action_id
            actions.append(
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
                    "owners": [],
                }
            )
        if is_lead is not None:
            actions[-1]["owners"].append(
                {
                    "organisation": organisation,
                    "organisation_id": organisation_id,
                    "role": role,
                    "person": person,
                    "person_id": person_id,
                    "is_lead": bool(is_lead),
                }
            )
    return actions


def action_page_json(*, limit: int, offset: int = 0, status: str = "", order: str = "id") -> bytes:
    """The floor of the action list: :func:`action_page_rows` serialized by orjson."""
    return orjson.dumps(action_page_rows(limit=limit, offset=offset, status=status, order=order))


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
