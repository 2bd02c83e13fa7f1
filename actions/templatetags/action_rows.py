"""``{% load action_rows %}``: action rows as table rows, from the one partial.

``{% action_rows rows %}`` writes the ``<tr>`` of each :class:`actions.rows.ActionRow` for the
register, the meeting page and the edit-in-place row. The partial is :func:`_row_html`:
Python writing the row's markup with each value escaped as Jinja2's autoescaping did
(:func:`escape`; the status badge is HTML already), not a template. A meeting page lists a
few hundred rows, and even Jinja2's lookups and escaping per value were most of the rows'
time (BENCHMARKS.md). Change the markup here and only here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from actions.rows import ActionRow

register = template.Library()

_OVERDUE = '<br><span class="overdue-text small">Overdue</span>'


def escape(text: str) -> str:
    """``text`` escaped as ``markupsafe.escape`` (Jinja2's autoescaping) writes it, the same
    five characters the same way, as plain ``str``: half the cost of making a ``Markup`` per
    value, on the page's hottest loop."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


def _row_html(
    row: ActionRow, *, raised: bool, can_edit: bool, just_added: str, edit_query: str
) -> str:
    """The ``<tr>`` of one row (see :func:`action_rows_html`), ending in a newline."""
    dom_id = row.dom_id
    rid = escape(dom_id)
    ref = escape(row.ref)
    overdue = row.is_overdue
    added = bool(just_added) and just_added == dom_id
    if overdue:
        css = "overdue just-added" if added else "overdue"
    else:
        css = "just-added" if added else ""
    parts = [
        f'<tr id="{rid}" class="{css}"',
        " data-just-added>" if added else ">",
        f'<td data-label="Ref"><a class="ref" href="{escape(row.url)}">{ref}</a>',
    ]
    if raised:
        parts.append(f'<br><span class="small muted">{escape(row.raised_on)}</span>')
    parts.append(f'</td><td data-label="Action">{escape(row.description)}</td>')
    parts.append(f'<td data-label="Owner">{escape(row.owners_text or "—")}')
    parts.extend(
        f' <span class="badge badge-warn" title="{escape(name)} has no email: reminders'
        ' cannot reach them">no email</span>'
        for name in row.unreachable_owners
    )
    parts.append('</td><td data-label="Due" class="nowrap">')
    if row.due_date:
        parts.append(f'<time datetime="{escape(row.due_iso)}">{escape(row.due_on)}</time>')
    else:
        parts.append("—")
    if overdue:
        parts.append(_OVERDUE)
    if row.due_meeting_ref:
        parts.append(f'<br><span class="small muted">by {escape(row.due_meeting_ref)}</span>')
    parts.append(f'</td><td data-label="Status">{row.badge}')
    if row.closed_date:
        parts.append(f'<br><span class="small muted">{escape(row.closed_on)}</span>')
    parts.append("</td>")
    if can_edit:
        edit = escape(row.edit_url + edit_query)
        parts.append(
            f'<td class="actions-cell"><a class="button secondary small" href="{edit}"'
            f' hx-get="{edit}" hx-target="#{rid}" hx-swap="outerHTML">Edit<span'
            f' class="visually-hidden"> {ref}</span></a></td>'
        )
    parts.append("</tr>\n")
    return "".join(parts)


def action_rows_html(
    rows: Iterable[ActionRow],
    *,
    raised: bool = False,
    can_edit: bool = False,
    just_added: str = "",
    edit_query: str = "",
) -> SafeString:
    """The ``<tr>`` of each row: ``raised`` adds the meeting's date under the ref, ``can_edit``
    the Edit cell (its link to the edit form followed by ``edit_query``), ``just_added`` the
    highlight on the row with that dom id."""
    html = "".join(
        [
            _row_html(
                row,
                raised=raised,
                can_edit=can_edit,
                just_added=just_added,
                edit_query=edit_query,
            )
            for row in rows
        ]
    )
    return mark_safe(html)  # noqa: S308 - every value is escaped in _row_html


@register.simple_tag(takes_context=True)
def action_rows(context: Any, rows: Iterable[ActionRow], *, raised: bool = False) -> SafeString:
    """``{% action_rows rows raised=True %}``: the rows' ``<tr>``; the Edit buttons when the
    context's ``can_edit`` (back to the meeting page), the highlight on ``just_added``."""
    return action_rows_html(
        rows,
        raised=raised,
        can_edit=bool(context.get("can_edit")),
        just_added=str(context.get("just_added") or ""),
        edit_query="?return_to=meeting",
    )
