"""Browser pages of the headline report: preview, PDF, issue and versions (the import:
:mod:`composer.import_views`).

Thin views: they read through ``meetings.selectors``/``composer.report`` and change state
through ``meetings.services`` and ``composer.importer``. Every page needs a login; the
meeting must be visible to the user (Observers see Public meetings only, and only their
issued reports); issuing, retrying and importing are for the PMO (``core.roles``).
"""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import quote_etag
from django.views import View

from composer import headline_report, report_drafts
from composer.report import headline_report_data
from composer.report_render import (
    StoredPdf,
    headline_report_current,
    headline_report_html,
    headline_report_latest_issued,
)
from core import ratelimit, roles, visibility
from meetings.models import HeadlineReport, Meeting
from meetings.selectors import meeting_get_for_user

# --- helpers -------------------------------------------------------------------------------------


class PmoOnlyMixin(LoginRequiredMixin):
    """Logged-in PMO only: anyone else gets 403 (``core.roles.is_pmo``)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not roles.is_pmo(request.user):
            raise PermissionDenied("Only the PMO (secretariat) can do this.")
        return super().dispatch(request, *args, **kwargs)


class RecorderOnlyMixin(LoginRequiredMixin):
    """Logged-in recorders of the meeting ``ref``'s committee only (``core.roles.is_recorder``:
    the PMO, the committee's secretariat): a hidden meeting answers 404, anyone else 403."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not roles.is_pmo(user):
            meeting = meeting_for_request(request, kwargs["ref"])
            if not roles.is_recorder(user, meeting.committee_id):
                raise PermissionDenied("Only the committee's secretariat (PMO) can do this.")
        return super().dispatch(request, *args, **kwargs)


def meeting_for_request(request: HttpRequest, ref: str) -> Meeting:
    """The meeting ``ref`` if the user may see it (with its committee); 404 otherwise."""
    try:
        meeting = meeting_get_for_user(ref=ref, user=request.user)
    except (Meeting.DoesNotExist, ValidationError) as exc:
        raise Http404(f"No meeting {ref}.") from exc
    return meeting


def latest_issued(meeting: Meeting) -> HeadlineReport | None:
    """The newest issued version of the meeting's report, or None."""
    return headline_report_latest_issued(meeting=meeting)


def _meeting_page_url(meeting: Meeting) -> str:
    with contextlib.suppress(NoReverseMatch):
        return reverse("meeting-detail", args=[meeting.ref])
    return reverse("headline-report-preview", args=[meeting.ref])


def _pdf_response(
    request: HttpRequest, stored: StoredPdf, *, immutable: bool = False
) -> HttpResponse:
    etag = quote_etag(stored.fingerprint)
    if etag in request.headers.get("If-None-Match", ""):
        stored.file.close()
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = FileResponse(
            stored.file,
            content_type="application/pdf",
            as_attachment=request.GET.get("download") == "1",
            filename=stored.filename,
        )
    response["ETag"] = etag
    response["Cache-Control"] = (
        "private, max-age=31536000, immutable" if immutable else "private, no-cache"
    )
    return response


def _version_pdf(version: HeadlineReport) -> StoredPdf:
    if not version.file:
        raise Http404("This version has no file.")
    try:
        handle = version.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("This version's file is missing.") from exc
    return StoredPdf(
        handle,
        version.checksum,
        f"{version.meeting.ref}-headline-report-v{version.version}.pdf",
        version,
    )


# --- the report ----------------------------------------------------------------------------------


class HeadlineReportPreviewView(LoginRequiredMixin, View):
    """``/meetings/<ref>/report/``: the report as HTML, its versions, and (PMO) issue it."""

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = meeting_for_request(request, ref)
        if not visibility.sees_unissued_reports(request.user, meeting.committee_id):
            # Observers read issued reports only: the current one is the newest version.
            version = latest_issued(meeting)
            if version is None:
                raise Http404("This meeting's report has not been issued.")
            return HttpResponseRedirect(
                reverse("headline-report-version", args=[meeting.ref, version.version])
            )
        current = headline_report_current(meeting=meeting)
        versions = list(meeting.headline_reports.select_related("requested_by"))
        html = headline_report_html(
            data=current.data,
            for_pdf=False,
            context={
                "request": request,
                "meeting": meeting,
                "versions": versions,
                "latest_issued": current.latest_issued,
                "changed_since_issue": current.changed_since_issue,
                "can_issue": roles.is_recorder(request.user, meeting.committee_id),
                "meeting_url": _meeting_page_url(meeting),
            },
        )
        return HttpResponse(html)


class HeadlineReportPdfView(LoginRequiredMixin, View):
    """``/meetings/<ref>/report.pdf``: the current report as PDF (``?download=1`` saves it).

    Never rendered on the request (``composer.report_drafts``): the stored file of the
    current records, or (when they changed since the last render) a redirect to the status
    page of the draft now rendering in the background. Observers get the newest issued
    version.
    """

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = meeting_for_request(request, ref)
        if not visibility.sees_unissued_reports(request.user, meeting.committee_id):
            version = latest_issued(meeting)
            if version is None:
                raise Http404("This meeting's report has not been issued.")
            return _pdf_response(request, _version_pdf(version), immutable=False)
        live = report_drafts.headline_report_live_pdf(meeting=meeting, acting_user=request.user)
        if live.pdf is not None:
            return _pdf_response(request, live.pdf)
        status_url = reverse("headline-report-draft", args=[meeting.ref, live.draft.pk])
        return HttpResponseRedirect(status_url)


