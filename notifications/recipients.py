"""Who is told of an event, and the one check that they may open what they are told of.

Each event kind has a rule naming people (``RULES``); :func:`record_visible` then keeps only
those who may open the record by the one rule (``visible_to(user)``, ``core.visibility``),
so a person without a login, or without the right to the meeting, is told nothing. The
actor is never told of their own change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionUpdate
from changerequests.models import ChangeRequest, ImpactAssessmentResponse
from core.access import CHAIR_ROLES, SeatRole, current_q
from core.events import Event
from decisions.models import Decision
from meetings.models import Meeting, MeetingParticipant, Membership, Person
from notifications.models import Kind


@dataclass(frozen=True)
class Told:
    """What one event tells, and to whom (person ids, before the visibility check)."""

    kind: str
    person_ids: set[int]
    record_type: str
    record_id: int
    record_ref: str
    url: str
    text: str
    group: str = ""


def record_visible(user: Any, record_type: str, record_id: int) -> bool:
    """Whether ``user`` may open the record (the same ``visible_to`` its page uses)."""
    if user is None or not user.is_active:
        return False
    if record_type == "action":
        return Action.objects.visible_to(user).filter(pk=record_id).exists()
    if record_type == "decision":
        return Decision.objects.visible_to(user).filter(pk=record_id).exists()
    if record_type == "meeting":
        return Meeting.objects.visible_to(user).filter(pk=record_id).exists()
    if record_type == "change_request":
        # The CR register is programme-wide: every signed-in user reads it.
        return ChangeRequest.objects.filter(pk=record_id).exists()
    return False


def visible_record_ids(user: Any, record_type: str, ids: Iterable[int]) -> set[int]:
    """Of ``ids`` (of one ``record_type``), those ``user`` may open: one query."""
    if user is None or not user.is_active:
        return set()
    models = {"action": Action, "decision": Decision, "meeting": Meeting}
    if record_type == "change_request":
        return set(ChangeRequest.objects.filter(pk__in=ids).values_list("pk", flat=True))
    model = models.get(record_type)
    if model is None:
        return set()
    return set(model.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def seat_holder_ids(
    committee_id: int, roles: Iterable[str] | None = None, today: dt.date | None = None
) -> set[int]:
    """People holding a current seat (of one of ``roles``) on the committee."""
    today = today or timezone.localdate()
    seats = Membership.objects.filter(committee_id=committee_id).filter(current_q(today))
    if roles is not None:
        seats = seats.filter(role__in=list(roles))
    return set(seats.values_list("person_id", flat=True))


def _short(text: str, length: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _action(event: Event, kind: str, person_ids: set[int], text: str) -> Told:
    action = event.record
    url = reverse("action-detail", args=[action.ref])
    return Told(kind, person_ids, "action", action.pk, action.ref, url, text)


def _assigned(event: Event) -> list[Told]:
    ids = set(event.data.get("owner_person_ids") or event.data.get("owner_person_ids_added") or [])
    action = event.record
    if action.status == Action.Status.CLOSED:
        return []  # a closed action (an import of the back catalogue) asks nothing of anyone
    due = f" (due {action.due_date:%d/%m/%Y})" if action.due_date else ""
    text = f"{action.ref} was assigned to you{due}: {_short(action.description)}"
    return [_action(event, Kind.ACTION_ASSIGNED, ids, text)] if ids else []


def _proposer_ids(action: Action) -> set[int]:
    """The person whose update last proposed the action's closure."""
    update = (
        ActionUpdate.objects.filter(action=action, proposes_closure=True)
        .order_by("-created_at", "-id")
        .first()
    )
    if update is None or update.author_id is None:
        return set()
    return set(Person.objects.filter(user_id=update.author_id).values_list("pk", flat=True))


def _closure_confirmed(event: Event) -> list[Told]:
    if not event.data.get("closure_proposed"):
        return []
    ref = event.record.ref
    text = f"Your proposed closure of {ref} was confirmed: the action is closed."
    return [_action(event, Kind.CLOSURE_CONFIRMED, _proposer_ids(event.record), text)]


def _closure_declined(event: Event) -> list[Told]:
    note = (event.data.get("note") or "").strip()
    reason = f" Reason: {_short(note, 400)}" if note else ""
    text = f"Your proposed closure of {event.record.ref} was declined; it is open again.{reason}"
    return [_action(event, Kind.CLOSURE_DECLINED, _proposer_ids(event.record), text)]


def _decision_awaiting(event: Event) -> list[Told]:
    decision = event.record
    if decision.status != Decision.Status.PROPOSED:
        return []
    ids = seat_holder_ids(decision.committee_id, CHAIR_ROLES)
    url = reverse("decision-detail", args=[decision.ref])
    text = f"{decision.ref} awaits your decision: {_short(decision.text)}"
    return [Told(Kind.DECISION_AWAITING, ids, "decision", decision.pk, decision.ref, url, text)]


def _cr_decided(event: Event) -> list[Told]:
    cr = event.record
    org_ids = set(
        ImpactAssessmentResponse.objects.filter(change_request=cr).values_list(
            "organisation_id", flat=True
        )
    )
    if cr.raiser_id:
        org_ids.add(cr.raiser_id)
    ids = set(Person.objects.filter(organisation_id__in=org_ids).values_list("pk", flat=True))
    status = ChangeRequest.Status(event.data.get("status", cr.status)).label.lower()
    url = reverse("change-request-detail", args=[cr.ref])
    text = f"{cr.ref} ({_short(cr.title, 100)}) was decided: {status}."
    return [Told(Kind.CR_DECIDED, ids, "change_request", cr.pk, cr.ref, url, text)]


def _report_issued(event: Event) -> list[Told]:
    meeting = event.record
    version = event.data.get("version")
    url = reverse("headline-report-version", args=[meeting.ref, version])
    text = f"The headline report of {meeting.ref} was issued (version {version}): the PDF."
    ids = seat_holder_ids(meeting.committee_id)
    return [Told(Kind.REPORT_ISSUED, ids, "meeting", meeting.pk, meeting.ref, url, text)]


def _agenda_published(event: Event) -> list[Told]:
    meeting = event.record
    # The participants, and everyone seated on the committee (a member may read the papers
    # before being invited); each is told only if they may open the meeting.
    ids = set(
        MeetingParticipant.objects.filter(meeting=meeting).values_list("person_id", flat=True)
    ) | seat_holder_ids(meeting.committee_id)
    url = reverse("meeting-agenda-page", args=[meeting.ref])
    text = f"The agenda and papers of {meeting.ref} were published."
    return [Told(Kind.AGENDA_PUBLISHED, ids, "meeting", meeting.pk, meeting.ref, url, text)]


RULES: dict[str, Callable[[Event], list[Told]]] = {
    "action.created": _assigned,
    "action.updated": _assigned,
    "action.closed": _closure_confirmed,
    "action.closure_declined": _closure_declined,
    "decision.created": _decision_awaiting,
    "decision.reopened": _decision_awaiting,
    "change_request.decided": _cr_decided,
    "report.issued": _report_issued,
    "agenda.published": _agenda_published,
}

SECRETARIAT_ROLES = frozenset({SeatRole.SECRETARIAT})
