"""Actions raised at meetings, their owners, progress updates and reviews at later meetings.

See DESIGN.md: an action has a ref (``DAG28-01``), a due date (a calendar date), one or more
owners (one lead), each an organisation or a role plus an optional named person or team.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Upper
from simple_history.models import HistoricalRecords

from core.visibility import (
    MeetingRecordQuerySet,
    action_owned_q,
    action_visible_q,
    sees_all_meetings,
)


def action_ref_sort_key(code: str, number: int, sub_number: int, seq: int) -> str:
    """The key that sorts actions in ref order: ``("DAG", 28, 0, 1) -> "DAG-0028.00-0001"``.

    Ref order is committee code, meeting number, sub-number, then seq; the ref itself does
    not sort that way as text (``DAG28-10`` before ``DAG28-2``, ``DAG100`` before ``DAG99``).
    Numbers are padded to their maximum widths (``core.refs``); ``-`` sorts before every
    character of a code, so ``DA`` comes before ``DAG`` as it does by code.
    """
    return f"{code}-{number:04d}.{sub_number:02d}-{seq:04d}"


# The due date that sorts undated actions last (going up): past every real date.
UNDATED = dt.date(9999, 12, 31)


class _WrittenValue(Value):
    """A constant written into the SQL as a literal instead of bound as a parameter (a date:
    its ISO text, quoted), as the schema editor writes it into an index's expression."""

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if not isinstance(self.value, dt.date):
            raise TypeError(f"{self.value!r} is no date")
        return f"'{self.value.isoformat()}'", []


def action_due_sort(*, for_index: bool = False) -> Coalesce:
    """The due date as a sort key that is never NULL (undated: :data:`UNDATED`): the
    register's and the API's due date order, their keyset pages' column, and the
    expression of the indexes that serve them (the same SQL, or the databases ignore them).

    In a read :data:`UNDATED` is written into the SQL, as the index's expression has it:
    SQLite matches an expression index only to the same expression, and a bound parameter
    is not the same (the register's open actions by due date scanned and sorted every open
    action: 25 ms against 0.2 ms at 300,000 actions; PostgreSQL, sent the date as a
    literal by Django's client-side binding, matched it). ``for_index``: the indexes' own
    definition (``Action.Meta.indexes``), a plain ``Value`` as their migrations record
    it (the schema editor writes the same literal)."""
    undated = Value(UNDATED) if for_index else _WrittenValue(UNDATED)
    return Coalesce("due_date", undated, output_field=models.DateField())


def _overdue_q(today: dt.date) -> Q:
    return ~Q(status=Action.Status.CLOSED) & Q(due_date__lt=today)


class ActionQuerySet(MeetingRecordQuerySet):
    """Named reads of actions (``visible_to(user)`` from ``core.visibility``); ``today`` is a
    Europe/London calendar date."""

    def visible_to(self, user: Any) -> ActionQuerySet:
        """The actions ``user`` may see: those of meetings they may see, and those they own
        (``core.visibility.action_owned_q``: the owner of an action may always open it)."""
        if sees_all_meetings(user):
            return self.all()
        return self.filter(action_visible_q(user, ActionOwner.objects.all(), self.meeting_path))

    def owned_by(self, user: Any) -> ActionQuerySet:
        """The actions ``user`` owns in person or through a seat they hold on the action's
        committee (``core.visibility.action_owned_q``): "My actions" and their reminders."""
        return self.filter(action_owned_q(user, ActionOwner.objects.all()))

    def open_owned_by(self, user: Any) -> ActionQuerySet:
        """:meth:`owned_by`, open actions only (:meth:`open`): "My actions". The same rule
        (``core.visibility.action_owned_q``) over the owners of open actions alone, read by
        the ``action_open_id_committee`` index: a seat's owners on years of closed actions
        ("Chair": 4,912 owners at 300,000 actions) are not each looked up."""
        open_owners = ActionOwner.objects.exclude(action__status=Action.Status.CLOSED)
        return self.filter(action_owned_q(user, open_owners)).open()

    def open(self) -> ActionQuerySet:
        """Actions not closed: open or proposed for closure."""
        return self.exclude(status=Action.Status.CLOSED)

    def overdue(self, today: dt.date) -> ActionQuerySet:
        """Actions overdue on ``today``: not closed and due before it (in SQL what
        :func:`action_is_overdue` says of one action's values)."""
        return self.filter(_overdue_q(today))

    def not_overdue(self, today: dt.date) -> ActionQuerySet:
        """The other actions: closed, due on or after ``today``, or undated."""
        return self.exclude(_overdue_q(today))

    def due_between(self, start_date: dt.date, end_date: dt.date) -> ActionQuerySet:
        return self.open().filter(due_date__gte=start_date, due_date__lte=end_date)

    def follow_due_meeting(self, meeting: Any) -> int:
        """Move the open ones due "by ``meeting``" to its (new) date; returns how many moved."""
        return (
            self.open()
            .filter(due_meeting=meeting)
            .exclude(due_date=meeting.date)
            .update(due_date=meeting.date)
        )


