"""The change request page and the forms on it: the CR with the decisions, actions, discussion
and agenda items of every meeting that concern it (a read across records)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from changerequests import services
from changerequests.expected_respondents import (
    expected_respondent_add,
    expected_respondents_from_committee,
)
from changerequests.forms import (
    ChangeRequestTransitionForm,
    ExpectedRespondentForm,
    ImpactAssessmentResponseForm,
    organisation_names,
)
from changerequests.models import ChangeRequest, ImpactAssessmentResponse
from changerequests.views import change_request_version, get_change_request_or_404
from composer.change_request_page import change_request_page
from core import roles
from core.concurrency import Version, version_guard
from core.history import HistoryEntry, history_entries, history_merge
from core.views import LoginRequired, PmoRequired, form_add_service_error
from meetings.services import organisation_get_or_create


class ChangeRequestDetailView(LoginRequired):
    """``/change-requests/<ref>/``: the CR and everything that concerns it."""

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        cr = get_change_request_or_404(ref)
        if ref != cr.ref:
            return HttpResponseRedirect(reverse("change-request-detail", args=[cr.ref]))
        return render(
            request, "changerequests/change_request_detail.html", cr_page_context(request, cr)
        )


def change_request_history(cr: ChangeRequest) -> list[HistoryEntry]:
    """The CR's history with its IA responses' (a response recorded again shows what it
    replaced), newest first."""
    own = history_entries(
        cr.history.select_related("history_user__person"), skipped={"number", "ref"}
    )
    responses = history_entries(
        ImpactAssessmentResponse.history.filter(change_request_id=cr.pk).select_related(
            "history_user__person", "organisation"
        ),
        subject=lambda row: f"IA response of {row.organisation}",
        skipped={"change_request", "organisation"},
    )
    return history_merge(own, responses)


def cr_page_version(request: HttpRequest, cr: ChangeRequest) -> Version:
    """The version the CR page's forms carry: the CR's API ETag, with the values its edit
    form shows and each organisation's IA response position (what a stale status move or
    IA response names as changed meanwhile)."""
    version = change_request_version(request, cr)
    positions = "; ".join(
        f"{organisation}: {ImpactAssessmentResponse.Position(position).label.lower()}"
        for organisation, position in cr.ia_responses.order_by("organisation__name").values_list(
            "organisation__name", "position"
        )
    )
    return Version(version.tag, version.values | {"IA responses": positions or "none"})


def ia_form_version(request: HttpRequest, cr: ChangeRequest) -> Version:
    """The IA response form's version: the page's, with every field of every response folded
    into the tag. The CR's ETag counts positions only (its API lists the responses at their
    own URL), so a response whose comments alone changed meanwhile must still make a form
    read before it stale."""
    version = cr_page_version(request, cr)
    responses = list(
        cr.ia_responses.order_by("organisation__name").values_list(
            "organisation__name",
            "position",
            "constituency",
            "conditions",
            "comments",
            "impact_note",
            "received_date",
        )
    )
    digest = hashlib.sha256(repr(responses).encode()).hexdigest()[:16]
    return Version(f"{version.tag}+{digest}", version.values)


def cr_page_context(request: HttpRequest, cr: ChangeRequest, **extra: Any) -> dict[str, Any]:
    """The CR page's context; ``extra`` replaces a form that came back with errors."""
    can_edit = roles.is_pmo(request.user)
    context: dict[str, Any] = {
        "cr": cr,
        "page": change_request_page(change_request=cr, user=request.user),
        "can_edit": can_edit,
        "history_entries": change_request_history(cr),
    }
    if can_edit:
        version = cr_page_version(request, cr)
        context["transition_form"] = ChangeRequestTransitionForm(change_request=cr, version=version)
        context["ia_form"] = ImpactAssessmentResponseForm(
            auto_id="ia-%s", version=ia_form_version(request, cr)
        )
        context["expected_form"] = ExpectedRespondentForm(auto_id="expected-%s")
        context["organisation_names"] = organisation_names()
    context.update(extra)
    return context


