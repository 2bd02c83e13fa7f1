"""Wall-clock times and dates people type: the one rule for the browser, the API and imports.

A time typed without an offset is a London wall-clock time. Twice a year that is not one
instant: in spring an hour is skipped (01:30 on 31 March 2024 never happens) and in autumn
an hour happens twice (01:30 on 29 October 2023 is 00:30 UTC and 01:30 UTC). Python picks
one silently; :func:`london_datetime` refuses both with a sentence naming the change.

Dates of the record (meetings, due and closed dates, issue dates…) lie from 1990 to 2100:
a year outside is a typing slip (0203 for 2023), and London before 1847 keeps local mean
time, which no API client can write. :func:`date_range_errors` is the check every
validated save runs (``core.services.validated_save``).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

DATE_YEARS = (1990, 2100)
DATE_RANGE_MESSAGE = f"Give a date from {DATE_YEARS[0]} to {DATE_YEARS[1]}."


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _exists(naive: dt.datetime, zone: ZoneInfo) -> bool:
    """True unless ``naive`` falls in a gap (the clocks skip it)."""
    aware = naive.replace(tzinfo=zone)
    return aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == naive


def _is_ambiguous(naive: dt.datetime, zone: ZoneInfo) -> bool:
    """True when ``naive`` happens twice (the clocks go back over it)."""
    return naive.replace(tzinfo=zone, fold=0).utcoffset() != naive.replace(
        tzinfo=zone, fold=1
    ).utcoffset() and _exists(naive, zone)


def _when(naive: dt.datetime) -> str:
    return f"{naive:%H:%M} on {naive.day} {naive:%B %Y}"


def _offset(value: dt.timedelta | None) -> str:
    minutes = int((value or dt.timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def london_datetime(date: dt.date, time: dt.time) -> dt.datetime:
    """The instant of wall-clock ``date`` ``time`` in the site's zone (London).

    Raises ValidationError for a time the clocks skip ("01:30 on 31 March 2024 does not
    exist in London; clocks go forward at 01:00") or pass twice (naming both offsets).
    """
    return london_aware(dt.datetime.combine(date, time))


def london_aware(naive: dt.datetime) -> dt.datetime:
    """:func:`london_datetime` for a naive datetime (the API's time without an offset)."""
    zone = _zone()
    naive = naive.replace(tzinfo=None, fold=0)
    step = dt.timedelta(minutes=1)
    if not _exists(naive, zone):
        start = naive
        while not _exists(start - step, zone):
            start -= step
        raise ValidationError(
            f"{_when(naive)} does not exist in London; clocks go forward at {start:%H:%M}. "
            "Give a time outside the skipped hour.",
            code="nonexistent_time",
        )
    if _is_ambiguous(naive, zone):
        end = naive
        while _is_ambiguous(end + step, zone):
            end += step
        first = naive.replace(tzinfo=zone, fold=0)
        second = naive.replace(tzinfo=zone, fold=1)
        raise ValidationError(
            f"{_when(naive)} happens twice in London (clocks go back at "
            f"{end + step:%H:%M}): first at {_offset(first.utcoffset())} "
            f"({first.tzname()}), then at {_offset(second.utcoffset())} ({second.tzname()}). "
            "Give a time outside that hour, or (in the API) the time with its offset.",
            code="ambiguous_time",
        )
    return naive.replace(tzinfo=zone)


def date_in_range(value: dt.date | dt.datetime | None) -> bool:
    """True when ``value`` (a datetime by its London date) is from 1990 to 2100, or None."""
    if value is None:
        return True
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            try:
                value = value.astimezone(_zone())
            except OverflowError:  # within a day of year 1 or 9999
                return False
        value = value.date()
    return DATE_YEARS[0] <= value.year <= DATE_YEARS[1]


def date_range_errors(instance: models.Model) -> dict[str, str]:
    """``{field: message}`` for each date or time of ``instance`` outside 1990 to 2100."""
    return {
        field.name: DATE_RANGE_MESSAGE
        for field in instance._meta.concrete_fields
        if isinstance(field, models.DateField)
        and not date_in_range(getattr(instance, field.attname))
    }
