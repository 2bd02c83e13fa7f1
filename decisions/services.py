"""State changes of decisions: record with ref, and the chair's approval.

Statuses move only along ``decisions.models.TRANSITIONS``; a decision on a change request
moves the CR to the matching status (DESIGN.md "Decision", issue #4 "Chair").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from changerequests.services import change_request_transition
from core import refs, roles
from core.actors import history_user
from core.services import counter_take, number_range_check, validated_save
from meetings.models import AgendaItem, Meeting, Person

from .models import TRANSITIONS, Decision


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
    roles.require_pmo(acting_user)
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
    return validated_save(
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


@transaction.atomic
def decision_update(*, decision: Decision, acting_user: Any, **changes: Any) -> Decision:
    """Change a decision's text, area or CR (PMO only); its ref never changes.

    Raises ValidationError for unknown fields, bad values or an agenda item of another
    meeting; PermissionDenied unless PMO.
    """
    roles.require_pmo(acting_user)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    unknown = set(changes) - {"text", "agenda_item", "change_request"}
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    agenda_item = changes.get("agenda_item")
    if agenda_item is not None and agenda_item.meeting_id != decision.meeting_id:
        raise ValidationError({"agenda_item": "That agenda item belongs to another meeting."})
    for name, value in changes.items():
        setattr(decision, name, value)
    return validated_save(decision, acting_user=acting_user)


# The CR status that follows each decision outcome.
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
    now unless given: an imported report's decisions were taken at its meeting), and moves
    the decision's CR to the matching status (in the decider's name: the CR's history
    records the chair).
    """
    if to_status == Decision.Status.WITHDRAWN:
        roles.require_pmo(acting_user)
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
    validated_save(decision, acting_user=acting_user)
    cr_status = CR_STATUS_FOR_DECISION.get(to_status)
    if decision.change_request_id and cr_status:
        change_request_transition(
            change_request=decision.change_request,
            to_status=cr_status,
            acting_user=acting_user,
            force=True,
        )
    return decision


def decision_approve(*, decision: Decision, acting_user: Any, conditions: str = "") -> Decision:
    """Approve (with conditions when ``conditions`` is given). See decision_transition."""
    status = (
        Decision.Status.APPROVED_WITH_CONDITIONS if conditions.strip() else Decision.Status.APPROVED
    )
    return decision_transition(
        decision=decision, to_status=status, acting_user=acting_user, conditions=conditions
    )
