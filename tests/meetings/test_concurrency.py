"""Two users creating at the same moment get distinct, consecutive refs (DESIGN.md refs)."""

import pytest
from django.db import connection

from actions.models import Action
from actions.services import action_create
from changerequests.services import change_request_create
from core.actors import SYSTEM
from decisions.services import decision_create
from meetings import services
from tests.conftest import london
from tests.fixtures import run_concurrently


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_action_creates_get_distinct_consecutive_refs(committee):
    meeting = services.meeting_create(
        committee=committee, number=28, start_at=london(2023, 9, 13), acting_user=SYSTEM
    )
    results = run_concurrently(
        20,
        lambda i: (
            action_create(
                meeting=meeting, description=f"action {i}", owners=["Programme"], acting_user=SYSTEM
            ).ref
        ),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    assert sorted(results) == [f"DAG28-{n:02d}" for n in range(1, 21)]
    assert Action.objects.filter(meeting=meeting).count() == 20


@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_and_change_requests(committee):
    meeting = services.meeting_create(
        committee=committee, number=28, start_at=london(2023, 9, 13), acting_user=SYSTEM
    )
    decision_create(meeting=meeting, seq=67, text="historical", acting_user=SYSTEM)
    decisions = run_concurrently(
        8, lambda i: decision_create(meeting=meeting, text=f"d{i}", acting_user=SYSTEM).ref
    )
    crs = run_concurrently(
        8, lambda i: change_request_create(title=f"cr{i}", acting_user=SYSTEM).ref
    )
    assert sorted(decisions) == [f"DAG-DEC{n}" for n in range(68, 76)]
    assert sorted(crs) == [f"CR{n:03d}" for n in range(1, 9)]
    assert connection.vendor in {"sqlite", "postgresql"}
