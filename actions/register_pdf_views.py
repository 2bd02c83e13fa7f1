"""Browser views of the register as a PDF: ask for one, watch it render, download it.

"Download PDF" on ``/actions/`` posts the register's filters to ``/actions/register-pdfs/``,
which stores the request (``actions.register_pdf``) and lands on its status page
``/actions/register-pdfs/<id>/``; the page polls with htmx while the PDF renders in the
background, offers a Retry when it failed and the file when it is ready. Every page of a
request is its requester's alone: anyone else gets 404. ``/actions/register.pdf?<filters>``,
the old direct link, asks in the same way and redirects to the status page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.choices import flatten_choices

from core import ratelimit
from core.renders import RenderStatusViewMixin
from core.views import LoginRequired, today_london

from .forms import ActionFilterForm
from .models import RegisterPdf
from .register import action_register_choices
from .register_pdf import (
    REGISTER_PDF_RENDER,
    register_pdf_get_for_user,
    register_pdf_request,
    register_pdf_retry,
)

_FILTER_WORDS = {
    "q": "Search",
    "committee": "Committee",
    "meeting": "Raised at",
    "status": "Status",
    "owner": "Owner",
    "due": "Due",
}


def register_filters_text(form: ActionFilterForm) -> str:
    """The register's applied filters in words for the PDF: ``Status: Closed; Committee:
    DAG``, ``none`` when nothing filters; filters ignored for a bad value are named as such."""
    form.is_valid()
    filters = form.filters()
    parts = []
    for name, word in _FILTER_WORDS.items():
        value = form.cleaned_data.get(name) if name not in form.errors else None
        if not value or (name == "due" and not filters.due):
            continue
        if name == "q":
            shown = f"“{value}”"
        elif name == "due" and value == "within":
            shown = f"within {filters.within_days} days"
        else:
            # The first label of a value: the status "open" is listed as "Not closed" first.
            labels = dict(reversed(list(flatten_choices(form.fields[name].choices))))
            shown = str(labels.get(value, value))
        parts.append(f"{word}: {shown}")
    text = "; ".join(parts) or "none"
    ignored = form.ignored()
    if ignored:
        text += f" (ignored, not valid: {', '.join(ignored)})"
    return text


def _ask(request: HttpRequest) -> HttpResponse:
    """Ask for the register PDF of the filters in the query string; go to its status page."""
    form = ActionFilterForm(request.GET, choices=action_register_choices(user=request.user))
    asked = register_pdf_request(
        filters=form.filters(),
        filters_text=register_filters_text(form),
        today=today_london(),
        acting_user=request.user,
    )
    return HttpResponseRedirect(reverse("register-pdf-status", args=[asked.pk]))


def _mine_or_404(request: HttpRequest, pk: int) -> RegisterPdf:
    try:
        return register_pdf_get_for_user(request_id=pk, user=request.user)
    except RegisterPdf.DoesNotExist as exc:
        raise Http404("No such register PDF.") from exc


class RegisterPdfCreateView(ratelimit.RateLimitMixin, LoginRequired):
    """``/actions/register-pdfs/?<the register's filters>`` (POST): ask for the PDF.

    The same filters, sort and visibility as ``/actions/`` (an Observer gets Public
    meetings' actions only), at most ``REGISTER_PDF_MAX_ROWS`` actions.
    """

    rate_limit_scope = ratelimit.RENDER

    def post(self, request: HttpRequest) -> HttpResponse:
        return _ask(request)


class ActionRegisterPdfView(LoginRequired):
    """``/actions/register.pdf?<filters>``: the old direct link, kept for bookmarks and
    emails. A GET changes nothing (a link on another site must not start renders): it shows
    the filters and a button that asks for the PDF as the register's button does."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ActionFilterForm(request.GET, choices=action_register_choices(user=request.user))
        query = request.GET.urlencode()
        suffix = f"?{query}" if query else ""
        return render(
            request,
            "actions/register_pdf_confirm.html",
            {
                "filters_text": register_filters_text(form),
                "create_url": reverse("register-pdf-create") + suffix,
                "register_url": reverse("action-list") + suffix,
            },
        )


class RegisterPdfStatusView(RenderStatusViewMixin, LoginRequired):
    """``/actions/register-pdfs/<id>/``: the request's status; htmx polls it (the fragment
    alone) every 2 seconds while it waits or renders (``core.renders``)."""

    page_template = "actions/register_pdf_page.html"
    fragment_template = "actions/register_pdf_status.html"
    lifecycle = REGISTER_PDF_RENDER
    context_object_name = "asked"

    def render_object(self, request: HttpRequest, **kwargs: Any) -> RegisterPdf:
        return _mine_or_404(request, kwargs["pk"])


class RegisterPdfFileView(LoginRequired):
    """``/actions/register-pdfs/<id>/file/``: the stored PDF, as an attachment."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        asked = _mine_or_404(request, pk)
        if asked.status != RegisterPdf.Status.READY or not asked.file:
            raise Http404("This register PDF is not ready.")
        try:
            handle = asked.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("This register PDF's file is missing.") from exc
        response = FileResponse(
            handle,
            content_type="application/pdf",
            as_attachment=True,
            filename=f"action-register-{asked.today:%Y-%m-%d}.pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response


class RegisterPdfRetryView(LoginRequired):
    """``/actions/register-pdfs/<id>/retry/`` (POST): render a failed request again."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        asked = _mine_or_404(request, pk)
        try:
            register_pdf_retry(request=asked, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(reverse("register-pdf-status", args=[asked.pk]))
