"""State changes of change requests, impact assessment responses, releases and DINs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core import events, refs, roles
from core.actors import history_user
from core.services import (
    RecordLockedError,
    apply_changes,
    history_get_or_create,
    name_length_check,
    number_range_check,
    validated_save,
)
from meetings.models import Organisation
from meetings.services import ref_counter_take

from .models import (
    DECISION_TRANSITIONS,
    LOCKED_FIELDS,
    TRANSITIONS,
    ChangeRequest,
    ChangeRequestStatusChange,
    DesignIssueNotification,
    ImpactAssessmentResponse,
    Release,
)


@transaction.atomic
def change_request_create(
    *,
    title: str = "",
    number: int | None = None,
    description: str = "",
    raiser: Organisation | None = None,
    status: str = ChangeRequest.Status.DRAFT,
    target_release: Release | None = None,
    backstop_release: Release | None = None,
    design_artefacts: str = "",
    ia_start_date: dt.date | None = None,
    ia_end_date: dt.date | None = None,
    acting_user: Any,
) -> ChangeRequest:
    """Record a change request and assign ``CR{number:03}`` (programme-wide sequence).

    ``number`` records a historical CR as given (``CR023``). Raises ValidationError for a
    taken number or bad values, PermissionDenied unless PMO.
    """
    roles.require_pmo(acting_user)
    number_range_check(field="number", value=number, maximum=refs.MAX_CHANGE_REQUEST_NUMBER)
    number = ref_counter_take("CR", explicit=number)
    ref = refs.change_request_ref(number)
    if ChangeRequest.objects.filter(number=number).exists():
        raise ValidationError({"number": f"{ref} already exists."})
    cr = validated_save(
        ChangeRequest(
            number=number,
            ref=ref,
            title=title.strip(),
            description=description,
            raiser=raiser,
            status=status,
            target_release=target_release,
            backstop_release=backstop_release,
            design_artefacts=design_artefacts,
            ia_start_date=ia_start_date,
            ia_end_date=ia_end_date,
        ),
        acting_user=acting_user,
    )
    events.emit("change_request.created", cr, acting_user=acting_user)
    return cr


CR_EDITABLE_FIELDS = {
    "title",
    "description",
    "raiser",
    "ia_start_date",
    "ia_end_date",
    "target_release",
    "backstop_release",
    "design_artefacts",
}


def change_request_locked_fields(
    change_request: ChangeRequest, changes: dict[str, Any]
) -> list[str]:
    """The fields among ``changes`` that a decided CR refuses to change (sorted).

    A CR once decided (``ChangeRequest.is_decided``) keeps its title and description as the
    committee decided them; a field given with its current value is no change. Empty when
    the CR is not decided. The one rule, called by ``change_request_update`` and by
    interfaces (the import) that want to say so before writing.
    """
    if not change_request.is_decided:
        return []
    return sorted(
        name
        for name in LOCKED_FIELDS
        if name in changes and changes[name] != getattr(change_request, name)
    )


@transaction.atomic
def change_request_update(
    *, change_request: ChangeRequest, acting_user: Any, **changes: Any
) -> ChangeRequest:
    """Change a CR's editable fields (PMO only); status moves through the transition service.

    Raises RecordLockedError when the CR is decided and ``changes`` would change its title or
    description (``change_request_locked_fields``); its releases, dates and artefacts stay
    editable.
    """
    roles.require_pmo(acting_user)
    cr = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    locked = change_request_locked_fields(cr, changes)
    if locked:
        one = len(locked) == 1
        raise RecordLockedError(
            f"{cr.ref} is {cr.get_status_display().lower()}: its {' and '.join(locked)} "
            f"{'stays' if one else 'stay'} as decided. Re-open it (back to awaiting decision, "
            f"with a reason) to change {'it' if one else 'them'}."
        )
    apply_changes(cr, changes, CR_EDITABLE_FIELDS)
    validated_save(cr, acting_user=acting_user)
    events.emit("change_request.updated", cr, acting_user=acting_user, changed=sorted(changes))
    return cr


def _status_move(
    cr: ChangeRequest, *, to_status: str, reason: str, decision_ref: str, acting_user: Any
) -> ChangeRequest:
    """Save ``cr`` in ``to_status`` and log the move with its reason (a locked row)."""
    from_status = cr.status
    cr.status = to_status
    validated_save(cr, acting_user=acting_user)
    validated_save(
        ChangeRequestStatusChange(
            change_request=cr,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            decision_ref=decision_ref,
            changed_by=history_user(acting_user),
        ),
        acting_user=acting_user,
    )
    return cr


def _move_refused(cr: ChangeRequest, to_status: str, how: str = "") -> ValidationError:
    return ValidationError(
        f"{cr.ref} is {cr.get_status_display().lower()}; it cannot become "
        f"{ChangeRequest.Status(to_status).label.lower()}{how}."
    )


@transaction.atomic
def change_request_transition(
    *, change_request: ChangeRequest, to_status: str, acting_user: Any, reason: str = ""
) -> ChangeRequest:
    """Move a CR by hand along ``TRANSITIONS`` (PMO only).

    Approval and rejection are not moves by hand: they come from the chair's decision on
    the CR (``change_request_decide``), so "Move to approved" without a decision is refused
    rather than allowed as an override; an override would make a CR read "approved" with no
    decision of the committee behind it, the record this rule exists to prevent. A CR that
    was approved before the tracker is recorded with its decision (or created in that
    status by an import). A move out of a decided status (implemented; re-opened to await
    a new decision) needs a ``reason``, and is logged with it (``ChangeRequestStatusChange``)
    and shown on the CR's page. Raises ValidationError for a move the table does not allow
    or a missing reason, PermissionDenied unless PMO. A move to the current status changes
    nothing.
    """
    roles.require_pmo(acting_user)
    cr = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    if cr.status == to_status:
        return cr
    if to_status not in TRANSITIONS.get(cr.status, set()):
        by_decision = to_status in DECISION_TRANSITIONS.get(cr.status, set())
        raise _move_refused(
            cr, to_status, " by hand: the chair's decision on it does that" if by_decision else ""
        )
    reason = reason.strip()
    if cr.is_decided and not reason:
        raise ValidationError(
            {"reason": f"{cr.ref} is {cr.get_status_display().lower()}: give the reason."}
        )
    if not reason:
        cr.status = to_status
        validated_save(cr, acting_user=acting_user)
    else:
        _status_move(
            cr, to_status=to_status, reason=reason, decision_ref="", acting_user=acting_user
        )
    events.emit("change_request.updated", cr, acting_user=acting_user, changed=["status"])
    return cr


@transaction.atomic
def change_request_decide(
    *, change_request: ChangeRequest, outcome: str, decision_ref: str, acting_user: Any
) -> ChangeRequest:
    """The CR after its decision ``decision_ref`` came out as ``outcome`` (a CR status).

    The rule (README "Approval locks the record"): an approval, approval with conditions or
    rejection moves a CR that is draft, in impact assessment or awaiting decision to that
    status (``DECISION_TRANSITIONS``), logged with the decision's ref. A CR already decided,
    withdrawn or implemented is left as it is: a later decision naming it (a follow-up
    question) does not re-decide it; that takes re-opening the CR first. Deferral and
    withdrawal of a decision do not move its CR. Called by ``decision_transition`` in the
    decider's name: PermissionDenied unless the chair, the PMO or the system.
    """
    if not roles.is_pmo(acting_user):
        roles.require_chair(acting_user)
    cr = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    if outcome not in DECISION_TRANSITIONS.get(cr.status, set()):
        return cr
    label = ChangeRequest.Status(outcome).label.lower()
    _status_move(
        cr,
        to_status=outcome,
        reason=f"{decision_ref}: {label}.",
        decision_ref=decision_ref,
        acting_user=acting_user,
    )
    events.emit(
        "change_request.decided",
        cr,
        acting_user=acting_user,
        status=outcome,
        decision_ref=decision_ref,
    )
    return cr


@transaction.atomic
def change_request_undecide(
    *, change_request: ChangeRequest, decision_ref: str, reason: str, acting_user: Any
) -> ChangeRequest:
    """Re-open the CR whose status the decision ``decision_ref`` gave, as that decision is
    re-opened: back to awaiting decision, logged with ``reason``.

    Only when that decision is the one that settled the CR (the latest move by a decision
    names it) and the CR still stands where it put it; a CR settled by another decision,
    or since moved (implemented), is left as it is. PermissionDenied unless the chair, the
    PMO or the system.
    """
    if not roles.is_pmo(acting_user):
        roles.require_chair(acting_user)
    cr = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    settled = cr.status_changes.exclude(decision_ref="").order_by("changed_at", "id").last()
    if settled is None or settled.decision_ref != decision_ref or settled.to_status != cr.status:
        return cr
    return _status_move(
        cr,
        to_status=ChangeRequest.Status.AWAITING_DECISION,
        reason=reason,
        decision_ref=decision_ref,
        acting_user=acting_user,
    )


@transaction.atomic
def ia_response_record(
    *,
    change_request: ChangeRequest,
    organisation: Organisation,
    position: str,
    constituency: str = "",
    conditions: str = "",
    comments: str = "",
    impact_note: str = "",
    received_date: dt.date | None = None,
    acting_user: Any,
) -> ImpactAssessmentResponse:
    """Record (or replace) an organisation's impact assessment response to a CR.

    The CR is locked first, so one response submitted twice at once is recorded once (the
    second replaces the first rather than failing on the unique organisation per CR).
    Raises ValidationError for bad values, PermissionDenied unless PMO.
    """
    roles.require_pmo(acting_user)
    change_request = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    response = ImpactAssessmentResponse.objects.filter(
        change_request=change_request, organisation=organisation
    ).first() or ImpactAssessmentResponse(change_request=change_request, organisation=organisation)
    response.position, response.constituency = position, constituency
    response.conditions, response.comments = conditions, comments
    response.impact_note, response.received_date = impact_note, received_date
    validated_save(response, acting_user=acting_user)
    events.emit(
        "change_request.ia_response",
        change_request,
        acting_user=acting_user,
        organisation_id=organisation.pk,
        response_id=response.pk,
    )
    return response


def ia_tally(*, change_request: ChangeRequest) -> dict[str, int]:
    """Count of IA responses per position label, every position present (zeros included)."""
    counts = {label: 0 for _, label in ImpactAssessmentResponse.Position.choices}
    for response in change_request.ia_responses.all():
        counts[response.get_position_display()] += 1
    return counts


def release_get_or_create(*, code: str, acting_user: Any) -> Release:
    """The release ``code`` (``IR5``), created if missing.

    Raises ValidationError for a blank code or one longer than 20 characters once in
    capitals (``upper()`` can lengthen text: ``ß`` becomes ``SS``), PermissionDenied unless
    PMO. A new release's history records ``acting_user``.
    """
    roles.require_pmo(acting_user)
    code = code.strip().upper()
    if not code:
        raise ValidationError({"code": "A release needs a code such as IR5."})
    name_length_check(Release, code, field="code")
    return history_get_or_create(Release, code=code, acting_user=acting_user)


@transaction.atomic
def din_create(
    *,
    number: int | None = None,
    title: str = "",
    change_request: ChangeRequest | None = None,
    release: Release | None = None,
    acting_user: Any,
) -> DesignIssueNotification:
    """Record a Design Issue Notification ``DIN-{number}`` (programme-wide sequence)."""
    roles.require_pmo(acting_user)
    number_range_check(field="number", value=number, maximum=refs.MAX_DIN_NUMBER)
    number = ref_counter_take("DIN", explicit=number)
    ref = refs.din_ref(number)
    if DesignIssueNotification.objects.filter(number=number).exists():
        raise ValidationError({"number": f"{ref} already exists."})
    return validated_save(
        DesignIssueNotification(
            number=number, ref=ref, title=title, change_request=change_request, release=release
        ),
        acting_user=acting_user,
    )
