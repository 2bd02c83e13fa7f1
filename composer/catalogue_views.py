"""``/reports/catalogue/``: the PMO uploads a back catalogue of headline reports, watches it
being checked, reads what each report will do, confirms, and watches the import
(``composer.catalogue_jobs``). The status page refreshes itself with htmx while a step runs.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from composer.catalogue_jobs import (
    MAX_BYTES,
    catalogue_job_confirm,
    catalogue_job_create,
    catalogue_job_retry,
    job_progress,
)
from composer.models import CatalogueImport
from core import ratelimit
from core.views import PmoRequired, is_htmx


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern): cleans to a list."""

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class CatalogueForm(forms.Form):
    files = MultipleFileField(
        widget=MultipleFileInput(attrs={"accept": ".txt,.pdf,.docx,.zip"}),
        label="Headline reports",
        help_text="Several reports at once: text, Word (.docx) or PDF files, or ZIP archives "
        "of them, in any order.",
    )

    def clean_files(self) -> list[Any]:
        uploads = self.cleaned_data["files"]
        if sum(upload.size for upload in uploads) > MAX_BYTES:
            raise forms.ValidationError("The files come to more than 50 MB: import fewer at once.")
        return uploads


class CatalogueUploadView(ratelimit.RateLimitMixin, PmoRequired):
    rate_limit_scope = ratelimit.IMPORT

    def get(self, request: HttpRequest) -> HttpResponse:
        jobs = CatalogueImport.objects.all()[:10]
        return render(request, "imports/catalogue.html", {"form": CatalogueForm(), "jobs": jobs})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CatalogueForm(request.POST, request.FILES)
        if not form.is_valid():
            jobs = CatalogueImport.objects.all()[:10]
            return render(request, "imports/catalogue.html", {"form": form, "jobs": jobs})
        job = catalogue_job_create(uploads=form.cleaned_data["files"], acting_user=request.user)
        return HttpResponseRedirect(reverse("catalogue-import-status", args=[job.pk]))


class CatalogueStatusView(PmoRequired):
    """The job's progress (a bar while a step runs), then its summary or its problems."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = get_object_or_404(CatalogueImport, pk=pk)
        done, total, step = job_progress(job)
        context = {
            "job": job,
            "done": done,
            "total": total,
            "step": step,
            "percent": round(100 * done / total) if total else 0,
        }
        template = "imports/_catalogue_status.html" if is_htmx(request) else None
        return render(request, template or "imports/catalogue_status.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = get_object_or_404(CatalogueImport, pk=pk)
        try:
            if request.POST.get("do") == "retry":
                catalogue_job_retry(job=job, acting_user=request.user)
            else:
                catalogue_job_confirm(job=job, acting_user=request.user)
        except ValueError as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("catalogue-import-status", args=[job.pk]))
