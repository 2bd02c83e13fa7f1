"""Browser URLs of the meetings app (the headline report's own URLs live in report_urls)."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("meetings.report_urls")),
]
