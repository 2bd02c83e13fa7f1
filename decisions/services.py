"""State changes of decisions: record with ref, and the chair's approval.

Statuses move only along ``decisions.models.TRANSITIONS``; a decision on a change request
moves the CR by ``changerequests.services.change_request_decide``'s rule (DESIGN.md
"Decision", issue #4 "Chair"). Once decided, a decision is locked: ``decision_update``
refuses to change it (``decision_locked_fields``) until ``decision_reopen`` puts it back to
proposed with a reason, on record (issue #12).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from changerequests.expected_respondents import ia_tally_snapshot
from changerequests.services import change_request_decide, change_request_undecide
from core import events, refs, roles
from core.actors import history_user, is_system
from core.services import RecordLockedError, counter_take, number_range_check, validated_save
from core.text import visible_text
from meetings.models import AgendaItem, Meeting, Person

from .models import LOCKED_FIELDS, TRANSITIONS, Decision, DecisionReopening


@transaction.atomic
def decision_create(
    *,
    meeting: Meeting,
    text: str,
    agenda_item: AgendaItem | None = None,
    change_request: Any = None,
    seq: int | None = None,
    status: str = Decision.Status.PROPOSED,
    conditions: str = "",
    acting_user: Any,
) -> Decision:
    """Record a decision at ``meeting`` and assign its ref (``DAG-DEC68``).

    Numbers run per committee across meetings. ``seq`` records a historical ref as given
    (a committee that reached DAG-DEC67 continues at DAG-DEC68). A decision recorded as
    already decided (an import) keeps ``status``. Raises ValidationError (duplicate ref,
    empty text, conditions missing) and PermissionDenied unless PMO.
    """
    roles.require_recorder(acting_user, meeting.committee_id)
    number_range_check(field="seq", value=seq, maximum=refs.MAX_DECISION_SEQ)
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": "That agenda item belongs to another meeting."})
    committee = meeting.committee
    seq = counter_take(
        type(committee).objects.filter(pk=committee.pk), "last_decision_seq", explicit=seq
    )
    ref = refs.decision_ref(committee.code, seq)
    if Decision.objects.filter(ref=ref).exists():
        raise ValidationError({"seq": f"Decision {ref} already exists."})
    decision = validated_save(
        Decision(
            committee=committee,
            meeting=meeting,
            agenda_item=agenda_item,
            seq=seq,
            ref=ref,
            text=text.strip(),
            status=status,
            conditions=conditions.strip(),
            change_request=change_request,
        ),
        acting_user=acting_user,
    )
    events.emit("decision.created", decision, acting_user=acting_user)
    return decision


def decision_locked_fields(decision: Decision, changes: dict[str, Any]) -> list[str]:
    """The fields among ``changes`` that ``decision`` refuses to change while locked (sorted).

    A decision the chair has decided (``Decision.is_locked``) keeps its text, conditions,
    area, meeting and CR (``LOCKED_FIELDS``); a field given with its current value is no
    change. Empty when the decision is not locked. The one rule: ``decision_update`` calls
    it, and so may an interface that wants to say so before writing (the import).
    """
    if not decision.is_locked:
        return []
    changed = []
    for name in LOCKED_FIELDS:
        if name not in changes:
            continue
        field = Decision._meta.get_field(name)
        value = changes[name]
        if field.is_relation:
            current, value = getattr(decision, field.attname), getattr(value, "pk", value)
        else:
            current = getattr(decision, name)
        if value != current:
            changed.append(name)
    return sorted(changed)


def decision_locked_message(decision: Decision) -> str:
    """Why a locked decision cannot be edited, and what to do (pages, API, import)."""
    return (
        f"{decision.ref} is {decision.get_status_display().lower()}: its text, conditions, "
        "area, meeting and change request stay as the chair decided them. Re-open it with a "
        "reason to change them; the chair then decides again."
    )


@transaction.atomic
def decision_update(*, decision: Decision, acting_user: Any, **changes: Any) -> Decision:
    """Change a decision's text, area or CR (PMO only); its ref never changes.

    Raises RecordLockedError when the decision is decided and ``changes`` would change what it
    locks (``decision_locked_fields``): the chair's decision stands until re-opened
    (``decision_reopen``). Raises ValidationError for unknown fields, bad values or an
    agenda item of another meeting; PermissionDenied unless PMO.
    """
    roles.require_recorder(acting_user, decision.committee_id)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    unknown = set(changes) - {"text", "agenda_item", "change_request"}
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    agenda_item = changes.get("agenda_item")
    if agenda_item is not None and agenda_item.meeting_id != decision.meeting_id:
        raise ValidationError({"agenda_item": "That agenda item belongs to another meeting."})
    # Bad input is refused as such first (400 in the API); a valid change of a locked
    # decision is refused as locked (409).
    if decision_locked_fields(decision, changes):
        raise RecordLockedError(decision_locked_message(decision))
    for name, value in changes.items():
        setattr(decision, name, value)
    validated_save(decision, acting_user=acting_user)
    events.emit("decision.updated", decision, acting_user=acting_user, changed=sorted(changes))
    return decision


# The CR status each decision outcome gives (to a CR not yet decided: change_request_decide).
CR_STATUS_FOR_DECISION = {
    Decision.Status.APPROVED: "approved",
    Decision.Status.APPROVED_WITH_CONDITIONS: "approved_with_conditions",
    Decision.Status.REJECTED: "rejected",
}


@transaction.atomic
def decision_transition(
    *,
    decision: Decision,
    to_status: str,
    acting_user: Any,
    conditions: str = "",
    decided_at: dt.datetime | None = None,
) -> Decision:
    """Move a decision to ``to_status`` (approve, approve with conditions, reject, defer…).

    Only the chair (or deputy) of the decision's committee decides (PermissionDenied
    otherwise; the PMO may withdraw). The row is re-read under ``select_for_update`` and the
    move checked against ``TRANSITIONS`` (ValidationError otherwise). Conditions are
    required for "approved with conditions". Records who decided and when (``decided_at``,
    now unless given: an imported report's decisions were taken at its meeting). The
    decision's CR follows by the rule of ``changerequests.services.change_request_decide``
    (in the decider's name): a CR not yet decided takes the outcome; a CR already decided is
    left as it is.
    """
    if to_status == Decision.Status.WITHDRAWN:
        roles.require_recorder(acting_user, decision.committee_id)
    else:
        roles.require_committee_chair(acting_user, decision.committee_id)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if to_status not in TRANSITIONS.get(decision.status, set()):
        raise ValidationError(
            f"{decision.ref} is {decision.get_status_display().lower()}; it cannot become "
            f"{Decision.Status(to_status).label.lower()}."
        )
    if to_status == Decision.Status.APPROVED_WITH_CONDITIONS and not conditions.strip():
        raise ValidationError({"conditions": "State the conditions of the approval."})
    decision.status = to_status
    decision.conditions = conditions.strip()
    decision.decided_at = decided_at or timezone.now()
    person_user = history_user(acting_user)
    decision.decided_by = Person.objects.filter(user=person_user).first() if person_user else None
    cr_status = CR_STATUS_FOR_DECISION.get(to_status)
    if decision.change_request_id and cr_status:
        # The impact assessment as it stood when the chair decided, kept with the decision.
        decision.ia_tally = ia_tally_snapshot(change_request=decision.change_request)
    validated_save(decision, acting_user=acting_user)
    decision_decided_follow(decision, acting_user=acting_user)
    return decision


def decision_decided_follow(decision: Decision, *, acting_user: Any) -> None:
    """What follows a decision's outcome once it is saved: its CR takes the outcome (by
    ``change_request_decide``'s rule, in the decider's name), and ``decision.decided`` is
    emitted. Called by :func:`decision_decide` and by the import's batch (``decisions.bulk``)."""
    cr_status = CR_STATUS_FOR_DECISION.get(decision.status)
    if decision.change_request_id and cr_status:
        change_request_decide(
            change_request=decision.change_request,
            outcome=cr_status,
            decision_ref=decision.ref,
            acting_user=acting_user,
        )
    events.emit("decision.decided", decision, acting_user=acting_user, status=decision.status)


@transaction.atomic
def decision_reopen(*, decision: Decision, reason: str, acting_user: Any) -> DecisionReopening:
    """Put a decided decision back to proposed so the chair decides again, on record.

    The chair re-opens, or the PMO (recorded as the PMO); the ``reason`` is required. The
    row is re-read under ``select_for_update``; only a locked decision (approved, with
    conditions, rejected) is re-opened. A ``DecisionReopening`` keeps who, as what, when,
    why and the outcome it had; the decision loses its conditions, decider and time until
    the chair decides again. A CR this decision settled goes back to awaiting decision with
    the same reason (``change_request_undecide``). Raises ValidationError (not decided, no
    reason), PermissionDenied unless the chair, the PMO or the system.
    """
    if roles.is_committee_chair(acting_user, decision.committee_id):
        acted_as = DecisionReopening.ActedAs.CHAIR
    elif roles.is_recorder(acting_user, decision.committee_id):
        acted_as = DecisionReopening.ActedAs.PMO
    elif is_system(acting_user):
        acted_as = DecisionReopening.ActedAs.SYSTEM
    else:
        raise PermissionDenied("Only the committee's chair or the PMO can re-open a decision.")
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if not decision.is_locked:
        raise ValidationError(
            f"{decision.ref} is {decision.get_status_display().lower()}; only an approved or "
            "rejected decision is re-opened (a proposed or deferred one can be edited)."
        )
    reason = visible_text(reason)
    if not reason:
        raise ValidationError({"reason": "Say why the decision is re-opened."})
    reopening = validated_save(
        DecisionReopening(
            decision=decision,
            reason=reason,
            reopened_by=history_user(acting_user),
            acted_as=acted_as,
            from_status=decision.status,
            from_conditions=decision.conditions,
            from_decided_by=decision.decided_by,
            from_decided_at=decision.decided_at,
        ),
        acting_user=acting_user,
    )
    decision.status = Decision.Status.PROPOSED
    decision.conditions, decision.decided_by, decision.decided_at = "", None, None
    decision.ia_tally = None  # taken again when the chair decides again (history keeps it)
    validated_save(decision, acting_user=acting_user)
    if decision.change_request_id:
        change_request_undecide(
            change_request=decision.change_request,
            decision_ref=decision.ref,
            reason=f"{decision.ref} re-opened: {reason}",
            acting_user=acting_user,
        )
    events.emit("decision.reopened", decision, acting_user=acting_user, reason=reason)
    return reopening


def decision_approve(*, decision: Decision, acting_user: Any, conditions: str = "") -> Decision:
    """Approve (with conditions when ``conditions`` is given). See decision_transition."""
    status = (
        Decision.Status.APPROVED_WITH_CONDITIONS if conditions.strip() else Decision.Status.APPROVED
    )
    return decision_transition(
        decision=decision, to_status=status, acting_user=acting_user, conditions=conditions
    )
