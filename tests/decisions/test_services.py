"""The decisions services name who acts: nobody (None) is refused, history records the person."""

import pytest
from django.core.exceptions import PermissionDenied

from changerequests.models import ChangeRequest
from changerequests.services import change_request_create
from core.actors import SYSTEM
from decisions.models import Decision
from decisions.services import (
    decision_approve,
    decision_create,
    decision_transition,
    decision_update,
)
from meetings.services import meeting_create
from tests.conftest import london


@pytest.fixture
def dag028(committee):
    return meeting_create(
        committee=committee, number=28, start_at=london(2023, 9, 13, 10), acting_user=SYSTEM
    )


@pytest.fixture
def cr023(db):
    return change_request_create(
        number=23,
        title="Advanced Data Services Roles",
        status=ChangeRequest.Status.AWAITING_DECISION,
        acting_user=SYSTEM,
    )


@pytest.fixture
def dec68(dag028, cr023):
    return decision_create(
        meeting=dag028,
        seq=68,
        text="The DAG approved CR023.",
        change_request=cr023,
        acting_user=SYSTEM,
    )


def test_a_decisions_service_called_with_no_actor_is_refused(dag028, dec68):
    refused = [
        lambda: decision_create(meeting=dag028, text="Another", acting_user=None),
        lambda: decision_update(decision=dec68, text="Changed", acting_user=None),
        lambda: decision_transition(
            decision=dec68, to_status=Decision.Status.REJECTED, acting_user=None
        ),
        lambda: decision_transition(
            decision=dec68, to_status=Decision.Status.WITHDRAWN, acting_user=None
        ),
        lambda: decision_approve(decision=dec68, acting_user=None),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    dec68.refresh_from_db()
    assert (dec68.ref, dec68.status, dec68.text) == (
        "DAG-DEC68",
        Decision.Status.PROPOSED,
        "The DAG approved CR023.",
    )
    assert Decision.objects.count() == 1


def test_history_records_the_chair_who_decided_and_moved_the_cr(dec68, cr023, pmo_user, chair_user):
    decision_update(decision=dec68, text="The DAG approves CR023.", acting_user=pmo_user)
    decision_approve(decision=dec68, acting_user=chair_user)
    rows = dec68.history.order_by("history_date", "history_id")
    assert [(r.history_type, r.status, r.history_user) for r in rows] == [
        ("+", Decision.Status.PROPOSED, None),
        ("~", Decision.Status.PROPOSED, pmo_user),
        ("~", Decision.Status.APPROVED, chair_user),
    ]
    # The decision settles its CR in the chair's name.
    cr_rows = cr023.history.order_by("history_date", "history_id")
    assert [(r.status, r.history_user) for r in cr_rows] == [
        (ChangeRequest.Status.AWAITING_DECISION, None),
        (ChangeRequest.Status.APPROVED, chair_user),
    ]
