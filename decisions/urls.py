"""Browser URLs of decisions: ``/decisions/``, the chair's ``/decisions/queue/`` and
``/decisions/<ref>/`` (``DAG-DEC68``)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("decisions/", views.DecisionListView.as_view(), name="decision-list"),
    path("decisions/queue/", views.DecisionQueueView.as_view(), name="decision-queue"),
    path("decisions/<str:ref>/", views.DecisionDetailView.as_view(), name="decision-detail"),
    path("decisions/<str:ref>/edit/", views.DecisionUpdateView.as_view(), name="decision-edit"),
    path("decisions/<str:ref>/decide/", views.DecisionDecideView.as_view(), name="decision-decide"),
    path("decisions/<str:ref>/reopen/", views.DecisionReopenView.as_view(), name="decision-reopen"),
    path(
        "decisions/<str:ref>/withdraw/",
        views.DecisionWithdrawView.as_view(),
        name="decision-withdraw",
    ),
]
