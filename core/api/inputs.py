"""What the API reads: JSON bodies, write input that refuses unknown fields, timestamps.

DRF's settings name :class:`JSONParser`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.request import Request


class JSONParser(DRFJSONParser):
    """DRF's JSON parser, with a body nested too deep for Python's parser answered 400.

    ``json`` raises RecursionError (not a ValueError) past about a thousand levels of
    ``[[[…`` or ``{"a": {"a": …``, which DRF's parser lets through as a 500.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                "JSON parse error - the body is nested too deeply."
            ) from None


SERVER_ASSIGNED_FIELDS = frozenset({"ref", "id", "seq", "number", "url", "version"})


class InputSerializer(serializers.Serializer):
    """Input of a write: unknown fields are refused, server-assigned ones (``ref``) named.

    A typo (``due_dat``) or a ref chosen by the client is an error, never silently ignored.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors: dict[str, list[str]] = {}
            for key in data:
                if key in self.fields and not self.fields[key].read_only:
                    continue
                if key in SERVER_ASSIGNED_FIELDS:
                    errors[key] = [f"The server assigns the {key}; leave it out."]
                else:
                    errors[key] = ["Unknown field."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def validated_input(
    serializer_class: type[serializers.Serializer],
    request: Request,
    *,
    partial: bool = False,
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The request body validated by ``serializer_class``; raises ValidationError (400)."""
    serializer = serializer_class(
        data=request.data, partial=partial, context={"request": request, **(context or {})}
    )
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def choices_help(choices: Iterable[tuple[str, str]]) -> str:
    """``open`` (Open), ``closed`` (Closed)…: enum values with their labels, for help text."""
    return ", ".join(f"{value} ({label})" for value, label in choices)


class DateTimeInputField(serializers.DateTimeField):
    """An aware date and time from 1900 to 2999 (stored in UTC).

    Far-off years are refused: Europe/London before 1847 keeps local mean time, an offset
    of -00:01:15 that RFC 3339 (and so every API client) cannot write.
    """

    def to_internal_value(self, value: Any) -> dt.datetime:
        result = super().to_internal_value(value)
        if not 1900 <= result.year <= 2999:
            raise serializers.ValidationError("Give a date and time from 1900 to 2999.")
        return result
