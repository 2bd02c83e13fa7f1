"""Calendar pages and feeds (``composer.calendar``): the "Calendar feed" page of the user
menu, the secret feed addresses a calendar program fetches, and a meeting's ``.ics``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from composer.calendar import (
    calendar_feed_for,
    calendar_feed_reset,
    calendar_feed_user,
    committee_calendar,
    committee_list_for_feeds,
    meeting_calendar,
    person_calendar,
)
from core.views import LoginRequired, today_london
from meetings.models import Committee, Meeting

ICS = "text/calendar; charset=utf-8"


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=ICS)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # The address is a secret and the content personal: no shared cache keeps it.
    response["Cache-Control"] = "private, no-store"
    return response


class CalendarFeedView(LoginRequired):
    """``/calendar/``: the user's feed addresses, and a button to reset them."""

    def get(self, request: HttpRequest) -> HttpResponse:
        feed = calendar_feed_for(request.user)
        site = settings.SITE_URL.rstrip("/")
        committees = [
            (c, site + reverse("calendar-committee", args=[feed.token, c.code]))
            for c in committee_list_for_feeds(request.user)
        ]
        response = render(
            request,
            "calendar/feed.html",
            {
                "feed_url": site + reverse("calendar-person", args=[feed.token]),
                "committees": committees,
                "feed": feed,
            },
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def post(self, request: HttpRequest) -> HttpResponse:
        calendar_feed_reset(user=request.user, acting_user=request.user)
        messages.success(
            request, "Your calendar feed has a new address; the old one no longer works."
        )
        return HttpResponseRedirect(reverse("calendar-feed"))


@never_cache
def person_feed(request: HttpRequest, token: str) -> HttpResponse:
    """``/calendar/<token>.ics``: no session, the token names the user."""
    user = calendar_feed_user(token)
    if user is None:
        raise Http404("No such calendar feed.")
    return _ics(person_calendar(user, today=today_london()), "governance-tracker.ics")


@never_cache
def committee_feed(request: HttpRequest, token: str, code: str) -> HttpResponse:
    """``/calendar/<token>/<code>.ics``: a committee's meetings the token's user may see."""
    user = calendar_feed_user(token)
    if user is None:
        raise Http404("No such calendar feed.")
    committee = get_object_or_404(Committee, code=code)
    return _ics(committee_calendar(user, committee), f"{committee.code}.ics")


class MeetingIcsView(LoginRequired):
    """``/meetings/<ref>/meeting.ics``: one meeting to add to a calendar."""

    def get(self, request: HttpRequest, ref: str, **kwargs: Any) -> HttpResponse:
        meeting = get_object_or_404(
            Meeting.objects.visible_to(request.user).select_related("committee"), ref=ref
        )
        return _ics(meeting_calendar(meeting), f"{meeting.ref}.ics")
