"""Browser URLs of actions: ``/actions/`` (register), ``/actions/mine/`` and ``/actions/<ref>/``."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("actions/", views.ActionListView.as_view(), name="action-list"),
    path("actions/mine/", views.ActionMineView.as_view(), name="action-mine"),
    path("actions/register.pdf", views.ActionRegisterPdfView.as_view(), name="action-register-pdf"),
    path("actions/<str:ref>/", views.ActionDetailView.as_view(), name="action-detail"),
    path("actions/<str:ref>/edit/", views.ActionUpdateView.as_view(), name="action-edit"),
    path(
        "actions/<str:ref>/updates/",
        views.ActionProgressCreateView.as_view(),
        name="action-progress",
    ),
    path("actions/<str:ref>/close/", views.ActionCloseView.as_view(), name="action-close"),
    path(
        "actions/<str:ref>/decline-closure/",
        views.ActionClosureDeclineView.as_view(),
        name="action-decline-closure",
    ),
    path("actions/<str:ref>/reopen/", views.ActionReopenView.as_view(), name="action-reopen"),
]
