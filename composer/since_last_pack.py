"""The "Since the last meeting" section of a meeting's pack (``meetings.pack``).

The pack is one stored PDF read by all the meeting's readers, so its section shows what the
meeting's *least-privileged reader* may see (:func:`pack_reader`), through the one rule
(``core.visibility``) applied to a :class:`core.access.NominalReader`:

- a signed-in user with no seat (Public records only) when the meeting is Public, or when
  any of its participants is not a current member of the committee (a guest);
- otherwise a current member of the committee with the Observer role (Public records, and
  the committee's Restricted ones; never a Confidential one).

Either way the records of the meeting itself are in (every reader of the pack reads the
meeting: ``composer.since_last`` ``with_meeting_records``). The section says so, and ends
with the address of the since-last page, where each reader sees their own view.

The pack records the reader it was built for (:func:`pack_reader_kind`); when the meeting's
reader is narrower now (:func:`pack_reader_narrower`: a guest invited, the meeting made
Public, a member's seat ended), ``meetings.pack`` withholds it until it is made again.

The pack is out of date (:func:`since_last_changed_after`) when a change the section could
show was recorded after it was rendered, when an open action fell overdue since, or when
the participants or the committee's seats changed (which can change the reader).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionUpdate
from changerequests.models import ChangeRequest
from core.access import NominalReader, Seat, SeatRole, current_q
from decisions.models import Decision
from meetings.models import Meeting, MeetingParticipant, Membership
from meetings.pack import PackSection

from .since_last import since_last_meeting

PUBLIC_ONLY = "public"
OBSERVER = "observer"
READERS = (PUBLIC_ONLY, OBSERVER)  # the narrowest first


def pack_reader_kind(meeting: Meeting) -> str:
    """Which least-privileged reader the pack of ``meeting`` is built for (one query for a
    meeting that is not Public): :data:`PUBLIC_ONLY` or :data:`OBSERVER`."""
    if meeting.classification == Meeting.Classification.PUBLIC:
        return PUBLIC_ONLY
    members = Membership.objects.filter(
        current_q(timezone.localdate()), committee_id=meeting.committee_id
    ).values("person_id")
    has_guest = meeting.participants.exclude(person_id__in=members).exists()
    return PUBLIC_ONLY if has_guest else OBSERVER


def pack_reader_narrower(built: str, now: str) -> bool:
    """Whether reader kind ``now`` may see less than ``built`` (an unknown kind is taken
    as narrower: the pack is made again rather than served to a reader it may not fit)."""
    if built not in READERS or now not in READERS:
        return True
    return READERS.index(now) < READERS.index(built)


def pack_reader(meeting: Meeting) -> NominalReader:
    """The least-privileged reader of ``meeting``'s pack (see the module's rule)."""
    if pack_reader_kind(meeting) == PUBLIC_ONLY:
        return NominalReader(name="a signed-in user with no seat")
    seat = Seat(committee_id=meeting.committee_id, role=SeatRole.OBSERVER)
    return NominalReader((seat,), name=f"an observer of {meeting.committee.code}")


def since_last_pack_html(meeting: Meeting, now: dt.datetime) -> str:
    """The section as an HTML fragment of the pack's cover, as of ``now``."""
    kind = pack_reader_kind(meeting)
    since = since_last_meeting(
        meeting=meeting, user=pack_reader(meeting), now=now, with_meeting_records=True
    )
    lists = [
        ("Actions closed", since.closed),
        ("Actions re-dated", since.re_dated),
        ("Actions newly overdue", since.overdue),
        ("Updates posted", since.updates),
        ("Decisions taken between meetings", since.decisions),
        ("Change requests whose status moved", since.change_requests),
    ]
    page = settings.SITE_URL.rstrip("/") + reverse("meeting-since-last", args=[meeting.ref])
    return render_to_string(
        "meetings/pack/_since_last.html",
        {
            "meeting": meeting,
            "since": since,
            "lists": lists,
            "public_only": kind == PUBLIC_ONLY,
            "since_last_url": page,
        },
    )


def since_last_changed_after(meeting: Meeting, at: dt.datetime) -> bool:
    """Whether the section of a pack of ``meeting`` rendered at ``at`` may read differently
    now: a change it could show recorded since (up to the meeting's start, decisions of an
    import at any time), an open action of the committee fallen overdue since, the
    committee's meetings, seats or this meeting's participants changed. A few queries."""
    now = timezone.now()
    until = min(now, meeting.start_at)
    committee = meeting.committee_id
    if at < until:
        window = {"history_date__gt": at, "history_date__lte": until}
        if (
            Action.history.filter(committee_id=committee, **window).exists()
            or ActionUpdate.objects.filter(
                action__committee_id=committee, created_at__gt=at, created_at__lte=until
            ).exists()
            or ChangeRequest.history.filter(**window).exists()
            or Decision.history.filter(committee_id=committee, **window).exists()
        ):
            return True
        first, last = timezone.localtime(at).date(), timezone.localtime(until).date()
        if (
            first < last
            and Action.objects.open()
            .filter(committee_id=committee, due_date__gte=first, due_date__lt=last)
            .exists()
        ):
            return True
    # An import after ``at`` may record decisions taken before the meeting (dated then).
    return (
        Decision.history.filter(
            committee_id=committee, history_date__gt=at, decided_at__lte=meeting.start_at
        ).exists()
        or Meeting.history.filter(committee_id=committee, history_date__gt=at).exists()
        or Membership.history.filter(committee_id=committee, history_date__gt=at).exists()
        or MeetingParticipant.history.filter(meeting_id=meeting.pk, history_date__gt=at).exists()
    )


SINCE_LAST_SECTION = PackSection(
    key="since-last",
    html=since_last_pack_html,
    changed_after=since_last_changed_after,
    reader=pack_reader_kind,
    narrower=pack_reader_narrower,
)
