"""The REST API at /api/v1/: each app's API routes plus the OpenAPI schema and docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.api.views import ApiNotFoundApi, ApiRootApi

urlpatterns = [
    path("", ApiRootApi.as_view(), name="api-root"),
    path("", include("meetings.api.urls")),
    path("", include("actions.api.urls")),
    path("", include("decisions.api.urls")),
    path("", include("changerequests.api.urls")),
    path("", include("composer.api.urls")),
    path("", include("webhooks.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a file: the CSP refuses inline scripts.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Last: anything else under /api/v1/ (an id that is not a number…) is a JSON 404; a path
    # holding a newline (%0A) too, which "." does not match.
    re_path(r"^[\s\S]*$", ApiNotFoundApi.as_view(), name="api-not-found"),
]
