"""API URLs of webhook endpoints (mounted under /api/v1/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("webhooks/", views.EndpointListApi.as_view(), name="api-webhook-list"),
    path("webhooks/<int:pk>/", views.EndpointDetailApi.as_view(), name="api-webhook-detail"),
    path(
        "webhooks/<int:pk>/deliveries/",
        views.DeliveryListApi.as_view(),
        name="api-webhook-delivery-list",
    ),
    path("webhooks/<int:pk>/ping/", views.EndpointPingApi.as_view(), name="api-webhook-ping"),
]
