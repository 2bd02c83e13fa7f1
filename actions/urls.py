"""Browser URLs of actions: ``/actions/`` (register), ``/actions/mine/`` and ``/actions/<ref>/``;
the register as a PDF under ``/actions/register-pdfs/``."""

from django.urls import path

from . import register_pdf_views, views

urlpatterns: list = [
    path("actions/", views.ActionListView.as_view(), name="action-list"),
    path("actions/mine/", views.ActionMineView.as_view(), name="action-mine"),
    path(
        "actions/register.pdf",
        register_pdf_views.ActionRegisterPdfView.as_view(),
        name="action-register-pdf",
    ),
    path(
        "actions/register-pdfs/",
        register_pdf_views.RegisterPdfCreateView.as_view(),
        name="register-pdf-create",
    ),
    path(
        "actions/register-pdfs/<int:pk>/",
        register_pdf_views.RegisterPdfStatusView.as_view(),
        name="register-pdf-status",
    ),
    path(
        "actions/register-pdfs/<int:pk>/file/",
        register_pdf_views.RegisterPdfFileView.as_view(),
        name="register-pdf-file",
    ),
    path(
        "actions/register-pdfs/<int:pk>/retry/",
        register_pdf_views.RegisterPdfRetryView.as_view(),
        name="register-pdf-retry",
    ),
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
