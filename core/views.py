"""The view kit every app's browser views share: login and PMO mixins, htmx helpers, form
errors from services."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, TooManyFilesSent, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views import View, defaults

from core import roles

# The id of a form element on a page that holds several (``form-f-action``, ``area-3-action``).
FORM_ID_RE = re.compile(r"[a-z0-9-]{1,60}")


class LoginRequired(LoginRequiredMixin, View):
    """A view that needs a login (anonymous users go to the login page)."""


class PmoRequired(LoginRequired):
    """A view for the PMO only: anyone else gets 403, whatever the method.

    A view of one record by ref names its lookup in ``visible_record`` (``request, ref``,
    raising Http404 for a record the user may not see): a hidden record then answers 404,
    as its page does, rather than a 403 telling that it exists (``core.visibility``).
    """

    visible_record: Callable[[HttpRequest, str], Any] | None = None

    def allows(self, request: HttpRequest, kwargs: dict[str, Any]) -> bool:
        """Whether the signed-in user may use the view (the PMO)."""
        return roles.is_pmo(request.user)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not self.allows(request, kwargs):
            lookup = type(self).visible_record
            if lookup is not None and "ref" in kwargs:
                lookup(request, kwargs["ref"])
            raise PermissionDenied("Only the PMO (secretariat) can do this.")
        return super().dispatch(request, *args, **kwargs)


class RecorderRequired(PmoRequired):
    """A view for who records for the record's committee (``core.roles.is_recorder``): the
    PMO, and a committee's secretariat for that committee's records. The record named by
    ``ref`` (``visible_record``: a meeting, action or decision) decides by its committee,
    404 when hidden; a view of no record yet (a new meeting) lets in a secretariat of any
    committee, and its service checks the committee chosen."""

    def allows(self, request: HttpRequest, kwargs: dict[str, Any]) -> bool:
        user = request.user
        if roles.is_pmo(user):
            return True
        lookup = type(self).visible_record
        if lookup is not None and "ref" in kwargs:
            if not roles.is_recorder_somewhere(user):
                return False
            return roles.is_recorder(user, lookup(request, kwargs["ref"]).committee_id)
        return roles.is_recorder_somewhere(user)


def is_htmx(request: HttpRequest) -> bool:
    """True when htmx sent the request (the page wants a fragment back)."""
    return bool(getattr(request, "htmx", False))


def form_add_service_error(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on ``form``: field errors on their fields when the
    form has them, everything else at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item.messages)
    else:
        form.add_error(None, error)


def messages_fragment(request: HttpRequest) -> str:
    """The pending messages as an out-of-band swap into the page's message area (htmx)."""
    return render_to_string("_messages.html", {"oob": True}, request=request)


def posted_form_id(request: HttpRequest, default: str) -> str:
    """The id of the form element that posted (``_form_id``), checked, or ``default``."""
    value = request.POST.get("_form_id", "")
    return value if FORM_ID_RE.fullmatch(value) else default


def today_london() -> Any:
    """Today's date in Europe/London."""
    return timezone.localdate()


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 page, but an upload of too many files says so and how many may be sent."""
    if isinstance(exception, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return render(request, "400_too_many_files.html", {"limit": limit}, status=400)
    return defaults.bad_request(request, exception)
