"""API URLs of the composer: agenda items, discussion items, headline reports (under /api/v1/)."""

from django.urls import path

from composer.search.api import SearchApi

from . import exports, views

urlpatterns = [
    path("search/", SearchApi.as_view(), name="api-search"),
    path("exports/<str:kind>/", exports.RegisterExportApi.as_view(), name="api-register-export"),
    path(
        "imports/action-register/",
        exports.RegisterImportApi.as_view(),
        name="api-register-import",
    ),
    path(
        "meetings/<str:ref>/headline-reports/",
        views.HeadlineReportListApi.as_view(),
        name="api-headline-report-list",
    ),
    path(
        "meetings/<str:ref>/headline-reports/<int:version>/",
        views.HeadlineReportDetailApi.as_view(),
        name="api-headline-report-detail",
    ),
    path(
        "meetings/<str:ref>/headline-reports/<int:version>/pdf/",
        views.HeadlineReportPdfApi.as_view(),
        name="api-headline-report-pdf",
    ),
    path("agenda-items/", views.AgendaItemListApi.as_view(), name="api-agenda-item-list"),
    path(
        "agenda-items/<int:pk>/",
        views.AgendaItemDetailApi.as_view(),
        name="api-agenda-item-detail",
    ),
    path(
        "discussion-items/",
        views.DiscussionItemListApi.as_view(),
        name="api-discussion-item-list",
    ),
    path(
        "discussion-items/<int:pk>/",
        views.DiscussionItemDetailApi.as_view(),
        name="api-discussion-item-detail",
    ),
]
