"""Committees, organisations, people, meetings, their agenda and discussion, headline reports.

See DESIGN.md "Records and how they link". Refs are stored (unique) and assigned by
``meetings.services``; the structured fields they derive from carry the real constraints.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core import refs
from core.visibility import (
    Classification,
    MeetingRecordQuerySet,
    sees_unissued_reports,
)


class Committee(models.Model):
    """A governance committee such as the Design Advisory Group (code ``DAG``).

    ``last_meeting_number`` and ``last_decision_seq`` are the ref counters: they only ever
    grow, so a deleted meeting's or decision's number is never reused.
    """

    code = models.CharField(
        max_length=10,
        unique=True,
        validators=[refs.validate_committee_code],
        help_text="2-10 capital letters, used in every ref (DAG028, DAG28-01, DAG-DEC67).",
    )
    name = models.CharField(max_length=200, help_text="e.g. Design Advisory Group")
    programme_name = models.CharField(max_length=200, blank=True, help_text="e.g. MHHS")
    due_soon_days = models.PositiveSmallIntegerField(
        default=3, help_text="Days before an action's due date that the due-soon reminder goes."
    )
    last_meeting_number = models.PositiveIntegerField(default=0, editable=False)
    last_decision_seq = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2,10}$"), name="committee_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def full_name(self) -> str:
        """``"MHHS Design Advisory Group"``: the programme name before the committee name."""
        return f"{self.programme_name} {self.name}".strip()


class Organisation(models.Model):
    """An organisation: the Programme, a supplier, a code body (RECCo), an agent."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A named person, or a team (``is_team``) such as "Testing Team", optionally a login."""

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    is_team = models.BooleanField(default=False, help_text="A team rather than one person.")
    reminders_opt_out = models.BooleanField(
        default=False, help_text="Send this person no reminder emails."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["name", "organisation"], name="person_unique_name_in_organisation"
            ),
            # NULL organisations differ in the constraint above, so it needs a twin.
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(organisation__isnull=True),
                name="person_unique_name_without_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's seat on a committee: role and the constituency they represent."""

    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        MEMBER = "member", "Member"
        ALTERNATE = "alternate", "Alternate"
        OBSERVER = "observer", "Observer"
        SECRETARIAT = "secretariat", "Secretariat (PMO)"

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    constituency = models.CharField(
        max_length=200, blank=True, help_text="e.g. Large Supplier Representative"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["committee", "role", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "person", "role"], name="membership_unique_role"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()} of {self.committee.code}"


# The title the importer gives an earlier meeting it had to invent (its date is a guess), so
# that such a meeting is never taken for "the next meeting".
PLACEHOLDER_TITLE = "Placeholder: date not known (created by a headline report import)"


class OuterMeeting:
    """The meeting of the outer query, for :meth:`MeetingQuerySet.later_than` in a subquery."""

    committee_id = OuterRef("committee_id")
    start_at = OuterRef("start_at")


OUTER_MEETING = OuterMeeting()


class MeetingQuerySet(MeetingRecordQuerySet):
    """Named reads of meetings; ``visible_to(user)`` is the meetings ``user`` may see."""

    meeting_path = ""

    def planned(self) -> MeetingQuerySet:
        return self.filter(status=Meeting.Status.PLANNED)

    def real(self) -> MeetingQuerySet:
        """Meetings that are not an import's placeholder (whose date is only a guess)."""
        return self.exclude(title=PLACEHOLDER_TITLE)

    def later_than(self, meeting: Meeting | OuterMeeting) -> MeetingQuerySet:
        """The committee's meetings after ``meeting``, earliest first, leaving out an
        import's placeholders (their dates are guesses): "due by meeting" choices and checks,
        the "next meeting" and the meeting page's later meetings (``OUTER_MEETING`` there:
        the meeting of the query this one is a subquery of)."""
        return (
            self.real()
            .filter(committee_id=meeting.committee_id, start_at__gt=meeting.start_at)
            .order_by("start_at")
        )