class ChangeRequestTransitionView(PmoRequired):
    """``/change-requests/<ref>/status/`` (POST): move the CR along its workflow by hand (a
    decided CR with a reason, on record; approval and rejection only by a decision)."""

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        cr = get_change_request_or_404(ref)
        form = ChangeRequestTransitionForm(request.POST, change_request=cr)
        try:
            # The version first: a status moved meanwhile may leave the chosen one no longer
            # allowed, and the user is told what moved rather than "not a valid choice".
            with version_guard(
                form,
                record=cr,
                current=lambda: cr_page_version(request, cr),
                name=f"Change request {cr.ref}",
            ):
                if form.is_valid():
                    moved = services.change_request_transition(
                        change_request=cr,
                        to_status=form.cleaned_data["to_status"],
                        reason=form.cleaned_data.get("reason") or "",
                        acting_user=request.user,
                    )
                    messages.success(
                        request, f"{moved.ref} is now {moved.get_status_display().lower()}."
                    )
                    return HttpResponseRedirect(reverse("change-request-detail", args=[cr.ref]))
        except ValidationError as exc:
            # Shown with the CR as it is now: its status and the moves it allows from there.
            cr = get_change_request_or_404(ref)
            form = ChangeRequestTransitionForm(form.data, change_request=cr)
            form_add_service_error(form, exc)
            if not form.fields["to_status"].choices:  # no move left: the page shows no form
                messages.error(request, " ".join(exc.messages))
        context = cr_page_context(request, cr, transition_form=form)
        return render(request, "changerequests/change_request_detail.html", context)


class ImpactAssessmentResponseCreateView(PmoRequired):
    """``/change-requests/<ref>/ia-responses/`` (POST): record an organisation's response
    (a second response from the same organisation replaces the first)."""

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        cr = get_change_request_or_404(ref)
        form = ImpactAssessmentResponseForm(request.POST, auto_id="ia-%s")
        if form.is_valid():
            data = form.cleaned_data
            try:
                with version_guard(
                    form,
                    record=cr,
                    current=lambda: ia_form_version(request, cr),
                    name=f"Change request {cr.ref}",
                ):
                    services.ia_response_record(
                        change_request=cr,
                        organisation=organisation_get_or_create(
                            name=data["organisation"], acting_user=request.user
                        ),
                        position=data["position"],
                        constituency=data["constituency"],
                        conditions=data["conditions"],
                        comments=data["comments"],
                        impact_note=data["impact_note"],
                        received_date=data["received_date"],
                        acting_user=request.user,
                    )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"IA response of {data['organisation']} recorded.")
                return HttpResponseRedirect(
                    reverse("change-request-detail", args=[cr.ref]) + "#ia-responses"
                )
        context = cr_page_context(request, cr, ia_form=form, ia_form_open=True)
        return render(request, "changerequests/change_request_detail.html", context)


class ExpectedRespondentAddView(PmoRequired):
    """``/change-requests/<ref>/expected-respondents/`` (POST): expect an organisation, or
    every organisation seated on a committee, to respond by a due date."""

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        cr = get_change_request_or_404(ref)
        form = ExpectedRespondentForm(request.POST, auto_id="expected-%s")
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    if data["organisation"].strip():
                        organisation = organisation_get_or_create(
                            name=data["organisation"], acting_user=request.user
                        )
                        added = [
                            expected_respondent_add(
                                change_request=cr,
                                organisation=organisation,
                                due_date=data["due_date"],
                                acting_user=request.user,
                            )
                        ]
                    else:
                        added = expected_respondents_from_committee(
                            change_request=cr,
                            committee=data["committee"],
                            due_date=data["due_date"],
                            acting_user=request.user,
                        )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"Expected respondents: {len(added)} set.")
                return HttpResponseRedirect(
                    reverse("change-request-detail", args=[cr.ref]) + "#ia-matrix"
                )
        context = cr_page_context(request, cr, expected_form=form, expected_form_open=True)
        return render(request, "changerequests/change_request_detail.html", context)
