"""Matters arising for DAG029 after the seed: exactly what changed between DAG028 and DAG029
(closed, re-dated, an update), with who and when, and only what the reader may see."""

from __future__ import annotations

import time_machine
from django.contrib.auth import get_user_model

from actions.models import Action
from actions.services import action_close, action_create, action_update, action_update_post
from composer.since_last import since_last_meeting
from core.actors import SYSTEM
from meetings.models import Meeting
from meetings.services import meeting_create
from tests.conftest import london
from tests.fixtures import build_seedlike


def user(username: str):
    return get_user_model().objects.get(username=username)


def build(db):
    # The seed is recorded during DAG028 (13 September 2023, 10:00-13:00).
    with time_machine.travel(london(2023, 9, 13, 12), tick=False):
        seed = build_seedlike()
        dag027 = meeting_create(
            committee=seed.committee,
            number=27,
            start_at=london(2023, 8, 9),
            end_at=london(2023, 8, 9, 13),
            classification=Meeting.Classification.RESTRICTED,
            status=Meeting.Status.HELD,
            acting_user=SYSTEM,
        )
        restricted = action_create(
            meeting=dag027,
            description="Programme to share the restricted options paper",
            owners=["Chair"],
            due_date=london(2023, 12, 1).date(),
            acting_user=SYSTEM,
        )
    pmo, member = user("pmo"), user("member")
    with time_machine.travel(london(2023, 9, 20, 9, 30), tick=False):
        action_update_post(
            action=seed.dag28_01, text="Explainer sent to the DRG", acting_user=member
        )
    with time_machine.travel(london(2023, 9, 21, 15), tick=False):
        action_close(action=seed.dag28_01, note="Done", acting_user=pmo)
    with time_machine.travel(london(2023, 9, 25, 11), tick=False):
        action_close(action=restricted, acting_user=pmo)
    with time_machine.travel(london(2023, 9, 27, 16), tick=False):
        action_update(action=seed.dag28_02, due_date=london(2023, 11, 8).date(), acting_user=pmo)
    # After DAG029 began: not "since the last meeting" for DAG029.
    with time_machine.travel(london(2023, 10, 11, 15), tick=False):
        action_update(action=seed.dag28_02, due_date=london(2023, 12, 6).date(), acting_user=pmo)
    return seed


def lines(changes):
    return [(c.record.ref, c.what, c.who, c.at) for c in changes]


def test_dag029_lists_exactly_what_changed_since_dag028(db):
    seed = build(db)
    with time_machine.travel(london(2023, 10, 20), tick=False):
        since = since_last_meeting(meeting=seed.dag029, user=user("pmo"))
    assert since.previous == seed.dag028
    assert since.since == london(2023, 9, 13, 13)
    assert since.until == london(2023, 10, 11, 10)
    assert lines(since.closed) == [
        ("DAG28-01", "Closed 21/09/2023", "PMO", london(2023, 9, 21, 15)),
        ("DAG27-01", "Closed 25/09/2023", "PMO", london(2023, 9, 25, 11)),
    ]
    assert lines(since.re_dated) == [
        (
            "DAG28-02",
            "Re-dated from 11/10/2023 to 08/11/2023",
            "PMO",
            london(2023, 9, 27, 16),
        )
    ]
    assert lines(since.updates) == [
        ("DAG28-01", "Explainer sent to the DRG", "Rob Short", london(2023, 9, 20, 9, 30))
    ]
    assert since.overdue == []
    assert since.decisions == []
    assert since.change_requests == []


def test_only_what_the_reader_may_see(db, client):
    seed = build(db)
    # The observer (no seat on DAG) does not see the Restricted DAG027's action.
    observer = since_last_meeting(meeting=seed.dag029, user=user("observer"))
    assert [c.record.ref for c in observer.closed] == ["DAG28-01"]
    assert client.login(username="observer", password="observer-demo")
    html = client.get("/meetings/DAG029/since-last/").content.decode()
    assert "DAG28-01" in html
    assert "DAG27-01" not in html
    assert "Re-dated from 11/10/2023 to 08/11/2023" in html


def test_newly_overdue_and_a_decision_between_meetings(db):
    seed = build(db)
    with time_machine.travel(london(2023, 9, 28), tick=False):
        late = action_create(
            meeting=seed.dag028,
            description="Due before DAG029",
            owners=["Programme"],
            due_date=london(2023, 10, 2).date(),
            acting_user=SYSTEM,
        )
        from decisions.services import decision_approve

        decision_approve(decision=seed.dec68, acting_user=user("chair"))
    with time_machine.travel(london(2023, 10, 20), tick=False):
        since = since_last_meeting(meeting=seed.dag029, user=user("pmo"))
    assert [c.record.ref for c in since.overdue] == [late.ref]
    assert [(c.record.ref, c.what, c.who) for c in since.decisions] == [
        ("DAG-DEC68", "Approved (was proposed)", "Demo Chair")
    ]
    assert Action.objects.get(pk=late.pk).is_open


def test_a_previous_meeting_the_reader_may_not_see_is_not_named(db, client):
    from tests.fixtures import build_two_committees

    two = build_two_committees()
    # DAG031 (Confidential, 6 December 2023) comes before the Public DAG032.
    client.force_login(two.users["observer"])
    page = client.get("/meetings/DAG032/since-last/").content.decode()
    assert "DAG031" not in page
    assert (
        "the committee&#x27;s previous meeting" in page
        or "the committee's previous meeting" in page
    )
    client.force_login(two.users["pmo"])
    assert "DAG031" in client.get("/meetings/DAG032/since-last/").content.decode()


def test_a_previous_meeting_the_reader_may_not_see_has_no_time_shown(db, client):
    """The window still starts at DAG031 (Confidential, 6 December 2023), but a reader who
    may not see it is not told when it was, on the page nor on the pack's section."""
    from composer.since_last_pack import since_last_pack_html
    from tests.fixtures import build_two_committees

    two = build_two_committees()
    client.force_login(two.users["observer"])
    page = client.get("/meetings/DAG032/since-last/").content.decode()
    assert "6 December 2023" not in page
    assert "previous meeting up to" in page
    section = since_last_pack_html(two.dag032, london(2024, 1, 5))
    assert "DAG031" not in section
    assert "6 December 2023" not in section
    assert "previous meeting up to 5 January 2024" in section
    client.force_login(two.users["pmo"])
    pmo_page = client.get("/meetings/DAG032/since-last/").content.decode()
    assert "DAG031</a> (6 December 2023 10:00) up to" in pmo_page
    with time_machine.travel(london(2023, 12, 7), tick=False):
        since = since_last_meeting(meeting=two.dag032, user=user("observer"))
    assert since.previous == two.dag031
    assert not since.previous_named
    assert since.since == two.dag031.start_at  # the window is the committee's, whoever reads
