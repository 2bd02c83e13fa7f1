"""The actions services name who acts: nobody (None) is refused, history records the person."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from actions.models import Action, ActionOwner, ActionReview, ActionUpdate
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
from meetings.models import Organisation, Person
from meetings.services import agenda_item_create, meeting_create
from tests.conftest import london
from tests.fixtures import DAG28_01_TEXT
from tests.meetings.factories import CommitteeFactory, link_login


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
    # Named in person: an organisation named alone ("Programme") is nobody's own.
    action = action_create(
        meeting=dag028,
        seq=2,
        description="d",
        owners=[f"Programme ({member.username})"],
        acting_user=SYSTEM,
    )
    update = action_update_post(
        action=action, text="Issued on 10/10", proposes_closure=True, acting_user=member
    )
    assert update.author == member
    assert update.history.get().history_user == member
    latest = action.history.order_by("-history_date", "-history_id").first()
    assert (latest.status, latest.history_user) == (Action.Status.PROPOSED_CLOSURE, member)
    assert action.history.order_by("history_date", "history_id").first().history_user is None


# --- every guard of the actions services ---------------------------------------------------------

A = Action.Status
REFUSED_ROLES = ["Chair", "Member", "Observer"]


@pytest.fixture
def dag029(committee, dag028):
    return meeting_create(
        committee=committee, number=29, start_at=london(2023, 10, 11, 10), acting_user=SYSTEM
    )


@pytest.fixture
def dag28_01(dag028):
    return action_create(
        meeting=dag028,
        seq=1,
        description=DAG28_01_TEXT,
        owners=["Programme (Rob Short)"],
        due_date=dt.date(2023, 10, 11),
        acting_user=SYSTEM,
    )


def action_in(action: Action, status: str) -> Action:
    """``action`` moved to ``status`` through the services (as the system)."""
    if status == A.PROPOSED_CLOSURE:
        action_update_post(action=action, text="Done", proposes_closure=True, acting_user=SYSTEM)
    elif status == A.CLOSED:
        action_close(action=action, closed_date=dt.date(2023, 10, 11), acting_user=SYSTEM)
    action.refresh_from_db()
    assert action.status == status
    return action


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_only_the_pmo_records_closes_and_reviews_actions(dag028, dag029, dag28_01, role_user, role):
    user = role_user(role)
    calls = [
        lambda: action_create(
            meeting=dag028, description="d", owners=["Programme"], acting_user=user
        ),
        lambda: action_update(action=dag28_01, description="changed", acting_user=user),
        lambda: action_close(action=dag28_01, acting_user=user),
        lambda: action_closure_decline(action=dag28_01, acting_user=user),
        lambda: action_reopen(action=dag28_01, acting_user=user),
        lambda: action_review_record(action=dag28_01, meeting=dag029, acting_user=user),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    dag28_01.refresh_from_db()
    assert (dag28_01.status, dag28_01.description) == (A.OPEN, DAG28_01_TEXT)
    assert list(Action.objects.values_list("ref", flat=True)) == ["DAG28-01"]
    assert not dag029.action_reviews.exists()


@pytest.mark.parametrize(
    ("role", "owner", "allowed"),
    [
        ("PMO", False, True),
        ("Member", True, False),
        ("Member", False, False),
        ("Chair", False, False),
        ("Chair", True, False),
        ("Observer", False, False),
        ("Observer", True, False),
    ],
)
def test_who_posts_progress_on_dag28_01(dag28_01, role_user, role, owner, allowed):
    """The PMO, or the owner (Rob Short, named in person); no one else: being of the
    owning organisation (Programme) gives nothing (issue #13, tests/access)."""
    organisation = Organisation.objects.get(name="Programme") if owner else None
    user = role_user(role, person=organisation or True)
    if allowed:
        update = action_update_post(action=dag28_01, text="Explainer sent", acting_user=user)
        assert (update.author, update.text) == (user, "Explainer sent")
    else:
        with pytest.raises(PermissionDenied):
            action_update_post(action=dag28_01, text="Explainer sent", acting_user=user)
    assert ActionUpdate.objects.filter(action=dag28_01).count() == (1 if allowed else 0)


def test_the_owner_in_person_posts_progress(dag28_01, role_user):
    rob = Person.objects.get(name="Rob Short")
    member = role_user("Member")
    link_login(rob, member)
    update = action_update_post(action=dag28_01, text="Sent to the DRG", acting_user=member)
    assert update.author == member


def test_the_system_posts_progress_as_no_one(dag28_01):
    update = action_update_post(action=dag28_01, text="Imported update", acting_user=SYSTEM)
    assert (update.author, update.text) == (None, "Imported update")


@pytest.mark.parametrize("text", ["", "   ", None])
def test_a_progress_update_needs_text(dag28_01, text):
    with pytest.raises(ValidationError) as err:
        action_update_post(action=dag28_01, text=text, proposes_closure=True, acting_user=SYSTEM)
    assert "text" in err.value.message_dict
    dag28_01.refresh_from_db()
    assert dag28_01.status == A.OPEN
    assert not ActionUpdate.objects.exists()


# The action's statuses and the service that moves it from each; "refused" names the guard's
# ValidationError. Open → proposed for closure (an owner's update), proposed → open (the PMO
# declines), open or proposed → closed (the PMO closes), closed → open (the PMO reopens).
ACTION_MOVES = [
    (A.OPEN, "propose", A.PROPOSED_CLOSURE),
    (A.OPEN, "close", A.CLOSED),
    (A.OPEN, "decline", None),
    (A.OPEN, "reopen", None),
    (A.PROPOSED_CLOSURE, "propose", A.PROPOSED_CLOSURE),
    (A.PROPOSED_CLOSURE, "close", A.CLOSED),
    (A.PROPOSED_CLOSURE, "decline", A.OPEN),
    (A.PROPOSED_CLOSURE, "reopen", None),
    # An update posted on an action closed meanwhile is kept as a note; it proposes nothing.
    (A.CLOSED, "propose", A.CLOSED),
    (A.CLOSED, "close", None),
    (A.CLOSED, "decline", None),
    (A.CLOSED, "reopen", A.OPEN),
]
MOVERS = {
    "propose": lambda action, user: action_update_post(
        action=action, text="Done", proposes_closure=True, acting_user=user
    ),
    "close": lambda action, user: action_close(
        action=action, closed_date=dt.date(2023, 10, 11), note="Done", acting_user=user
    ),
    "decline": lambda action, user: action_closure_decline(action=action, acting_user=user),
    "reopen": lambda action, user: action_reopen(action=action, acting_user=user),
}


@pytest.mark.parametrize(("from_status", "move", "to_status"), ACTION_MOVES)
def test_every_action_move(dag28_01, pmo_user, from_status, move, to_status):
    action = action_in(dag28_01, from_status)
    if to_status is None:
        with pytest.raises(ValidationError, match="DAG28-01"):
            MOVERS[move](action, pmo_user)
    else:
        MOVERS[move](action, pmo_user)
    action.refresh_from_db()
    assert action.status == (to_status or from_status)
    if action.status == A.CLOSED:
        assert action.closed_date == dt.date(2023, 10, 11)
    else:
        assert action.closed_date is None


def test_the_system_declines_and_reopens(dag28_01):
    action_in(dag28_01, A.PROPOSED_CLOSURE)
    action_closure_decline(action=dag28_01, acting_user=SYSTEM)
    action_in(dag28_01, A.CLOSED)
    action_reopen(action=dag28_01, acting_user=SYSTEM)
    dag28_01.refresh_from_db()
    assert (dag28_01.status, dag28_01.closed_date) == (A.OPEN, None)
    assert [r.history_user for r in dag28_01.history.all()] == [None] * 5


def test_closing_records_the_date_and_note(dag28_01):
    action_close(action=dag28_01, note="Explainer presented", acting_user=SYSTEM)
    dag28_01.refresh_from_db()
    assert dag28_01.closure_note == "Explainer presented"
    assert dag28_01.closed_date is not None


def test_a_declined_closure_writes_its_note(dag28_01, pmo_user):
    action_in(dag28_01, A.PROPOSED_CLOSURE)
    action_closure_decline(action=dag28_01, note="The DRG has not seen it", acting_user=pmo_user)
    last = ActionUpdate.objects.filter(action=dag28_01).order_by("-id").first()
    assert (last.text, last.author) == ("Closure declined: The DRG has not seen it", pmo_user)


# --- action_create and action_update --------------------------------------------------------------


def test_the_pmo_records_and_edits_an_action(dag028, dag029, pmo_user):
    action = action_create(
        meeting=dag028,
        description=" Large Supplier Representative to provide a view ",
        owners=["Large Supplier Representative (Haz Elmamoun)"],
        due_meeting=dag029,
        acting_user=pmo_user,
    )
    assert (action.ref, action.description, action.due_date) == (
        "DAG28-01",
        "Large Supplier Representative to provide a view",
        dt.date(2023, 10, 11),
    )
    action_update(
        action=action, owners=["Chair"], due_date=dt.date(2023, 11, 8), acting_user=pmo_user
    )
    action.refresh_from_db()
    assert (action.owner_display(), action.due_date) == ("Chair", dt.date(2023, 11, 8))


def test_an_action_recorded_closed_gets_a_closed_date(dag028):
    action = action_create(
        meeting=dag028, description="d", owners=["Chair"], status=A.CLOSED, acting_user=SYSTEM
    )
    assert action.closed_date is not None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"seq": 0}, "seq"),
        ({"seq": 10_000}, "seq"),
        ({"due_date": "11/10/2023"}, "due_date"),
        ({"owners": []}, "owners"),
        ({"owners": ["Programme (Rob (Short)"]}, None),
        ({"owners": ["x" * 201]}, "owners"),
        ({"description": "   "}, "description"),
        ({"status": "done"}, "status"),
    ],
)
def test_bad_action_values_are_refused(dag028, values, field):
    kwargs = {"description": "d", "owners": ["Programme"], **values}
    with pytest.raises(ValidationError) as err:
        action_create(meeting=dag028, acting_user=SYSTEM, **kwargs)
    if field:
        assert field in err.value.message_dict
    assert not Action.objects.exists()


