"""Planning a committee's meetings as a series: an iCalendar recurrence rule read by dateutil's
``rrule`` ("monthly, second Wednesday"), a London wall-clock start and end, and a template
agenda copied to each meeting.

The rule runs over calendar dates; each date's meeting starts at the given London
wall-clock time (``core.times.london_datetime``), so a series across a change of the
clocks keeps 10:00 London time (09:00 UTC in summer, 10:00 UTC in winter), and a time the
clocks skip or pass twice on one of its dates is refused, as everywhere else. Each meeting
is created by ``meetings.services.meeting_create`` (its ref, number and history as for
any meeting); a meeting moved later moves its due-by-meeting actions as any meeting does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil import rrule
from django.core.exceptions import ValidationError
from django.db import transaction

from core import roles
from core.actors import history_user
from core.services import validated_save
from core.times import london_datetime

from .models import Committee, Meeting, MeetingSeries
from .services import agenda_item_create, meeting_create

MAX_MEETINGS = 60
FREQUENCIES = {rrule.DAILY, rrule.WEEKLY, rrule.MONTHLY, rrule.YEARLY}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def series_rule(*, frequency: str, count: int, weekday: str = "", week: int = 0) -> str:
    """The rule text of the usual series: ``monthly`` on the ``week``-th ``weekday``
    (``week`` -1: the last), ``weekly`` or ``fortnightly`` on ``weekday``; ``count`` times.

    >>> series_rule(frequency="monthly", weekday="WE", week=2, count=12)
    'FREQ=MONTHLY;BYDAY=+2WE;COUNT=12'
    """
    if frequency == "monthly":
        return f"FREQ=MONTHLY;BYDAY={week:+d}{weekday};COUNT={count}"
    interval = ";INTERVAL=2" if frequency == "fortnightly" else ""
    return f"FREQ=WEEKLY{interval};BYDAY={weekday};COUNT={count}"


def series_dates(*, rule: str, first_date: dt.date) -> list[dt.date]:
    """The dates ``rule`` gives from ``first_date`` on. Raises ValidationError for a rule
    dateutil cannot read, one more often than daily, or one without an end (``COUNT`` or
    ``UNTIL``) or of more than :data:`MAX_MEETINGS` meetings."""
    text = rule.strip().removeprefix("RRULE:")
    start = dt.datetime.combine(first_date, dt.time())
    try:
        parsed = rrule.rrulestr(text, dtstart=start)
    except (ValueError, TypeError) as exc:
        raise ValidationError({"rule": f"Not a recurrence rule dateutil reads: {exc}"}) from exc
    if not isinstance(parsed, rrule.rrule) or parsed._freq not in FREQUENCIES:
        raise ValidationError({"rule": "A series repeats daily, weekly, monthly or yearly."})
    if parsed._count is None and parsed._until is None:
        raise ValidationError({"rule": "Give the number of meetings (COUNT) or an end (UNTIL)."})
    dates = []
    for occurrence in parsed:
        if len(dates) == MAX_MEETINGS:
            raise ValidationError({"rule": f"A series plans at most {MAX_MEETINGS} meetings."})
        dates.append(occurrence.date())
    if not dates:
        raise ValidationError({"rule": "The rule gives no date from the first date on."})
    return dates


@transaction.atomic
def meeting_series_plan(
    *,
    committee: Committee,
    title: str,
    rule: str,
    first_date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    venue: str = "",
    classification: str = Meeting.Classification.PUBLIC,
    agenda_template: str = "",
    acting_user: Any,
) -> MeetingSeries:
    """Plan the committee's meetings of ``rule`` (all or none, PMO only): each a planned
    meeting from ``start_time`` to ``end_time`` London time on its date, with the template
    agenda (one item title a line). Raises ValidationError for a bad rule, an end not after
    the start, a time the clocks skip or repeat on one of the dates (naming it);
    PermissionDenied unless a recorder."""
    roles.require_recorder(acting_user, committee.pk)
    series = validated_save(
        MeetingSeries(
            committee=committee,
            title=title,
            rule=rule.strip(),
            first_date=first_date,
            start_time=start_time,
            end_time=end_time,
            venue=venue,
            classification=classification,
            agenda_template=agenda_template,
            created_by=history_user(acting_user),
        ),
        acting_user=acting_user,
    )
    for date in series_dates(rule=rule, first_date=first_date):
        try:
            start_at, end_at = london_datetime(date, start_time), london_datetime(date, end_time)
        except ValidationError as exc:
            raise ValidationError({"start_time": exc.messages}) from exc
        meeting = meeting_create(
            committee=committee,
            start_at=start_at,
            end_at=end_at,
            venue=venue,
            classification=classification,
            acting_user=acting_user,
        )
        for item in series.agenda_titles:
            agenda_item_create(meeting=meeting, title=item, acting_user=acting_user)
        series.meetings.add(meeting)
    return series
