"""The composer's own records: each person's secret calendar feed address, and what the
headline-report import last wrote (:class:`ImportedValue`).

ImportedValue: What the headline-report import last wrote, per report, record and field.

An import must not undo work done since it last ran (issue #12): a due date re-dated at a
later meeting, a description corrected in the browser. To tell "changed since imported"
from "the report says something new", each import records the value it carried for every
field it manages, in the same transaction as its writes (:mod:`composer.importer.baseline`).

Why a row of our own and not the django-simple-history rows: the import writes as the
person who imports (a PMO, the same user who edits in the browser), so a history row does
not say whether it was written by an import; several fields the import manages are not in
one record's history at all (an action's owners are rows of their own, its CRs a
many-to-many); and some changes reach records without a history row
(``ActionQuerySet.follow_due_meeting`` updates in bulk). Comparing the current value with
the value the import last wrote catches every one of those, whoever made it and however.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


def new_calendar_token() -> str:
    """A fresh secret for a feed's address (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret in a user's calendar feed addresses (``/calendar/<token>.ics``).

    A calendar program fetches the feed without a session, so the token is the credential:
    whoever has the address reads what its user may see. Resetting it (a new token) stops
    every copy of the old address at once.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(auto_now_add=True)
    reset_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


def catalogue_upload_to(instance: CatalogueImport, filename: str) -> str:
    return f"catalogue-imports/{instance.pk or 'new'}/{filename}"


class CatalogueImport(models.Model):
    """A back catalogue of headline reports imported in one go (``composer.catalogue_jobs``):
    the uploaded files (one ZIP of them), checked by a dry run and then, once the PMO
    confirms, imported, each step in the background with its progress kept here.

    A failed step keeps its error and can be run again; nothing is written by a failed
    import (it is one transaction). A single large report confirmed on the import page is a
    one-file catalogue, checked already by its preview (``catalogue_jobs.report_job_create``).
    """

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking the files"
        CHECKED = "checked", "Checked: waiting for confirmation"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CHECKING)
    files = models.FileField(upload_to=catalogue_upload_to)
    names = models.JSONField(default=list)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    summary = models.JSONField(default=list)
    problems = models.JSONField(default=list)
    # A single report confirmed in the browser's import page: the conflicts for which the
    # PMO took the report's value (``ImportConflict.key``); the others keep the tracker's.
    take_imported = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Catalogue import {self.pk} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)


class ImportedValue(models.Model):
    """The value the import of ``report`` last carried for one field of one record.

    ``report`` is the meeting ref of the headline report (``DAG028``); ``kind`` and ``ref``
    name the record (``action``/``DAG28-01``, ``discussion item``/``DAG028 #3``); ``value``
    is the field's canonical text (``composer.importer.baseline.value_text``).
    """

    report = models.CharField(max_length=24)
    kind = models.CharField(max_length=24)
    ref = models.CharField(max_length=64)
    field = models.CharField(max_length=32)
    value = models.TextField(blank=True)
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "kind", "ref", "field"], name="imported_value_unique"
            )
        ]
        indexes = [models.Index(fields=["kind", "ref"], name="imported_value_record")]

    def __str__(self) -> str:
        return f"{self.report}: {self.kind} {self.ref} {self.field}"


class SearchDocument(models.Model):
    """One record as the search finds it (``composer.search``): its words, and what a result
    shows and filters on. Kept in step with the record by ``composer.search.index`` (on
    every save and delete) and rebuilt whole by ``manage.py rebuild_search_index``.

    The full-text index over ``title`` and ``body`` depends on the database (migration
    ``search_document``): on PostgreSQL a GIN index over their English ``tsvector``; on
    SQLite an FTS5 table kept in step by triggers. A later migration that makes SQLite
    rebuild this table drops those triggers: such a migration must create them again.
    """

    kind = models.CharField(max_length=20)
    object_id = models.PositiveBigIntegerField()
    ref = models.CharField(max_length=30, blank=True, db_index=True)
    title = models.CharField(max_length=400)
    body = models.TextField(blank=True)
    place = models.CharField(max_length=400, blank=True, help_text="Where it was recorded.")
    link = models.CharField(max_length=300, blank=True)
    committee = models.ForeignKey(
        "meetings.Committee", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique")
        ]
        indexes = [models.Index(fields=["date"], name="search_document_date")]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref or self.object_id}"


class EmailLinkUse(models.Model):
    """A reminder email's one-click link, used (``composer.email_links``): the token's digest
    is unique, so a link does its one thing once and a second use is told when it was used."""

    token_digest = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=10)
    person = models.ForeignKey(
        "meetings.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.ForeignKey("actions.Action", on_delete=models.CASCADE, related_name="+")
    update = models.ForeignKey(
        "actions.ActionUpdate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-used_at"]

    def __str__(self) -> str:
        return f"{self.purpose} link on action {self.action_id}, used {self.used_at:%Y-%m-%d}"


def headline_report_draft_upload_to(instance: HeadlineReportDraft, filename: str) -> str:
    return f"{settings.HEADLINE_REPORT_STORAGE_DIR}/drafts/{instance.meeting_id}/{filename}"


class HeadlineReportDraft(models.Model):
    """The live (draft) headline report of a meeting as a stored PDF, rendered in the
    background (``composer.report_drafts``) and served until the records change.

    ``key`` says what it shows: the SHA-256 of the report's fingerprint and its draft note
    (``composer.report_render``), so a draft is rendered once per state of the records and
    a later state is a new row. A failed render keeps its error for a retry.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to render"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="headline_report_drafts"
    )
    key = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to=headline_report_draft_upload_to, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "key"], name="headline_draft_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(file=""),
                name="headline_draft_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"Draft headline report {self.pk} ({self.get_status_display().lower()})"

    @property
    def in_progress(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.RENDERING}
