"""Text helpers of the import: spacing, markup, dates and times as a report writes them."""

from __future__ import annotations

import datetime as dt
import html
import re
from zoneinfo import ZoneInfo

import nh3
from django.conf import settings

from composer.report_text import ref_emphasis_removed
from core import refs

LONDON = ZoneInfo(settings.TIME_ZONE)

_WS_RE = re.compile(r"\s+")
_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_DATE_RE = re.compile(
    r"^(?:(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})"
    r"|(?:[A-Za-z]+day,?\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month>[A-Za-z]+)\s+(?P<year>\d{4}))"
)
_TIME_RE = re.compile(
    r"^(?P<h>\d{1,2})(?:[:.]?(?P<m>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE
)


def squash(text: str) -> str:
    return _WS_RE.sub(" ", text or "").strip()


def title_key(text: str) -> str:
    """Compare area titles ignoring case and spacing."""
    return squash(text).casefold()


def plain(text: str) -> str:
    """Cell text without markup: tags dropped, entities decoded, spaces squashed."""
    return squash(html.unescape(nh3.clean(text or "", tags=set(), attributes={})))


def parse_date(text: str) -> dt.date:
    """``11/10/2023`` or ``11 October 2023`` to a date; ValueError otherwise."""
    match = _DATE_RE.match(squash(text))
    if not match or match.end() != len(squash(text)):
        raise ValueError(f"“{text}” is not a date such as 11/10/2023 or 11 October 2023")
    if match["d"]:
        return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    month = _MONTHS.get(match["month"].lower())
    if month is None:
        raise ValueError(f"“{match['month']}” is not a month")
    return dt.date(int(match["year"]), month, int(match["day"]))


def parse_time(text: str) -> dt.time:
    """``1000``, ``10:00``, ``10am``, ``1.30pm`` to a time; ValueError otherwise."""
    match = _TIME_RE.match(squash(text))
    if not match:
        raise ValueError(f"“{text}” is not a time such as 1000, 10:00 or 10am")
    hour, minute = int(match["h"]), int(match["m"] or 0)
    ampm = (match["ampm"] or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise ValueError(f"“{text}” is not a time of day")
    return dt.time(hour, minute)


def parse_date_and_times(
    text: str, *, default_time: dt.time | None = None
) -> tuple[dt.datetime, dt.datetime | None]:
    """``13 September 2023 1000-1300`` to aware start and end (Europe/London).

    The end is None when only a start time is written; with no time at all ``default_time``
    is used (ValueError when there is none).
    """
    text = squash(text)
    match = _DATE_RE.match(text)
    if not match:
        raise ValueError(f"“{text}” does not start with a date such as 13 September 2023")
    date = parse_date(match.group(0))
    rest = text[match.end() :].strip().lstrip(",").strip()
    rest = re.sub(r"^(?:at|from)\s+", "", rest, flags=re.IGNORECASE)
    if not rest:
        if default_time is None:
            raise ValueError(f"“{text}” has no time")
        return dt.datetime.combine(date, default_time, tzinfo=LONDON), None
    parts = [p for p in re.split(r"\s*(?:-|–|—|\bto\b|\buntil\b)\s*", rest) if p]
    if len(parts) > 2:
        raise ValueError(f"“{rest}” is not a time or a time range such as 1000-1300")
    start_time = parse_time(parts[0])
    end_time = parse_time(parts[1]) if len(parts) == 2 else None
    # "2-4pm" is 14:00-16:00, while "10-1pm" stays 10:00-13:00.
    if (
        end_time
        and not re.search(r"am|pm", parts[0], re.IGNORECASE)
        and re.search(r"pm", parts[1], re.IGNORECASE)
        and start_time.hour < 12
        and dt.time(start_time.hour + 12, start_time.minute) < end_time
    ):
        start_time = dt.time(start_time.hour + 12, start_time.minute)
    start = dt.datetime.combine(date, start_time, tzinfo=LONDON)
    end = dt.datetime.combine(date, end_time, tzinfo=LONDON) if end_time else None
    if end is not None and end <= start:
        raise ValueError(f"the meeting ends ({parts[1]}) before it starts ({parts[0]})")
    return start, end


# Discussion cells keep the emphasis the report uses; the PDF's extraction put spaces inside
# brackets around emphasised text ("( <b>ACTION DAG28-02</b> )"), which are removed.
_EMPH = r"(?:b|strong|u|i|em)"


def discussion_html(cell: str, code: str = "") -> str:
    """A discussion cell as sanitised HTML, with the extraction's stray spaces removed, and
    without bold written around a ref of the committee ``code`` (the report prints those
    refs bold itself: :func:`composer.report_text.ref_emphasis_removed`), so the report
    this product renders imports back into the same text."""
    text = squash(cell)
    text = re.sub(rf"\(\s+(?=<{_EMPH}>)", "(", text)
    text = re.sub(rf"(</{_EMPH}>)\s+\)", r"\1)", text)
    text = re.sub(rf"(</{_EMPH}>)\s+(?=[:;,.])", r"\1", text)
    text = re.sub(r"</u>\s+<u>", " ", text)
    text = ref_emphasis_removed(text, (code,) if code else ())
    return nh3.clean(text, tags={"b", "strong", "u", "i", "em", "br"}, attributes={}).strip()


def cr_numbers(text: str) -> list[int]:
    return [
        refs.parse_change_request_ref(f.ref)
        for f in refs.find_refs(plain(text), ())
        if f.kind == refs.RefKind.CHANGE_REQUEST
    ]
