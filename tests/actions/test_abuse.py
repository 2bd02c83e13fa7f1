"""What an adversarial user tried against actions: two closes at once (the row is locked
and re-read, so it is closed once and the other request is told so), and an Observer
reading who owns the actions of meetings hidden from them.

DAG28-01 comes from the seed (owned by Programme (Rob Short), due 11/10/2023).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from actions.models import Action, ActionReview
from actions.services import action_close, action_create, action_review_record
from core.actors import SYSTEM
from meetings.models import Meeting
from meetings.services import meeting_create
from tests.conftest import london
from tests.fixtures import build_seedlike, run_concurrently


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


def test_the_register_offers_an_observer_only_owners_of_actions_they_may_see(client, db):
    # The owner filter listed everyone who owns any action: an Observer learned who holds
    # actions of Restricted meetings (DAG27-08, Programme (Matt McKeon), in the seed).
    seed = build_seedlike()
    dag027 = meeting_create(
        committee=seed.committee,
        number=27,
        start_at=london(2023, 7, 12),
        classification=Meeting.Classification.RESTRICTED,
        acting_user=SYSTEM,
    )
    action_create(
        meeting=dag027,
        seq=8,
        description="Programme to confirm version incrementing arrangements for data flows",
        owners=["Programme (Matt McKeon)"],
        acting_user=SYSTEM,
    )
    labels = {}
    for username in ("observer", "member"):
        assert client.login(username=username, password=f"{username}-demo")
        choices = client.get("/actions/").context["form"].fields["owner"].choices
        labels[username] = {label for _group, options in choices[1:] for _v, label in options}
    assert "Matt McKeon (Programme)" not in labels["observer"]
    assert "Rob Short (Programme)" in labels["observer"]
    assert labels["member"] - labels["observer"] == {"Matt McKeon (Programme)"}


@pytest.mark.django_db(transaction=True)
def test_a_review_submitted_twice_at_once_is_recorded_once():
    # A double click on the reviews page: on PostgreSQL the second failed on the unique
    # review of an action at a meeting ("conflicts with an existing record: duplicate key…").
    seed = build_seedlike()
    pmo = get_user_model().objects.get(username="pmo")

    def review(i: int) -> int:
        return action_review_record(
            action=seed.dag28_01,
            meeting=seed.dag029,
            outcome=ActionReview.Outcome.RE_DATED,
            new_due_date=dt.date(2023, 11, 8),
            note="Re-dated to the November DAG",
            acting_user=pmo,
        ).pk

    results = run_concurrently(4, review)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(set(results)) == 1
    action = Action.objects.get(ref="DAG28-01")
    assert action.due_date == dt.date(2023, 11, 8)
    assert list(action.reviews.values_list("meeting__ref", "outcome")) == [("DAG029", "re_dated")]
