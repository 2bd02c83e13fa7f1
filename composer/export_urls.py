"""Register export URLs (``composer.export_views``)."""

from django.urls import re_path

from . import export_views

urlpatterns: list = [
    re_path(
        r"^exports/(?P<kind>actions|decisions|change-requests)\.(?P<fmt>xlsx|csv)$",
        export_views.RegisterExportView.as_view(),
        name="register-export",
    ),
]
