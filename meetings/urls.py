"""Browser URLs of the meetings app (the headline report's own URLs live in report_urls).

Records are addressed by their refs: ``/meetings/DAG028/``. The report URLs come first so
that their fixed paths (such as an import page) are never read as a meeting ref.
"""

from django.urls import include, path

from . import views

urlpatterns: list = [
    path("", include("meetings.report_urls")),
    path("", views.HomeView.as_view(), name="home"),
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/new/", views.MeetingCreateView.as_view(), name="meeting-create"),
    path("meetings/<str:ref>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<str:ref>/edit/", views.MeetingUpdateView.as_view(), name="meeting-edit"),
    path("meetings/<str:ref>/reports/", views.MeetingReportsView.as_view(), name="meeting-reports"),
    path(
        "meetings/<str:ref>/areas/new/",
        views.MeetingAgendaItemCreateView.as_view(),
        name="meeting-area-create",
    ),
    path(
        "meetings/<str:ref>/actions/new/",
        views.MeetingActionCreateView.as_view(),
        name="meeting-action-create",
    ),
    path(
        "meetings/<str:ref>/decisions/new/",
        views.MeetingDecisionCreateView.as_view(),
        name="meeting-decision-create",
    ),
    path(
        "meetings/<str:ref>/discussion/new/",
        views.MeetingDiscussionCreateView.as_view(),
        name="meeting-discussion-create",
    ),
    path(
        "meetings/<str:ref>/discussion/<int:pk>/edit/",
        views.DiscussionItemUpdateView.as_view(),
        name="discussion-edit",
    ),
    path(
        "meetings/<str:ref>/discussion/<int:pk>/delete/",
        views.DiscussionItemDeleteView.as_view(),
        name="discussion-delete",
    ),
    path("meetings/<str:ref>/reviews/", views.MeetingReviewView.as_view(), name="meeting-reviews"),
]
