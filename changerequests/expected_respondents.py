"""Impact assessments that get answered: who is expected to respond to a CR, by when.

The PMO names the organisations expected to respond (picked one by one, or every
organisation seated on a committee), each with a due date (by default the CR's
``ia_end_date``). From them and the responses received come the matrix on the CR page and in
the API (:func:`ia_matrix`), each organisation's people's "pending for me"
(:func:`ia_pending_for_person`), the chasers (``composer.ia_chasers``) and the tally frozen
into a decision when it is decided (:func:`ia_tally_snapshot`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from core import roles
from core.access import SeatRole, is_current
from core.services import history_delete, validated_save
from meetings.models import Committee, Membership, Organisation, Person

from .models import ChangeRequest, ExpectedRespondent, ImpactAssessmentResponse

# A CR still collecting responses: not decided, withdrawn or implemented.
OPEN_STATUSES = (
    ChangeRequest.Status.DRAFT,
    ChangeRequest.Status.IMPACT_ASSESSMENT,
    ChangeRequest.Status.AWAITING_DECISION,
)


@transaction.atomic
def expected_respondent_add(
    *,
    change_request: ChangeRequest,
    organisation: Organisation,
    due_date: dt.date | None = None,
    acting_user: Any,
) -> ExpectedRespondent:
    """Expect ``organisation`` to respond to ``change_request`` by ``due_date`` (default the
    CR's IA end date); an organisation already expected gets the new due date. Raises
    ValidationError with no due date at all, PermissionDenied unless PMO."""
    roles.require_pmo(acting_user)
    change_request = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    due_date = due_date or change_request.ia_end_date
    if due_date is None:
        raise ValidationError(
            {"due_date": "Give a due date (the CR has no impact assessment end date)."}
        )
    expected = ExpectedRespondent.objects.filter(
        change_request=change_request, organisation=organisation
    ).first() or ExpectedRespondent(change_request=change_request, organisation=organisation)
    if expected.pk and expected.due_date != due_date:
        # A new due date is a new window: its chasers are owed again.
        expected.chased_before_at = expected.chased_after_at = None
    expected.due_date = due_date
    return validated_save(expected, acting_user=acting_user)


def committee_respondent_organisations(*, committee: Committee) -> list[Organisation]:
    """The organisations of the people holding a current member's or alternate's seat on
    ``committee`` (the chair, secretariat and observers do not answer for a
    constituency), by name."""
    today = timezone.localdate()
    seats = Membership.objects.filter(committee=committee, person__organisation__isnull=False)
    seats = seats.filter(role__in=[SeatRole.MEMBER, SeatRole.ALTERNATE])
    ids = {
        seat.person.organisation_id
        for seat in seats.select_related("person")
        if is_current(seat.start_date, seat.end_date, today)
    }
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


@transaction.atomic
def expected_respondents_from_committee(
    *,
    change_request: ChangeRequest,
    committee: Committee,
    due_date: dt.date | None = None,
    acting_user: Any,
) -> list[ExpectedRespondent]:
    """Expect every organisation seated on ``committee`` (see
    :func:`committee_respondent_organisations`) to respond, each by ``due_date``."""
    return [
        expected_respondent_add(
            change_request=change_request,
            organisation=organisation,
            due_date=due_date,
            acting_user=acting_user,
        )
        for organisation in committee_respondent_organisations(committee=committee)
    ]


@transaction.atomic
def expected_respondent_remove(
    *, expected_respondent: ExpectedRespondent, acting_user: Any
) -> None:
    """No longer expect that organisation to respond (PMO only); its response, if any, stays."""
    roles.require_pmo(acting_user)
    history_delete(expected_respondent, acting_user=acting_user)


@dataclass(frozen=True)
class MatrixRow:
    """One organisation of the matrix: expected (with its due date) or not, and its response."""

    organisation: Organisation
    expected: ExpectedRespondent | None
    response: ImpactAssessmentResponse | None
    state: str  # received, pending, overdue, unexpected (answered without being asked)

    @property
    def due_date(self) -> dt.date | None:
        return self.expected.due_date if self.expected else None

    @property
    def state_label(self) -> str:
        return {
            "received": "Received",
            "pending": "Awaiting response",
            "overdue": "Overdue",
            "unexpected": "Received (not requested)",
        }[self.state]


def ia_matrix(
    *,
    change_request: ChangeRequest,
    responses: list[ImpactAssessmentResponse] | None = None,
    today: dt.date | None = None,
) -> list[MatrixRow]:
    """Expected respondents against responses received, by organisation name (two queries,
    one when ``responses`` are given, none when both are prefetched with their
    organisations, as the API's list does)."""
    today = today or timezone.localdate()
    prefetched = getattr(change_request, "_prefetched_objects_cache", {})
    if responses is None:
        responses = (
            list(change_request.ia_responses.all())
            if "ia_responses" in prefetched
            else list(change_request.ia_responses.select_related("organisation"))
        )
    by_org = {response.organisation_id: response for response in responses}
    rows = []
    expected_rows = (
        change_request.expected_respondents.all()
        if "expected_respondents" in prefetched
        else change_request.expected_respondents.select_related("organisation")
    )
    for expected in expected_rows:
        response = by_org.pop(expected.organisation_id, None)
        if response is not None:
            state = "received"
        else:
            state = "overdue" if expected.due_date < today else "pending"
        rows.append(MatrixRow(expected.organisation, expected, response, state))
    rows.extend(MatrixRow(r.organisation, None, r, "unexpected") for r in by_org.values())
    return sorted(rows, key=lambda row: row.organisation.name.casefold())


def ia_pending(queryset: QuerySet[ExpectedRespondent] | None = None) -> QuerySet:
    """Expected respondents that have not responded, on CRs still open, soonest due first."""
    queryset = queryset if queryset is not None else ExpectedRespondent.objects.all()
    answered = ImpactAssessmentResponse.objects.filter(
        change_request_id=OuterRef("change_request_id"),
        organisation_id=OuterRef("organisation_id"),
    )
    return (
        queryset.filter(change_request__status__in=OPEN_STATUSES)
        .exclude(Exists(answered))
        .select_related("change_request", "organisation")
        .order_by("due_date", "change_request__number", "organisation__name")
    )


def ia_pending_for_person(*, person: Person | None) -> list[ExpectedRespondent]:
    """The impact assessments awaiting ``person``'s organisation ("pending for me")."""
    if person is None or person.organisation_id is None:
        return []
    return list(ia_pending(ExpectedRespondent.objects.filter(organisation=person.organisation_id)))


def ia_pending_by_person() -> dict[int, list[Any]]:
    """:func:`ia_pending_for_person` for everyone at once, by person id (one query when
    nothing is pending, two otherwise), for the reminder emails."""
    pending = list(ia_pending())
    if not pending:
        return {}
    by_org: dict[int, list[ExpectedRespondent]] = {}
    for expected in pending:
        by_org.setdefault(expected.organisation_id, []).append(expected)
    people = Person.objects.filter(organisation_id__in=list(by_org))
    return {
        person_id: by_org[org_id] for person_id, org_id in people.values_list("pk", "organisation")
    }


def ia_tally_snapshot(*, change_request: ChangeRequest, today: dt.date | None = None) -> dict:
    """The responses as they stand, to keep on a decision: the tally by position, the
    matrix's rows (organisation, expected by, state, position, conditions, received date),
    the counts expected / received / pending, and when it was taken."""
    rows = ia_matrix(change_request=change_request, today=today)
    tally = {label: 0 for _, label in ImpactAssessmentResponse.Position.choices}
    for row in rows:
        if row.response is not None:
            tally[row.response.get_position_display()] += 1
    expected = [row for row in rows if row.expected is not None]
    return {
        "change_request": change_request.ref,
        "taken_at": timezone.now().isoformat(),
        "tally": tally,
        "expected": len(expected),
        "received": sum(1 for row in rows if row.response is not None),
        "pending": sum(1 for row in expected if row.response is None),
        "rows": [
            {
                "organisation": row.organisation.name,
                "due_date": row.due_date.isoformat() if row.due_date else None,
                "state": row.state,
                "position": row.response.get_position_display() if row.response else None,
                "conditions": row.response.conditions if row.response else "",
                "received_date": (
                    row.response.received_date.isoformat()
                    if row.response and row.response.received_date
                    else None
                ),
            }
            for row in rows
        ],
    }
