"""Keyset (cursor) pagination of the API's lists: DRF's settings name :class:`KeysetPagination`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.db.models.expressions import BaseExpression
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.keyset import CursorError, keyset_page


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

    def paginate_queryset(
        self, queryset: QuerySet | Callable[[], QuerySet], request: Request, view: Any = None
    ) -> list[Any]:
        """The rows of the requested page (one query, ``core.keyset``); sets the next and
        previous links. ``queryset`` may be a function making it, and the view's
        ``page_run`` runs the page's query (``core.keyset.keyset_page``'s ``run``)."""
        key, descending = self._ordering(request, view)
        try:
            page = keyset_page(
                queryset,
                ordering=key.name,
                columns=[(column, descending) for column in key.columns],
                size=self._page_size(request),
                cursor=request.query_params.get(self.cursor_query_param) or None,
                run=getattr(view, "page_run", None),
            )
        except CursorError:
            raise exceptions.ValidationError(
                {self.cursor_query_param: ["This cursor is not valid for this list and ordering."]}
            ) from None
        url = request.build_absolute_uri()
        self.next_url = self.previous_url = None
        if page.next_cursor:
            self.next_url = replace_query_param(url, self.cursor_query_param, page.next_cursor)
        if page.previous_cursor:
            self.previous_url = replace_query_param(
                url, self.cursor_query_param, page.previous_cursor
            )
        elif page.has_previous:
            self.previous_url = remove_query_param(url, self.cursor_query_param)
        return page.rows

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
