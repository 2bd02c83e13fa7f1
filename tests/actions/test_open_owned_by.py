"""``Action.objects.open_owned_by``, the read behind "My actions": the open actions a user
owns in person or through a seat on the action's committee, the same set as
``owned_by(user).open()`` (``core.visibility.action_owned_q``), read over open actions'
owners only."""

import pytest

from actions.models import Action
from tests.fixtures import build_two_committees


@pytest.fixture
def two(db):
    return build_two_committees()


def _refs(queryset) -> set[str]:
    return set(queryset.values_list("ref", flat=True))


def test_a_seat_owns_its_committees_open_actions_and_not_another_committees(two):
    chair, dual = two.users["chair"], two.users["dual"]
    # DAG's chair: the DAG actions owned by "Chair"; TMAG's "Chair" action is TMAG's chair's.
    assert _refs(Action.objects.open_owned_by(chair)) == {two.dag28_03.ref, two.dag31_01.ref}
    assert _refs(Action.objects.open_owned_by(dual)) == {two.tmag1_02.ref}


def test_a_closed_action_leaves_its_owners_list(two):
    chair, member = two.users["chair"], two.users["member"]
    assert two.dag30_01.ref in _refs(Action.objects.open_owned_by(member))  # Rob Short's
    closed = [two.dag31_01.pk, two.dag30_01.pk]
    Action.objects.filter(pk__in=closed).update(status="closed", closed_date="2023-11-21")
    assert _refs(Action.objects.open_owned_by(chair)) == {two.dag28_03.ref}
    assert two.dag30_01.ref not in _refs(Action.objects.open_owned_by(member))
    # A proposed closure is still open (the PMO has not closed it).
    Action.objects.filter(pk=two.dag28_03.pk).update(status="proposed_closure")
    assert _refs(Action.objects.open_owned_by(chair)) == {two.dag28_03.ref}


def test_every_login_gets_what_owned_by_then_open_gives(two):
    Action.objects.filter(pk=two.dag31_01.pk).update(status="closed", closed_date="2023-11-21")
    for username, user in two.users.items():
        expected = _refs(Action.objects.owned_by(user).open())
        assert _refs(Action.objects.open_owned_by(user)) == expected, username
    assert any(_refs(Action.objects.open_owned_by(u)) for u in two.users.values())