class HeadlineReportVersionView(LoginRequiredMixin, View):
    """``/meetings/<ref>/report/v<N>.pdf``: an issued version, exactly as issued."""

    def get(self, request: HttpRequest, ref: str, version: int) -> HttpResponse:
        meeting = meeting_for_request(request, ref)
        found = meeting.headline_reports.filter(
            version=version, status=HeadlineReport.Status.ISSUED
        ).first()
        if found is None:
            raise Http404(f"No issued version {version} of the {meeting.ref} report.")
        return _pdf_response(request, _version_pdf(found), immutable=True)


class HeadlineReportIssueForm(forms.Form):
    """Issue the report; when it still holds proposed decisions, the PMO confirms that the
    issued version prints them as "Proposed – not yet decided"."""

    confirm_proposed = forms.BooleanField(
        required=False,
        label="Issue it with these decisions printed as “Proposed – not yet decided”",
    )

    def __init__(self, *args: Any, proposed: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proposed = proposed
        if proposed:
            self.fields["confirm_proposed"].required = True
            self.fields["confirm_proposed"].error_messages["required"] = (
                "Tick to confirm: the report holds decisions not yet decided."
            )


class HeadlineReportIssueView(ratelimit.RateLimitMixin, RecorderOnlyMixin, View):
    """``/meetings/<ref>/report/issue/``: confirm (GET), then issue a new version (POST).

    The page lists the decisions the report would print as still proposed and asks the PMO
    to confirm them, and says when nothing changed since the newest issued version (issuing
    then adds no version).
    """

    template_name = "meetings/report/issue_confirm.html"

    def _page(self, request: HttpRequest, meeting: Meeting, form: Any, status: int = 200) -> Any:
        current = headline_report_current(meeting=meeting)
        last = meeting.headline_reports.aggregate(m=Max("version"))["m"] or 0
        context = {
            "meeting": meeting,
            "form": form,
            "proposed": form.proposed,
            "latest_issued": current.latest_issued,
            "unchanged": not current.data.is_draft,
            "next_version": last + 1,
            "meeting_url": _meeting_page_url(meeting),
        }
        return render(request, self.template_name, context, status=status)

    @staticmethod
    def _proposed(meeting: Meeting) -> list[Any]:
        data = headline_report_data(meeting=meeting)
        return [row for g in data.decision_groups for row in g.rows if row.is_proposed]

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = meeting_for_request(request, ref)
        return self._page(
            request, meeting, HeadlineReportIssueForm(proposed=self._proposed(meeting))
        )

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = meeting_for_request(request, ref)
        form = HeadlineReportIssueForm(request.POST, proposed=self._proposed(meeting))
        if not form.is_valid():
            return self._page(request, meeting, form, status=400)
        try:
            outcome = headline_report.headline_report_issue_outcome(
                meeting=meeting, acting_user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("headline-report-preview", args=[meeting.ref]))
        _issue_message(request, meeting, outcome)
        return HttpResponseRedirect(reverse("headline-report-preview", args=[meeting.ref]))


def _issue_message(request: HttpRequest, meeting: Meeting, outcome: Any) -> None:
    """Tell the PMO what issuing did: nothing new (unchanged), issued, failed or rendering."""
    report = outcome.report
    if outcome.unchanged:
        messages.info(
            request,
            f"Nothing changed since version {report.version} of the {meeting.ref} headline "
            f"report (issued {report.issue_date:%d/%m/%Y}): no new version was added.",
        )
        return
    report.refresh_from_db()
    if report.status == HeadlineReport.Status.ISSUED:
        messages.success(
            request,
            f"Version {report.version} of the {meeting.ref} headline report was issued "
            f"(SHA-256 {report.checksum[:12]}…).",
        )
    elif report.status == HeadlineReport.Status.FAILED:
        messages.error(request, f"Version {report.version} could not be rendered: {report.error}")
    else:
        messages.info(
            request,
            f"Version {report.version} of the {meeting.ref} headline report is being "
            "rendered; it appears below when ready.",
        )


class HeadlineReportRetryView(RecorderOnlyMixin, View):
    """``/meetings/<ref>/report/v<N>/retry/`` (POST): render a failed version again."""

    def post(self, request: HttpRequest, ref: str, version: int) -> HttpResponse:
        meeting = meeting_for_request(request, ref)
        found = meeting.headline_reports.filter(version=version).first()
        if found is None:
            raise Http404(f"No version {version} of the {meeting.ref} report.")
        try:
            report = headline_report.headline_report_retry(report=found, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            report.refresh_from_db()
            messages.info(
                request,
                f"Version {report.version}: {report.get_status_display().lower()}.",
            )
        return HttpResponseRedirect(reverse("headline-report-preview", args=[meeting.ref]))
