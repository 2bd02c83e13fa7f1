"""Project middleware: a readable page for a browser that uses the wrong HTTP method, and the
Content-Security-Policy header."""

from __future__ import annotations

from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

# Pages made by third-party code we do not template ourselves: Django's admin (a <style> in
# its change list) and Swagger UI (the API docs, which style its elements inline). They may
# use inline styles, never inline scripts; every other page may use neither.
INLINE_STYLE_PREFIXES = ("/admin/", "/api/v1/docs/")


class MethodNotAllowedPageMiddleware:
    """Give an empty 405 of the browser UI a page (``templates/405.html``).

    Django's views answer a wrong method (a GET of a POST-only URL, say a bookmarked
    "issue report" button) with an empty 405, which browsers show as their own error page.
    The status and the ``Allow`` header stay; API paths (``/api/``) and htmx requests keep
    the bare answer, since no person reads those.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and not response.content
            and not request.path.startswith("/api/")
            and not request.headers.get("HX-Request")
        ):
            response.content = render_to_string("405.html", request=request).encode()
            response["Content-Type"] = "text/html; charset=utf-8"
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware (``CONTENT_SECURITY_POLICY`` in settings), with inline
    styles allowed on the third-party pages of :data:`INLINE_STYLE_PREFIXES` only."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponse, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(INLINE_STYLE_PREFIXES):
            parts.update = {**(parts.update or {}), "style-src": ["'unsafe-inline'"]}
        return parts
