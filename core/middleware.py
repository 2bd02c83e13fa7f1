"""Project middleware: a readable page for a browser that uses the wrong HTTP method."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


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
