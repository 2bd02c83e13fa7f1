"""Browser URLs of the meetings app: the meeting list, and creating and editing a meeting.

The meeting page and what is recorded on it are the composer's (``composer.urls``); this
list comes first so that ``meetings/new/`` is never read as a meeting ref.
"""

from django.urls import path

from . import attendance_views, participant_views, series_views, views

urlpatterns: list = [
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/new/", views.MeetingCreateView.as_view(), name="meeting-create"),
    path(
        "meetings/series/new/",
        series_views.MeetingSeriesCreateView.as_view(),
        name="meeting-series-create",
    ),
    path("meetings/<str:ref>/edit/", views.MeetingUpdateView.as_view(), name="meeting-edit"),
    path(
        "meetings/<str:ref>/participants/",
        participant_views.MeetingParticipantsView.as_view(),
        name="meeting-participants",
    ),
    path(
        "meetings/<str:ref>/attendance/",
        attendance_views.MeetingAttendanceView.as_view(),
        name="meeting-attendance",
    ),
    path(
        "meetings/<str:ref>/attendance/quorum/",
        attendance_views.MeetingQuorumView.as_view(),
        name="meeting-quorum",
    ),
]
