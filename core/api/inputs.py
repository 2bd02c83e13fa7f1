"""What the API reads: JSON bodies, write input that refuses unknown fields, timestamps.

DRF's settings name :class:`JSONParser`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django_filters.fields import IsoDateTimeField
from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.request import Request

from core.times import london_aware


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
    JSON types are kept as the schema gives them: DRF turns a number into text for a text
    field (``owners: [0]`` named an organisation "0") and 0 or 1 into a boolean; here a text
    field takes a string and a boolean true or false, else a 400 on that field.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors: dict[str, list[str]] = {}
            for key, value in data.items():
                field = self.fields.get(key)
                if field is not None and not field.read_only:
                    errors.update(_type_errors(key, field, value))
                elif key in SERVER_ASSIGNED_FIELDS:
                    errors[key] = [f"The server assigns the {key}; leave it out."]
                else:
                    errors[key] = ["Unknown field."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def _type_errors(name: str, field: serializers.Field, value: Any) -> dict[str, list[str]]:
    """``{name: [message]}`` when ``value`` is not of the JSON type ``field`` documents."""
    if value is None:
        return {}
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        found: dict[str, list[str]] = {}
        for index, item in enumerate(value):
            found.update(_type_errors(f"{name}.{index}", field.child, item))
        return found
    if isinstance(field, serializers.CharField) and not isinstance(value, str):
        return {name: [f"Give text (a JSON string), not {_json_type(value)}."]}
    if isinstance(field, serializers.BooleanField) and not isinstance(value, bool):
        return {name: [f"Give true or false, not {_json_type(value)}."]}
    return {}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"


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


DATETIME_YEARS = (1900, 2999)
DATETIME_RANGE_MESSAGE = "Give a date and time from 1900 to 2999."


class DateTimeInputField(serializers.DateTimeField):
    """An aware date and time from 1900 to 2999 (stored in UTC).

    Far-off years are refused: Europe/London before 1847 keeps local mean time, an offset
    of -00:01:15 that RFC 3339 (and so every API client) cannot write.
    """

    def to_internal_value(self, value: Any) -> dt.datetime:
        result = super().to_internal_value(value)
        if not DATETIME_YEARS[0] <= result.year <= DATETIME_YEARS[1]:
            raise serializers.ValidationError(DATETIME_RANGE_MESSAGE)
        return result

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        """A time without an offset is London's wall clock: the browser's rule (core.times)."""
        if timezone.is_naive(value):
            try:
                value = london_aware(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from None
        return super().enforce_timezone(value)


def _refuse_empty(value: Any, message: str) -> None:
    """An empty ``?name=`` is not a value of a date or boolean parameter: a 400, not ignored."""
    if value == "":
        raise forms.ValidationError(message)


class _BoundedIsoDateTimeField(IsoDateTimeField):
    def clean(self, value: Any) -> dt.datetime | None:
        _refuse_empty(value, "Give a date and time with its offset.")
        result = super().clean(value)
        if result is not None and not DATETIME_YEARS[0] <= result.year <= DATETIME_YEARS[1]:
            raise forms.ValidationError(DATETIME_RANGE_MESSAGE)
        return result


class DateTimeQueryFilter(django_filters.IsoDateTimeFilter):
    """A list's ``?…_after=`` / ``?…_before=`` timestamp, from 1900 to 2999 like the input.

    Beyond, converting the time to UTC leaves the calendar (year 1 at +01:00, 9999-12-31
    at -05:00): Python raises OverflowError, a 500, where a 400 is the answer.
    """

    field_class = _BoundedIsoDateTimeField


class _DateQueryField(forms.DateField):
    def clean(self, value: Any) -> dt.date | None:
        _refuse_empty(value, "Give a date as YYYY-MM-DD.")
        return super().clean(value)


class DateQueryFilter(django_filters.DateFilter):
    """A list's date parameter: YYYY-MM-DD, and an empty one refused like any other bad date."""

    field_class = _DateQueryField


class _BooleanQueryField(forms.Field):
    def clean(self, value: Any) -> bool | None:
        if value is None:
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise forms.ValidationError("Give true or false.")


class BooleanQueryFilter(django_filters.BooleanFilter):
    """A list's boolean parameter: true or false; anything else a 400 (Django's filter took
    ``?is_team=yes please`` for no filter at all, answering the whole list)."""

    field_class = _BooleanQueryField
