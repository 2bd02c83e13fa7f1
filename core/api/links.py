"""Absolute URLs of API records, built without a ``reverse()`` per row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from rest_framework.request import Request

# Path parameters are replaced by this marker once per process, so that building a URL
# per row is a string replace rather than a reverse() (which resolves the route each time).
_MARKER = "987654321987"
_path_templates: dict[str, str] = {}


def _path_template(name: str, kwarg: str) -> str:
    key = f"{name}:{kwarg}"
    template = _path_templates.get(key)
    if template is None:
        template = reverse(name, kwargs={kwarg: _MARKER})
        _path_templates[key] = template
    return template


class Links:
    """Absolute URLs of API records for one request.

    ``links.url("api-meeting-detail", "DAG028")`` → ``http://host/api/v1/meetings/DAG028/``.
    Names are the URL names in the apps' ``api/urls.py``; the key is the one path parameter.
    """

    KWARGS = {
        "api-committee-detail": "code",
        "api-meeting-detail": "ref",
        "api-agenda-item-detail": "pk",
        "api-discussion-item-detail": "pk",
        "api-action-detail": "ref",
        "api-decision-detail": "ref",
        "api-change-request-detail": "ref",
        "api-release-detail": "code",
        "api-organisation-detail": "pk",
        "api-person-detail": "pk",
        "api-headline-report-list": "ref",
        "api-action-update-list": "ref",
        "api-action-review-list": "ref",
        "api-ia-response-list": "ref",
    }

    def __init__(self, request: Request | None) -> None:
        self.origin = request.build_absolute_uri("/").rstrip("/") if request is not None else ""

    def url(self, name: str, key: Any) -> str:
        """The absolute URL of ``name`` for the key (a ref, code or id)."""
        return self.origin + _path_template(name, self.KWARGS[name]).replace(_MARKER, str(key))

    def path(self, name: str, **kwargs: Any) -> str:
        """The absolute URL of any named route (``reverse()``, cached for routes without
        parameters)."""
        if kwargs:
            return self.origin + reverse(name, kwargs=kwargs)
        template = _path_templates.get(name)
        if template is None:
            template = _path_templates[name] = reverse(name)
        return self.origin + template

    @classmethod
    def of(cls, context: Mapping[str, Any]) -> Links:
        """The Links of a serializer context (made once per request and kept there)."""
        links = context.get("links")
        if links is None:
            links = cls(context.get("request"))
            if isinstance(context, dict):
                context["links"] = links
        return links
