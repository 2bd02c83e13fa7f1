"""Browser pages of organisations, committees and their members (PMO).

Each view parses input, calls one service of ``meetings.people_services`` and renders.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from core.views import PmoRequired, form_add_service_error, today_london

from . import people_services as services
from .models import Committee, Membership, Organisation
from .people_forms import CommitteeForm, MembershipForm, MergeForm, OrganisationForm
from .services import committee_create

# --- organisations ----------------------------------------------------------------------------


class OrganisationListView(PmoRequired):
    """``/organisations/``: organisations with how many people each has."""

    def get(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("q", "").strip()[:100]
        organisations = Organisation.objects.annotate(people_count=Count("people")).order_by("name")
        if query:
            organisations = organisations.filter(name__icontains=query)
        context = {"organisations": organisations, "q": query}
        return render(request, "people/organisation_list.html", context)


class OrganisationFormView(PmoRequired):
    """``/organisations/new/`` and ``/organisations/<id>/``: add or edit; merge from there."""

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        organisation = get_object_or_404(Organisation, pk=pk) if pk else None
        return self.show(request, organisation, OrganisationForm(instance=organisation))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        organisation = get_object_or_404(Organisation, pk=pk) if pk else None
        form = OrganisationForm(request.POST, instance=organisation and Organisation(pk=pk))
        if form.is_valid():
            try:
                if organisation is None:
                    services.organisation_create(acting_user=request.user, **form.service_kwargs())
                else:
                    services.organisation_update(
                        organisation=organisation, acting_user=request.user, **form.service_kwargs()
                    )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"{form.cleaned_data['name']} saved.")
                return HttpResponseRedirect(reverse("organisation-list"))
        return self.show(request, organisation, form)

    def show(self, request: HttpRequest, organisation: Any, form: Any) -> HttpResponse:
        merge_form = None
        if organisation is not None:
            merge_form = MergeForm(queryset=Organisation.objects.exclude(pk=organisation.pk))
        context = {"form": form, "organisation": organisation, "merge_form": merge_form}
        return render(request, "people/organisation_form.html", context)


class OrganisationMergeView(PmoRequired):
    """``POST /organisations/<id>/merge/``: merge into the organisation chosen."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        organisation = get_object_or_404(Organisation, pk=pk)
        form = MergeForm(request.POST, queryset=Organisation.objects.exclude(pk=pk))
        if not form.is_valid():
            messages.error(request, "Choose the organisation to merge into.")
            return HttpResponseRedirect(reverse("organisation-edit", args=[pk]))
        target = form.cleaned_data["target"]
        services.organisation_merge(source=organisation, target=target, acting_user=request.user)
        messages.success(request, f"{organisation.name} merged into {target.name}.")
        return HttpResponseRedirect(reverse("organisation-edit", args=[target.pk]))


# --- committees and members -------------------------------------------------------------------


class CommitteeListView(PmoRequired):
    """``/committees/``: every committee, with its current number of members."""

    def get(self, request: HttpRequest) -> HttpResponse:
        committees = Committee.objects.annotate(members_count=Count("memberships")).order_by("code")
        return render(request, "people/committee_list.html", {"committees": committees})


class CommitteeFormView(PmoRequired):
    """``/committees/new/`` and ``/committees/<code>/``: the committee and its members."""

    def get(self, request: HttpRequest, code: str | None = None) -> HttpResponse:
        committee = get_object_or_404(Committee, code=code) if code else None
        return self.show(request, committee, CommitteeForm(instance=committee))

    def post(self, request: HttpRequest, code: str | None = None) -> HttpResponse:
        committee = get_object_or_404(Committee, code=code) if code else None
        form = CommitteeForm(request.POST, instance=committee and Committee.objects.get(code=code))
        if form.is_valid():
            try:
                if committee is None:
                    committee = committee_create(acting_user=request.user, **form.service_kwargs())
                else:
                    services.committee_update(
                        committee=committee, acting_user=request.user, **form.service_kwargs()
                    )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"{committee.code} saved.")
                return HttpResponseRedirect(reverse("committee-edit", args=[committee.code]))
        return self.show(request, committee, form)

    def show(self, request: HttpRequest, committee: Any, form: Any) -> HttpResponse:
        members = []
        if committee is not None:
            members = committee.memberships.select_related("person", "person__organisation")
        context = {
            "form": form,
            "committee": committee,
            "members": members,
            "today": today_london(),
        }
        return render(request, "people/committee_form.html", context)


class MembershipFormView(PmoRequired):
    """``/committees/<code>/members/new/`` and ``…/members/<id>/``: add or edit a seat."""

    def membership(self, code: str, pk: int | None) -> tuple[Committee, Membership | None]:
        committee = get_object_or_404(Committee, code=code)
        if pk is None:
            return committee, None
        return committee, get_object_or_404(Membership, pk=pk, committee=committee)

    def get(self, request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
        committee, membership = self.membership(code, pk)
        initial = {"person": request.GET.get("person")} if membership is None else None
        form = MembershipForm(instance=membership, initial=initial)
        return self.show(request, committee, membership, form)

    def post(self, request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
        committee, membership = self.membership(code, pk)
        form = MembershipForm(
            request.POST, instance=membership and Membership.objects.get(pk=membership.pk)
        )
        if form.is_valid():
            try:
                if membership is None:
                    services.membership_create(
                        committee=committee, acting_user=request.user, **form.service_kwargs()
                    )
                else:
                    services.membership_update(
                        membership=membership, acting_user=request.user, **form.service_kwargs()
                    )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, "Membership saved.")
                return HttpResponseRedirect(reverse("committee-edit", args=[committee.code]))
        return self.show(request, committee, membership, form)

    def show(
        self, request: HttpRequest, committee: Any, membership: Any, form: Any
    ) -> HttpResponse:
        context = {"form": form, "committee": committee, "membership": membership}
        return render(request, "people/membership_form.html", context)


class MembershipEndView(PmoRequired):
    """``POST /committees/<code>/members/<id>/end/``: the seat ends today."""

    def post(self, request: HttpRequest, code: str, pk: int) -> HttpResponse:
        membership = get_object_or_404(Membership, pk=pk, committee__code=code)
        try:
            services.membership_end(
                membership=membership, end_date=today_london(), acting_user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{membership.person.name}'s seat ended today.")
        return HttpResponseRedirect(reverse("committee-edit", args=[code]))
