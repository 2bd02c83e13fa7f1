"""Meetings, their agenda and discussion (DESIGN.md "Records and how they link").

Refs are stored (unique) and assigned by ``meetings.services``; the structured fields they
derive from carry the real constraints.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.visibility import (
    Classification,
    MeetingRecordQuerySet,
    linked_record_q,
)
from meetings.models.people import Committee

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
    agenda_published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the PMO published the agenda to its readers (empty: not yet).",
    )
    agenda_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
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


class AgendaItemQuerySet(MeetingRecordQuerySet):
    """Agenda items, ``visible_to(user)`` by their meeting."""

    def with_changed_since_published(self) -> AgendaItemQuerySet:
        """Annotate ``is_changed_since_published``: the item was added or edited (its
        history has a row) after its meeting's agenda was published. False while the agenda
        is unpublished. One subquery, no query per item."""
        history = AgendaItem.history.model.objects.filter(
            id=OuterRef("pk"), history_date__gt=OuterRef("meeting__agenda_published_at")
        )
        return self.annotate(is_changed_since_published=Exists(history))


class AgendaItem(models.Model):
    """An agenda item: the report's "Area" (``CR023 Decision``, ``Minutes and Actions``).

    Before the meeting it is a line of the agenda: a time slot (``start_time`` and a duration
    in minutes, on the meeting's day), a presenter and a purpose; its papers are
    ``meetings.models.Paper`` rows.
    """

    class Purpose(models.TextChoices):
        DECISION = "decision", "For decision"
        DISCUSSION = "discussion", "For discussion"
        INFORMATION = "information", "For information"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    start_time = models.TimeField(
        null=True, blank=True, help_text="Europe/London time on the meeting's day."
    )
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    presenter = models.ForeignKey(
        "meetings.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items_presented",
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices, blank=True)
    change_request = models.ForeignKey(
        "changerequests.ChangeRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
    )
    history = HistoricalRecords()

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "title"], name="agenda_item_unique_title"),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True)
                | Q(duration_minutes__gte=1, duration_minutes__lte=24 * 60),
                name="agenda_item_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True) | Q(start_time__isnull=False),
                name="agenda_item_duration_has_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def end_time(self) -> dt.time | None:
        """The slot's end (start plus duration), None without both."""
        if self.start_time is None or self.duration_minutes is None:
            return None
        start = dt.datetime.combine(dt.date(2000, 1, 1), self.start_time)
        return (start + dt.timedelta(minutes=self.duration_minutes)).time()


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

    def linkable_by(self, user: Any) -> DiscussionReferenceQuerySet:
        """The references whose record ``user`` may open (``core.visibility.linked_record_q``):
        the refs of discussion text linked for them; the others are written as text."""
        return self.filter(linked_record_q(user))

    def with_is_linkable(self, user: Any) -> DiscussionReferenceQuerySet:
        """Every reference, with ``is_linkable``: whether ``user`` may open its record
        (``core.visibility.linked_record_q``). The API lists them all, as the text shows them
        all, and links only these: another is as a ref that resolved to nothing."""
        linkable = linked_record_q(user)
        if not linkable:
            return self.annotate(is_linkable=models.Value(True))
        return self.annotate(
            is_linkable=models.ExpressionWrapper(linkable, output_field=models.BooleanField())
        )


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
