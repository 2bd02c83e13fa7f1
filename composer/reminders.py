"""Reminder emails about actions: due soon, due today, overdue, and the digest before a meeting.

The rules (issue #6; DESIGN.md "Who uses it"; CONVENTIONS.md "Tasks"):

- **Due soon**: an open action due within the committee's ``due_soon_days`` (default 3) of
  the run date, once per due date. **Due today**: on its due date. **Overdue**: the day after
  the due date and then weekly (due + 1, + 8, + 15, ...) until it is closed.
- **Meeting digest**: in the ``due_soon_days`` before each planned meeting, each person with
  open actions of that committee gets their open actions listed, with those falling due by
  the meeting marked. People with no open actions get nothing (there is nothing to list).
- Actions proposed for closure are listed in a digest but not chased: the owner has asked
  for closure and the next step is the PMO's. Closed actions are never reminded.
- **Who gets an owner's reminder**: the named person (or team) when they have an email
  address and have not opted out; a named person with no address gets nothing, and nobody
  is reminded in their place. An owner with no named person (``Chair``, ``Large Supplier
  Representative``, ``Programme``) goes to the people currently holding that seat on the
  committee: the chair's membership for ``Chair``, the secretariat for ``Secretariat`` or
  ``PMO``, members whose constituency is the role, or members from the organisation
  (observers excluded).
- **One email per person per run** gathers all their reminders (text and HTML, with links to
  the action pages and a List-Unsubscribe header for the per-person opt-out).
- **Exactly once**: each reminder is a :class:`~actions.models.ReminderLog` row with a unique
  key (person, action or meeting, kind, occasion date). A run inserts the keys it owes in the
  transaction that decides the send, ignoring keys that exist, and sends only the rows it
  inserted (or failed rows it re-claimed). A failed send marks its rows failed, and the next
  run that still owes them (a task retry, the next day's run within the same window) sends
  them alone. A process killed while sending leaves its rows ``claimed``: those are not sent
  again, since whether they went is unknown (at most once beats twice for a PMO's inbox).
- Dates are Europe/London calendar dates: a run at 00:30 BST counts the new day.
- One scanner at a time: on PostgreSQL a session advisory lock, elsewhere a Redis lock when
  ``REDIS_URL`` is set; a run that finds the lock taken does nothing. (On SQLite without
  Redis, development only, the unique key alone keeps sends exactly once.)

The whole run costs a fixed number of queries however many actions and people there are:
committees, meetings in the window, owners of candidate actions (one ``values_list``),
seat holders, then the claim (one insert, one read of failed rows, one re-claim, one read
back) and the marking. On SQLite Django splits the insert into batches of 999 parameters.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formataddr
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from actions.models import Action, ActionOwner, ReminderLog
from actions.selectors import SEAT_OWNER_ROLES
from core.links import url_maker
from meetings.models import Committee, Meeting, Membership, Person

logger = logging.getLogger(__name__)

LONDON = ZoneInfo("Europe/London")
Kind = ReminderLog.Kind
Status = ReminderLog.Status

UNSUBSCRIBE_SALT = "composer.reminders.unsubscribe"
LOCK_NAME = "actions.reminders_send"
# A stable 63-bit key for pg_try_advisory_lock, derived from the lock's name.
_PG_LOCK_KEY = zlib.crc32(LOCK_NAME.encode()) | (0x5DA6 << 32)
_CHASED_STATUSES = (Action.Status.OPEN,)
_OPEN_STATUSES = (Action.Status.OPEN, Action.Status.PROPOSED_CLOSURE)
# Claim keys are (person_id, action_id, meeting_id, kind, reminder_date).
ClaimKey = tuple[int, int | None, int | None, str, dt.date]


# --- results -----------------------------------------------------------------------------------


@dataclass
class ReminderEmail:
    """One email of a run: who it went to and what it named.

    ``reminders`` maps a kind (``ReminderLog.Kind`` value) to the refs it covered: action refs
    for due soon / due today / overdue, meeting refs for digests. ``error`` is empty when the
    email went (or, in a dry run, would go).
    """

    person_id: int
    name: str
    email: str
    subject: str = ""
    reminders: dict[str, list[str]] = field(default_factory=dict)
    error: str = ""

    def describe(self) -> str:
        """``Rob Short <rob@example.org>: meeting digest DAG029; due soon DAG28-01``."""
        labels = dict(Kind.choices)
        parts = [
            f"{labels[kind].lower()} {', '.join(refs)}"
            for kind, refs in sorted(self.reminders.items(), key=lambda kv: _KIND_ORDER[kv[0]])
        ]
        return f"{formataddr((self.name, self.email))}: {'; '.join(parts)}"


@dataclass
class ReminderRun:
    """What one run did: its Europe/London date, the emails, and whether it ran at all.

    ``locked_out`` is True when another run held the scanner lock and this one did nothing.
    """

    today: dt.date
    dry_run: bool = False
    locked_out: bool = False
    emails: list[ReminderEmail] = field(default_factory=list)

    @property
    def sent(self) -> list[ReminderEmail]:
        return [e for e in self.emails if not e.error]

    @property
    def failed(self) -> list[ReminderEmail]:
        return [e for e in self.emails if e.error]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly summary (the task's return value)."""
        return {
            "today": self.today.isoformat(),
            "dry_run": self.dry_run,
            "locked_out": self.locked_out,
            "sent": len(self.sent),
            "failed": len(self.failed),
        }


