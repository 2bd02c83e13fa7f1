"""Browser URLs of change requests: ``/change-requests/`` and ``/change-requests/CR023/``."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("change-requests/", views.ChangeRequestListView.as_view(), name="change-request-list"),
    path(
        "change-requests/new/",
        views.ChangeRequestCreateView.as_view(),
        name="change-request-create",
    ),
    path(
        "change-requests/<str:ref>/",
        views.ChangeRequestDetailView.as_view(),
        name="change-request-detail",
    ),
    path(
        "change-requests/<str:ref>/edit/",
        views.ChangeRequestUpdateView.as_view(),
        name="change-request-edit",
    ),
    path(
        "change-requests/<str:ref>/status/",
        views.ChangeRequestTransitionView.as_view(),
        name="change-request-transition",
    ),
    path(
        "change-requests/<str:ref>/ia-responses/",
        views.ImpactAssessmentResponseCreateView.as_view(),
        name="change-request-ia-response",
    ),
]
