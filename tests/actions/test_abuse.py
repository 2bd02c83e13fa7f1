"""Two requests at once on one action: the row is locked and re-read, so it is closed once
and the other request is told it is already closed (no second closure, no 500).

DAG28-01 comes from the seed (owned by Programme (Rob Short), due 11/10/2023).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from actions.models import Action
from actions.services import action_close
from tests.browser.data import build_seedlike
from tests.meetings.test_concurrency import run_concurrently


@pytest.mark.django_db(transaction=True)
def test_two_closes_of_one_action_at_once_close_it_once():
    seed = build_seedlike()
    pmo = get_user_model().objects.get(username="pmo")
    results = run_concurrently(
        4,
        lambda i: action_close(action=seed.dag28_01, note=f"close {i}", acting_user=pmo).ref,
    )
    assert [r for r in results if not isinstance(r, Exception)] == ["DAG28-01"]
    assert all(
        str(r) == "['DAG28-01 is already closed.']" for r in results if isinstance(r, Exception)
    )
    action = Action.objects.get(ref="DAG28-01")
    assert action.status == Action.Status.CLOSED
    assert action.history.filter(status=Action.Status.CLOSED).count() == 1