_KIND_ORDER = {Kind.MEETING_DIGEST: 0, Kind.OVERDUE: 1, Kind.DUE_TODAY: 2, Kind.DUE_SOON: 3}


# --- dates ----------------------------------------------------------------------------------


def reminders_today() -> dt.date:
    """Today's Europe/London calendar date (a run at 00:30 BST belongs to the new day)."""
    return timezone.localdate(timezone=LONDON)


def overdue_week_start(*, due_date: dt.date, today: dt.date) -> dt.date:
    """The first day of the overdue week ``today`` falls in: due + 1, due + 8, due + 15, ...

    ``today`` must be after ``due_date``. The overdue reminder is owed once per such week.
    """
    weeks = ((today - due_date).days - 1) // 7
    return due_date + dt.timedelta(days=1 + 7 * weeks)


def _london_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=LONDON)


# --- candidates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Recipient:
    person_id: int
    name: str
    email: str


@dataclass(frozen=True)
class _ActionRow:
    action_id: int
    ref: str
    description: str
    due_date: dt.date | None
    status: str
    committee_id: int


@dataclass(frozen=True)
class _MeetingRow:
    meeting_id: int
    ref: str
    committee_id: int
    start_at: dt.datetime

    @property
    def date(self) -> dt.date:
        return timezone.localtime(self.start_at, LONDON).date()


@dataclass
class _Candidates:
    """What a run owes: claim keys, plus what is needed to write the emails."""

    keys: set[ClaimKey] = field(default_factory=set)
    people: dict[int, _Recipient] = field(default_factory=dict)
    actions: dict[int, _ActionRow] = field(default_factory=dict)
    meetings: dict[int, _MeetingRow] = field(default_factory=dict)
    committees: dict[int, tuple[str, str, int]] = field(default_factory=dict)
    # (person_id, committee_id) -> ids of that person's open actions of that committee.
    open_by_person: dict[tuple[int, int], set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )


class _SeatHolders:
    """Current members of committees, looked up by the seat an owner without a person names."""

    def __init__(self, rows: Iterable[tuple]) -> None:
        self._by_role: dict[tuple[int, str], list[_Recipient]] = defaultdict(list)
        self._by_constituency: dict[tuple[int, str], list[_Recipient]] = defaultdict(list)
        self._by_organisation: dict[tuple[int, int], list[_Recipient]] = defaultdict(list)
        for committee_id, role, constituency, person_id, name, email, organisation_id in rows:
            recipient = _Recipient(person_id, name, email.strip())
            self._by_role[(committee_id, role)].append(recipient)
            if constituency:
                self._by_constituency[(committee_id, constituency.casefold())].append(recipient)
            if organisation_id is not None:
                self._by_organisation[(committee_id, organisation_id)].append(recipient)

    def for_owner(
        self, *, committee_id: int, role: str, organisation_id: int | None
    ) -> list[_Recipient]:
        """The people holding the seat ``role`` (or from ``organisation_id``) on the committee."""
        if role:
            word = role.casefold()
            for seat, seat_words in SEAT_OWNER_ROLES.items():
                if word in seat_words:
                    return self._by_role.get((committee_id, seat), [])
            return self._by_constituency.get((committee_id, word), [])
        if organisation_id is not None:
            return self._by_organisation.get((committee_id, organisation_id), [])
        return []


