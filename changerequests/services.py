"""State changes of change requests, impact assessment responses, releases and DINs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core import refs, roles
from core.services import (
    apply_changes,
    history_get_or_create,
    name_length_check,
    number_range_check,
    validated_save,
)
from meetings.models import Organisation
from meetings.services import ref_counter_take

from .models import (
    TRANSITIONS,
    ChangeRequest,
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
    return validated_save(
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


@transaction.atomic
def change_request_update(
    *, change_request: ChangeRequest, acting_user: Any, **changes: Any
) -> ChangeRequest:
    """Change a CR's editable fields (PMO only); status moves through the transition service."""
    roles.require_pmo(acting_user)
    cr = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    apply_changes(cr, changes, CR_EDITABLE_FIELDS)
    return validated_save(cr, acting_user=acting_user)


@transaction.atomic
def change_request_transition(
    *, change_request: ChangeRequest, to_status: str, acting_user: Any, force: bool = False
) -> ChangeRequest:
    """Move a CR along ``TRANSITIONS``; ``force`` is for a decision that settles the CR.

    Raises ValidationError for a move the workflow does not allow, PermissionDenied
    unless PMO, or with ``force`` unless PMO or the chair (whose decision settles the CR,
    so the CR's history records the chair).
    """
    if force and not roles.is_pmo(acting_user):
        roles.require_chair(acting_user)
    else:
        roles.require_pmo(acting_user)
    cr = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    if cr.status == to_status:
        return cr
    if not force and to_status not in TRANSITIONS.get(cr.status, set()):
        raise ValidationError(
            f"{cr.ref} is {cr.get_status_display().lower()}; it cannot become "
            f"{ChangeRequest.Status(to_status).label.lower()}."
        )
    cr.status = to_status
    return validated_save(cr, acting_user=acting_user)


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
    return validated_save(response, acting_user=acting_user)


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
