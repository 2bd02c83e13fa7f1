"""API URLs of the meetings app (mounted under /api/v1/)."""

from django.urls import path

from . import membership_views, participants, views

urlpatterns = [
    path("committees/", views.CommitteeListApi.as_view(), name="api-committee-list"),
    path("committees/<str:code>/", views.CommitteeDetailApi.as_view(), name="api-committee-detail"),
    path(
        "committees/<str:code>/memberships/",
        membership_views.MembershipListApi.as_view(),
        name="api-membership-list",
    ),
    path(
        "committees/<str:code>/memberships/<int:pk>/",
        membership_views.MembershipDetailApi.as_view(),
        name="api-membership-detail",
    ),
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
        "meetings/<str:ref>/participants/",
        participants.MeetingParticipantListApi.as_view(),
        name="api-meeting-participant-list",
    ),
    path(
        "meetings/<str:ref>/participants/<int:person_id>/",
        participants.MeetingParticipantDetailApi.as_view(),
        name="api-meeting-participant-detail",
    ),
]
