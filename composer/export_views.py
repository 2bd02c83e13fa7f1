"""Register exports in the browser and the API (``composer.exports``): one request builds
the sheet from the same filters as the register's page, rate limited per user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict

from actions.forms import ActionFilterForm
from actions.register import action_register_choices
from composer.exports import (
    Sheet,
    action_sheet,
    change_request_sheet,
    content_type,
    decision_sheet,
    sheet_bytes,
)
from core import ratelimit
from core.views import LoginRequired, today_london

FILENAMES = {"actions": "action-register", "decisions": "decision-register",
             "change-requests": "change-request-register"}  # fmt: skip


def register_sheet(kind: str, *, user: Any, params: QueryDict) -> Sheet:
    """The register ``kind`` as ``user`` sees it, filtered by the page's query ``params``
    (the action register's filter form; ``status``, ``committee`` and ``q`` for the others)."""
    text = params.get("q", "")
    if kind == "actions":
        form = ActionFilterForm(params, choices=action_register_choices(user=user))
        return action_sheet(user=user, filters=form.filters(), today=today_london())
    if kind == "decisions":
        return decision_sheet(
            user=user,
            status=params.get("status", ""),
            committee=params.get("committee", ""),
            text=text,
        )
    return change_request_sheet(status=params.get("status", ""), text=text)


def export_response(kind: str, fmt: str, *, user: Any, params: QueryDict) -> HttpResponse:
    """The download: the sheet in ``fmt`` with a dated file name."""
    body = sheet_bytes(register_sheet(kind, user=user, params=params), fmt)
    response = HttpResponse(body, content_type=content_type(fmt))
    filename = f"{FILENAMES[kind]}-{today_london():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class RegisterExportView(ratelimit.RateLimitMixin, LoginRequired):
    """``/exports/<kind>.<fmt>``: a register as XLSX or CSV, with the page's filters."""

    rate_limit_scope = ratelimit.EXPORT
    rate_limit_methods = ("GET",)

    def get(self, request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
        return export_response(kind, fmt, user=request.user, params=request.GET)
