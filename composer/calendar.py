"""Calendars: a person's meetings and due dates, a committee's meetings, one meeting, as
iCalendar (RFC 5545) built with the ``icalendar`` package.

A person's feed holds the meetings of their committees (their current memberships; a
programme administrator without one gets every committee) and the due dates of their own
open actions ("My actions") as all-day events. Everything goes through the same visibility
rule as the pages (``visible_to``): a feed shows its user nothing a page would not.
Meeting times carry the Europe/London zone (with its VTIMEZONE), so a calendar program
shows them right on both sides of a clock change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from icalendar import Calendar, Event

from actions.rows import ActionRow
from actions.selectors import action_mine_for_user
from composer.models import CalendarFeed, new_calendar_token
from core import roles
from core.access import user_access
from core.actors import is_system
from core.links import url_maker
from meetings.models import Committee, Meeting

PRODUCT_ID = "-//Governance tracker//Calendar//EN"


def _uid_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def calendar_feed_for(user: Any) -> CalendarFeed:
    """The user's feed (its token made the first time it is asked for)."""
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_reset(*, user: Any, acting_user: Any) -> CalendarFeed:
    """Give ``user``'s feed a new token: every copy of the old address stops working.

    Only the user themself (or the system) may do it.
    """
    if not is_system(acting_user) and getattr(acting_user, "pk", None) != user.pk:
        raise PermissionDenied("Only the feed's own user can reset it.")
    with transaction.atomic():
        feed, _ = CalendarFeed.objects.select_for_update().get_or_create(user=user)
        feed.token = new_calendar_token()
        feed.reset_at = timezone.now()
        feed.save(update_fields=["token", "reset_at"])
    return feed


def calendar_feed_user(token: str) -> Any | None:
    """The active user whose feed has ``token``, or None."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    return feed.user if feed else None


def committees_of(user: Any) -> QuerySet[Committee]:
    """The committees on which ``user`` holds a seat today (``core.access``, the seats the
    access rule reads); every committee for a programme administrator who holds none."""
    seated = {seat.committee_id for seat in user_access(user).seats}
    if not seated and roles.is_pmo(user):
        return Committee.objects.all()
    return Committee.objects.filter(pk__in=seated)


def _meetings(user: Any, committees: Iterable[Committee] | QuerySet[Committee]) -> list[Meeting]:
    return list(
        Meeting.objects.visible_to(user)
        .real()
        .filter(committee__in=committees)
        .select_related("committee")
        .order_by("start_at")
    )


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def _meeting_event(meeting: Meeting, *, stamp: dt.datetime, url: str) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.ref}@{_uid_domain()}")
    event.add("dtstamp", stamp)
    event.add("dtstart", timezone.localtime(meeting.start_at))
    if meeting.end_at:
        event.add("dtend", timezone.localtime(meeting.end_at))
    title = f"{meeting.ref} {meeting.committee.name}"
    if meeting.title:
        title += f": {meeting.title}"
    event.add("summary", title)
    if meeting.venue:
        event.add("location", meeting.venue)
    event.add("url", url)
    event.add("description", f"{meeting.get_classification_display()} meeting. {url}")
    event.add("class", "PUBLIC" if meeting.classification == "public" else "PRIVATE")
    return event


def _due_event(row: ActionRow, *, stamp: dt.datetime, url: str) -> Event:
    event = Event()
    event.add("uid", f"action-{row.ref}@{_uid_domain()}")
    event.add("dtstamp", stamp)
    event.add("dtstart", row.due_date)  # a date: an all-day event
    event.add("dtend", row.due_date + dt.timedelta(days=1))
    summary = row.description if len(row.description) <= 80 else row.description[:79] + "…"
    event.add("summary", f"Due: {row.ref} {summary}")
    event.add("description", f"{row.description}\n\nOwners: {row.owners_text}\n{url}")
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def _finish(calendar: Calendar) -> bytes:
    calendar.add_missing_timezones()
    return calendar.to_ical()


def person_calendar(user: Any, *, today: dt.date) -> bytes:
    """``user``'s feed: their committees' meetings and their open actions' due dates."""
    stamp = timezone.now()
    site = settings.SITE_URL.rstrip("/")
    meeting_url = url_maker("meeting-detail", prefix=site)
    action_url = url_maker("action-detail", prefix=site)
    calendar = _calendar("Governance tracker: my meetings and actions")
    for meeting in _meetings(user, committees_of(user)):
        calendar.add_component(_meeting_event(meeting, stamp=stamp, url=meeting_url(meeting.ref)))
    for row in action_mine_for_user(user=user, today=today).rows:
        if row.due_date:
            calendar.add_component(_due_event(row, stamp=stamp, url=action_url(row.ref)))
    return _finish(calendar)


def committee_calendar(user: Any, committee: Committee) -> bytes:
    """The meetings of ``committee`` that ``user`` may see."""
    stamp = timezone.now()
    meeting_url = url_maker("meeting-detail", prefix=settings.SITE_URL.rstrip("/"))
    calendar = _calendar(f"{committee.full_name} meetings")
    for meeting in _meetings(user, [committee]):
        calendar.add_component(_meeting_event(meeting, stamp=stamp, url=meeting_url(meeting.ref)))
    return _finish(calendar)


def meeting_calendar(meeting: Meeting) -> bytes:
    """One meeting, for a calendar program's "import" (the caller checked it is visible)."""
    meeting_url = url_maker("meeting-detail", prefix=settings.SITE_URL.rstrip("/"))
    calendar = _calendar(f"{meeting.ref} {meeting.committee.name}")
    calendar.add_component(
        _meeting_event(meeting, stamp=timezone.now(), url=meeting_url(meeting.ref))
    )
    return _finish(calendar)


def committee_list_for_feeds(user: Any) -> list[Committee]:
    """The committees whose feeds the calendar page offers ``user``: those with a meeting
    the user may see, seat or not."""
    visible = Meeting.objects.visible_to(user).values("committee_id")
    return list(Committee.objects.filter(pk__in=visible).order_by("code"))
