"""Browser URLs of a meeting's agenda, papers and pack (``composer.agenda_views``,
``composer.paper_views``)."""

from django.urls import path

from . import agenda_views, paper_views

BASE = "meetings/<str:ref>/agenda-and-papers/"

urlpatterns: list = [
    path(BASE, agenda_views.MeetingAgendaPageView.as_view(), name="meeting-agenda-page"),
    path(f"{BASE}items/new/", agenda_views.AgendaItemAddView.as_view(), name="agenda-item-add"),
    path(
        f"{BASE}items/<int:pk>/edit/",
        agenda_views.AgendaItemEditView.as_view(),
        name="agenda-item-edit",
    ),
    path(
        f"{BASE}items/<int:pk>/move/",
        agenda_views.AgendaItemMoveView.as_view(),
        name="agenda-item-move",
    ),
    path(f"{BASE}order/", agenda_views.AgendaReorderView.as_view(), name="agenda-reorder"),
    path(f"{BASE}publish/", agenda_views.AgendaPublishView.as_view(), name="agenda-publish"),
    path(f"{BASE}papers/new/", paper_views.PaperAddView.as_view(), name="paper-add"),
    path(
        f"{BASE}papers/<int:pk>/replace/",
        paper_views.PaperReplaceView.as_view(),
        name="paper-replace",
    ),
    path(
        "meetings/<str:ref>/papers/<int:pk>/v<int:version>/",
        paper_views.PaperFileView.as_view(),
        name="paper-file",
    ),
    path(
        "meetings/<str:ref>/pack/",
        paper_views.MeetingPackCreateView.as_view(),
        name="meeting-pack-create",
    ),
    path(
        "meetings/<str:ref>/pack/<int:pk>/",
        paper_views.MeetingPackStatusView.as_view(),
        name="meeting-pack-status",
    ),
    path(
        "meetings/<str:ref>/pack/<int:pk>/file/",
        paper_views.MeetingPackFileView.as_view(),
        name="meeting-pack-file",
    ),
    path(
        "meetings/<str:ref>/pack/<int:pk>/retry/",
        paper_views.MeetingPackRetryView.as_view(),
        name="meeting-pack-retry",
    ),
]
