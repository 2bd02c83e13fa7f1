"""API URLs of the meetings app (mounted under /api/v1/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("committees/", views.CommitteeListApi.as_view(), name="api-committee-list"),
    path("committees/<str:code>/", views.CommitteeDetailApi.as_view(), name="api-committee-detail"),
    path("organisations/", views.OrganisationListApi.as_view(), name="api-organisation-list"),
    path(
        "organisations/<int:pk>/",
        views.OrganisationDetailApi.as_view(),
        name="api-organisation-detail",
    ),
    path("people/", views.PersonListApi.as_view(), name="api-person-list"),
    path("people/<int:pk>/", views.PersonDetailApi.as_view(), name="api-person-detail"),
    path("meetings/", views.MeetingListApi.as_view(), name="api-meeting-list"),
    path("meetings/<str:ref>/", views.MeetingDetailApi.as_view(), name="api-meeting-detail"),
    path(
        "meetings/<str:ref>/headline-reports/",
        views.HeadlineReportListApi.as_view(),
        name="api-headline-report-list",
    ),
    path(
        "meetings/<str:ref>/headline-reports/<int:version>/",
        views.HeadlineReportDetailApi.as_view(),
        name="api-headline-report-detail",
    ),
    path(
        "meetings/<str:ref>/headline-reports/<int:version>/pdf/",
        views.HeadlineReportPdfApi.as_view(),
        name="api-headline-report-pdf",
    ),
    path("agenda-items/", views.AgendaItemListApi.as_view(), name="api-agenda-item-list"),
    path(
        "agenda-items/<int:pk>/",
        views.AgendaItemDetailApi.as_view(),
        name="api-agenda-item-detail",
    ),
    path(
        "discussion-items/",
        views.DiscussionItemListApi.as_view(),
        name="api-discussion-item-list",
    ),
    path(
        "discussion-items/<int:pk>/",
        views.DiscussionItemDetailApi.as_view(),
        name="api-discussion-item-detail",
    ),
]
