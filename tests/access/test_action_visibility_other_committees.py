"""Actions a seat holder must not see stay hidden: another committee's Confidential and
Restricted meetings' actions owned by a seat role, ended seats, observers (action_visible_q)."""

import datetime as dt

import pytest
from django.utils import timezone

from actions.models import Action
from meetings.models import Membership
from tests.actions.factories import ActionFactory, ActionOwnerFactory
from tests.meetings.factories import (
    CommitteeFactory,
    MeetingFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _seat(user, committee, role, constituency="", ended=False):
    today = timezone.localdate()
    MembershipFactory(
        person=user.person,
        committee=committee,
        role=role,
        constituency=constituency,
        start_date=today - dt.timedelta(days=99) if ended else None,
        end_date=today - dt.timedelta(days=1) if ended else None,
    )


@pytest.mark.parametrize("classification", ["confidential", "restricted"])
def test_other_committees_seat_owned_action_hidden(classification):
    a, b = CommitteeFactory(code="AAA"), CommitteeFactory(code="BBB")
    hidden = []
    for word in ["Chair", "SRO", "PMO", "Secretariat", "Large Supplier Representative"]:
        action = ActionFactory(
            meeting=MeetingFactory(committee=b, classification=classification), owner=False
        )
        ActionOwnerFactory(action=action, person=None, organisation=None, role=word)
        hidden.append(action.pk)
    own = ActionFactory(
        meeting=MeetingFactory(committee=a, classification="confidential"), owner=False
    )
    ActionOwnerFactory(action=own, person=None, organisation=None, role="Chair")

    chair = UserFactory(person=True)
    _seat(chair, a, Membership.Role.CHAIR, "Large Supplier Representative")
    _seat(chair, b, Membership.Role.CHAIR, ended=True)
    _seat(chair, b, Membership.Role.OBSERVER)
    sec = UserFactory(person=True)
    _seat(sec, a, Membership.Role.SECRETARIAT)
    _seat(sec, b, Membership.Role.SECRETARIAT, ended=True)
    guest = UserFactory()
    obs = UserFactory(person=True)
    _seat(obs, a, Membership.Role.OBSERVER)
    for user in (chair, sec, guest, obs):
        seen = set(Action.objects.visible_to(user).values_list("pk", flat=True))
        if classification == "restricted" and user is chair:
            # an observer seat on B: a member of B for Restricted meetings
            continue
        assert not seen & set(hidden), (user, seen & set(hidden))
    assert own.pk in set(Action.objects.visible_to(chair).values_list("pk", flat=True))
    assert own.pk in set(Action.objects.owned_by(chair).values_list("pk", flat=True))
    assert own.pk not in set(Action.objects.visible_to(obs).values_list("pk", flat=True))
