"""Register export and import URLs (``composer.export_views``, ``register_import_views``)."""

from django.urls import path, re_path

from . import export_views, register_import_views

urlpatterns: list = [
    re_path(
        r"^exports/(?P<kind>actions|decisions|change-requests)\.(?P<fmt>xlsx|csv)$",
        export_views.RegisterExportView.as_view(),
        name="register-export",
    ),
    path(
        "imports/register/",
        register_import_views.RegisterImportView.as_view(),
        name="register-import",
    ),
]
