"""The decisions services name who acts: nobody (None) is refused, history records the person."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

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
from meetings.services import agenda_item_create, meeting_create
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


# --- every guard of the decisions services ---------------------------------------------------

S = Decision.Status

# Every (from, to) pair of decision statuses, answered by hand from the product's rules
# (not read from decisions.models.TRANSITIONS): a decision is proposed; the chair approves,
# approves with conditions, rejects or defers it; a deferred decision can be decided later or
# put back to proposed; the PMO may withdraw a proposed or deferred decision; an approved,
# approved-with-conditions, rejected or withdrawn decision does not move again.
DECISION_MOVES = {
    S.PROPOSED: {
        S.PROPOSED: False,
        S.APPROVED: True,
        S.APPROVED_WITH_CONDITIONS: True,
        S.REJECTED: True,
        S.DEFERRED: True,
        S.WITHDRAWN: True,
    },
    S.DEFERRED: {
        S.PROPOSED: True,
        S.APPROVED: True,
        S.APPROVED_WITH_CONDITIONS: True,
        S.REJECTED: True,
        S.DEFERRED: False,
        S.WITHDRAWN: True,
    },
    S.APPROVED: {
        S.PROPOSED: False,
        S.APPROVED: False,
        S.APPROVED_WITH_CONDITIONS: False,
        S.REJECTED: False,
        S.DEFERRED: False,
        S.WITHDRAWN: False,
    },
    S.APPROVED_WITH_CONDITIONS: {
        S.PROPOSED: False,
        S.APPROVED: False,
        S.APPROVED_WITH_CONDITIONS: False,
        S.REJECTED: False,
        S.DEFERRED: False,
        S.WITHDRAWN: False,
    },
    S.REJECTED: {
        S.PROPOSED: False,
        S.APPROVED: False,
        S.APPROVED_WITH_CONDITIONS: False,
        S.REJECTED: False,
        S.DEFERRED: False,
        S.WITHDRAWN: False,
    },
    S.WITHDRAWN: {
        S.PROPOSED: False,
        S.APPROVED: False,
        S.APPROVED_WITH_CONDITIONS: False,
        S.REJECTED: False,
        S.DEFERRED: False,
        S.WITHDRAWN: False,
    },
}
CONDITIONS = "Subject to the DRG confirming the Related MPAN explainer."


def decision_in(dag028, status: str) -> Decision:
    """DAG-DEC68 of the seed recorded at DAG028 in ``status`` (as an import records it)."""
    return decision_create(
        meeting=dag028,
        seq=68,
        text="The SRO approved CR023 for implementation",
        status=status,
        conditions=CONDITIONS if status == S.APPROVED_WITH_CONDITIONS else "",
        acting_user=SYSTEM,
    )


def test_the_table_names_every_pair():
    assert set(DECISION_MOVES) == set(S.values)
    assert all(set(row) == set(S.values) for row in DECISION_MOVES.values())


@pytest.mark.parametrize(
    ("from_status", "to_status", "allowed"),
    [(f, t, ok) for f, row in DECISION_MOVES.items() for t, ok in row.items()],
)
def test_every_decision_move(dag028, role_user, from_status, to_status, allowed):
    dec68 = decision_in(dag028, from_status)
    # The PMO withdraws; the chair does everything else.
    actor = role_user("PMO" if to_status == S.WITHDRAWN else "Chair")
    conditions = CONDITIONS if to_status == S.APPROVED_WITH_CONDITIONS else ""
    if allowed:
        moved = decision_transition(
            decision=dec68, to_status=to_status, conditions=conditions, acting_user=actor
        )
        moved.refresh_from_db()
        assert (moved.ref, moved.status, moved.conditions) == ("DAG-DEC68", to_status, conditions)
        assert moved.decided_at is not None
    else:
        with pytest.raises(ValidationError, match="DAG-DEC68 is"):
            decision_transition(
                decision=dec68, to_status=to_status, conditions=conditions, acting_user=actor
            )
        dec68.refresh_from_db()
        assert dec68.status == from_status


DECIDING = [S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.REJECTED, S.DEFERRED, S.PROPOSED]


@pytest.mark.parametrize("role", ["PMO", "Member", "Observer"])
@pytest.mark.parametrize("to_status", DECIDING)
def test_only_the_chair_decides(dag028, role_user, role, to_status):
    # Deferred first, so that "back to proposed" is a move the chair could make.
    dec68 = decision_in(dag028, S.DEFERRED)
    with pytest.raises(PermissionDenied):
        decision_transition(
            decision=dec68, to_status=to_status, conditions=CONDITIONS, acting_user=role_user(role)
        )
    dec68.refresh_from_db()
    assert (dec68.status, dec68.decided_at) == (S.DEFERRED, None)


@pytest.mark.parametrize("role", ["Chair", "Member", "Observer"])
def test_only_the_pmo_withdraws(dag028, role_user, role):
    dec68 = decision_in(dag028, S.PROPOSED)
    with pytest.raises(PermissionDenied):
        decision_transition(decision=dec68, to_status=S.WITHDRAWN, acting_user=role_user(role))
    with pytest.raises(PermissionDenied):
        decision_approve(decision=dec68, acting_user=role_user("PMO"))
    dec68.refresh_from_db()
    assert dec68.status == S.PROPOSED


@pytest.mark.parametrize("to_status", [S.APPROVED, S.DEFERRED, S.WITHDRAWN])
def test_the_system_may_move_a_decision(dag028, to_status):
    dec68 = decision_in(dag028, S.PROPOSED)
    moved = decision_transition(decision=dec68, to_status=to_status, acting_user=SYSTEM)
    assert (moved.status, moved.decided_by) == (to_status, None)


def test_approval_with_conditions_needs_the_conditions(dag028, chair_user):
    dec68 = decision_in(dag028, S.PROPOSED)
    with pytest.raises(ValidationError) as err:
        decision_transition(
            decision=dec68,
            to_status=S.APPROVED_WITH_CONDITIONS,
            conditions="   ",
            acting_user=chair_user,
        )
    assert "conditions" in err.value.message_dict
    dec68.refresh_from_db()
    assert dec68.status == S.PROPOSED


def test_decision_approve_picks_the_status_from_the_conditions(committee, dag028, chair_user):
    plain = decision_approve(decision=decision_in(dag028, S.PROPOSED), acting_user=chair_user)
    dag029 = meeting_create(committee=committee, start_at=london(2023, 10, 11), acting_user=SYSTEM)
    dec69 = decision_create(meeting=dag029, text="The SRO approved CR024", acting_user=SYSTEM)
    conditional = decision_approve(
        decision=dec69, conditions=f"  {CONDITIONS} ", acting_user=chair_user
    )
    assert (plain.ref, plain.status, plain.conditions) == ("DAG-DEC68", S.APPROVED, "")
    assert (conditional.ref, conditional.status, conditional.conditions) == (
        "DAG-DEC69",
        S.APPROVED_WITH_CONDITIONS,
        CONDITIONS,
    )


def test_the_chairs_person_is_recorded_as_the_decider(dag028, role_user):
    chair = role_user("Chair", person=True)
    dec68 = decision_in(dag028, S.PROPOSED)
    decided_at = london(2023, 9, 13, 12)
    decision_transition(
        decision=dec68, to_status=S.REJECTED, decided_at=decided_at, acting_user=chair
    )
    dec68.refresh_from_db()
    assert (dec68.decided_by, dec68.decided_at) == (chair.person, decided_at)


@pytest.mark.parametrize(
    ("to_status", "cr_status"),
    [
        (S.APPROVED, ChangeRequest.Status.APPROVED),
        (S.APPROVED_WITH_CONDITIONS, ChangeRequest.Status.APPROVED_WITH_CONDITIONS),
        (S.REJECTED, ChangeRequest.Status.REJECTED),
        (S.DEFERRED, ChangeRequest.Status.AWAITING_DECISION),
        (S.WITHDRAWN, ChangeRequest.Status.AWAITING_DECISION),
    ],
)
def test_a_decision_on_cr023_settles_it(dec68, cr023, role_user, to_status, cr_status):
    actor = role_user("PMO" if to_status == S.WITHDRAWN else "Chair")
    conditions = CONDITIONS if to_status == S.APPROVED_WITH_CONDITIONS else ""
    decision_transition(
        decision=dec68, to_status=to_status, conditions=conditions, acting_user=actor
    )
    cr023.refresh_from_db()
    assert (cr023.ref, cr023.status) == ("CR023", cr_status)


def test_a_refused_move_leaves_cr023_as_it_was(dag028, cr023, chair_user):
    rejected = decision_create(
        meeting=dag028,
        seq=68,
        text="The SRO rejected CR023",
        status=S.REJECTED,
        change_request=cr023,
        acting_user=SYSTEM,
    )
    with pytest.raises(ValidationError):
        decision_transition(decision=rejected, to_status=S.APPROVED, acting_user=chair_user)
    cr023.refresh_from_db()
    assert cr023.status == ChangeRequest.Status.AWAITING_DECISION


# --- decision_create and decision_update --------------------------------------------------------


@pytest.mark.parametrize("role", ["Chair", "Member", "Observer"])
def test_only_the_pmo_records_and_edits_decisions(dag028, dec68, role_user, role):
    user = role_user(role)
    with pytest.raises(PermissionDenied):
        decision_create(meeting=dag028, text="Minutes approved", acting_user=user)
    with pytest.raises(PermissionDenied):
        decision_update(decision=dec68, text="Changed", acting_user=user)
    dec68.refresh_from_db()
    assert (dec68.text, Decision.objects.count()) == ("The DAG approved CR023.", 1)


def test_the_pmo_and_the_system_record_and_edit_decisions(dag028, pmo_user):
    dec68 = decision_create(meeting=dag028, seq=68, text=" Minutes ", acting_user=pmo_user)
    dec69 = decision_create(meeting=dag028, text="CR023 approved", acting_user=SYSTEM)
    decision_update(decision=dec68, text="Minutes approved", acting_user=pmo_user)
    decision_update(decision=dec69, text="The SRO approved CR023", acting_user=SYSTEM)
    assert list(Decision.objects.values_list("ref", "text", "status")) == [
        ("DAG-DEC68", "Minutes approved", S.PROPOSED),
        ("DAG-DEC69", "The SRO approved CR023", S.PROPOSED),
    ]


@pytest.mark.parametrize("seq", [0, 100_000])
def test_a_decision_number_out_of_range_is_refused(dag028, seq):
    with pytest.raises(ValidationError) as err:
        decision_create(meeting=dag028, seq=seq, text="Minutes approved", acting_user=SYSTEM)
    assert "seq" in err.value.message_dict
    assert not Decision.objects.exists()


def test_a_taken_decision_number_is_refused(dag028, dec68):
    with pytest.raises(ValidationError, match="DAG-DEC68 already exists"):
        decision_create(meeting=dag028, seq=68, text="Again", acting_user=SYSTEM)
    assert Decision.objects.count() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "Approved", "status": "maybe"}, "status"),
        ({"text": "Approved", "status": S.APPROVED_WITH_CONDITIONS}, None),
    ],
)
def test_bad_decision_values_are_refused(dag028, values, field):
    with pytest.raises(ValidationError) as err:
        decision_create(meeting=dag028, acting_user=SYSTEM, **values)
    if field:
        assert field in err.value.message_dict
    assert not Decision.objects.exists()


def test_an_agenda_item_of_another_meeting_is_refused(committee, dag028, dec68):
    dag029 = meeting_create(committee=committee, start_at=london(2023, 10, 11), acting_user=SYSTEM)
    elsewhere = agenda_item_create(meeting=dag029, title="CR023 Decision", acting_user=SYSTEM)
    with pytest.raises(ValidationError) as err:
        decision_create(meeting=dag028, text="x", agenda_item=elsewhere, acting_user=SYSTEM)
    assert "agenda_item" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        decision_update(decision=dec68, agenda_item=elsewhere, acting_user=SYSTEM)
    assert "agenda_item" in err.value.message_dict
    dec68.refresh_from_db()
    assert dec68.agenda_item is None
    assert Decision.objects.count() == 1


def test_decision_update_changes_text_area_and_cr_only(dag028, dec68, cr023):
    area = agenda_item_create(meeting=dag028, title="CR023 Decision", acting_user=SYSTEM)
    for changes in ({"status": S.APPROVED}, {"ref": "DAG-DEC1"}, {"seq": 1}):
        with pytest.raises(ValidationError, match="cannot be changed here"):
            decision_update(decision=dec68, acting_user=SYSTEM, **changes)
    with pytest.raises(ValidationError) as err:
        decision_update(decision=dec68, text="", acting_user=SYSTEM)
    assert "text" in err.value.message_dict
    decision_update(
        decision=dec68, text="Approved", agenda_item=area, change_request=None, acting_user=SYSTEM
    )
    dec68.refresh_from_db()
    assert (dec68.ref, dec68.status, dec68.text, dec68.agenda_item, dec68.change_request) == (
        "DAG-DEC68",
        S.PROPOSED,
        "Approved",
        area,
        None,
    )