def _candidates(today: dt.date) -> _Candidates:
    """Every reminder owed on ``today`` (a fixed number of queries: 3, plus 1 for seat holders)."""
    found = _Candidates()
    found.committees = {
        pk: (code, name, due_soon_days)
        for pk, code, name, due_soon_days in Committee.objects.values_list(
            "pk", "code", "name", "due_soon_days"
        )
    }
    if not found.committees:
        return found
    longest = max(days for _, _, days in found.committees.values())
    for pk, ref, committee_id, start_at in (
        Meeting.objects.filter(
            status=Meeting.Status.PLANNED,
            start_at__gte=_london_midnight(today + dt.timedelta(days=1)),
            start_at__lt=_london_midnight(today + dt.timedelta(days=longest + 1)),
        )
        .order_by("start_at")
        .values_list("pk", "ref", "committee_id", "start_at")
    ):
        meeting = _MeetingRow(pk, ref, committee_id, start_at)
        if (meeting.date - today).days <= found.committees[committee_id][2]:
            found.meetings[pk] = meeting
    digest_committees = {m.committee_id for m in found.meetings.values()}

    owner_rows = list(
        ActionOwner.objects.filter(action__status__in=_OPEN_STATUSES)
        .filter(
            Q(action__due_date__lte=today + dt.timedelta(days=longest))
            | Q(action__committee_id__in=digest_committees)
        )
        .order_by()
        .values_list(
            "action_id",
            "action__ref",
            "action__description",
            "action__due_date",
            "action__status",
            "action__committee_id",
            "person_id",
            "person__name",
            "person__email",
            "person__reminders_opt_out",
            "organisation_id",
            "role",
        )
    )
    seatless = {row[5] for row in owner_rows if row[6] is None}
    seats = _SeatHolders(
        Membership.objects.filter(committee_id__in=seatless)
        .exclude(role=Membership.Role.OBSERVER)
        .exclude(person__email="")
        .filter(person__reminders_opt_out=False)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=today))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list(
            "committee_id",
            "role",
            "constituency",
            "person_id",
            "person__name",
            "person__email",
            "person__organisation_id",
        )
        if seatless
        else ()
    )

    for (
        action_id,
        ref,
        description,
        due_date,
        status,
        committee_id,
        person_id,
        person_name,
        person_email,
        opted_out,
        organisation_id,
        role,
    ) in owner_rows:
        if person_id is not None:
            email = (person_email or "").strip()
            recipients = (
                [_Recipient(person_id, person_name, email)] if email and not opted_out else []
            )
        else:
            recipients = seats.for_owner(
                committee_id=committee_id, role=role, organisation_id=organisation_id
            )
        if not recipients:
            continue
        found.actions[action_id] = _ActionRow(
            action_id, ref, description, due_date, status, committee_id
        )
        chase = _chase_kind(
            due_date=due_date,
            status=status,
            today=today,
            due_soon_days=found.committees[committee_id][2],
        )
        for recipient in recipients:
            found.people[recipient.person_id] = recipient
            found.open_by_person[(recipient.person_id, committee_id)].add(action_id)
            if chase is not None:
                found.keys.add((recipient.person_id, action_id, None, chase[0], chase[1]))

    for meeting in found.meetings.values():
        for person_id, committee_id in list(found.open_by_person):
            if committee_id == meeting.committee_id:
                key = (person_id, None, meeting.meeting_id, Kind.MEETING_DIGEST, meeting.date)
                found.keys.add(key)
    return found


def _chase_kind(
    *, due_date: dt.date | None, status: str, today: dt.date, due_soon_days: int
) -> tuple[str, dt.date] | None:
    """The (kind, occasion date) an action's owners are owed today, or None."""
    if due_date is None or status not in _CHASED_STATUSES:
        return None
    days = (due_date - today).days
    if days == 0:
        return Kind.DUE_TODAY, due_date
    if 0 < days <= due_soon_days:
        return Kind.DUE_SOON, due_date
    if days < 0:
        return Kind.OVERDUE, overdue_week_start(due_date=due_date, today=today)
    return None


