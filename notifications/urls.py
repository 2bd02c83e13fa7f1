from django.urls import path

from notifications import views

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="notification-list"),
    path(
        "notifications/settings/",
        views.NotificationSettingsView.as_view(),
        name="notification-settings",
    ),
    path(
        "notifications/<int:pk>/open/",
        views.NotificationOpenView.as_view(),
        name="notification-open",
    ),
    path(
        "committees/<str:code>/escalation/",
        views.EscalationRuleView.as_view(),
        name="escalation-rule",
    ),
]
