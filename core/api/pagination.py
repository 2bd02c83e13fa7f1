"""Keyset (cursor) pagination of the API's lists: DRF's settings name :class:`KeysetPagination`."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import BaseExpression
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.api.renderers import json_bytes


@dataclass(frozen=True)
class OrderKey:
    """An ordering a list offers: its public name and the columns it sorts by.

    Columns are ORM paths or expressions and must never be NULL (wrap nullable ones in
    ``Coalesce``); the primary key is appended so the key is unique and pages are stable.
    """

    name: str
    columns: tuple[str | BaseExpression, ...]
    description: str = ""
    descending: bool = False


class KeysetPagination(BasePagination):
    """Cursor ("keyset") pagination: ``?cursor=…&page_size=…&ordering=…``.

    A page is the rows strictly after (or, going back, before) the position encoded in
    the cursor, in the chosen ordering with the primary key as the tie-breaker. Rows
    added or removed elsewhere never shift a page, no page repeats or skips a row, and no
    ``COUNT`` is run: every page costs one query whatever its position. The view lists
    its orderings in ``keyset_orderings`` (first is the default); ``-name`` reverses one.
    Answers ``{"next": url|null, "previous": url|null, "results": [...]}``.
    """

    page_size = 50
    max_page_size = 500
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    ordering_query_param = "ordering"

    def __init__(self) -> None:
        self.next_url: str | None = None
        self.previous_url: str | None = None

    # view → orderings
    @staticmethod
    def orderings(view: Any) -> dict[str, OrderKey]:
        keys: Sequence[OrderKey] = getattr(view, "keyset_orderings", ()) or (
            OrderKey("id", ("pk",), "creation order"),
        )
        return {key.name: key for key in keys}

    def _ordering(self, request: Request, view: Any) -> tuple[OrderKey, bool]:
        orderings = self.orderings(view)
        wanted = request.query_params.get(self.ordering_query_param)
        if wanted is None:
            key = next(iter(orderings.values()))
            return key, key.descending
        reverse = wanted.startswith("-")
        key = orderings.get(wanted[1:] if reverse else wanted)  # "" is no ordering: refused
        if key is None:
            choices = ", ".join(sorted(orderings))
            raise exceptions.ValidationError(
                {self.ordering_query_param: [f"Order by one of {choices} (prefix - to reverse)."]}
            )
        return key, key.descending != reverse

    def _page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            # Above the maximum too: the schema documents it, and a client asking for more
            # rows than it gets would take the short page for the whole list.
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def _decode(self, raw: str, ordering: str, width: int) -> tuple[list[Any], bool]:
        invalid = exceptions.ValidationError(
            {self.cursor_query_param: ["This cursor is not valid for this list and ordering."]}
        )
        try:
            payload = orjson.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=="))
        except (ValueError, UnicodeEncodeError, binascii.Error, orjson.JSONDecodeError):
            raise invalid from None
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
            raise invalid
        return payload["v"], bool(payload.get("r"))

    @staticmethod
    def _encode(ordering: str, values: list[Any], reverse: bool) -> str:
        payload: dict[str, Any] = {"o": ordering, "v": values}
        if reverse:
            payload["r"] = 1
        return base64.urlsafe_b64encode(json_bytes(payload)).decode("ascii").rstrip("=")

    @staticmethod
    def _position(row: Any, names: list[str]) -> list[Any]:
        values = [row[n] if isinstance(row, Mapping) else getattr(row, n) for n in names]
        return [
            v.isoformat() if isinstance(v, dt.date | dt.datetime | dt.time) else v for v in values
        ]

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list[Any]:
        """The rows of the requested page (one query); sets the next and previous links."""
        key, descending = self._ordering(request, view)
        size = self._page_size(request)
        columns = list(key.columns)
        if columns[-1] not in ("pk", "id"):
            columns.append("pk")  # the tie-breaker that makes the key unique
        names = [f"_ks{i}" for i in range(len(columns))]
        queryset = queryset.annotate(
            **{n: (F(c) if isinstance(c, str) else c) for n, c in zip(names, columns, strict=True)}
        )
        raw_cursor = request.query_params.get(self.cursor_query_param)
        values: list[Any] | None = None
        backwards = False
        if raw_cursor:
            values, backwards = self._decode(raw_cursor, key.name, len(names))
            values = self._prepare(queryset, names, values)
        sort_descending = descending != backwards
        if values is not None:
            queryset = queryset.filter(self._after(names, values, sort_descending))
        order = [f"-{n}" if sort_descending else n for n in names]
        rows = list(queryset.order_by(*order)[: size + 1])
        has_more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        has_next = True if backwards else has_more
        has_previous = has_more if backwards else values is not None
        url = request.build_absolute_uri()
        self.next_url = self.previous_url = None
        if rows and has_next:
            cursor = self._encode(key.name, self._position(rows[-1], names), False)
            self.next_url = replace_query_param(url, self.cursor_query_param, cursor)
        if rows and has_previous:
            cursor = self._encode(key.name, self._position(rows[0], names), True)
            self.previous_url = replace_query_param(url, self.cursor_query_param, cursor)
        elif has_previous:
            self.previous_url = remove_query_param(url, self.cursor_query_param)
        return rows

    @staticmethod
    def _prepare(queryset: QuerySet, names: list[str], values: list[Any]) -> list[Any]:
        """Cursor values as the columns' Python types; a tampered cursor is a 400."""
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
            except (DjangoValidationError, TypeError, ValueError, OverflowError):
                raise exceptions.ValidationError(
                    {"cursor": ["This cursor is not valid for this list and ordering."]}
                ) from None
        return prepared

    @staticmethod
    def _after(names: list[str], values: list[Any], descending: bool) -> Q:
        """Rows strictly after ``values`` in lexicographic order of ``names``.

        ``(a > x) OR (a = x AND b > y) …``, led by ``a >= x``, which the OR implies: the
        database can then start the page at ``x`` in an index on ``a`` instead of reading
        the list from its start and filtering (a late page of 100,000 actions).
        """
        op = "lt" if descending else "gt"
        condition = Q()
        for i in range(len(names)):
            term = Q(**{f"{names[j]}": values[j] for j in range(i)})
            term &= Q(**{f"{names[i]}__{op}": values[i]})
            condition |= term
        if len(names) > 1:
            condition = Q(**{f"{names[0]}__{op}e": values[0]}) & condition
        return condition

    def get_paginated_response(self, data: Any) -> Response:
        return Response(self.paginated_data(data))

    def paginated_data(self, data: Any) -> dict[str, Any]:
        return {"next": self.next_url, "previous": self.previous_url, "results": data}

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last page.",
                },
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The previous page, or null on the first page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        orderings = self.orderings(view)
        names = list(orderings)
        described = "; ".join(
            f"{k.name}: {k.description}" if k.description else k.name for k in orderings.values()
        )
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a next or previous link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (default {self.page_size}, at most "
                f"{self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
            {
                "name": self.ordering_query_param,
                "required": False,
                "in": "query",
                "description": f"Sort order ({described}); prefix - to reverse. Default "
                f"{names[0]}.",
                "schema": {"type": "string", "enum": names + [f"-{n}" for n in names]},
            },
        ]