def test_a_taken_action_number_is_refused(dag028, dag28_01):
    with pytest.raises(ValidationError, match="DAG28-01 already exists"):
        action_create(meeting=dag028, seq=1, description="d", owners=["Chair"], acting_user=SYSTEM)
    assert Action.objects.count() == 1


def test_records_of_another_meeting_are_refused(committee, dag028, dag029, dag28_01):
    elsewhere = agenda_item_create(meeting=dag029, title="Minutes and Actions", acting_user=SYSTEM)
    dag027 = meeting_create(
        committee=committee, number=27, start_at=london(2023, 8, 9), acting_user=SYSTEM
    )
    drg = meeting_create(
        committee=CommitteeFactory(code="DRG"), start_at=london(2023, 10, 4), acting_user=SYSTEM
    )
    refused = [
        ({"agenda_item": elsewhere}, "agenda_item"),
        ({"due_meeting": dag028}, "due_meeting"),
        ({"due_meeting": dag027}, "due_meeting"),
        ({"due_meeting": drg}, "due_meeting"),
    ]
    for values, field in refused:
        with pytest.raises(ValidationError) as err:
            action_create(
                meeting=dag028, description="d", owners=["Chair"], acting_user=SYSTEM, **values
            )
        assert field in err.value.message_dict
        with pytest.raises(ValidationError) as err:
            action_update(action=dag28_01, acting_user=SYSTEM, **values)
        assert field in err.value.message_dict
    dag28_01.refresh_from_db()
    assert (dag28_01.agenda_item, dag28_01.due_meeting) == (None, None)
    assert Action.objects.count() == 1


