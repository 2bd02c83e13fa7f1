"""Recording many new decisions of one meeting at once, decided as a report records them
(a headline report's import, issue #18).

The same steps as :func:`decisions.services.decision_create` then
:func:`decisions.services.decision_transition`, for every decision of the list: each is
recorded proposed (its history row in the recorder's name), then moved to the outcome given
(its second history row in the decider's name, with when it was decided), its CR following by
``changerequests.services.change_request_decide``'s rule, and the events of both steps are
emitted. The checks run for every decision before anything is written (problems by index:
:class:`DecisionsRefusedError`); the rows and their history are written in batches.

No ``post_save`` is sent: the caller writes the search documents of what it created.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from changerequests.expected_respondents import ia_tally_snapshot
from core import events, refs, roles
from core.actors import history_user
from core.list_cache import list_cache_bump
from core.services import (
    BULK_BATCH,
    counter_take,
    history_bulk_create,
    history_bulk_update,
    instance_errors,
    number_range_check,
)
from meetings.models import AgendaItem, Meeting, Person

from .models import TRANSITIONS, Decision
from .services import CR_STATUS_FOR_DECISION, decision_decided_follow

_KEYS = ["committee", "meeting", "agenda_item", "change_request", "decided_by"]
_DECIDED_FIELDS = ["status", "conditions", "decided_at", "decided_by", "ia_tally"]


@dataclass
class NewDecision:
    """One decision to record: its number (its ref as given), text, area, CR, and the
    outcome it was decided with (``proposed``: not decided)."""

    seq: int
    text: str
    agenda_item: AgendaItem | None = None
    change_request: Any = None
    status: str = Decision.Status.PROPOSED
    conditions: str = ""


class DecisionsRefusedError(ValidationError):
    """Some decisions cannot be recorded; ``refused`` maps each one's index to its
    ValidationError. Nothing was written."""

    def __init__(self, refused: dict[int, ValidationError]) -> None:
        super().__init__([m for error in refused.values() for m in error.messages])
        self.refused = refused


def _built(meeting: Meeting, new: NewDecision) -> Decision:
    """The unsaved, proposed decision; ValidationError as the services word it."""
    number_range_check(field="seq", value=new.seq, maximum=refs.MAX_DECISION_SEQ)
    if new.agenda_item is not None and new.agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": "That agenda item belongs to another meeting."})
    committee = meeting.committee
    decision = Decision(
        committee=committee,
        meeting=meeting,
        agenda_item=new.agenda_item,
        seq=new.seq,
        ref=refs.decision_ref(committee.code, new.seq),
        text=new.text.strip(),
        status=Decision.Status.PROPOSED,
        change_request=new.change_request,
    )
    errors = instance_errors(decision, exclude=_KEYS)
    if errors is not None:
        raise errors
    if new.status == Decision.Status.PROPOSED:
        return decision
    if new.status not in TRANSITIONS.get(Decision.Status.PROPOSED, set()):
        raise ValidationError(
            f"{decision.ref} is proposed; it cannot become "
            f"{Decision.Status(new.status).label.lower()}."
        )
    if new.status == Decision.Status.APPROVED_WITH_CONDITIONS and not new.conditions.strip():
        raise ValidationError({"conditions": "State the conditions of the approval."})
    return decision


def _refused(meeting: Meeting, decisions: list[NewDecision]) -> tuple[list[Decision], dict]:
    refused: dict[int, ValidationError] = {}
    built: list[Decision] = []
    for index, new in enumerate(decisions):
        try:
            built.append(_built(meeting, new))
        except ValidationError as exc:
            refused[index] = exc
    if refused:
        return built, refused
    wanted = [d.ref for d in built]
    taken: set[str] = set()
    for start in range(0, len(wanted), BULK_BATCH):
        chunk = wanted[start : start + BULK_BATCH]
        taken |= set(Decision.objects.filter(ref__in=chunk).values_list("ref", flat=True))
    seen: set[str] = set()
    for index, decision in enumerate(built):
        if decision.ref in taken or decision.ref in seen:
            refused[index] = ValidationError({"seq": f"Decision {decision.ref} already exists."})
        seen.add(decision.ref)
    return built, refused


@transaction.atomic
def decisions_record_many(
    *,
    meeting: Meeting,
    decisions: list[NewDecision],
    decided_at: dt.datetime,
    decided_by: Any,
    acting_user: Any,
) -> list[Decision]:
    """Record ``decisions`` at ``meeting`` (refs as given), each decided as its ``status``
    says at ``decided_at`` in ``decided_by``'s name; all or none.

    PMO only to record; only the committee's chair (or the system) decides, the PMO may
    withdraw. Raises :class:`DecisionsRefusedError` (by index) and PermissionDenied.
    """
    roles.require_recorder(acting_user, meeting.committee_id)
    outcomes = {new.status for new in decisions} - {Decision.Status.PROPOSED}
    if outcomes - {Decision.Status.WITHDRAWN}:
        roles.require_committee_chair(decided_by, meeting.committee_id)
    elif outcomes:
        roles.require_recorder(decided_by, meeting.committee_id)
    built, refused = _refused(meeting, decisions)
    if refused:
        raise DecisionsRefusedError(refused)
    if not built:
        return []
    committee = meeting.committee
    counter_take(
        type(committee).objects.filter(pk=committee.pk),
        "last_decision_seq",
        explicit=max(d.seq for d in built),
    )
    created = history_bulk_create(Decision, built, acting_user=acting_user)
    list_cache_bump()  # written without post_save: the register's cached counts
    for decision in created:
        events.emit("decision.created", decision, acting_user=acting_user)
    _decide(created, decisions, decided_at=decided_at, decided_by=decided_by)
    return created


def _decide(
    created: list[Decision], decisions: list[NewDecision], *, decided_at: Any, decided_by: Any
) -> None:
    """The second step, as ``decision_transition`` takes it for each decision decided."""
    person_user = history_user(decided_by)
    person = Person.objects.filter(user=person_user).first() if person_user else None
    decided = []
    for decision, new in zip(created, decisions, strict=True):
        if new.status == Decision.Status.PROPOSED:
            continue
        decision.status, decision.conditions = new.status, new.conditions.strip()
        decision.decided_at, decision.decided_by = decided_at, person
        if decision.change_request_id and CR_STATUS_FOR_DECISION.get(new.status):
            decision.ia_tally = ia_tally_snapshot(change_request=decision.change_request)
        decided.append(decision)
    history_bulk_update(Decision, decided, _DECIDED_FIELDS, acting_user=decided_by)
    for decision in decided:
        decision_decided_follow(decision, acting_user=decided_by)
