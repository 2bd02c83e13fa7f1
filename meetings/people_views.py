"""Browser pages of the people directory (PMO): list, add, edit, deactivate, invite, merge;
and the owner suggestions the action forms ask for as the PMO types.

Each view parses input, calls one service of ``meetings.people_services`` with the request's
user as ``acting_user`` and renders; a refused value comes back as a field error.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from core.views import PmoRequired, form_add_service_error, today_london

from . import people_services as services
from .models import Committee, Person
from .people_forms import DirectoryFilterForm, InviteForm, MergeForm, PersonForm
from .people_selectors import owner_suggestions, people_directory


def safe_next(request: HttpRequest, default: str) -> str:
    """Where to go back to (``?next=``, a page of this site only), or ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class PersonListView(PmoRequired):
    """``/people/``: the directory, searchable, with who has no email or no login flagged."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = DirectoryFilterForm(request.GET or None)
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        people = people_directory(
            query=data.get("q", ""),
            flag=data.get("flag", ""),
            show_inactive=data.get("inactive", False),
        )
        page = Paginator(people, 100).get_page(request.GET.get("page"))
        return render(request, "people/person_list.html", {"form": form, "page": page})


class PersonCreateView(PmoRequired):
    """``/people/new/``: add a person; ``?name=`` fills the name, ``?next=`` returns there."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.show(request, PersonForm(initial={"name": request.GET.get("name", "")}))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PersonForm(request.POST)
        if form.is_valid():
            try:
                person = services.person_create(acting_user=request.user, **form.service_kwargs())
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"{person.name} added to the people directory.")
                return HttpResponseRedirect(safe_next(request, reverse("person-list")))
        return self.show(request, form)

    def show(self, request: HttpRequest, form: PersonForm) -> HttpResponse:
        context = {"form": form, "person": None, "next": safe_next(request, "")}
        return render(request, "people/person_form.html", context)


class PersonUpdateView(PmoRequired):
    """``/people/<id>/``: edit a person; invite, deactivate and merge from here."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = get_object_or_404(Person.objects.select_related("user"), pk=pk)
        return self.show(request, person, PersonForm(instance=person))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = get_object_or_404(Person.objects.select_related("user"), pk=pk)
        form = PersonForm(request.POST, instance=Person.objects.get(pk=pk))
        if form.is_valid():
            try:
                services.person_update(
                    person=person, acting_user=request.user, **form.service_kwargs()
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"{form.cleaned_data['name']} saved.")
                return HttpResponseRedirect(reverse("person-list"))
        return self.show(request, person, form)

    def show(self, request: HttpRequest, person: Person, form: PersonForm) -> HttpResponse:
        others = Person.objects.exclude(pk=person.pk).select_related("organisation")
        context = {
            "form": form,
            "person": person,
            "invite_form": InviteForm(acting_user=request.user),
            "merge_form": MergeForm(queryset=others),
            "memberships": person.memberships.select_related("committee"),
            "next": "",
        }
        return render(request, "people/person_form.html", context)


class PersonActiveView(PmoRequired):
    """``POST /people/<id>/active/`` (``is_active=0|1``): deactivate or reactivate."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = get_object_or_404(Person, pk=pk)
        is_active = request.POST.get("is_active") == "1"
        services.person_set_active(person=person, is_active=is_active, acting_user=request.user)
        state = "reactivated" if is_active else "deactivated"
        messages.success(request, f"{person.name} {state}.")
        return HttpResponseRedirect(reverse("person-edit", args=[pk]))


class PersonInviteView(PmoRequired):
    """``POST /people/<id>/invite/``: make their login and email a set-password link."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = get_object_or_404(Person, pk=pk)
        form = InviteForm(request.POST, acting_user=request.user)
        if form.is_valid():
            try:
                user = services.person_invite(
                    person=person, role=form.role, acting_user=request.user
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    f"Invitation sent to {person.email} (username {user.get_username()}).",
                )
        else:
            messages.error(request, "Choose a role for the invitation.")
        return HttpResponseRedirect(reverse("person-edit", args=[pk]))


class PersonMergeView(PmoRequired):
    """``POST /people/<id>/merge/``: merge this person into the one chosen, then go there."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = get_object_or_404(Person, pk=pk)
        form = MergeForm(request.POST, queryset=Person.objects.exclude(pk=pk))
        if form.is_valid():
            target = form.cleaned_data["target"]
            try:
                services.person_merge(source=person, target=target, acting_user=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, f"{person.name} merged into {target.name}.")
                return HttpResponseRedirect(reverse("person-edit", args=[target.pk]))
        else:
            messages.error(request, "Choose the person to merge into.")
        return HttpResponseRedirect(reverse("person-edit", args=[pk]))


class OwnerSuggestView(PmoRequired):
    """``/people/autocomplete/?q=rob&committee=<id>``: owner texts for the owners field, as
    JSON ``{"results": [{"text", "kind", "has_email"}]}``."""

    def get(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("q", "")[:100]
        committee = request.GET.get("committee", "")
        committee_id = int(committee) if committee.isdigit() and len(committee) < 10 else None
        if committee_id is not None and not Committee.objects.filter(pk=committee_id).exists():
            committee_id = None
        found = owner_suggestions(query=query, committee_id=committee_id, today=today_london())
        results: list[dict[str, Any]] = [
            {"text": s.text, "kind": s.kind, "has_email": s.has_email} for s in found
        ]
        return JsonResponse({"results": results})
