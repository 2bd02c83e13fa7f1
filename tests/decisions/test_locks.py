"""Approval locks the record (issue #12): a decided decision refuses edits until re-opened
with a reason, and its CR follows its decisions by rule.

On the seed's records (``build_seedlike``): DAG-DEC68 "The SRO approved CR023 for
implementation" at DAG028, in the area "CR023 Decision", proposed; CR023 awaiting decision.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changerequests.models import ChangeRequest
from core.actors import SYSTEM
from core.services import RecordLockedError
from decisions.models import Decision, DecisionReopening
from decisions.services import (
    decision_approve,
    decision_create,
    decision_locked_fields,
    decision_reopen,
    decision_transition,
    decision_update,
)
from meetings.models import AgendaItem
from tests.fixtures import DEC68_TEXT, build_seedlike

S = Decision.Status
C = ChangeRequest.Status
CONDITIONS = "Subject to no impact on SIT"
REASON = "The minutes misquote the chair: the approval was for IR5 only."


@pytest.fixture
def seed(db):
    return build_seedlike()


def decided(seed, status: str, chair) -> Decision:
    """DAG-DEC68 decided by the chair as ``status``."""
    conditions = CONDITIONS if status == S.APPROVED_WITH_CONDITIONS else ""
    return decision_transition(
        decision=seed.dec68, to_status=status, conditions=conditions, acting_user=chair
    )


def test_the_locked_statuses_are_the_chairs_decisions():
    locked = {status for status in S.values if Decision(status=status).is_locked}
    assert locked == {S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.REJECTED}


@pytest.mark.parametrize("status", [S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.REJECTED])
def test_a_decided_decision_refuses_every_change_even_from_the_system(
    seed, role_user, pmo_user, status
):
    dec68 = decided(seed, status, role_user("Chair"))
    minutes = AgendaItem.objects.get(meeting=seed.dag028, title="Minutes and Actions")
    changes = [
        {"text": "The SRO approved CR023 for IR6"},
        {"agenda_item": minutes},
        {"agenda_item": None},
        {"change_request": None},
    ]
    for actor in (pmo_user, SYSTEM):  # the PMO in a page, the import as the system
        for change in changes:
            with pytest.raises(RecordLockedError, match=f"DAG-DEC68 is {S(status).label.lower()}"):
                decision_update(decision=dec68, acting_user=actor, **change)
    dec68.refresh_from_db()
    assert (dec68.text, dec68.agenda_item.title, dec68.change_request.ref, dec68.status) == (
        DEC68_TEXT,
        "CR023 Decision",
        "CR023",
        status,
    )


def test_the_same_values_again_are_no_change(seed, chair_user, pmo_user):
    dec68 = decided(seed, S.APPROVED, chair_user)
    same = {"text": DEC68_TEXT, "agenda_item": dec68.agenda_item, "change_request": seed.cr023}
    assert decision_locked_fields(dec68, same) == []
    assert decision_locked_fields(dec68, {"text": "x", "change_request": None}) == [
        "change_request",
        "text",
    ]
    decision_update(decision=dec68, acting_user=pmo_user, **same)  # a re-import, unchanged


@pytest.mark.parametrize("status", [S.PROPOSED, S.DEFERRED, S.WITHDRAWN])
def test_a_decision_not_decided_stays_editable(seed, role_user, status):
    if status != S.PROPOSED:
        role = "PMO" if status == S.WITHDRAWN else "Chair"
        decision_transition(decision=seed.dec68, to_status=status, acting_user=role_user(role))
    assert decision_locked_fields(seed.dec68, {"text": "x"}) == []
    decision_update(decision=seed.dec68, text="Reworded", acting_user=role_user("PMO"))
    seed.dec68.refresh_from_db()
    assert (seed.dec68.text, seed.dec68.status) == ("Reworded", status)


def test_the_chair_reopens_with_a_reason_and_decides_again(seed, role_user, pmo_user):
    chair = role_user("Chair", person=True)
    dec68 = decided(seed, S.APPROVED_WITH_CONDITIONS, chair)
    decided_at = dec68.decided_at
    reopening = decision_reopen(decision=dec68, reason=f"  {REASON} ", acting_user=chair)
    dec68.refresh_from_db()
    assert (dec68.status, dec68.conditions, dec68.decided_by, dec68.decided_at) == (
        S.PROPOSED,
        "",
        None,
        None,
    )
    assert (
        reopening.reason,
        reopening.reopened_by,
        reopening.acted_as,
        reopening.from_status,
        reopening.from_conditions,
        reopening.from_decided_by,
        reopening.from_decided_at,
    ) == (REASON, chair, "chair", S.APPROVED_WITH_CONDITIONS, CONDITIONS, chair.person, decided_at)
    # CR023 was settled by DAG-DEC68: it awaits the new decision, with the same reason.
    seed.cr023.refresh_from_db()
    assert seed.cr023.status == C.AWAITING_DECISION
    assert [(c.to_status, c.decision_ref, c.reason) for c in seed.cr023.status_changes.all()] == [
        (C.APPROVED_WITH_CONDITIONS, "DAG-DEC68", "DAG-DEC68: approved with conditions."),
        (C.AWAITING_DECISION, "DAG-DEC68", f"DAG-DEC68 re-opened: {REASON}"),
    ]
    # Editable again; then the chair decides again and the CR follows.
    decision_update(decision=dec68, text=DEC68_TEXT + " in IR5", acting_user=pmo_user)
    decision_approve(decision=dec68, acting_user=chair)
    dec68.refresh_from_db()
    seed.cr023.refresh_from_db()
    assert (dec68.text, dec68.status, seed.cr023.status) == (
        DEC68_TEXT + " in IR5",
        S.APPROVED,
        C.APPROVED,
    )


def test_the_pmo_may_reopen_and_is_recorded_as_the_pmo(seed, chair_user, pmo_user):
    dec68 = decided(seed, S.REJECTED, chair_user)
    reopening = decision_reopen(decision=dec68, reason=REASON, acting_user=pmo_user)
    assert (reopening.reopened_by, reopening.acted_as, reopening.from_status) == (
        pmo_user,
        DecisionReopening.ActedAs.PMO,
        S.REJECTED,
    )


@pytest.mark.parametrize("role", ["Member", "Observer"])
def test_only_the_chair_or_the_pmo_reopens(seed, role_user, chair_user, role):
    dec68 = decided(seed, S.APPROVED, chair_user)
    with pytest.raises(PermissionDenied):
        decision_reopen(decision=dec68, reason=REASON, acting_user=role_user(role))
    with pytest.raises(PermissionDenied):
        decision_reopen(decision=dec68, reason=REASON, acting_user=None)
    dec68.refresh_from_db()
    assert (dec68.status, DecisionReopening.objects.count()) == (S.APPROVED, 0)


def test_a_reopening_needs_a_reason_and_a_decided_decision(seed, chair_user):
    with pytest.raises(ValidationError, match="DAG-DEC68 is proposed; only an approved"):
        decision_reopen(decision=seed.dec68, reason=REASON, acting_user=chair_user)
    dec68 = decided(seed, S.APPROVED, chair_user)
    with pytest.raises(ValidationError) as err:
        decision_reopen(decision=dec68, reason="   ", acting_user=chair_user)
    assert err.value.message_dict == {"reason": ["Say why the decision is re-opened."]}
    dec68.refresh_from_db()
    assert (dec68.status, DecisionReopening.objects.count()) == (S.APPROVED, 0)
    seed.cr023.refresh_from_db()
    assert seed.cr023.status == C.APPROVED


def test_a_rejected_follow_up_decision_leaves_cr023_approved(seed, chair_user):
    decision_approve(decision=seed.dec68, acting_user=chair_user)
    follow_up = decision_create(
        meeting=seed.dag029,
        text="The DAG rejected moving CR023's delivery to IR6",
        change_request=seed.cr023,
        acting_user=SYSTEM,
    )
    decision_transition(decision=follow_up, to_status=S.REJECTED, acting_user=chair_user)
    follow_up.refresh_from_db()
    seed.cr023.refresh_from_db()
    assert (follow_up.ref, follow_up.status, seed.cr023.status) == (
        "DAG-DEC69",
        S.REJECTED,
        C.APPROVED,
    )
    assert [c.decision_ref for c in seed.cr023.status_changes.all()] == ["DAG-DEC68"]
    # Re-opening the follow-up does not re-open CR023: DAG-DEC68 settled it.
    decision_reopen(decision=follow_up, reason=REASON, acting_user=chair_user)
    seed.cr023.refresh_from_db()
    assert seed.cr023.status == C.APPROVED


def test_a_cr_reopened_by_hand_is_settled_by_its_next_decision(seed, chair_user, pmo_user):
    from changerequests.services import change_request_transition

    decision_approve(decision=seed.dec68, acting_user=chair_user)
    change_request_transition(
        change_request=seed.cr023,
        to_status=C.AWAITING_DECISION,
        reason="DCUSA raised a new impact after approval.",
        acting_user=pmo_user,
    )
    again = decision_create(
        meeting=seed.dag029,
        text="The SRO rejected CR023",
        change_request=seed.cr023,
        acting_user=SYSTEM,
    )
    decision_transition(decision=again, to_status=S.REJECTED, acting_user=chair_user)
    seed.cr023.refresh_from_db()
    assert seed.cr023.status == C.REJECTED
    # Re-opening DAG-DEC68 now leaves CR023 alone: DAG-DEC69 settled it since.
    decision_reopen(decision=seed.dec68, reason=REASON, acting_user=chair_user)
    seed.cr023.refresh_from_db()
    assert seed.cr023.status == C.REJECTED


def test_the_admin_deletes_no_decided_decision_nor_issued_report_version(client, db):
    """A decided decision and an issued report version are evidence: the admin offers no
    delete for them, to the PMO or to a superuser, and no bulk delete."""
    from django.contrib.auth import get_user_model

    from decisions.models import Decision
    from tests.fixtures import build_seedlike

    seed = build_seedlike()
    Decision.objects.filter(pk=seed.dec68.pk).update(status=Decision.Status.APPROVED)
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    url = f"/admin/decisions/decision/{seed.dec68.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Decision.objects.filter(pk=seed.dec68.pk).exists()
    page = client.get("/admin/decisions/decision/").content.decode()
    assert "delete_selected" not in page
