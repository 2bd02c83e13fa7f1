"""A meeting's papers (files attached to the meeting or one of its agenda items) and its pack.

A paper's file is kept in versions: replacing it adds a version and keeps the old ones
(``meetings.paper_services``). Files go through Django's storage API (``STORAGES["default"]``:
files under ``MEDIA_ROOT`` by default) and are never served by path: only the view that
checks the meeting's visibility hands one out (``meetings.paper_views``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.roles import recorded_committee_ids
from core.visibility import MeetingRecordQuerySet, sees_all_meetings
from meetings.models.meeting import AgendaItem, Meeting

# Where papers and packs go in the storage (never served by path).
PAPER_STORAGE_DIR = "papers"
PACK_STORAGE_DIR = "meeting-packs"


class PaperQuerySet(MeetingRecordQuerySet):
    def readable_by(self, user: Any) -> PaperQuerySet:
        """The papers ``user`` may read: of meetings they may see (``visible_to``) whose
        agenda is published, or any for those who see every meeting (the PMO, who builds
        the agenda before publishing it)."""
        return agenda_readable(self.visible_to(user), user, "meeting__")


def agenda_readable(qs: Any, user: Any, path: str = "") -> Any:
    """``qs`` narrowed to the meetings whose agenda ``user`` may read: published ones, all
    for the PMO, and those of the committees whose secretariat they are (who build the
    agenda before publishing it; ``core.roles.recorded_committee_ids``). ``path`` leads to
    the meeting. The meeting's own visibility is the caller's ``visible_to``: this narrows
    it, never widens it."""
    if sees_all_meetings(user):
        return qs
    readable = Q(**{f"{path}agenda_published_at__isnull": False})
    recorded = recorded_committee_ids(user)
    if recorded:
        readable |= Q(**{f"{path}committee_id__in": sorted(recorded)})
    return qs.filter(readable)


class Paper(models.Model):
    """A paper of a meeting, optionally under one of its agenda items; its file is in
    :class:`PaperVersion` rows, the highest number the current one."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="papers")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="papers"
    )
    title = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "order", "id"]

    def __str__(self) -> str:
        return self.title


def paper_upload_to(instance: PaperVersion, filename: str) -> str:
    paper = instance.paper
    return f"{PAPER_STORAGE_DIR}/{paper.meeting.ref}/{paper.pk}/v{instance.version}-{filename}"


class PaperVersion(models.Model):
    """One file of a paper. Immutable: a replacement is a new version."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word document"
        XLSX = "xlsx", "Excel spreadsheet"
        PNG = "png", "PNG image"
        JPEG = "jpeg", "JPEG image"

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    file = models.FileField(upload_to=paper_upload_to, max_length=300)
    filename = models.CharField(max_length=200, help_text="The name it was uploaded with.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    size = models.PositiveIntegerField(help_text="Bytes.")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paper", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "version"], name="paper_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.paper} v{self.version}"


def meeting_pack_upload_to(instance: MeetingPack, filename: str) -> str:
    return f"{PACK_STORAGE_DIR}/{instance.meeting.ref}/{instance.pk}/{filename}"


class MeetingPackQuerySet(MeetingRecordQuerySet):
    def readable_by(self, user: Any) -> MeetingPackQuerySet:
        """The packs ``user`` may read: as :meth:`PaperQuerySet.readable_by`."""
        return agenda_readable(self.visible_to(user), user, "meeting__")


class MeetingPack(models.Model):
    """One render of a meeting's pack (a cover with the agenda, then the PDF papers), in the
    background (``core.renders``, ``meetings.pack``)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to render"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="packs")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to=meeting_pack_upload_to, blank=True, max_length=300)
    pages = models.PositiveIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    # The reader each cover section was built for, by section key (``meetings.pack``):
    # a pack whose meeting is now read more widely than that is not served.
    reader_basis = models.JSONField(default=dict, blank=True)

    objects = MeetingPackQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready") | ~Q(file=""), name="meeting_pack_ready_has_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting.ref} meeting pack {self.pk}"

    @property
    def in_progress(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.RENDERING}
