"""A meeting's papers and pack in the browser: attach and replace (PMO), download, and the
pack's request, status page, file and Retry.

A paper or pack is served only here, to a user who may see its meeting
(``Meeting.objects.visible_to``, ``core.visibility``) and read its agenda (published, or
the PMO): anyone else gets 404, as for a meeting they may not see. Files go out as
attachments with ``X-Content-Type-Options: nosniff`` and the type their content was
checked to be (``meetings.paper_files``). A pack built for fewer readers than its meeting
has now (``meetings.pack.pack_is_withheld``) is not served: its page says to make it again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from composer.agenda_forms import PaperAddForm, PaperReplaceForm
from composer.agenda_views import agenda_page_context, agenda_url
from core import ratelimit
from core.renders import RenderStatusViewMixin
from core.views import LoginRequired, RecorderRequired, form_add_service_error
from meetings import agenda_services
from meetings.models import Meeting, MeetingPack, Paper, PaperVersion
from meetings.pack import (
    MEETING_PACK_RENDER,
    meeting_pack_get_for_user,
    meeting_pack_request,
    meeting_pack_retry,
    pack_is_withheld,
)
from meetings.paper_files import CONTENT_TYPES
from meetings.views import get_meeting_or_404


def _attachment(handle: Any, *, content_type: str, filename: str) -> FileResponse:
    response = FileResponse(
        handle, content_type=content_type, as_attachment=True, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class PaperAddView(RecorderRequired):
    """``/meetings/<ref>/agenda-and-papers/papers/new/`` (POST): attach a paper."""

    visible_record = staticmethod(get_meeting_or_404)

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        form = PaperAddForm(request.POST, request.FILES, meeting=meeting)
        if form.is_valid():
            try:
                paper = agenda_services.paper_add(
                    meeting=meeting,
                    title=form.cleaned_data["title"],
                    agenda_item=form.cleaned_data["agenda_item"],
                    upload=form.cleaned_data["file"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"Paper “{paper.title}” attached (version 1).")
                return HttpResponseRedirect(agenda_url(meeting) + f"#paper-{paper.pk}")
        context = agenda_page_context(request, meeting, paper_form=form, paper_form_open=True)
        return render(request, "meetings/agenda/agenda_page.html", context, status=200)


def _paper_or_404(request: HttpRequest, meeting: Meeting, pk: int) -> Paper:
    paper = Paper.objects.readable_by(request.user).filter(pk=pk, meeting=meeting).first()
    if paper is None:
        raise Http404("No such paper.")
    return paper


class PaperReplaceView(RecorderRequired):
    """``/meetings/<ref>/agenda-and-papers/papers/<pk>/replace/``: a new version of the file
    (the earlier ones are kept)."""

    visible_record = staticmethod(get_meeting_or_404)

    def get(self, request: HttpRequest, ref: str, pk: int) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        return self.show(request, meeting, _paper_or_404(request, meeting, pk), PaperReplaceForm())

    def post(self, request: HttpRequest, ref: str, pk: int) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        paper = _paper_or_404(request, meeting, pk)
        form = PaperReplaceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                version = agenda_services.paper_replace(
                    paper=paper, upload=form.cleaned_data["file"], acting_user=request.user
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(
                    request, f"Paper “{paper.title}” replaced: now version {version.version}."
                )
                return HttpResponseRedirect(agenda_url(meeting) + f"#paper-{paper.pk}")
        return self.show(request, meeting, paper, form)

    def show(self, request: HttpRequest, meeting: Meeting, paper: Paper, form: Any) -> HttpResponse:
        versions = paper.versions.select_related("uploaded_by")
        context = {"meeting": meeting, "paper": paper, "form": form, "versions": versions}
        return render(request, "meetings/agenda/paper_replace.html", context)


class PaperFileView(LoginRequired):
    """``/meetings/<ref>/papers/<pk>/v<version>/``: one version of a paper's file."""

    def get(self, request: HttpRequest, ref: str, pk: int, version: int) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        paper = _paper_or_404(request, meeting, pk)
        found = PaperVersion.objects.filter(paper=paper, version=version).first()
        if found is None:
            raise Http404("No such version.")
        try:
            handle = found.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("This paper's file is missing.") from exc
        return _attachment(handle, content_type=CONTENT_TYPES[found.kind], filename=found.filename)


# --- the meeting pack ----------------------------------------------------------------------


def _pack_or_404(request: HttpRequest, meeting: Meeting, pk: int) -> MeetingPack:
    """The pack, marked ``withheld`` when it may not be served to its current readers."""
    try:
        pack = meeting_pack_get_for_user(meeting=meeting, pack_id=pk, user=request.user)
    except MeetingPack.DoesNotExist as exc:
        raise Http404("No such meeting pack.") from exc
    pack.withheld = pack_is_withheld(pack)
    return pack


def _pack_url(pack: MeetingPack) -> str:
    return reverse("meeting-pack-status", args=[pack.meeting.ref, pack.pk])


class MeetingPackCreateView(ratelimit.RateLimitMixin, LoginRequired):
    """``/meetings/<ref>/pack/`` (POST): ask for the meeting pack; go to its status page."""

    rate_limit_scope = ratelimit.RENDER

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        try:
            pack = meeting_pack_request(meeting=meeting, acting_user=request.user)
        except PermissionDenied as exc:
            raise Http404("This meeting's agenda is not published.") from exc
        return HttpResponseRedirect(_pack_url(pack))


class MeetingPackStatusView(RenderStatusViewMixin, LoginRequired):
    """``/meetings/<ref>/pack/<pk>/``: the pack's status, polled by htmx while it renders."""

    page_template = "meetings/agenda/pack_page.html"
    fragment_template = "meetings/agenda/pack_status.html"
    lifecycle = MEETING_PACK_RENDER
    context_object_name = "pack"

    def render_object(self, request: HttpRequest, **kwargs: Any) -> MeetingPack:
        meeting = get_meeting_or_404(request, kwargs["ref"])
        return _pack_or_404(request, meeting, kwargs["pk"])


class MeetingPackFileView(LoginRequired):
    """``/meetings/<ref>/pack/<pk>/file/``: the rendered pack."""

    def get(self, request: HttpRequest, ref: str, pk: int) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        pack = _pack_or_404(request, meeting, pk)
        if pack.withheld:
            context = {"pack": pack, "lost": False}
            return render(request, "meetings/agenda/pack_page.html", context, status=404)
        if pack.status != MeetingPack.Status.READY or not pack.file:
            raise Http404("This meeting pack is not ready.")
        try:
            handle = pack.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("This meeting pack's file is missing.") from exc
        return _attachment(
            handle, content_type="application/pdf", filename=f"{meeting.ref}-meeting-pack.pdf"
        )


class MeetingPackRetryView(LoginRequired):
    """``/meetings/<ref>/pack/<pk>/retry/`` (POST): render a failed pack again."""

    def post(self, request: HttpRequest, ref: str, pk: int) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        pack = _pack_or_404(request, meeting, pk)
        try:
            meeting_pack_retry(pack=pack, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(_pack_url(pack))
