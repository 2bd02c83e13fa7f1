"""Two requests at once on one decision: the row is locked and re-read, so exactly one
chair's outcome wins and the others get a clear refusal (no lost update, no 500).

Records come from the seed (DAG-DEC68 on CR023, proposed here so the chair can decide).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from changerequests.models import ChangeRequest
from decisions.models import Decision
from decisions.services import decision_transition
from tests.fixtures import build_seedlike, run_concurrently


@pytest.mark.django_db(transaction=True)
def test_approve_and_reject_at_once_one_wins_and_the_cr_follows_it():
    seed = build_seedlike()
    chair = get_user_model().objects.get(username="chair")
    outcomes = [Decision.Status.APPROVED, Decision.Status.REJECTED] * 3
    results = run_concurrently(
        len(outcomes),
        lambda i: (
            decision_transition(
                decision=seed.dec68, to_status=outcomes[i], acting_user=chair
            ).status
        ),
    )
    won = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1
    assert len(refused) == len(outcomes) - 1
    decision = Decision.objects.get(ref="DAG-DEC68")
    assert decision.status == won[0]
    assert ChangeRequest.objects.get(ref="CR023").status == won[0]
    assert decision.history.filter(status=won[0]).count() == 1
