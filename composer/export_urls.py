"""Register exports and imports, and the back catalogue import (``composer.export_views``,
``register_import_views``, ``catalogue_views``)."""

from django.urls import path, re_path

from . import catalogue_views, export_views, register_import_views

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
    path(
        "imports/catalogue/",
        catalogue_views.CatalogueUploadView.as_view(),
        name="catalogue-import",
    ),
    path(
        "imports/catalogue/<int:pk>/",
        catalogue_views.CatalogueStatusView.as_view(),
        name="catalogue-import-status",
    ),
]