def action_is_overdue(*, status: str, due_date: dt.date | None, today: dt.date) -> bool:
    """Whether an action with ``status`` and ``due_date`` is overdue on ``today`` (a London
    date): not closed and due before it. The one comparison, for :meth:`Action.is_overdue`
    and for the row builders that read values, not instances (``ActionQuerySet.overdue``
    says the same in SQL)."""
    return status != Action.Status.CLOSED and due_date is not None and due_date < today


def owner_text(party: str, person: str | None) -> str:
    """An owner as the report writes it: ``Programme (Rob Short)`` (a party and a person or
    team), ``Chair`` (a party alone); ``person`` is None when there is none."""
    return f"{party} ({person})" if person is not None else party


def owner_columns_text(organisation: str | None, role: str, person: str | None) -> str:
    """:func:`owner_text` from an owner's columns read as values (its organisation's name,
    its role, its person's name; None when unset): the row builders that load no
    instances. :attr:`ActionOwner.display` is the same for an instance."""
    return owner_text(organisation if organisation is not None else role, person)


class Action(models.Model):
    """An action raised at a meeting: ``DAG28-01``.

    ``seq`` is its number within ``meeting``; ``ref`` is derived from the two and stored for
    lookups. ``due_meeting`` set means "due by that meeting": ``due_date`` then follows the
    meeting's date when the meeting moves (``meetings.services.meeting_update``).
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PROPOSED_CLOSURE = "proposed_closure", "Proposed for closure"
        CLOSED = "closed", "Closed"

    committee = models.ForeignKey(
        "meetings.Committee", on_delete=models.PROTECT, related_name="actions"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.PROTECT,
        related_name="actions",
        help_text="The meeting the action was raised at.",
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    seq = models.PositiveIntegerField()
    ref = models.CharField(max_length=24, unique=True, editable=False)
    # Denormalised so that ref order is one indexed column: ordering through the meeting and
    # committee joins made PostgreSQL sort a committee's whole history for one page.
    ref_sort = models.CharField(
        max_length=32,
        default="",
        editable=False,
        help_text="Ref order as text (action_ref_sort_key); set with the ref.",
    )
    description = models.TextField()
    due_date = models.DateField(null=True, blank=True)
    due_meeting = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions_due",
        help_text="Due by this meeting: the due date follows it.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    closed_date = models.DateField(null=True, blank=True)
    closure_note = models.TextField(blank=True)
    change_requests = models.ManyToManyField(
        "changerequests.ChangeRequest", blank=True, related_name="actions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "ref_sort"])

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["meeting__committee__code", "meeting__number", "meeting__sub_number", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seq"], name="action_unique_seq"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="action_seq_positive"),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_date__isnull=False),
                name="action_closed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="action_status_due"),
            models.Index(fields=["ref_sort"], name="action_ref_sort"),
            # The register's "not closed, by due date" and "My actions": a few thousand open
            # actions among 100,000, read in due date then ref order.
            models.Index(
                fields=["due_date", "ref_sort"],
                condition=~Q(status="closed"),
                name="action_open_due_ref",
            ),
            # Keyset pages by due date (undated last: action_due_sort) read as index ranges:
            # the register by due date and by status, the open and overdue ones (register,
            # My actions) and the API's ``ordering=due_date`` (its tie-breaker is the id).
            models.Index(
                action_due_sort(for_index=True), F("ref_sort"), name="action_due_sort_ref"
            ),
            models.Index(
                F("status"),
                action_due_sort(for_index=True),
                F("ref_sort"),
                name="action_status_due_sort",
            ),
            models.Index(
                action_due_sort(for_index=True),
                F("ref_sort"),
                condition=~Q(status="closed"),
                name="action_open_due_sort_ref",
            ),
            models.Index(
                action_due_sort(for_index=True),
                F("id"),
                condition=~Q(status="closed"),
                name="action_open_due_sort_id",
            ),
            # The API's ``ordering=updated_at`` (its tie-breaker is the id) and
            # ``updated_since``, what a client keeping a copy in step asks: an index range,
            # where it sorted every action the reader may see (300 ms at 300,000 actions).
            models.Index(fields=["updated_at", "id"], name="action_updated_id"),
            # "My actions" (ActionQuerySet.open_owned_by): is an owner's action open, and of
            # which committee, read from this small index alone for each owner a seat names.
            models.Index(
                fields=["id", "committee"],
                condition=~Q(status="closed"),
                name="action_open_id_committee",
            ),
        ]

    def __str__(self) -> str:
        return self.ref

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    def is_overdue(self, today: dt.date) -> bool:
        """Whether the action is overdue on ``today`` (:func:`action_is_overdue`)."""
        return action_is_overdue(status=self.status, due_date=self.due_date, today=today)

    def owner_display(self) -> str:
        """All owners as the report writes them, lead first: ``Programme (Rob Short)``."""
        return "; ".join(o.display for o in self.owners.all())


class ActionOwnerQuerySet(MeetingRecordQuerySet):
    """Owners of the actions a user may see (``visible_to``): the register's owner choices."""

    meeting_path = "action__meeting__"


