"""API URLs of the decisions app (mounted under /api/v1/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("decisions/", views.DecisionListApi.as_view(), name="api-decision-list"),
    path("decisions/<str:ref>/", views.DecisionDetailApi.as_view(), name="api-decision-detail"),
    path(
        "decisions/<str:ref>/approve/",
        views.DecisionApproveApi.as_view(),
        name="api-decision-approve",
    ),
    path(
        "decisions/<str:ref>/transition/",
        views.DecisionTransitionApi.as_view(),
        name="api-decision-transition",
    ),
    path(
        "decisions/<str:ref>/reopen/",
        views.DecisionReopenApi.as_view(),
        name="api-decision-reopen",
    ),
]
