"""Browser pages of webhook endpoints (PMO): list, register, edit, the delivery log, send a
test, rotate the secret, remove. Each view parses input, calls one service, and renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from core.views import PmoRequired, form_add_service_error

from . import selectors, services
from .forms import EndpointForm
from .models import Endpoint
from .payloads import SIGNATURE_HEADER

SHOWN_SECRET_KEY = "webhooks.secret_to_show"  # noqa: S105 - a session key, not a secret


def _secret_redirect(request: HttpRequest, endpoint: Endpoint, *, made: bool) -> HttpResponse:
    """After saving, go to the page that shows the secret once (post, redirect, get: a
    reload or a back button does not register the endpoint or rotate its secret again)."""
    request.session[SHOWN_SECRET_KEY] = {"pk": endpoint.pk, "made": made}
    return HttpResponseRedirect(reverse("webhook-secret-shown", args=[endpoint.pk]))


@method_decorator(never_cache, name="dispatch")
class WebhookSecretShownView(PmoRequired):
    """``/webhooks/<id>/secret/shown/``: the one page that shows the secret (no-store: no
    cache keeps a copy), once after it was made; opened again it goes to the endpoint."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint = get_object_or_404(Endpoint, pk=pk)
        shown = request.session.pop(SHOWN_SECRET_KEY, None)
        if not shown or shown.get("pk") != endpoint.pk:
            messages.info(request, "The secret was shown once; make a new one if it was lost.")
            return HttpResponseRedirect(reverse("webhook-detail", args=[pk]))
        context = {"endpoint": endpoint, "made": shown["made"], "header": SIGNATURE_HEADER}
        return render(request, "webhooks/endpoint_secret.html", context)


class WebhookListView(PmoRequired):
    """``/webhooks/``: every endpoint, active or disabled."""

    def get(self, request: HttpRequest) -> HttpResponse:
        context = {"endpoints": selectors.endpoint_list()}
        return render(request, "webhooks/endpoint_list.html", context)


@method_decorator(never_cache, name="dispatch")
class WebhookCreateView(PmoRequired):
    """``/webhooks/new/``: register an endpoint; its secret is shown once, on the answer."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.show(request, EndpointForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                endpoint = services.endpoint_create(
                    acting_user=request.user, **form.service_kwargs()
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                return _secret_redirect(request, endpoint, made=True)
        return self.show(request, form)

    def show(self, request: HttpRequest, form: EndpointForm) -> HttpResponse:
        return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": None})


class WebhookDetailView(PmoRequired):
    """``/webhooks/<id>/``: the endpoint, its disabled notice if any, and the delivery log."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint = get_object_or_404(selectors.endpoint_list(), pk=pk)
        context = {
            "endpoint": endpoint,
            "deliveries": selectors.endpoint_deliveries(endpoint),
            "log_length": selectors.LOG_LENGTH,
        }
        return render(request, "webhooks/endpoint_detail.html", context)


class WebhookUpdateView(PmoRequired):
    """``/webhooks/<id>/edit/``: change what it is sent, or make it active again."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint = get_object_or_404(Endpoint, pk=pk)
        return self.show(request, endpoint, EndpointForm.for_endpoint(endpoint))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint = get_object_or_404(Endpoint, pk=pk)
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                services.endpoint_update(
                    endpoint=endpoint, acting_user=request.user, **form.service_kwargs()
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"{form.cleaned_data['name']} saved.")
                return HttpResponseRedirect(reverse("webhook-detail", args=[pk]))
        return self.show(request, endpoint, form)

    def show(self, request: HttpRequest, endpoint: Endpoint, form: EndpointForm) -> HttpResponse:
        context = {"form": form, "endpoint": endpoint}
        return render(request, "webhooks/endpoint_form.html", context)


class WebhookPingView(PmoRequired):
    """``POST /webhooks/<id>/test/``: send a test delivery (``ping``); the log shows how it
    went."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint = get_object_or_404(Endpoint, pk=pk)
        services.endpoint_ping(endpoint=endpoint, acting_user=request.user)
        messages.success(request, "A test delivery was sent; its outcome is in the log below.")
        return HttpResponseRedirect(reverse("webhook-detail", args=[pk]))


@method_decorator(never_cache, name="dispatch")
class WebhookSecretView(PmoRequired):
    """``POST /webhooks/<id>/secret/``: a new secret, shown once; the old one stops."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint = get_object_or_404(Endpoint, pk=pk)
        endpoint = services.endpoint_secret_rotate(endpoint=endpoint, acting_user=request.user)
        return _secret_redirect(request, endpoint, made=False)


class WebhookDeleteView(PmoRequired):
    """``POST /webhooks/<id>/delete/``: remove the endpoint and its log."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint = get_object_or_404(Endpoint, pk=pk)
        name: Any = endpoint.name
        services.endpoint_delete(endpoint=endpoint, acting_user=request.user)
        messages.success(request, f"{name} removed.")
        return HttpResponseRedirect(reverse("webhook-list"))