class Meeting(models.Model):
    """A meeting of a committee: ``DAG028``, or the extraordinary ``DAG020.1``.

    ``start_at``/``end_at`` are aware datetimes (stored in UTC, shown in Europe/London).
    """

    # Defined in the kernel so that the visibility rule (core.visibility) needs no app.
    Classification = Classification

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"
        REPORT_DRAFT = "report_draft", "Report draft"
        REPORT_ISSUED = "report_issued", "Report issued"

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="meetings")
    number = models.PositiveIntegerField()
    sub_number = models.PositiveSmallIntegerField(
        default=0, help_text="Non-zero for an extraordinary meeting (20.1 → DAG020.1)."
    )
    ref = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200, blank=True)
    start_at = models.DateTimeField()
    end_at = models.DateTimeField(null=True, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    classification = models.CharField(
        max_length=20, choices=Classification.choices, default=Classification.PUBLIC
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    report_issue_date = models.DateField(null=True, blank=True)
    last_action_seq = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["committee__code", "number", "sub_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "number", "sub_number"], name="meeting_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(end_at__isnull=True) | Q(end_at__gt=models.F("start_at")),
                name="meeting_end_after_start",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="meeting_number_positive"),
        ]

    def __str__(self) -> str:
        return self.ref

    @property
    def local_start(self) -> dt.datetime:
        """``start_at`` in the site's time zone (Europe/London)."""
        return timezone.localtime(self.start_at)

    @property
    def date(self) -> dt.date:
        """The meeting's calendar date in Europe/London."""
        return self.local_start.date()


class AgendaItem(models.Model):
    """An agenda item: the report's "Area" (``CR023 Decision``, ``Minutes and Actions``)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    change_request = models.ForeignKey(
        "changerequests.ChangeRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
    )
    history = HistoricalRecords()

    objects = MeetingRecordQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "title"], name="agenda_item_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title


class DiscussionItem(models.Model):
    """A key discussion paragraph under an agenda item.

    ``text`` is sanitised HTML (``b``, ``strong``, ``u``, ``i``, ``em``, ``br`` only); the refs
    written in it are resolved into :class:`DiscussionReference` rows by
    ``meetings.services.discussion_item_create``/``_update``.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="discussion_items")
    agenda_item = models.ForeignKey(
        AgendaItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="discussion_items",
    )
    order = models.PositiveIntegerField(default=0)
    text = models.TextField()
    history = HistoricalRecords()

    objects = MeetingRecordQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "order", "id"]

    def __str__(self) -> str:
        return f"{self.meeting.ref} discussion {self.order}"


class DiscussionReferenceQuerySet(MeetingRecordQuerySet):
    """References visible by the meeting whose discussion wrote them."""

    meeting_path = "discussion_item__meeting__"


class DiscussionReference(models.Model):
    """A ref written in a discussion item, with the record it resolved to (if it exists).

    One of the record columns is set when the ref resolved; ``ref`` is always the canonical
    text so unresolved refs (a design artefact, a CR not yet recorded) are still searchable.
    """

    discussion_item = models.ForeignKey(
        DiscussionItem, on_delete=models.CASCADE, related_name="references"
    )
    kind = models.CharField(max_length=20)
    ref = models.CharField(max_length=30, db_index=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="discussed_in"
    )
    action = models.ForeignKey(
        "actions.Action",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="discussed_in",
    )
    decision = models.ForeignKey(
        "decisions.Decision",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="discussed_in",
    )
    change_request = models.ForeignKey(
        "changerequests.ChangeRequest",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="discussed_in",
    )
    din = models.ForeignKey(
        "changerequests.DesignIssueNotification",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="discussed_in",
    )

    # Visible by the meeting that discussed the record: "where discussed" and backlinks.
    objects = DiscussionReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["discussion_item", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["discussion_item", "ref"], name="discussion_reference_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.ref


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
        return qs if sees_unissued_reports(user) else qs.filter(status=HeadlineReport.Status.ISSUED)


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