def _key_window(today: dt.date, found: _Candidates) -> tuple[dt.date, dt.date]:
    """The range every occasion date owed today falls in (bounds the reads of the log)."""
    longest = max((days for _, _, days in found.committees.values()), default=0)
    return today - dt.timedelta(days=6), today + dt.timedelta(days=longest)


def _row_key(row: tuple) -> ClaimKey:
    return row[1], row[2], row[3], row[4], row[5]


_KEY_FIELDS = ("pk", "person_id", "action_id", "meeting_id", "kind", "reminder_date")


# --- claiming ----------------------------------------------------------------------------------


def _claim(found: _Candidates, today: dt.date, run_id: uuid.UUID) -> list[ClaimKey]:
    """Insert the owed keys and re-claim owed failed ones; return the keys this run holds.

    Runs inside the caller's transaction. A key another run inserted first is not ours; a
    concurrent insert of the same key waits for the other transaction and then does nothing.
    """
    ReminderLog.objects.bulk_create(
        [
            ReminderLog(
                person_id=person_id,
                action_id=action_id,
                meeting_id=meeting_id,
                kind=kind,
                reminder_date=reminder_date,
                status=Status.CLAIMED,
                run_id=run_id,
            )
            for person_id, action_id, meeting_id, kind, reminder_date in found.keys
        ],
        ignore_conflicts=True,
    )
    low, high = _key_window(today, found)
    retry_ids = [
        row[0]
        for row in ReminderLog.objects.filter(
            status=Status.FAILED, reminder_date__gte=low, reminder_date__lte=high
        ).values_list(*_KEY_FIELDS)
        if _row_key(row) in found.keys
    ]
    if retry_ids:
        # The status condition makes the re-claim atomic: of two runs, one updates the row.
        ReminderLog.objects.filter(pk__in=retry_ids, status=Status.FAILED).update(
            status=Status.CLAIMED, run_id=run_id, attempts=F("attempts") + 1, error=""
        )
    return [
        _row_key(row)
        for row in ReminderLog.objects.filter(run_id=run_id, status=Status.CLAIMED).values_list(
            *_KEY_FIELDS
        )
    ]


def _already_done(found: _Candidates, today: dt.date) -> set[ClaimKey]:
    """Keys owed today that are already sent or being sent (for a dry run)."""
    low, high = _key_window(today, found)
    return {
        _row_key(row)
        for row in ReminderLog.objects.filter(reminder_date__gte=low, reminder_date__lte=high)
        .exclude(status=Status.FAILED)
        .values_list(*_KEY_FIELDS)
    }


# --- writing the emails ------------------------------------------------------------------------


