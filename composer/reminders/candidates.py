"""What a run owes: the reminder keys, and the people, actions and meetings they name.

Read in a fixed number of queries however many actions and people there are: committees,
planned meetings in the window, the owners of candidate actions (one ``values_list``), then
the seat holders when some owner names no person. Rows are read as plain values into named
rows (:class:`OwnerRow`, :class:`SeatRow`), not model instances: a large run reads thousands.

Who gets an owner's reminder (the package's docstring has the whole rule): the named person
when they have an address and have not opted out, and nobody in their place; an owner with
no named person goes to the current holders of that seat on the committee.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from actions.models import ActionOwner
from actions.selectors import SEAT_OWNER_ROLES
from composer.reminders.rules import (
    LONDON,
    OPEN_STATUSES,
    Kind,
    ReminderKey,
    chase_kind,
    digest_owed,
    london_midnight,
)
from core.access import current_q
from meetings.models import Committee, Meeting, Membership


@dataclass(frozen=True)
class Recipient:
    """A person an email goes to (the address trimmed)."""

    person_id: int
    name: str
    email: str


@dataclass(frozen=True)
class MeetingRow:
    """A planned meeting whose digest is owed."""

    meeting_id: int
    ref: str
    committee_id: int
    start_at: dt.datetime
    # Who may read it (core.visibility): an email names it only to them.
    classification: str = ""

    @property
    def date(self) -> dt.date:
        return timezone.localtime(self.start_at, LONDON).date()

    @property
    def pk(self) -> int:
        """The meeting's id, as ``core.visibility.visible_meeting_ids`` reads a meeting."""
        return self.meeting_id


class CommitteeRow(NamedTuple):
    code: str
    name: str
    due_soon_days: int


class OwnerRow(NamedTuple):
    """One owner of a candidate action, with the action and the owner's person, if named."""

    action_id: int
    ref: str
    description: str
    due_date: dt.date | None
    status: str
    committee_id: int
    person_id: int | None
    person_name: str | None
    person_email: str | None
    opted_out: bool | None
    organisation_id: int | None
    role: str


# The ActionOwner lookup each OwnerRow field is read from (the field's own name otherwise).
_OWNER_LOOKUPS = {
    "ref": "action__ref",
    "description": "action__description",
    "due_date": "action__due_date",
    "status": "action__status",
    "committee_id": "action__committee_id",
    "person_name": "person__name",
    "person_email": "person__email",
    "opted_out": "person__reminders_opt_out",
}


class SeatRow(NamedTuple):
    """A current, reachable member of a committee and the seat they hold."""

    committee_id: int
    role: str
    constituency: str
    person_id: int
    name: str
    email: str
    organisation_id: int | None


_SEAT_LOOKUPS = {
    "name": "person__name",
    "email": "person__email",
    "organisation_id": "person__organisation_id",
}


@dataclass
class Candidates:
    """What a run owes: claim keys, plus what is needed to write the emails."""

    keys: set[ReminderKey] = field(default_factory=set)
    people: dict[int, Recipient] = field(default_factory=dict)
    # Ids of the actions the keys name; the emails read them as rows (``actions.rows``).
    action_ids: set[int] = field(default_factory=set)
    meetings: dict[int, MeetingRow] = field(default_factory=dict)
    committees: dict[int, CommitteeRow] = field(default_factory=dict)
    # (person_id, committee_id) -> ids of that person's open actions of that committee.
    open_by_person: dict[tuple[int, int], set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )
    # Owners of actions owed a reminder today whom no email reaches: (action ref, who).
    unreachable: set[tuple[str, str]] = field(default_factory=set)

    @property
    def longest_due_soon_days(self) -> int:
        """The widest window any committee reminds ahead (0 without committees)."""
        return max((c.due_soon_days for c in self.committees.values()), default=0)


class SeatHolders:
    """Current members of committees, looked up by the seat an owner without a person names."""

    def __init__(self, rows: Iterable[SeatRow]) -> None:
        self._by_role: dict[tuple[int, str], list[Recipient]] = defaultdict(list)
        self._by_constituency: dict[tuple[int, str], list[Recipient]] = defaultdict(list)
        for row in rows:
            recipient = Recipient(row.person_id, row.name, row.email.strip())
            self._by_role[(row.committee_id, row.role)].append(recipient)
            if row.constituency:
                key = (row.committee_id, row.constituency.casefold())
                self._by_constituency[key].append(recipient)

    def for_owner(
        self, *, committee_id: int, role: str, organisation_id: int | None
    ) -> list[Recipient]:
        """The people holding the seat ``role`` on the committee (a chair owner: its chairs
        and deputies). An organisation named alone (``organisation_id``, no role) is
        nobody's seat and reminds no one: the recipients are exactly the owners
        ``Action.objects.owned_by`` finds, who may open the action ("My actions" is the
        same set, ``core.visibility.action_owned_q``)."""
        if not role:
            return []
        word = role.casefold()
        seats = [seat for seat, seat_words in SEAT_OWNER_ROLES.items() if word in seat_words]
        if seats:
            return [r for seat in seats for r in self._by_role.get((committee_id, seat), [])]
        return self._by_constituency.get((committee_id, word), [])


