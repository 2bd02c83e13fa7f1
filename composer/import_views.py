"""Browser pages of the headline-report import: upload, preview (old → new, conflicts), confirm.

Thin views over :mod:`composer.importer`: the upload runs the import as a dry run and shows
what it would do, field by field; each conflict (a field changed in the tracker since the
report was last imported) is a choice in the preview's form, keeping the tracker's value
unless the PMO takes the report's; the confirm step imports the previewed text (tied to it by
its checksum) with those choices. PMO only (``core.roles``). A report longer than
``settings.IMPORT_BACKGROUND_ROWS`` lines is imported in the background on confirming
(``composer.catalogue_jobs.report_job_create``), and the page that follows shows its progress;
one longer than ``settings.IMPORT_PREVIEW_MAX_ROWS`` is checked in the background too, as a
back catalogue of one file (``composer.catalogue_jobs.catalogue_job_create``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from composer import importer
from composer.catalogue_jobs import catalogue_job_create, report_job_create
from composer.report_views import PmoOnlyMixin

IMPORT_SESSION_KEY = "headline_report_import"
MAX_IMPORT_BYTES = 2 * 1024 * 1024
# A conflict's choice in the preview form: ``choice:<ImportConflict.key>`` = keep | take.
CHOICE_PREFIX = "choice:"


class HeadlineReportUploadForm(forms.Form):
    """A headline report (its PDF, its Word document or its text as UTF-8), up to 2 MB."""

    file = forms.FileField(
        label="Headline report (PDF, Word or text file)",
        help_text="The report as a PDF or a Word document (.docx), or its text, "
        "tab-separated, saved as UTF-8.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError("The file is larger than 2 MB; a headline report is smaller.")
        return upload


def _problems_page(request: HttpRequest, problems: list, name: str) -> HttpResponse:
    return render(
        request,
        "meetings/import_upload.html",
        {"form": HeadlineReportUploadForm(), "problems": problems, "file_name": name},
        status=400,
    )


class HeadlineReportImportView(PmoOnlyMixin, View):
    """``/reports/import/``: upload a report, see what the import will do, then confirm."""

    template_name = "meetings/import_upload.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": HeadlineReportUploadForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = HeadlineReportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        upload = form.cleaned_data["file"]
        name = upload.name
        try:
            text = importer.headline_report_text(upload.read())
            if len(text.splitlines()) > settings.IMPORT_PREVIEW_MAX_ROWS:
                # Too large even to check while the browser waits: checked in the background
                # as a back catalogue of one file, whose page shows progress, then what the
                # import would do (its conflicts keep the tracker's values), then imports.
                upload.seek(0)
                job = catalogue_job_create(uploads=[upload], acting_user=request.user)
                return HttpResponseRedirect(reverse("catalogue-import-status", args=[job.pk]))
            result = importer.headline_report_import(
                text=text, dry_run=True, acting_user=request.user
            )
        except importer.HeadlineReportImportError as exc:
            return _problems_page(request, exc.problems, name)
        checksum = importer.text_checksum(text)
        request.session[IMPORT_SESSION_KEY] = {"text": text, "name": name, "checksum": checksum}
        return render(
            request,
            "meetings/import_preview.html",
            {
                "result": result,
                "file_name": name,
                "checksum": checksum,
                "choice_prefix": CHOICE_PREFIX,
                "changed": [c for c in result.changes if c.verb in ("create", "update")],
            },
        )


class HeadlineReportImportConfirmView(PmoOnlyMixin, View):
    """``/reports/import/confirm/`` (POST): import the report previewed, all or nothing,
    taking the report's value for the conflicts the PMO chose ("take"); the others keep
    the tracker's value."""

    def post(self, request: HttpRequest) -> HttpResponse:
        pending = request.session.get(IMPORT_SESSION_KEY)
        if not pending or pending.get("checksum") != request.POST.get("checksum"):
            messages.error(
                request, "That preview has expired or was replaced; upload the report again."
            )
            return HttpResponseRedirect(reverse("headline-report-import"))
        take = {
            key.removeprefix(CHOICE_PREFIX)
            for key, value in request.POST.items()
            if key.startswith(CHOICE_PREFIX) and value == "take"
        }
        if len(pending["text"].splitlines()) > settings.IMPORT_BACKGROUND_ROWS:
            job = report_job_create(
                name=pending.get("name") or "report.txt",
                text=pending["text"],
                take_imported=take,
                acting_user=request.user,
            )
            del request.session[IMPORT_SESSION_KEY]
            return HttpResponseRedirect(reverse("catalogue-import-status", args=[job.pk]))
        try:
            result = importer.headline_report_import(
                text=pending["text"], acting_user=request.user, take_imported=take
            )
        except importer.HeadlineReportImportError as exc:
            return _problems_page(request, exc.problems, pending.get("name", ""))
        del request.session[IMPORT_SESSION_KEY]
        messages.success(request, f"Imported {pending.get('name', 'the report')}: {result}")
        for conflict in result.conflicts:
            messages.info(request, conflict.sentence())
        for warning in result.warnings:
            messages.warning(request, warning)
        return HttpResponseRedirect(reverse("meeting-detail", args=[result.meeting_ref]))
