"""Browser URLs of headline reports: preview, PDF, versions, issue, retry, and the import.

Included first by ``meetings.urls`` so these fixed paths are never read as a meeting ref.
"""

from django.urls import path

from composer import import_views, report_draft_views
from composer import report_views as views

urlpatterns: list = [
    path(
        "meetings/<str:ref>/report/",
        views.HeadlineReportPreviewView.as_view(),
        name="headline-report-preview",
    ),
    path(
        "meetings/<str:ref>/report.pdf",
        views.HeadlineReportPdfView.as_view(),
        name="headline-report-pdf",
    ),
    path(
        "meetings/<str:ref>/report/draft/<int:pk>/",
        report_draft_views.HeadlineReportDraftStatusView.as_view(),
        name="headline-report-draft",
    ),
    path(
        "meetings/<str:ref>/report/draft/<int:pk>/retry/",
        report_draft_views.HeadlineReportDraftRetryView.as_view(),
        name="headline-report-draft-retry",
    ),
    path(
        "meetings/<str:ref>/report/issue/",
        views.HeadlineReportIssueView.as_view(),
        name="headline-report-issue",
    ),
    path(
        "meetings/<str:ref>/report/v<int:version>.pdf",
        views.HeadlineReportVersionView.as_view(),
        name="headline-report-version",
    ),
    path(
        "meetings/<str:ref>/report/v<int:version>/retry/",
        views.HeadlineReportRetryView.as_view(),
        name="headline-report-retry",
    ),
    path(
        "reports/import/",
        import_views.HeadlineReportImportView.as_view(),
        name="headline-report-import",
    ),
    path(
        "reports/import/confirm/",
        import_views.HeadlineReportImportConfirmView.as_view(),
        name="headline-report-import-confirm",
    ),
]
