"""Per-user rate limits on expensive work: renders, exports, imports, search.

One rule for the browser and the API: DRF's scoped throttle (a count per user, or per
address for anonymous requests, in a window, kept in Django's cache: Redis in production, so
every gunicorn worker counts together). The rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``
in settings, one per scope. An API view names its scope (``throttle_scope = "render"`` with
:class:`ExpensiveThrottle` in ``throttle_classes``) and DRF answers 429 with Retry-After; a
browser view takes :class:`RateLimitMixin` (or :func:`rate_limited` for a function view) and
answers the same way with a page that says when to try again.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

RENDER = "render"
EXPORT = "export"
IMPORT = "import"
SEARCH = "search"


class ExpensiveThrottle(ScopedRateThrottle):
    """DRF's scoped throttle: a view's ``throttle_scope`` names its rate in settings.

    The rate is read from the settings at each request (DRF's own class reads them once, at
    import), so a test or a deployment's settings override takes effect.
    """

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class WriteThrottle(ExpensiveThrottle):
    """:class:`ExpensiveThrottle` counting only writes (POST and the like): for an API view
    whose reads are cheap and whose POST starts expensive work (issuing a report)."""

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


class _Scope:
    """What :class:`ScopedRateThrottle` reads from a view: its scope."""

    def __init__(self, scope: str) -> None:
        self.throttle_scope = scope


def retry_after(request: HttpRequest, scope: str) -> int | None:
    """Count this request against ``scope`` for its user; ``None`` if allowed, else the
    seconds until the next one would be."""
    throttle = ExpensiveThrottle()
    if throttle.allow_request(request, _Scope(scope)):
        return None
    return max(1, math.ceil(throttle.wait() or 1))


def too_many_requests(request: HttpRequest, seconds: int) -> HttpResponse:
    """The browser's 429: a short page (or htmx fragment) saying when to try again."""
    body = render_to_string("429.html", {"retry_after": seconds}, request=request)
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(seconds)
    return response


class RateLimitMixin:
    """For a class-based view: count ``rate_limit_methods`` requests against
    ``rate_limit_scope`` before the view runs; over the rate, answer 429 with Retry-After."""

    rate_limit_scope: str = RENDER
    rate_limit_methods: Iterable[str] = ("POST",)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method in self.rate_limit_methods and request.user.is_authenticated:
            seconds = retry_after(request, self.rate_limit_scope)
            if seconds is not None:
                return too_many_requests(request, seconds)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def rate_limited(
    scope: str, methods: Iterable[str] = ("POST",)
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """:class:`RateLimitMixin` for a function view."""
    methods = tuple(methods)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods and request.user.is_authenticated:
                seconds = retry_after(request, scope)
                if seconds is not None:
                    return too_many_requests(request, seconds)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