@dataclass
class _Composer:
    """Builds one person's email from the keys held for them; templates compiled once."""

    today: dt.date
    found: _Candidates
    site_url: str = field(default_factory=lambda: settings.SITE_URL.rstrip("/"))

    def __post_init__(self) -> None:
        # The compiled templates themselves: rendered with a plain Context, once per email.
        self.text_template = get_template("actions/emails/reminders.txt").template
        self.html_template = get_template("actions/emails/reminders.html").template
        self.action_url = url_maker("action-detail", prefix=self.site_url)
        self.unsubscribe_url = self.site_url + reverse(
            "reminders-unsubscribe", kwargs={"token": "__TOKEN__"}
        )
        self.signer = signing.Signer(salt=UNSUBSCRIBE_SALT)
        self._rows: dict[tuple[int, dt.date | None], tuple[str, str, bool]] = {}
        self._dates: dict[dt.date, str] = {}

    def _date(self, day: dt.date | None) -> str:
        """``Wed 11 Oct 2023`` (cached: a run meets few distinct dates)."""
        if day is None:
            return "–"
        label = self._dates.get(day)
        if label is None:
            label = self._dates[day] = f"{day:%a} {day.day} {day:%b %Y}"
        return label

    def _state(self, action: _ActionRow) -> str:
        due = action.due_date
        if action.status == Action.Status.PROPOSED_CLOSURE:
            return "closure proposed"
        if due is None:
            return "no due date"
        days = (due - self.today).days
        if days == 0:
            return "due today"
        if days > 0:
            return f"due in {days} day{'s' if days != 1 else ''}"
        return f"overdue by {-days} day{'s' if days != -1 else ''}"

    def _row(self, action: _ActionRow, meeting_date: dt.date | None) -> tuple[str, str, bool]:
        """One action's line in the text body, its table row in the HTML body, and whether it
        falls due by the meeting. Written once per run and action (most people share rows'
        layout, not rows, but one action appears in several emails when it has co-owners).
        """
        key = (action.action_id, meeting_date)
        row = self._rows.get(key)
        if row is None:
            due = action.due_date
            by_meeting = meeting_date is not None and due is not None and due <= meeting_date
            state = self._state(action)
            url = self.action_url(action.ref)
            text = _ROW_TEXT.format(
                ref=action.ref,
                description=action.description,
                due=self._date(due),
                state=state,
                by=", due by the meeting" if by_meeting else "",
                url=url,
            )
            html = _ROW_HTML.format(
                ref=escape(action.ref),
                description=escape(action.description),
                due=self._date(due),
                state=escape(state),
                colour="#b00020" if due is not None and due < self.today else "#555",
                by="<br><strong>due by the meeting</strong>" if by_meeting else "",
                url=escape(url),
            )
            row = self._rows[key] = (text, html, by_meeting)
        return row

    def _rows_of(
        self, actions: Iterable[_ActionRow], meeting_date: dt.date | None = None
    ) -> dict[str, Any]:
        rows = [self._row(a, meeting_date) for a in actions]
        return {
            "rows_text": "".join(r[0] for r in rows),
            "rows_html": mark_safe("".join(r[1] for r in rows)),  # noqa: S308 (escaped above)
            "count": len(rows),
            "due_by_count": sum(1 for r in rows if r[2]),
        }

    def _key_order(self, key: ClaimKey) -> tuple:
        """Digests first (by date), then overdue, due today, due soon, each by due date, ref."""
        _, action_id, meeting_id, kind, reminder_date = key
        if meeting_id is not None:
            return (_KIND_ORDER[kind], reminder_date, self.found.meetings[meeting_id].ref)
        action = self.found.actions[action_id]
        return (_KIND_ORDER[kind], action.due_date, action.ref)

    def compose(self, recipient: _Recipient, keys: list[ClaimKey]) -> tuple[ReminderEmail, Any]:
        """The summary and the EmailMultiAlternatives message for one person."""
        summary = ReminderEmail(recipient.person_id, recipient.name, recipient.email)
        digests = []
        listed: set[int] = set()
        chased: dict[str, list[_ActionRow]] = defaultdict(list)
        for _, action_id, meeting_id, kind, _ in sorted(keys, key=self._key_order):
            if meeting_id is not None:
                meeting = self.found.meetings[meeting_id]
                _code, committee_name, _days = self.found.committees[meeting.committee_id]
                action_ids = self.found.open_by_person[(recipient.person_id, meeting.committee_id)]
                actions = sorted(
                    (self.found.actions[a] for a in action_ids),
                    key=lambda a: (a.due_date or dt.date.max, a.ref),
                )
                listed.update(action_ids)
                start_at = timezone.localtime(meeting.start_at, LONDON)
                digests.append(
                    {
                        "meeting_ref": meeting.ref,
                        "committee_name": committee_name,
                        "when": f"{start_at:%A} {start_at.day} {start_at:%B %Y at %H:%M}",
                        "date": f"{start_at.day} {start_at:%B %Y}",
                        **self._rows_of(actions, meeting.date),
                    }
                )
                summary.reminders.setdefault(kind, []).append(meeting.ref)
            else:
                action = self.found.actions[action_id]
                chased[kind].append(action)
                summary.reminders.setdefault(kind, []).append(action.ref)
        sections = []
        for kind, title in ((Kind.OVERDUE, "Overdue"), (Kind.DUE_TODAY, "Due today"),
                            (Kind.DUE_SOON, "Due soon")):  # fmt: skip
            actions = [a for a in chased[kind] if a.action_id not in listed]
            if actions:
                sections.append({"title": title, **self._rows_of(actions)})
        for refs in summary.reminders.values():
            refs.sort()
        summary.subject = self._subject(digests, chased)
        unsubscribe_url = self.unsubscribe_url.replace(
            "__TOKEN__", self.signer.sign(str(recipient.person_id))
        )
        context = {
            "name": recipient.name,
            "digests": digests,
            "sections": sections,
            "unsubscribe_url": unsubscribe_url,
            "site_url": self.site_url,
        }
        message = EmailMultiAlternatives(
            subject=summary.subject,
            body=self.text_template.render(Context(context, autoescape=False)),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[formataddr((recipient.name, recipient.email))],
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
            },
        )
        message.attach_alternative(self.html_template.render(Context(context)), "text/html")
        return summary, message

    @staticmethod
    def _subject(digests: list[dict], chased: dict[str, list[_ActionRow]]) -> str:
        counts = [
            f"{len(chased[kind])} {label}"
            for kind, label in (
                (Kind.OVERDUE, "overdue"),
                (Kind.DUE_TODAY, "due today"),
                (Kind.DUE_SOON, "due soon"),
            )
            if chased[kind]
        ]
        if digests:
            first = digests[0]
            subject = f"Before {first['meeting_ref']} on {first['date']}: your open actions"
            return f"{subject} ({', '.join(counts)})" if counts else subject
        noun = "Action" if sum(len(v) for v in chased.values()) == 1 else "Actions"
        return f"{noun} reminder: {', '.join(counts)}"


