"""URLs of reminder emails: the unsubscribe link and the one-click action links."""

from django.urls import path

from composer.email_link_views import email_link_view
from composer.reminder_views import reminders_unsubscribe_view

urlpatterns = [
    path(
        "reminders/unsubscribe/<str:token>/",
        reminders_unsubscribe_view,
        name="reminders-unsubscribe",
    ),
    path("act/<str:token>/", email_link_view, name="email-link"),
]
