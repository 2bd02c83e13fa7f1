"""Calendar URLs (``composer.calendar_views``)."""

from django.urls import path

from . import calendar_views

urlpatterns: list = [
    path("calendar/", calendar_views.CalendarFeedView.as_view(), name="calendar-feed"),
    path("calendar/<str:token>.ics", calendar_views.person_feed, name="calendar-person"),
    path(
        "calendar/<str:token>/<str:code>.ics",
        calendar_views.committee_feed,
        name="calendar-committee",
    ),
    path(
        "meetings/<str:ref>/meeting.ics",
        calendar_views.MeetingIcsView.as_view(),
        name="meeting-ics",
    ),
]