def test_action_update_refuses_other_fields_and_bad_values(dag28_01):
    for changes in ({"status": A.CLOSED}, {"seq": 2}, {"ref": "DAG28-02"}, {"meeting": None}):
        with pytest.raises(ValidationError, match="cannot be changed here"):
            action_update(action=dag28_01, acting_user=SYSTEM, **changes)
    for changes, field in (
        ({"due_date": "11/10/2023"}, "due_date"),
        ({"description": ""}, "description"),
        ({"owners": []}, "owners"),
    ):
        with pytest.raises(ValidationError) as err:
            action_update(action=dag28_01, acting_user=SYSTEM, **changes)
        assert field in err.value.message_dict
    dag28_01.refresh_from_db()
    assert (dag28_01.status, dag28_01.description, dag28_01.owner_display()) == (
        A.OPEN,
        DAG28_01_TEXT,
        "Programme (Rob Short)",
    )


def test_the_due_date_follows_a_due_meeting_set_later(dag28_01, dag029):
    action_update(action=dag28_01, due_meeting=dag029, acting_user=SYSTEM)
    dag28_01.refresh_from_db()
    assert (dag28_01.due_meeting, dag28_01.due_date) == (dag029, dt.date(2023, 10, 11))


# --- reviews of earlier actions -------------------------------------------------------------------


