"""Timestamps as the API writes them, for rows built without a serializer.

:func:`datetime_text` writes what DRF's ``DateTimeField`` writes; :class:`DateTimeText`
lets PostgreSQL do most of that formatting in the query (the action list).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.db.models import DateTimeField, Func
from django.utils import timezone
from rest_framework import serializers


def datetime_text(value: dt.datetime | str | None, tz: dt.tzinfo | None = None) -> str | None:
    """An aware datetime as the API writes it: Europe/London ISO 8601, ``Z`` when UTC.

    The same text DRF's ``DateTimeField`` writes, for rows built without a serializer.
    ``tz``: the current time zone, looked up once by a caller writing many rows. A string
    is a :class:`DateTimeText` column already formatted by PostgreSQL (local text with
    microseconds, a space, the UTC offset in seconds), finished here.
    """
    if value is None:
        return None
    if isinstance(value, str):
        local, _, offset = value.rpartition(" ")
        if int(offset) % 60:  # local mean time (below): written in UTC
            utc = dt.datetime.fromisoformat(local) - dt.timedelta(seconds=int(offset))
            return datetime_text(utc.replace(tzinfo=dt.UTC), tz)
        if local.endswith(".000000"):
            local = local[:-7]  # as isoformat(): no fraction for a whole second
        return local + _utc_offset_text(int(offset))
    local = value.astimezone(tz or timezone.get_current_timezone())
    offset = local.utcoffset()
    if offset is not None and offset.seconds % 60:
        # Local mean time (London before 1847: -00:01:15) has no RFC 3339 offset: UTC.
        local = value.astimezone(dt.UTC)
    text = local.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@functools.cache
def _utc_offset_text(seconds: int) -> str:
    """``Z``, ``+01:00``: the offset as isoformat() writes it, with DRF's ``Z`` for UTC."""
    if seconds == 0:
        return "Z"
    hours, rest = divmod(abs(seconds), 3600)
    minutes = rest // 60
    return f"{'-' if seconds < 0 else '+'}{hours:02d}:{minutes:02d}"


class DateTimeOutputField(serializers.DateTimeField):
    """A timestamp written as :func:`datetime_text` writes it: always RFC 3339.

    DRF writes ``isoformat()``, which gives a year-1 meeting London's local mean time,
    ``-00:01:15``, an offset RFC 3339 cannot hold; this writes such a time in UTC.
    """

    def to_representation(self, value: dt.datetime | None) -> str | None:
        return datetime_text(value)


class DateTimeText(Func):
    """A timestamp column for :func:`datetime_text`, formatted by PostgreSQL.

    Turning a page's timestamps into Europe/London ISO text in Python (a time zone
    conversion and an ``isoformat`` per timestamp) was a large share of the CPU of the
    action list (issue #7). On PostgreSQL this reads the column as one text: the local
    time in the current time zone with microseconds, a space and the UTC offset in
    seconds, which datetime_text finishes with two string operations. Elsewhere (SQLite)
    it is the column itself, read as an aware datetime.
    """

    arity = 1
    output_field = DateTimeField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return compiler.compile(self.get_source_expressions()[0])

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQL by hand: the ORM has no to_char() (formatting a timestamp as text) and no
        # expression for ``AT TIME ZONE`` outside its own Trunc and Extract functions.
        column, params = compiler.compile(self.get_source_expressions()[0])
        local = f"({column} AT TIME ZONE %s)"
        sql = (
            f"(to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || ' ' || "
            f"EXTRACT(EPOCH FROM {local} - ({column} AT TIME ZONE 'UTC'))::integer)"
        )
        zone = timezone.get_current_timezone_name()
        return sql, (*params, zone, *params, zone, *params)