class ActionOwner(models.Model):
    """One owner of an action: an organisation or a role, plus an optional person or team.

    ``Programme (Rob Short)`` is organisation Programme + person Rob Short; ``Chair`` is a
    role alone; ``Large Supplier Representative (Haz Elmamoun)`` is a role + a person.
    """

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="owners")
    organisation = models.ForeignKey(
        "meetings.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_actions",
    )
    role = models.CharField(max_length=200, blank=True, help_text="e.g. Chair")
    person = models.ForeignKey(
        "meetings.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_actions",
    )
    is_lead = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    objects = ActionOwnerQuerySet.as_manager()

    class Meta:
        ordering = ["action", "-is_lead", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(role=""),
                name="action_owner_has_organisation_or_role",
            ),
            models.UniqueConstraint(
                fields=["action"], condition=Q(is_lead=True), name="action_owner_one_lead"
            ),
        ]
        # The register's role choices: the few owners that are a role, not every owner row.
        indexes = [
            models.Index(fields=["role"], condition=~Q(role=""), name="action_owner_role"),
            # Owners naming a seat ("Chair"), matched ignoring case (core.visibility
            # action_owned_q): a chair's "My actions" and reminders, and what they may see.
            models.Index(
                Upper("role"),
                condition=Q(person__isnull=True) & ~Q(role=""),
                name="action_owner_seat_role",
            ),
        ]

    def __str__(self) -> str:
        return self.display

    @property
    def party(self) -> str:
        """The organisation's name or the role: ``Programme``, ``Chair``."""
        return self.organisation.name if self.organisation_id else self.role

    @property
    def display(self) -> str:
        """``Programme (Rob Short)`` or ``Chair`` (:func:`owner_text`)."""
        return owner_text(self.party, self.person.name if self.person_id else None)
