"""The actions services name who acts: nobody (None) is refused, history records the person."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from actions.models import Action, ActionOwner, ActionUpdate
from actions.services import (
    action_close,
    action_closure_decline,
    action_create,
    action_reopen,
    action_review_record,
    action_update,
    action_update_post,
)
from core.actors import SYSTEM
from meetings.models import Organisation
from meetings.services import meeting_create
from tests.conftest import london


@pytest.fixture
def dag028(committee):
    return meeting_create(
        committee=committee, number=28, start_at=london(2023, 9, 13, 10), acting_user=SYSTEM
    )


@pytest.fixture
def dag28_13(dag028):
    return action_create(
        meeting=dag028,
        seq=13,
        description="Programme to issue change marked DAG Terms of Reference",
        owners=["Programme (PMO)"],
        due_date=dt.date(2023, 10, 11),
        acting_user=SYSTEM,
    )


def test_an_actions_service_called_with_no_actor_is_refused(committee, dag028, dag28_13):
    dag029 = meeting_create(
        committee=committee, number=29, start_at=london(2023, 10, 11, 10), acting_user=SYSTEM
    )
    refused = [
        lambda: action_create(
            meeting=dag028, description="d", owners=["Programme"], acting_user=None
        ),
        lambda: action_update(action=dag28_13, description="changed", acting_user=None),
        lambda: action_update_post(action=dag28_13, text="Done", acting_user=None),
        lambda: action_close(action=dag28_13, acting_user=None),
        lambda: action_closure_decline(action=dag28_13, acting_user=None),
        lambda: action_reopen(action=dag28_13, acting_user=None),
        lambda: action_review_record(action=dag28_13, meeting=dag029, acting_user=None),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    dag28_13.refresh_from_db()
    assert (dag28_13.ref, dag28_13.status, dag28_13.description) == (
        "DAG28-13",
        Action.Status.OPEN,
        "Programme to issue change marked DAG Terms of Reference",
    )
    assert list(Action.objects.values_list("ref", flat=True)) == ["DAG28-13"]
    assert not ActionUpdate.objects.exists()
    assert not dag029.action_reviews.exists()


def test_history_records_who_created_updated_and_closed_an_action(dag028, role_user):
    alice, bob = role_user("PMO"), role_user("PMO")
    action = action_create(
        meeting=dag028,
        seq=1,
        description="Programme to issue the plan",
        owners=["Programme (Rob Short)"],
        due_date=dt.date(2023, 10, 11),
        acting_user=alice,
    )
    action_update(action=action, owners=["Elexon (Jane Doe)"], acting_user=bob)
    action_close(action=action, closed_date=dt.date(2023, 10, 11), acting_user=alice)
    rows = action.history.order_by("history_date", "history_id")
    assert [(r.history_type, r.status, r.history_user) for r in rows] == [
        ("+", Action.Status.OPEN, alice),
        ("~", Action.Status.OPEN, bob),
        ("~", Action.Status.CLOSED, alice),
    ]
    # The owner Alice set was replaced by Bob's: both rows of each say who.
    owners = ActionOwner.history.filter(action_id=action.pk).order_by("history_date", "history_id")
    assert [(r.history_type, r.organisation.name, r.history_user) for r in owners] == [
        ("+", "Programme", alice),
        ("-", "Programme", bob),
        ("+", "Elexon", bob),
    ]
    assert Organisation.objects.get(name="Elexon").history.get().history_user == bob


def test_an_owners_progress_update_is_recorded_as_theirs(dag028, role_user):
    programme = Organisation.objects.create(name="Programme")
    member = role_user("Member", person=programme)
    action = action_create(
        meeting=dag028, seq=2, description="d", owners=["Programme"], acting_user=SYSTEM
    )
    update = action_update_post(
        action=action, text="Issued on 10/10", proposes_closure=True, acting_user=member
    )
    assert update.author == member
    assert update.history.get().history_user == member
    latest = action.history.order_by("-history_date", "-history_id").first()
    assert (latest.status, latest.history_user) == (Action.Status.PROPOSED_CLOSURE, member)
    assert action.history.order_by("history_date", "history_id").first().history_user is None
