"""Headline report versions and the programme-wide ref counters."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.visibility import (
    MeetingRecordQuerySet,
    unissued_reports_q,
)
from meetings.models.meeting import Meeting


def headline_report_upload_to(instance: HeadlineReport, filename: str) -> str:
    return (
        f"{settings.HEADLINE_REPORT_STORAGE_DIR}/{instance.meeting.ref}/"
        f"{instance.meeting.ref}-headline-report-v{instance.version}.pdf"
    )


class HeadlineReportQuerySet(MeetingRecordQuerySet):
    def visible_to(self, user: Any) -> HeadlineReportQuerySet:
        """The versions ``user`` may see: of meetings they may see, and only issued ones
        unless they see every meeting (an Observer sees no pending or failed render)."""
        qs = super().visible_to(user)
        return qs.filter(
            Q(status=HeadlineReport.Status.ISSUED) | unissued_reports_q(user, "meeting__")
        )


class HeadlineReport(models.Model):
    """One issued (or issuing) version of a meeting's headline report PDF.

    An issued version is immutable: its file, checksum (SHA-256 hex of the PDF bytes) and
    issue date never change; a new issue makes a new version.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to render"
        RENDERING = "rendering", "Rendering"
        ISSUED = "issued", "Issued"
        FAILED = "failed", "Failed"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="headline_reports")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to=headline_report_upload_to, blank=True)
    checksum = models.CharField(max_length=64, blank=True)
    fingerprint = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="SHA-256 of what the report shows (composer.report): same records, same PDF.",
    )
    issue_date = models.DateField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = HeadlineReportQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="headline_report_version"),
            models.CheckConstraint(
                condition=~Q(status="issued") | (~Q(checksum="") & Q(issue_date__isnull=False)),
                name="headline_report_issued_has_checksum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting.ref} headline report v{self.version}"


class RefCounter(models.Model):
    """A programme-wide ref counter (``CR``, ``DIN``): the last number handed out.

    Locked with ``select_for_update`` while a number is taken, so two users creating at once
    get distinct numbers; it only grows, so numbers are never reused.
    """

    key = models.CharField(max_length=20, unique=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"
