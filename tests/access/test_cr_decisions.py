"""A change request belongs to the whole programme, but the decision that settled it may be
of a meeting the reader may not see (DAG031 is Confidential): the CR's page then does not
name that decision, nor show the reason it was re-opened (the scene of
tests/access/test_rule.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_cr_decided_at_a_meeting_the_reader_may_not_see_does_not_name_the_decision(two, as_user):
    from changerequests.services import change_request_create
    from core.actors import SYSTEM
    from decisions.services import decision_approve, decision_create, decision_reopen

    cr = change_request_create(number=40, title="Settlement windows", acting_user=SYSTEM)
    decision = decision_create(
        meeting=two.dag031, text="Approve CR040", change_request=cr, acting_user=SYSTEM
    )
    decision_approve(decision=decision, acting_user=SYSTEM)
    decision_reopen(decision=decision, reason="SECRET-REOPEN-REASON", acting_user=SYSTEM)
    page = as_user("member").get("/change-requests/CR040/").content.decode()
    assert decision.ref not in page
    assert "SECRET-REOPEN-REASON" not in page
    assert "by a decision of a meeting you may not see" in page
    shown = as_user("chair").get("/change-requests/CR040/").content.decode()
    assert decision.ref in shown
    assert "SECRET-REOPEN-REASON" in shown