def test_a_review_at_the_raising_or_an_earlier_meeting_is_refused(committee, dag028, dag28_01):
    dag027 = meeting_create(
        committee=committee, number=27, start_at=london(2023, 8, 9), acting_user=SYSTEM
    )
    drg = meeting_create(
        committee=CommitteeFactory(code="DRG"), start_at=london(2023, 10, 4), acting_user=SYSTEM
    )
    with pytest.raises(ValidationError, match="later meeting"):
        action_review_record(action=dag28_01, meeting=dag028, acting_user=SYSTEM)
    for meeting in (dag027, drg):
        with pytest.raises(ValidationError) as err:
            action_review_record(action=dag28_01, meeting=meeting, acting_user=SYSTEM)
        assert "meeting" in err.value.message_dict
    assert not ActionReview.objects.exists()


def test_review_values_are_checked(dag028, dag029, dag28_01):
    elsewhere = agenda_item_create(meeting=dag028, title="Minutes and Actions", acting_user=SYSTEM)
    refused = [
        ({"agenda_item": elsewhere}, "agenda_item"),
        ({"outcome": ActionReview.Outcome.RE_DATED}, "new_due_date"),
        # Refused, but the error names "due_date", not the review's "new_due_date" (reported).
        ({"outcome": ActionReview.Outcome.RE_DATED, "new_due_date": "08/11/2023"}, None),
        ({"outcome": "forgotten"}, "outcome"),
    ]
    for values, field in refused:
        with pytest.raises(ValidationError) as err:
            action_review_record(action=dag28_01, meeting=dag029, acting_user=SYSTEM, **values)
        if field:
            assert field in err.value.message_dict
    assert not ActionReview.objects.exists()
    dag28_01.refresh_from_db()
    assert (dag28_01.status, dag28_01.due_date) == (A.OPEN, dt.date(2023, 10, 11))


def test_each_review_outcome(committee, dag029, dag28_01, pmo_user):
    dag030 = meeting_create(
        committee=committee, number=30, start_at=london(2023, 11, 8, 10), acting_user=SYSTEM
    )
    kept = action_review_record(action=dag28_01, meeting=dag029, acting_user=pmo_user)
    dag28_01.refresh_from_db()
    assert (kept.outcome, dag28_01.status) == (ActionReview.Outcome.KEPT_OPEN, A.OPEN)
    # Recording it again at DAG029 updates that review: re-dated to DAG030.
    again = action_review_record(
        action=dag28_01,
        meeting=dag029,
        outcome=ActionReview.Outcome.RE_DATED,
        new_due_date=dt.date(2023, 11, 8),
        acting_user=pmo_user,
    )
    dag28_01.refresh_from_db()
    assert (again.pk, dag28_01.due_date) == (kept.pk, dt.date(2023, 11, 8))
    closed = action_review_record(
        action=dag28_01,
        meeting=dag030,
        outcome=ActionReview.Outcome.CLOSED,
        note="Presented to the DRG",
        acting_user=pmo_user,
    )
    dag28_01.refresh_from_db()
    assert (closed.order, dag28_01.status, dag28_01.closed_date, dag28_01.closure_note) == (
        1,
        A.CLOSED,
        dt.date(2023, 11, 8),
        "Presented to the DRG",
    )
    assert ActionReview.objects.filter(action=dag28_01).count() == 2
