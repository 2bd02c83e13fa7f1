"""API URLs of the change requests app (mounted under /api/v1/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("change-requests/", views.ChangeRequestListApi.as_view(), name="api-change-request-list"),
    path(
        "change-requests/<str:ref>/",
        views.ChangeRequestDetailApi.as_view(),
        name="api-change-request-detail",
    ),
    path(
        "change-requests/<str:ref>/transition/",
        views.ChangeRequestTransitionApi.as_view(),
        name="api-change-request-transition",
    ),
    path(
        "change-requests/<str:ref>/ia-responses/",
        views.IAResponseListApi.as_view(),
        name="api-ia-response-list",
    ),
    path("releases/", views.ReleaseListApi.as_view(), name="api-release-list"),
    path("releases/<str:code>/", views.ReleaseDetailApi.as_view(), name="api-release-detail"),
]
