"""The record events the services emit (core.events), on the seed's records.

The seed's DAG28-01 is owned by Programme (Rob Short); DAG-DEC68 on CR023 is proposed; the
chair decides it.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from actions.services import (
    action_close,
    action_closure_decline,
    action_update,
    action_update_post,
)
from core.actors import SYSTEM
from core.events import record_event
from decisions.services import decision_approve
from meetings.models import Person
from tests.fixtures import build_seedlike

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    events = []

    def listen(sender, event, **kwargs):
        events.append(event)

    record_event.connect(listen)
    yield events
    record_event.disconnect(listen)


def test_reassigning_an_action_names_the_new_owner_only(heard):
    seed = build_seedlike()
    heard.clear()
    action_update(
        action=seed.dag28_01,
        owners=["Programme (Rob Short)", "Elexon (Ada Newowner)"],
        acting_user=SYSTEM,
    )
    (event,) = heard
    ada = Person.objects.get(name="Ada Newowner")
    assert event.kind == "action.updated"
    assert event.record.ref == "DAG28-01"
    assert event.data["changed"] == ["owners"]
    assert event.data["owner_person_ids_added"] == [ada.pk]


def test_closure_proposed_declined_and_closed_are_told_in_order(heard):
    seed = build_seedlike()
    heard.clear()
    action_update_post(
        action=seed.dag28_02, text="Views collected", proposes_closure=True, acting_user=SYSTEM
    )
    action_closure_decline(action=seed.dag28_02, note="Chair wants the list", acting_user=SYSTEM)
    action_close(action=seed.dag28_02, acting_user=SYSTEM)
    assert [(e.kind, e.record.ref) for e in heard] == [
        ("action.update_posted", "DAG28-02"),
        ("action.closure_declined", "DAG28-02"),
        ("action.closed", "DAG28-02"),
    ]
    assert heard[0].data["proposes_closure"] is True
    assert heard[1].data["note"] == "Chair wants the list"


def test_a_decision_decided_tells_its_cr_too(heard):
    seed = build_seedlike()
    chair = get_user_model().objects.get(username="chair")
    heard.clear()
    decision_approve(decision=seed.dec68, acting_user=chair)
    kinds = [(e.kind, getattr(e.record, "ref", None)) for e in heard]
    assert ("change_request.decided", "CR023") in kinds
    assert kinds[-1] == ("decision.decided", "DAG-DEC68")
    assert heard[-1].actor == chair


def _close_then_fail(action):
    with transaction.atomic():
        action_close(action=action, acting_user=SYSTEM)
        raise RuntimeError("the change fails after the event")


def test_a_receivers_write_rolls_back_with_the_change():
    """Receivers run inside the change's transaction: what they write goes with it."""
    seed = build_seedlike()

    def write(sender, event, **kwargs):
        Person.objects.create(name=f"Told of {event.record.ref}")

    record_event.connect(write)
    try:
        with pytest.raises(RuntimeError):
            _close_then_fail(seed.dag28_01)
        seed.dag28_01.refresh_from_db()
        assert seed.dag28_01.status == "open"
        assert not Person.objects.filter(name="Told of DAG28-01").exists()
        action_close(action=seed.dag28_01, acting_user=SYSTEM)
        assert Person.objects.filter(name="Told of DAG28-01").count() == 1
    finally:
        record_event.disconnect(write)
