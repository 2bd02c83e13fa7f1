"""Keyset ("seek") pages of a queryset: the one mechanism behind the API's cursor pagination
(``core.api.pagination``) and the browser's long lists (the action register).

A page is the rows strictly after (or, going back, before) a position in an ordering whose
last column is unique (the primary key is appended unless told otherwise), so every page
costs one indexed range read whatever its position: no ``OFFSET`` that reads and drops
every row before it, no ``COUNT``. Rows added or removed elsewhere never shift a page, and
walking the pages returns every row exactly once. A position travels as an opaque cursor:
URL-safe base64 of ``{"o": ordering, "v": [values], "r": 1 when going back}``.

No DRF here (the kernel's API plumbing builds on this, not the other way round): a bad
cursor raises :class:`CursorError`, which the API answers as a 400 and a page as the first
page.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import BaseExpression

Column = str | BaseExpression


class CursorError(ValueError):
    """A cursor that is not one of this list's in this ordering (tampered, or stale)."""


@dataclass(frozen=True)
class KeysetPage:
    """One page: its ``rows`` in the list's order, the cursor of the page after it and of
    the page before it (None when there is none), and whether there is a page before
    (``has_previous`` with no ``previous_cursor``: the page before is the first page)."""

    rows: list[Any]
    next_cursor: str | None
    previous_cursor: str | None
    has_previous: bool


def cursor_encode(ordering: str, values: list[Any], reverse: bool) -> str:
    payload: dict[str, Any] = {"o": ordering, "v": values}
    if reverse:
        payload["r"] = 1
    # Keys in this order, no spaces: the same bytes the API's cursors always had.
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode("ascii").rstrip("=")


def cursor_decode(raw: str, ordering: str, width: int) -> tuple[list[Any], bool]:
    """The values and direction in ``raw``; :class:`CursorError` unless it is a cursor of
    ``ordering`` with ``width`` plain values (strings without NUL, 64-bit integers)."""
    try:
        payload = orjson.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=="))
    except (ValueError, UnicodeEncodeError, binascii.Error, orjson.JSONDecodeError):
        raise CursorError(raw) from None
    if (
        not isinstance(payload, dict)
        or payload.get("o") != ordering
        or not isinstance(payload.get("v"), list)
        or len(payload["v"]) != width
        or not all(
            isinstance(v, int | str)
            and not isinstance(v, bool)
            and (not isinstance(v, str) or "\x00" not in v)
            and (not isinstance(v, int) or abs(v) < 2**63)
            for v in payload["v"]
        )
    ):
        raise CursorError(raw)
    return payload["v"], bool(payload.get("r"))


def _position(row: Any, names: list[str]) -> list[Any]:
    values = [row[n] if isinstance(row, Mapping) else getattr(row, n) for n in names]
    return [v.isoformat() if isinstance(v, dt.date | dt.datetime | dt.time) else v for v in values]


def _prepare(queryset: QuerySet, names: list[str], values: list[Any]) -> list[Any]:
    """Cursor values as the columns' Python types; :class:`CursorError` when one is not."""
    prepared = []
    for name, value in zip(names, values, strict=True):
        field = queryset.query.annotations[name].output_field
        try:
            value = field.to_python(value)
            if isinstance(value, dt.datetime) and value.tzinfo is not None:
                # Stored in UTC: a time whose UTC is past year 9999 or before year 1
                # (9999-12-31T23:59-01:00) overflows when the database driver converts it.
                value.astimezone(dt.UTC)
            prepared.append(value)
        except (ValidationError, TypeError, ValueError, OverflowError):
            raise CursorError(name) from None
    return prepared


def after_q(names: Sequence[str], values: Sequence[Any], descending: Sequence[bool]) -> Q:
    """Rows strictly after ``values`` in the lexicographic order of ``names`` (each column
    ascending or, where ``descending`` says, descending).

    ``(a > x) OR (a = x AND b > y) …``, led by ``a >= x``, which the OR implies: the
    database can then start the page at ``x`` in an index on ``a`` instead of reading the
    list from its start and filtering (a late page of 100,000 actions).
    """
    condition = Q()
    for i in range(len(names)):
        term = Q(**{names[j]: values[j] for j in range(i)})
        term &= Q(**{f"{names[i]}__{'lt' if descending[i] else 'gt'}": values[i]})
        condition |= term
    if len(names) > 1:
        condition = Q(**{f"{names[0]}__{'lt' if descending[0] else 'gt'}e": values[0]}) & condition
    return condition


def keyset_page(
    queryset: QuerySet | Callable[[], QuerySet],
    *,
    ordering: str,
    columns: Sequence[tuple[Column, bool]],
    size: int,
    cursor: str | None = None,
    from_end: bool = False,
    run: Callable[[Callable[[], QuerySet]], list[Any]] | None = None,
) -> KeysetPage:
    """The page of ``queryset`` at ``cursor`` (None: the first page; ``from_end``: the
    last), ``size`` rows, ordered by ``columns`` (``(column, descending)`` pairs: ORM paths
    or expressions that are never NULL, so wrap nullable ones in ``Coalesce``) and then by
    the primary key, which makes the key unique. ``ordering`` names the ordering in the
    cursors. One query. Raises :class:`CursorError` for a cursor not of this ordering.

    ``queryset`` may be a function making it, called only when the page's query is built;
    ``run`` (default ``list``) is given the function making the page's query and answers
    its rows: the API's lists keep the compiled query of a first page
    (``core.api.db.compiled_values``) and then need not build it again."""
    pairs = list(columns)
    if pairs[-1][0] not in ("pk", "id"):
        pairs.append(("pk", pairs[-1][1]))  # the tie-breaker that makes the key unique
    names = [f"_ks{i}" for i in range(len(pairs))]
    descending = [desc for _, desc in pairs]

    def annotated() -> QuerySet:
        made = queryset() if callable(queryset) else queryset
        return made.annotate(
            **{
                n: (F(c) if isinstance(c, str) else c)
                for n, (c, _) in zip(names, pairs, strict=True)
            }
        )

    base: QuerySet | None = None
    values: list[Any] | None = None
    backwards = from_end
    if cursor:
        values, backwards = cursor_decode(cursor, ordering, len(names))
        base = annotated()
        values = _prepare(base, names, values)
    order_descending = [desc != backwards for desc in descending]
    order = [f"-{n}" if desc else n for n, desc in zip(names, order_descending, strict=True)]

    def page_query() -> QuerySet:
        page = annotated() if base is None else base
        if values is not None:
            page = page.filter(after_q(names, values, order_descending))
        return page.order_by(*order)[: size + 1]

    rows = run(page_query) if run is not None else list(page_query())
    has_more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    has_next = values is not None if backwards else has_more
    has_previous = has_more if backwards else values is not None
    next_cursor = previous_cursor = None
    if rows and has_next:
        next_cursor = cursor_encode(ordering, _position(rows[-1], names), False)
    if rows and has_previous:
        previous_cursor = cursor_encode(ordering, _position(rows[0], names), True)
    return KeysetPage(rows, next_cursor, previous_cursor, has_previous)
