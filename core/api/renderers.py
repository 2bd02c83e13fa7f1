"""How the API writes its answers: JSON through orjson, PDF bytes, and content negotiation.

DRF's settings name :class:`ORJSONRenderer` and :class:`ContentNegotiation`; the other
modules of :mod:`core.api` write JSON with :func:`json_bytes` (cursors, ETags).
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from django.db.models import QuerySet
from django.utils.functional import Promise
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


def _orjson_default(value: Any) -> Any:
    """What orjson cannot write itself: lazy strings, decimals, sets, querysets."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple | QuerySet):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_bytes(data: Any, *, sort_keys: bool = False) -> bytes:
    """``data`` as JSON bytes (orjson); dates as ISO 8601, datetimes with their offset."""
    option = orjson.OPT_SORT_KEYS if sort_keys else 0
    return orjson.dumps(data, default=_orjson_default, option=option)


class PDFRenderer(BaseRenderer):
    """``application/pdf``: lets a client ask for a PDF download (the bytes pass through)."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        return data if isinstance(data, bytes) else json_bytes(data)


class ORJSONRenderer(BaseRenderer):
    """``application/json`` written by orjson: several times faster than ``json`` on lists."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        return json_bytes(data)


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's content negotiation, with the usual request answered without parsing ``Accept``.

    With no ``Accept`` header, ``*/*``, or exactly the first renderer's media type, and no
    ``?format=`` or format suffix, DRF's answer is always the first renderer and its media
    type; this returns that at once (DRF parses and orders the header on every request).
    Any other request gets DRF's negotiation, 406 included.
    """

    def select_renderer(
        self, request: Request, renderers: Sequence[BaseRenderer], format_suffix: Any = None
    ) -> tuple[BaseRenderer, str]:
        if renderers and format_suffix is None:
            first = renderers[0]
            accept = request.META.get("HTTP_ACCEPT", "*/*")
            if accept in ("*/*", first.media_type) and (
                self.settings.URL_FORMAT_OVERRIDE not in request.query_params
            ):
                return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