def candidates_owed(today: dt.date) -> Candidates:
    """Every reminder owed on ``today`` (a fixed number of queries: 3, plus 1 for seat holders)."""
    found = Candidates()
    found.committees = {
        pk: CommitteeRow(code, name, days)
        for pk, code, name, days in Committee.objects.values_list(
            "pk", "code", "name", "due_soon_days"
        )
    }
    if not found.committees:
        return found
    longest = found.longest_due_soon_days
    found.meetings = _meetings_owing_digests(today, longest, found.committees)
    owner_rows = _owner_rows(today, longest, {m.committee_id for m in found.meetings.values()})
    seats = _seat_holders(today, {row.committee_id for row in owner_rows if row.person_id is None})
    for row in owner_rows:
        _add_owner_reminders(found, row, seats, today)
    for meeting in found.meetings.values():
        for person_id, committee_id in list(found.open_by_person):
            if committee_id == meeting.committee_id:
                found.keys.add(
                    ReminderKey(
                        person_id, None, meeting.meeting_id, Kind.MEETING_DIGEST, meeting.date
                    )
                )
    return found


def _meetings_owing_digests(
    today: dt.date, longest: int, committees: dict[int, CommitteeRow]
) -> dict[int, MeetingRow]:
    """Planned meetings after today whose committee's digest window has begun (one query)."""
    meetings = {}
    for pk, ref, committee_id, start_at, classification in (
        Meeting.objects.filter(
            status=Meeting.Status.PLANNED,
            start_at__gte=london_midnight(today + dt.timedelta(days=1)),
            start_at__lt=london_midnight(today + dt.timedelta(days=longest + 1)),
        )
        .order_by("start_at")
        .values_list("pk", "ref", "committee_id", "start_at", "classification")
    ):
        meeting = MeetingRow(pk, ref, committee_id, start_at, classification)
        days = committees[committee_id].due_soon_days
        if digest_owed(meeting_date=meeting.date, today=today, due_soon_days=days):
            meetings[pk] = meeting
    return meetings


def _owner_rows(today: dt.date, longest: int, digest_committees: set[int]) -> list[OwnerRow]:
    """Owners of open actions due within the longest window or listed in a digest (one query)."""
    lookups = [_OWNER_LOOKUPS.get(name, name) for name in OwnerRow._fields]
    return [
        OwnerRow._make(row)
        for row in ActionOwner.objects.filter(action__status__in=OPEN_STATUSES)
        .filter(
            Q(action__due_date__lte=today + dt.timedelta(days=longest))
            | Q(action__committee_id__in=digest_committees)
        )
        .order_by()
        .values_list(*lookups)
    ]


def _seat_holders(today: dt.date, committee_ids: set[int]) -> SeatHolders:
    """Current members (not observers) with an address and not opted out, of the committees
    whose actions have an owner naming no person (one query, none when there are none)."""
    if not committee_ids:
        return SeatHolders(())
    lookups = [_SEAT_LOOKUPS.get(name, name) for name in SeatRow._fields]
    rows = (
        Membership.objects.filter(committee_id__in=committee_ids)
        .exclude(role=Membership.Role.OBSERVER)
        .exclude(person__email="")
        .filter(person__reminders_opt_out=False)
        .filter(current_q(today))
        .values_list(*lookups)
    )
    return SeatHolders(SeatRow._make(row) for row in rows)


def _recipients(row: OwnerRow, seats: SeatHolders) -> list[Recipient]:
    """Who gets the reminders of one owner row: the named person, or the seat's holders."""
    if row.person_id is None:
        return seats.for_owner(
            committee_id=row.committee_id, role=row.role, organisation_id=row.organisation_id
        )
    email = (row.person_email or "").strip()
    if not email or row.opted_out:
        return []
    return [Recipient(row.person_id, row.person_name, email)]


def _add_owner_reminders(
    found: Candidates, row: OwnerRow, seats: SeatHolders, today: dt.date
) -> None:
    """Record the action, its recipients and the chasing key each of them is owed today."""
    recipients = _recipients(row, seats)
    chase = chase_kind(
        due_date=row.due_date,
        status=row.status,
        today=today,
        due_soon_days=found.committees[row.committee_id].due_soon_days,
    )
    if not recipients:
        if chase is not None and not row.opted_out:
            found.unreachable.add((row.ref, row.person_name or row.role or "its organisation"))
        return
    found.action_ids.add(row.action_id)
    for recipient in recipients:
        found.people[recipient.person_id] = recipient
        found.open_by_person[(recipient.person_id, row.committee_id)].add(row.action_id)
        if chase is not None:
            kind, occasion = chase
            found.keys.add(ReminderKey(recipient.person_id, row.action_id, None, kind, occasion))
