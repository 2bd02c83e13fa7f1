"""API URLs of the actions app (mounted under /api/v1/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("actions/", views.ActionListApi.as_view(), name="api-action-list"),
    path("actions/<str:ref>/", views.ActionDetailApi.as_view(), name="api-action-detail"),
    path("actions/<str:ref>/close/", views.ActionCloseApi.as_view(), name="api-action-close"),
    path("actions/<str:ref>/reopen/", views.ActionReopenApi.as_view(), name="api-action-reopen"),
    path(
        "actions/<str:ref>/decline-closure/",
        views.ActionDeclineClosureApi.as_view(),
        name="api-action-decline-closure",
    ),
    path(
        "actions/<str:ref>/updates/",
        views.ActionUpdateListApi.as_view(),
        name="api-action-update-list",
    ),
    path(
        "actions/<str:ref>/reviews/",
        views.ActionReviewListApi.as_view(),
        name="api-action-review-list",
    ),
]
