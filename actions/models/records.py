"""The reminder log (exactly once per person, occasion and date) and stored register PDFs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from actions.models.action import Action


class ReminderLog(models.Model):
    """One reminder owed to one person, claimed before its email goes: the exactly-once record.

    The key is (person, action or meeting, kind, ``reminder_date``), unique in the database.
    ``reminder_date`` is the occasion the reminder is for, not the day it ran: the action's due
    date (due soon, due today), the first day of the overdue week (due date + 1, + 8, ...), or
    the meeting's Europe/London date (meeting digest). A run claims every key it owes at once
    (``status=claimed``, leaving rows another run inserted first alone), then, just before
    sending each person's email, moves that person's rows to ``sending`` with ``attempt_at``
    now, and marks them ``sent`` or ``failed`` as soon as the send returns; rows a stopped run
    left ``claimed`` were never begun and the next run sends them. ``failed`` rows are claimed again
    (``attempts`` + 1) by the next run that still owes them. A row left ``sending`` means the
    process stopped while that email was being sent: whether it went is unknown, and it is not
    sent again (see ``composer.reminders.claims``); the PMO sees it in the admin's log.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Due soon"
        DUE_TODAY = "due_today", "Due today"
        OVERDUE = "overdue", "Overdue"
        MEETING_DIGEST = "meeting_digest", "Meeting digest"

    class Status(models.TextChoices):
        CLAIMED = "claimed", "Claimed (the run will send it next)"
        SENDING = "sending", "Sending (if it stays so, the run stopped: it may not have gone)"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (will be retried)"

    person = models.ForeignKey(
        "meetings.Person", on_delete=models.CASCADE, related_name="reminder_logs"
    )
    action = models.ForeignKey(
        Action, null=True, blank=True, on_delete=models.CASCADE, related_name="reminder_logs"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminder_logs",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reminder_date = models.DateField(
        help_text="The occasion (Europe/London): due date, overdue week start or meeting date."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    run_id = models.UUIDField(db_index=True, help_text="The run that last claimed this reminder.")
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last attempt to send this reminder began."
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reminder_date", "person", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "action", "kind", "reminder_date"],
                condition=Q(action__isnull=False),
                name="reminder_log_unique_action",
            ),
            models.UniqueConstraint(
                fields=["person", "meeting", "kind", "reminder_date"],
                condition=Q(meeting__isnull=False),
                name="reminder_log_unique_meeting",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="meeting_digest", meeting__isnull=False, action__isnull=True)
                    | (~Q(kind="meeting_digest") & Q(action__isnull=False, meeting__isnull=True))
                ),
                name="reminder_log_digest_names_meeting",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "reminder_date"], name="reminder_log_status_date"),
        ]

    def __str__(self) -> str:
        target = f"action {self.action_id}" if self.action_id else f"meeting {self.meeting_id}"
        return f"{self.get_kind_display()} for person {self.person_id}, {target}"


# Where stored register PDFs go under MEDIA_ROOT (never served by path: only the view that
# checks the requester hands a file out).
REGISTER_PDF_STORAGE_DIR = "register-pdfs"


def register_pdf_upload_to(instance: RegisterPdf, filename: str) -> str:
    return f"{REGISTER_PDF_STORAGE_DIR}/{instance.pk}/{filename}"


class RegisterPdf(models.Model):
    """One request for the action register as a PDF, rendered in the background.

    Holds what was asked (the register's filters and sort as JSON, the filters in words, the
    London date that decides what is overdue) so the render lists exactly what the register
    page showed the requester then; only the requester gets the file. A failed render keeps
    its error for a retry (``actions.register_pdf``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to render"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filters = models.JSONField(
        default=dict,
        help_text="The register's filters and sort (actions.register.ActionRegisterFilters) "
        "and the visibility they were asked with.",
    )
    filters_text = models.TextField(blank=True, help_text="The filters in words, as printed.")
    today = models.DateField(help_text="The Europe/London date that decides what is overdue.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to=register_pdf_upload_to, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True, help_text="Actions listed.")
    total = models.PositiveIntegerField(
        null=True, blank=True, help_text="Actions the filters matched (more than listed: cut)."
    )
    pages = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(file="") & Q(rows__isnull=False)),
                name="register_pdf_ready_has_file",
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "status"], name="register_pdf_user_status"),
        ]

    def __str__(self) -> str:
        return f"Action register PDF {self.pk} ({self.get_status_display().lower()})"

    @property
    def is_capped(self) -> bool:
        return self.rows is not None and self.total is not None and self.total > self.rows

    @property
    def in_progress(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.RENDERING}
