"""Browser URLs of the composer: home, the meeting page and recording on it, reviews, the
headline report (``report_urls``) and the reminder emails' links (``reminder_urls``).

Records are addressed by their refs: ``/meetings/DAG028/``. The report URLs come first so
that their fixed paths (such as an import page) are never read as a meeting ref.
"""

from django.urls import include, path

from . import (
    change_request_views,
    record_views,
    review_views,
    since_last_views,
    take_up_views,
    views,
)
from .search.views import SearchView

urlpatterns: list = [
    path("", include("composer.report_urls")),
    path("", include("composer.reminder_urls")),
    path("", include("composer.calendar_urls")),
    path("", include("composer.export_urls")),
    path("", include("composer.agenda_urls")),
    path("", views.HomeView.as_view(), name="home"),
    path("search/", SearchView.as_view(), name="search"),
    path("meetings/<str:ref>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<str:ref>/agenda/", views.MeetingAgendaView.as_view(), name="meeting-agenda"),
    path("meetings/<str:ref>/history/", views.MeetingHistoryView.as_view(), name="meeting-history"),
    path("meetings/<str:ref>/reports/", views.MeetingReportsView.as_view(), name="meeting-reports"),
    path(
        "meetings/<str:ref>/areas/new/",
        record_views.MeetingAgendaItemCreateView.as_view(),
        name="meeting-area-create",
    ),
    path(
        "meetings/<str:ref>/actions/new/",
        record_views.MeetingActionCreateView.as_view(),
        name="meeting-action-create",
    ),
    path(
        "meetings/<str:ref>/decisions/new/",
        record_views.MeetingDecisionCreateView.as_view(),
        name="meeting-decision-create",
    ),
    path(
        "meetings/<str:ref>/discussion/new/",
        record_views.MeetingDiscussionCreateView.as_view(),
        name="meeting-discussion-create",
    ),
    path(
        "meetings/<str:ref>/discussion/<int:pk>/edit/",
        record_views.DiscussionItemUpdateView.as_view(),
        name="discussion-edit",
    ),
    path(
        "meetings/<str:ref>/discussion/<int:pk>/delete/",
        record_views.DiscussionItemDeleteView.as_view(),
        name="discussion-delete",
    ),
    path(
        "change-requests/<str:ref>/",
        change_request_views.ChangeRequestDetailView.as_view(),
        name="change-request-detail",
    ),
    path(
        "change-requests/<str:ref>/status/",
        change_request_views.ChangeRequestTransitionView.as_view(),
        name="change-request-transition",
    ),
    path(
        "change-requests/<str:ref>/ia-responses/",
        change_request_views.ImpactAssessmentResponseCreateView.as_view(),
        name="change-request-ia-response",
    ),
    path(
        "change-requests/<str:ref>/expected-respondents/",
        change_request_views.ExpectedRespondentAddView.as_view(),
        name="change-request-expected-respondents",
    ),
    path(
        "meetings/<str:ref>/reviews/",
        review_views.MeetingReviewView.as_view(),
        name="meeting-reviews",
    ),
    path(
        "meetings/<str:ref>/take-up/",
        take_up_views.MeetingTakeUpView.as_view(),
        name="meeting-take-up",
    ),
    path(
        "meetings/<str:ref>/since-last/",
        since_last_views.MeetingSinceLastView.as_view(),
        name="meeting-since-last",
    ),
]
