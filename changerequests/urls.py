"""Browser URLs of change requests: the register, creating and editing a CR.

The CR's own page (``/change-requests/CR023/``) and the forms on it read across records and
are the composer's (``composer.urls``).
"""

from django.urls import path

from . import views

urlpatterns: list = [
    path("change-requests/", views.ChangeRequestListView.as_view(), name="change-request-list"),
    path(
        "change-requests/new/",
        views.ChangeRequestCreateView.as_view(),
        name="change-request-create",
    ),
    path(
        "change-requests/<str:ref>/edit/",
        views.ChangeRequestUpdateView.as_view(),
        name="change-request-edit",
    ),
]
