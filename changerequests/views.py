"""Browser views of change requests: the register, the CR page, and the PMO's edits.

The CR page shows the title, raiser, status, target and backstop releases, the IA responses
with the tally of positions, and every decision, action and discussion that concerns it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from core import roles
from core.concurrency import Version, record_version, version_guard
from core.history import record_values
from core.views import LoginRequired, PmoRequired, form_add_service_error
from meetings.services import organisation_get_or_create

from . import services
from .api.views import ChangeRequestDetailApi
from .forms import (
    ChangeRequestFilterForm,
    ChangeRequestForm,
    organisation_names,
    release_choices,
)
from .models import ChangeRequest
from .selectors import change_request_get, change_request_register


def get_change_request_or_404(ref: str) -> ChangeRequest:
    """The CR ``ref`` (``CR023``); 404 when missing or malformed."""
    try:
        return change_request_get(ref=ref)
    except ChangeRequest.DoesNotExist as exc:
        raise Http404(f"No change request {ref}.") from exc


class ChangeRequestListView(LoginRequired):
    """``/change-requests/``: the CR register with status filters and search."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ChangeRequestFilterForm(request.GET or None)
        status = text = ""
        if form.is_bound and form.is_valid():
            status, text = form.cleaned_data["status"], form.cleaned_data["q"]
        page = Paginator(change_request_register(status=status, text=text), 50).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "changerequests/change_request_list.html",
            {
                "form": form,
                "page": page,
                "is_filtered": bool(status or text),
                "can_edit": roles.is_pmo(request.user),
                "statuses": ChangeRequest.Status.choices,
                "status": status,
            },
        )


def _release(code: str, *, acting_user: Any) -> Any:
    if not code.strip():
        return None
    return services.release_get_or_create(code=code, acting_user=acting_user)


def _cr_values(form: ChangeRequestForm, *, acting_user: Any) -> dict[str, Any]:
    data = form.cleaned_data
    raiser = data["raiser"]
    return {
        "title": data["title"],
        "description": data["description"],
        "raiser": (
            organisation_get_or_create(name=raiser, acting_user=acting_user) if raiser else None
        ),
        "ia_start_date": data["ia_start_date"],
        "ia_end_date": data["ia_end_date"],
        "target_release": _release(data["target_release"], acting_user=acting_user),
        "backstop_release": _release(data["backstop_release"], acting_user=acting_user),
        "design_artefacts": data["design_artefacts"],
    }


class ChangeRequestCreateView(PmoRequired):
    """``/change-requests/new/``: the PMO records a CR; its number is assigned on save."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.show(request, ChangeRequestForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ChangeRequestForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    values = _cr_values(form, acting_user=request.user)
                    ia_dates = {k: values.pop(k) for k in ("ia_start_date", "ia_end_date")}
                    cr = services.change_request_create(
                        number=form.cleaned_data["number"], acting_user=request.user, **values
                    )
                    if any(ia_dates.values()):
                        services.change_request_update(
                            change_request=cr, acting_user=request.user, **ia_dates
                        )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"Change request {cr.ref} recorded.")
                return HttpResponseRedirect(reverse("change-request-detail", args=[cr.ref]))
        return self.show(request, form)

    def show(self, request: HttpRequest, form: ChangeRequestForm) -> HttpResponse:
        return render(
            request,
            "changerequests/change_request_form.html",
            {
                "form": form,
                "cr": None,
                "releases": release_choices(),
                "organisation_names": organisation_names(),
            },
        )


CR_VERSION_FIELDS = (
    "title",
    "description",
    "raiser",
    "status",
    "ia_start_date",
    "ia_end_date",
    "target_release",
    "backstop_release",
    "design_artefacts",
)


def change_request_version(request: HttpRequest, cr: ChangeRequest) -> Version:
    """The CR's version for its edit form: the API's ETag and the values it shows."""
    fresh = ChangeRequest.objects.get(pk=cr.pk)
    values = record_values(fresh, CR_VERSION_FIELDS)
    return Version(record_version(ChangeRequestDetailApi, request, ref=fresh.ref), values)


class ChangeRequestUpdateView(PmoRequired):
    """``/change-requests/<ref>/edit/``: the PMO edits a CR (status moves separately)."""

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        cr = get_change_request_or_404(ref)
        form = ChangeRequestForm(change_request=cr, version=change_request_version(request, cr))
        return self.show(request, cr, form)

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        cr = get_change_request_or_404(ref)
        form = ChangeRequestForm(request.POST, change_request=cr)
        if form.is_valid():
            try:
                with version_guard(
                    form,
                    record=cr,
                    current=lambda: change_request_version(request, cr),
                    name=f"Change request {cr.ref}",
                ):
                    services.change_request_update(
                        change_request=cr,
                        acting_user=request.user,
                        **_cr_values(form, acting_user=request.user),
                    )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"Change request {cr.ref} saved.")
                return HttpResponseRedirect(reverse("change-request-detail", args=[cr.ref]))
        return self.show(request, cr, form)

    def show(self, request: HttpRequest, cr: ChangeRequest, form: Any) -> HttpResponse:
        return render(
            request,
            "changerequests/change_request_form.html",
            {
                "form": form,
                "cr": cr,
                "releases": release_choices(),
                "organisation_names": organisation_names(),
            },
        )
