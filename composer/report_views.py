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

from composer import headline_report
from composer.report import headline_report_data
from composer.report_render import (
    StoredPdf,
    headline_report_fingerprint,
    headline_report_html,
    headline_report_pdf_get,
)
from core import roles, visibility
from meetings.models import HeadlineReport, Meeting
from meetings.selectors import meeting_get_for_user

# --- helpers -------------------------------------------------------------------------------------


class PmoOnlyMixin(LoginRequiredMixin):
    """Logged-in PMO only: anyone else gets 403 (``core.roles.is_pmo``)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not roles.is_pmo(request.user):
            raise PermissionDenied("Only the PMO (secretariat) can do this.")
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
    return (
        meeting.headline_reports.filter(status=HeadlineReport.Status.ISSUED)
        .order_by("-version")
        .first()
    )


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
        if not visibility.sees_unissued_reports(request.user):
            # Observers read issued reports only: the current one is the newest version.
            version = latest_issued(meeting)
            if version is None:
                raise Http404("This meeting's report has not been issued.")
            return HttpResponseRedirect(
                reverse("headline-report-version", args=[meeting.ref, version.version])
            )
        data = headline_report_data(meeting=meeting)
        versions = list(meeting.headline_reports.select_related("requested_by"))
        issued = next((v for v in versions if v.status == HeadlineReport.Status.ISSUED), None)
        changed = issued is not None and issued.fingerprint != headline_report_fingerprint(data)
        html = headline_report_html(
            data=data,
            for_pdf=False,
            context={
                "request": request,
                "meeting": meeting,
                "versions": versions,
                "latest_issued": issued,
                "changed_since_issue": changed,
                "can_issue": roles.is_pmo(request.user),
                "meeting_url": _meeting_page_url(meeting),
            },
        )
        return HttpResponse(html)


class HeadlineReportPdfView(LoginRequiredMixin, View):
    """``/meetings/<ref>/report.pdf``: the current report as PDF (``?download=1`` saves it).

    Rendered only when the records changed since the last render (see
    ``composer.report.headline_report_pdf_get``); Observers get the newest issued version.
    """

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = meeting_for_request(request, ref)
        if not visibility.sees_unissued_reports(request.user):
            version = latest_issued(meeting)
            if version is None:
                raise Http404("This meeting's report has not been issued.")
            return _pdf_response(request, _version_pdf(version), immutable=False)
        return _pdf_response(request, headline_report_pdf_get(meeting=meeting))


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


class HeadlineReportIssueView(PmoOnlyMixin, View):
    """``/meetings/<ref>/report/issue/``: confirm (GET), then issue a new version (POST)."""

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = meeting_for_request(request, ref)
        return render(
            request,
            "meetings/report/issue_confirm.html",
            {
                "meeting": meeting,
                "latest_issued": latest_issued(meeting),
                "next_version": (meeting.headline_reports.aggregate(m=Max("version"))["m"] or 0)
                + 1,
                "meeting_url": _meeting_page_url(meeting),
            },
        )

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = meeting_for_request(request, ref)
        try:
            report = headline_report.headline_report_issue(
                meeting=meeting, acting_user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("headline-report-preview", args=[meeting.ref]))
        report.refresh_from_db()
        if report.status == HeadlineReport.Status.ISSUED:
            messages.success(
                request,
                f"Version {report.version} of the {meeting.ref} headline report was issued "
                f"(SHA-256 {report.checksum[:12]}…).",
            )
        elif report.status == HeadlineReport.Status.FAILED:
            messages.error(
                request, f"Version {report.version} could not be rendered: {report.error}"
            )
        else:
            messages.info(
                request,
                f"Version {report.version} of the {meeting.ref} headline report is being "
                "rendered; it appears below when ready.",
            )
        return HttpResponseRedirect(reverse("headline-report-preview", args=[meeting.ref]))


class HeadlineReportRetryView(PmoOnlyMixin, View):
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
