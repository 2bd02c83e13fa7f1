"""``{% load action_rows %}``: action rows as table rows, from the one partial.

``{% action_rows rows %}`` renders ``jinja2/actions/_action_rows.html`` (the ``<tr>`` of each
:class:`actions.rows.ActionRow`) for the register, the meeting page and the edit-in-place
row. The partial goes through Django's Jinja2 backend, not the Django engine, because a
meeting page lists a few hundred rows and the Django engine's per-variable cost would take
most of the page's time budget (the measurement is in BENCHMARKS.md); autoescaping is on
there as here, so the markup is the same and every value is escaped.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

from actions.rows import ActionRow

register = template.Library()

PARTIAL = "actions/_action_rows.html"


@functools.cache
def _partial() -> Any:
    """The compiled partial (the Jinja2 backend's template), loaded once per process."""
    return engines["jinja2"].get_template(PARTIAL)


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
    html = _partial().render(
        {
            "rows": rows,
            "raised": raised,
            "can_edit": can_edit,
            "just_added": just_added,
            "edit_query": edit_query,
        }
    )
    return mark_safe(html)  # noqa: S308 - the partial is autoescaped


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
