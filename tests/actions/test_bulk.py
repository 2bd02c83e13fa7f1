"""Issue #18: many new actions (and decisions) of a meeting recorded at once, by the rules of
the one-by-one services: every row checked first, nothing written on a problem, history rows
with the actor, the time and the values, events emitted."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.bulk import ActionsRefusedError, NewAction, actions_create_many
from actions.models import Action, ActionOwner
from changerequests.models import ChangeRequest
from changerequests.services import change_request_create
from core.actors import SYSTEM
from decisions.bulk import DecisionsRefusedError, NewDecision, decisions_record_many
from decisions.models import Decision
from meetings.models import Organisation, Person
from tests.meetings.factories import AgendaItemFactory, MeetingFactory


@pytest.fixture
def meeting(committee):
    return MeetingFactory(committee=committee, number=28)


def test_actions_are_recorded_with_owners_crs_history_and_the_counter(meeting, pmo_user):
    area = AgendaItemFactory(meeting=meeting, title="Minutes")
    cr = change_request_create(number=23, title="CR23", acting_user=SYSTEM)
    before = dt.datetime.now(dt.UTC)
    created = actions_create_many(
        meeting=meeting,
        actions=[
            NewAction(
                seq=1,
                description=" Circulate the minutes ",
                owners=["Programme (Rob Short)", "Chair"],
                due_date=dt.date(2023, 10, 11),
                agenda_item=area,
                change_requests=[cr, cr],
            ),
            NewAction(seq=7, description="Follow up", owners=["Programme (Rob Short)"]),
        ],
        acting_user=pmo_user,
    )
    assert [a.ref for a in created] == ["DAG28-01", "DAG28-07"]
    first = Action.objects.get(ref="DAG28-01")
    assert first.description == "Circulate the minutes"
    assert first.owner_display() == "Programme (Rob Short); Chair"
    assert list(first.change_requests.all()) == [cr]
    assert Person.objects.filter(name="Rob Short").count() == 1  # resolved once
    row = first.history.get()
    assert (row.history_type, row.history_user, row.description) == (
        "+",
        pmo_user,
        "Circulate the minutes",
    )
    assert row.history_date >= before
    assert {o.history_user for o in ActionOwner.history.all()} == {pmo_user}
    meeting.refresh_from_db()
    assert meeting.last_action_seq == 7


def test_a_bad_row_is_refused_by_its_index_and_nothing_is_written(meeting, pmo_user, committee):
    other = AgendaItemFactory(meeting=MeetingFactory(committee=committee, number=27))
    actions_create_many(
        meeting=meeting, actions=[NewAction(seq=2, description="x", owners=["Chair"])],
        acting_user=pmo_user,
    )  # fmt: skip
    with pytest.raises(ActionsRefusedError) as caught:
        actions_create_many(
            meeting=meeting,
            actions=[
                NewAction(seq=1, description="fine", owners=["Chair"]),
                NewAction(seq=2, description="taken", owners=["Chair"]),
                NewAction(seq=3, description="no owner", owners=[]),
                NewAction(seq=4, description="elsewhere", owners=["Chair"], agenda_item=other),
                NewAction(seq=5, description="", owners=["Chair"]),
            ],
            acting_user=pmo_user,
        )
    refused = caught.value.refused
    assert set(refused) == {2, 3, 4}  # checked first; the taken ref once these pass
    assert "An action needs at least one owner." in refused[2].messages
    assert "That agenda item belongs to another meeting." in refused[3].messages
    assert Action.objects.count() == 1


def test_decisions_are_recorded_then_decided_in_the_deciders_name(meeting, pmo_user):
    cr = change_request_create(number=23, title="CR23", acting_user=SYSTEM)
    created = decisions_record_many(
        meeting=meeting,
        decisions=[
            NewDecision(seq=68, text="Approved CR023", change_request=cr, status="approved"),
            NewDecision(seq=69, text="Deferred", status="deferred"),
            NewDecision(seq=70, text="Still open"),
        ],
        decided_at=meeting.start_at,
        decided_by=SYSTEM,
        acting_user=pmo_user,
    )
    assert [d.ref for d in created] == ["DAG-DEC68", "DAG-DEC69", "DAG-DEC70"]
    approved = Decision.objects.get(ref="DAG-DEC68")
    assert (approved.status, approved.decided_at) == ("approved", meeting.start_at)
    assert approved.ia_tally["change_request"] == cr.ref
    rows = list(approved.history.order_by("history_date", "history_id"))
    assert [(r.history_type, r.status, r.history_user) for r in rows] == [
        ("+", "proposed", pmo_user),
        ("~", "approved", None),  # the system
    ]
    assert ChangeRequest.objects.get(pk=cr.pk).status == "approved"
    assert Decision.objects.get(ref="DAG-DEC70").history.count() == 1
    with pytest.raises(DecisionsRefusedError) as caught:
        decisions_record_many(
            meeting=meeting,
            decisions=[
                NewDecision(seq=71, text="fine", status="approved"),
                NewDecision(seq=72, text="no conditions", status="approved_with_conditions"),
                NewDecision(seq=68, text="taken again"),
            ],
            decided_at=meeting.start_at,
            decided_by=SYSTEM,
            acting_user=pmo_user,
        )
    assert set(caught.value.refused) == {1}
    assert Decision.objects.count() == 3


def test_many_written_at_once_replace_the_registers_cached_figures(client, meeting, pmo_user):
    # Written without post_save, they still throw away the registers' cached totals
    # (core.list_cache): the pages list them at once, not after the cache's time limit.
    client.force_login(pmo_user)
    assert "0 decisions." in client.get("/decisions/").content.decode()
    decisions_record_many(
        meeting=meeting,
        decisions=[NewDecision(seq=68, text="One"), NewDecision(seq=69, text="Two")],
        decided_at=meeting.start_at,
        decided_by=SYSTEM,
        acting_user=pmo_user,
    )
    assert "2 decisions." in client.get("/decisions/").content.decode()
    Organisation.objects.get_or_create(name="Programme")  # the owner's, before the total
    assert ">0 actions.<" in client.get("/actions/").content.decode()  # the total, cached
    actions_create_many(
        meeting=meeting,
        actions=[
            NewAction(
                seq=1, description="First", owners=["Programme"], due_date=dt.date(2023, 10, 11)
            )
        ],
        acting_user=pmo_user,
    )
    page = client.get("/actions/").content.decode()
    assert ">1 action.<" in page
    assert "DAG28-01" in page