# One action in the text body and in the HTML body (values escaped by the composer).
_ROW_TEXT = "- {ref}: {description}\n  Due {due} ({state}{by})\n  {url}\n"
_ROW_HTML = (
    '<tr style="border-bottom: 1px solid #d6dbe3; vertical-align: top;">'
    '<td style="white-space: nowrap;"><a href="{url}">{ref}</a></td>'
    "<td>{description}</td>"
    '<td style="white-space: nowrap;">{due}<br><span style="color: {colour};">{state}</span>'
    "{by}</td></tr>\n"
)


# --- the run -----------------------------------------------------------------------------------


@contextmanager
def _scanner_lock() -> Iterator[bool]:
    """Hold the one-scanner lock while the block runs; yields False when another run has it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_PG_LOCK_KEY])
            acquired = cursor.fetchone()[0]
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [_PG_LOCK_KEY])
        return
    if settings.REDIS_URL:
        import redis

        lock = redis.Redis.from_url(settings.REDIS_URL).lock(
            f"dag:{LOCK_NAME}", timeout=settings.CELERY_TASK_TIME_LIMIT + 60, blocking=False
        )
        acquired = lock.acquire()
        try:
            yield acquired
        finally:
            if acquired:
                try:
                    lock.release()
                except redis.exceptions.LockError:
                    logger.warning("Reminder lock expired before the run finished")
        return
    yield True


# The windows reach a week back and up to a committee's due_soon_days (at most 32,767)
# forward: a margin of a year and 100 years keeps every date arithmetic inside the calendar.
REMINDER_DATE_MIN = dt.date(2, 1, 1)
REMINDER_DATE_MAX = dt.date(9899, 12, 31)


def reminders_send(*, today: dt.date | None = None, dry_run: bool = False) -> ReminderRun:
    """Send every reminder owed on ``today`` (Europe/London; default: now), each exactly once.

    Returns a :class:`ReminderRun` listing one :class:`ReminderEmail` per person emailed (with
    ``error`` set for a failed send). With ``dry_run`` nothing is written or sent; the result
    lists what a real run would send now. A run that finds another run in progress returns
    ``locked_out=True`` and does nothing. Failed sends are left ``failed`` for the next run to
    retry; nothing already sent is sent again. The worker's SoftTimeLimitExceeded propagates
    after the unsent rows are marked failed. Rules: the module's docstring. Raises ValueError
    for a date so near the calendar's ends (years 1 and 9999) that the reminder windows
    around it cannot be computed.
    """
    today = today or reminders_today()
    if not REMINDER_DATE_MIN <= today <= REMINDER_DATE_MAX:
        raise ValueError(
            f"{today.isoformat()} is outside the dates reminders can be run for "
            f"({REMINDER_DATE_MIN.isoformat()} to {REMINDER_DATE_MAX.isoformat()})."
        )
    result = ReminderRun(today=today, dry_run=dry_run)
    if dry_run:
        found = _candidates(today)
        owed = found.keys - _already_done(found, today)
        composer = _Composer(today=today, found=found)
        for person_id, keys in _by_person(found, owed):
            result.emails.append(composer.compose(found.people[person_id], keys)[0])
        return result
    with _scanner_lock() as acquired:
        if not acquired:
            result.locked_out = True
            return result
        run_id = uuid.uuid4()
        with transaction.atomic():
            found = _candidates(today)
            held = _claim(found, today, run_id)
        if held:
            _deliver(result, found, held, run_id)
    return result


def _by_person(found: _Candidates, keys: Iterable[ClaimKey]) -> list[tuple[int, list[ClaimKey]]]:
    """Keys grouped by person, people in name order."""
    grouped: dict[int, list[ClaimKey]] = defaultdict(list)
    for key in keys:
        grouped[key[0]].append(key)
    return sorted(grouped.items(), key=lambda item: (found.people[item[0]].name, item[0]))


def _deliver(
    result: ReminderRun, found: _Candidates, held: list[ClaimKey], run_id: uuid.UUID
) -> None:
    """Write and send one email per person over one connection; mark the rows sent or failed.

    A send that raises fails that person's email only (the connection is reopened for the
    next). Whatever stops the loop (the soft time limit, a template error), the rows of the
    people not sent are marked failed, so a later run sends them and only them.
    """
    people = _by_person(found, held)
    sent: set[int] = set()
    errors: dict[int, str] = {}
    mail = get_connection()
    try:
        composer = _Composer(today=result.today, found=found)
        try:
            mail.open()
        except Exception as exc:
            logger.warning("Reminder emails not sent: %s", exc)
            errors = {person_id: _error_text(exc) for person_id, _ in people}
            people = []
        for person_id, keys in people:
            summary, message = composer.compose(found.people[person_id], keys)
            result.emails.append(summary)
            message.connection = mail
            try:
                mail.send_messages([message])
            except SoftTimeLimitExceeded:
                raise
            except Exception as exc:
                errors[person_id] = _error_text(exc)
                logger.warning("Reminder to person %s failed: %s", person_id, exc)
                mail.close()
            else:
                sent.add(person_id)
    finally:
        try:
            mail.close()
        except Exception:
            logger.warning("Closing the email connection failed", exc_info=True)
        for key in held:
            if key[0] not in sent:
                errors.setdefault(key[0], "Not sent: the run stopped before this email.")
        for summary in result.emails:
            summary.error = errors.get(summary.person_id, "")
        _mark(run_id, sent, errors)


def _error_text(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:500]


@transaction.atomic
def _mark(run_id: uuid.UUID, sent: set[int], errors: dict[int, str]) -> None:
    """One update for the sent rows, one per distinct error for the failed ones."""
    if sent:
        ReminderLog.objects.filter(run_id=run_id, status=Status.CLAIMED).exclude(
            person_id__in=list(errors)
        ).update(status=Status.SENT, sent_at=timezone.now())
    by_error: dict[str, list[int]] = defaultdict(list)
    for person_id, error in errors.items():
        by_error[error].append(person_id)
    for error, person_ids in by_error.items():
        ReminderLog.objects.filter(
            run_id=run_id, status=Status.CLAIMED, person_id__in=person_ids
        ).update(status=Status.FAILED, error=error)


# --- opting out --------------------------------------------------------------------------------


def reminders_unsubscribe_token(*, person_id: int) -> str:
    """The signed token in a person's unsubscribe link (it does not expire)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(person_id))


def person_for_unsubscribe_token(*, token: str) -> Person:
    """The person an unsubscribe token names.

    Raises signing.BadSignature for a forged or damaged token, Person.DoesNotExist when the
    person was deleted.
    """
    person_id = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    return Person.objects.get(pk=int(person_id))


@transaction.atomic
def person_reminders_opt_out_set(*, person: Person, opt_out: bool) -> Person:
    """Stop (``opt_out=True``) or restart reminder emails to ``person``; returns the person.

    Called from the unsubscribe link (the signed token stands for the person's consent).
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.reminders_opt_out != opt_out:
        person.reminders_opt_out = opt_out
        person.save(update_fields=["reminders_opt_out"])
    return person
