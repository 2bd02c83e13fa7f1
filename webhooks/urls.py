"""Browser URLs of webhook endpoints (PMO)."""

from django.urls import path

from . import views

urlpatterns = [
    path("webhooks/", views.WebhookListView.as_view(), name="webhook-list"),
    path("webhooks/new/", views.WebhookCreateView.as_view(), name="webhook-create"),
    path("webhooks/<int:pk>/", views.WebhookDetailView.as_view(), name="webhook-detail"),
    path("webhooks/<int:pk>/edit/", views.WebhookUpdateView.as_view(), name="webhook-edit"),
    path("webhooks/<int:pk>/test/", views.WebhookPingView.as_view(), name="webhook-ping"),
    path("webhooks/<int:pk>/secret/", views.WebhookSecretView.as_view(), name="webhook-secret"),
    path("webhooks/<int:pk>/delete/", views.WebhookDeleteView.as_view(), name="webhook-delete"),
    path(
        "webhooks/<int:pk>/secret/shown/",
        views.WebhookSecretShownView.as_view(),
        name="webhook-secret-shown",
    ),
]
