"""Browser pages of the live headline report PDF while it renders: its status (polled by
htmx) and a retry. ``/meetings/<ref>/report.pdf`` (``composer.report_views``) serves the
stored file, or sends the reader here while the draft of the current records renders
(``composer.report_drafts``). Readers of issued reports only (Observers) get 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views import View

from composer.models import HeadlineReportDraft
from composer.report_drafts import (
    HEADLINE_REPORT_DRAFT_RENDER,
    headline_report_draft_get,
    headline_report_draft_retry,
)
from composer.report_views import meeting_for_request
from core import ratelimit, visibility
from core.renders import RenderStatusViewMixin


def _draft_or_404(request: HttpRequest, ref: str, pk: int) -> HeadlineReportDraft:
    meeting = meeting_for_request(request, ref)
    if not visibility.sees_unissued_reports(request.user, meeting.committee_id):
        raise Http404("No such draft.")
    try:
        return headline_report_draft_get(meeting=meeting, draft_id=pk)
    except HeadlineReportDraft.DoesNotExist as exc:
        raise Http404("No such draft.") from exc


class HeadlineReportDraftStatusView(RenderStatusViewMixin, LoginRequiredMixin, View):
    """``/meetings/<ref>/report/draft/<id>/``: the live PDF's render, polled every 2 s while
    it waits or renders (``core.renders``); then a link to the file, or the error and Retry."""

    page_template = "meetings/report/draft_page.html"
    fragment_template = "meetings/report/draft_status.html"
    lifecycle = HEADLINE_REPORT_DRAFT_RENDER
    context_object_name = "draft"

    def render_object(self, request: HttpRequest, **kwargs: Any) -> HeadlineReportDraft:
        return _draft_or_404(request, kwargs["ref"], kwargs["pk"])


class HeadlineReportDraftRetryView(ratelimit.RateLimitMixin, LoginRequiredMixin, View):
    """``/meetings/<ref>/report/draft/<id>/retry/`` (POST): render a failed draft again."""

    rate_limit_scope = ratelimit.RENDER

    def post(self, request: HttpRequest, ref: str, pk: int) -> HttpResponse:
        draft = _draft_or_404(request, ref, pk)
        try:
            headline_report_draft_retry(draft=draft, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(reverse("headline-report-draft", args=[ref, draft.pk]))
