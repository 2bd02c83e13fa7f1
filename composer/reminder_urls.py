"""URLs of reminder emails: the unsubscribe link."""

from django.urls import path

from composer.reminder_views import reminders_unsubscribe_view

urlpatterns = [
    path(
        "reminders/unsubscribe/<str:token>/",
        reminders_unsubscribe_view,
        name="reminders-unsubscribe",
    ),
]
