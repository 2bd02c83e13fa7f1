"""``/imports/register/``: the PMO uploads an edited action register, sees every change
(old → new, conflicts to choose) and confirms; ``composer.register_import`` does the work.

The uploaded file is kept in the session between the preview and the confirmation (the
session is in the database, so any web worker finds it), and read again on confirmation:
anything changed in between is checked again, never applied blind.
"""

from __future__ import annotations

import base64

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from composer.register_import import Plan, register_import_apply, register_import_plan
from core import ratelimit
from core.views import PmoRequired

SESSION_KEY = "register_import"
# The changes the preview showed as plain (not conflicts): one that has become a conflict by
# the confirmation was changed in the tracker in between, and the message says it was kept.
PREVIEWED_KEY = "register_import_plain"
MAX_BYTES = 5 * 1024 * 1024


class RegisterUploadForm(forms.Form):
    file = forms.FileField(
        label="The edited register (XLSX or CSV)",
        help_text="A register exported from this site, with descriptions, due dates or "
        "statuses changed.",
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        return upload.read()


def confirmed_message(plan: Plan, taken: set[str], previewed: set[str]) -> str:
    """ "1 change imported; DAG28-09 was changed in the tracker since the preview and kept as
    it is": the count, and the refs whose previewed change became a conflict meanwhile."""
    applied = [c for c in plan.changes if not c.conflict or c.key in taken]
    message = f"{len(applied)} change{'s' if len(applied) != 1 else ''} imported from the register"
    kept = sorted({c.ref for c in plan.conflicts if c.key in previewed and c.key not in taken})
    if kept:
        verb = "was" if len(kept) == 1 else "were"
        message += (
            f"; {', '.join(kept)} {verb} changed in the tracker since the preview and kept as it is"
        )
    return message + "."


class RegisterImportView(ratelimit.RateLimitMixin, PmoRequired):
    rate_limit_scope = ratelimit.IMPORT

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, RegisterUploadForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        if "confirm" in request.POST:
            return self._confirm(request)
        form = RegisterUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._page(request, form)
        data = form.cleaned_data["file"]
        plan = register_import_plan(data=data, user=request.user)
        if not plan.errors:
            request.session[SESSION_KEY] = base64.b64encode(data).decode()
            request.session[PREVIEWED_KEY] = [c.key for c in plan.changes if not c.conflict]
        return self._page(request, RegisterUploadForm(), plan=plan)

    def _confirm(self, request: HttpRequest) -> HttpResponse:
        stored = request.session.get(SESSION_KEY)
        if not stored:
            messages.error(request, "Upload the register again: the checked file has expired.")
            return HttpResponseRedirect(reverse("register-import"))
        plan = register_import_apply(
            data=base64.b64decode(stored),
            acting_user=request.user,
            take=request.POST.getlist("take"),
        )
        if plan.errors:
            return self._page(request, RegisterUploadForm(), plan=plan)
        del request.session[SESSION_KEY]
        previewed = set(request.session.pop(PREVIEWED_KEY, []))
        messages.success(
            request, confirmed_message(plan, set(request.POST.getlist("take")), previewed)
        )
        return HttpResponseRedirect(reverse("action-list"))

    def _page(
        self, request: HttpRequest, form: forms.Form, plan: Plan | None = None
    ) -> HttpResponse:
        return render(request, "imports/register_import.html", {"form": form, "plan": plan})
