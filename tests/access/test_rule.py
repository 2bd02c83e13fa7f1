"""The access rule (``core.visibility``, ``core.access``, ``core.roles``) with two committees.

DAG: DAG028 and DAG029 Public (the seed), DAG030 Restricted, DAG031 Confidential (Gail Guest
invited), DAG032 Public. TMAG: TMAG001 Restricted. The demo chair chairs DAG; Rob Short
("member") and "dual" are DAG members; "dual" chairs TMAG; "tmag" sits on TMAG only;
"secretary" is DAG's secretariat; "observer" observes DAG; "guest" and "outsider" hold no
seat. Who may read what follows DESIGN.md "Access" (worked out by hand below).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from actions.models import Action
from actions.services import action_create, action_update_post
from core import roles
from core.actors import SYSTEM
from decisions.models import Decision
from decisions.services import decision_transition
from meetings.models import Meeting, Membership
from tests.conftest import london

PUBLIC = {"DAG028", "DAG029", "DAG032"}
SEED_ACTIONS = {"DAG28-01", "DAG28-02", "DAG28-03"}

MEETINGS = {
    "pmo": PUBLIC | {"DAG030", "DAG031", "TMAG001"},
    "chair": PUBLIC | {"DAG030", "DAG031"},
    "member": PUBLIC | {"DAG030"},
    "observer": PUBLIC | {"DAG030"},
    "dual": PUBLIC | {"DAG030", "TMAG001"},
    "tmag": PUBLIC | {"TMAG001"},
    "secretary": PUBLIC | {"DAG030", "DAG031"},
    "guest": PUBLIC | {"DAG031"},
    "outsider": PUBLIC,
}

ACTIONS = {
    "pmo": SEED_ACTIONS | {"DAG30-01", "DAG31-01", "TMAG1-01", "TMAG1-02"},
    "chair": SEED_ACTIONS | {"DAG30-01", "DAG31-01"},
    "member": SEED_ACTIONS | {"DAG30-01"},
    "observer": SEED_ACTIONS | {"DAG30-01"},
    "dual": SEED_ACTIONS | {"DAG30-01", "TMAG1-01", "TMAG1-02"},
    "tmag": SEED_ACTIONS | {"TMAG1-01", "TMAG1-02"},
    "secretary": SEED_ACTIONS | {"DAG30-01", "DAG31-01"},
    "guest": SEED_ACTIONS | {"DAG31-01"},
    "outsider": SEED_ACTIONS,
}


@pytest.mark.parametrize("username", sorted(MEETINGS))
def test_each_login_sees_the_meetings_and_actions_its_seats_allow(two, username):
    user = two.users[username]
    assert (
        set(Meeting.objects.visible_to(user).values_list("ref", flat=True)) == (MEETINGS[username])
    )
    assert set(Action.objects.visible_to(user).values_list("ref", flat=True)) == ACTIONS[username]


def test_a_confidential_meeting_is_its_participants_chairs_and_secretariats(two):
    readers = {name for name, refs in MEETINGS.items() if "DAG031" in refs}
    assert readers == {"pmo", "chair", "secretary", "guest"}
    for username, user in two.users.items():
        seen = Meeting.objects.visible_to(user).filter(ref="DAG031").exists()
        assert seen == (username in readers), username


def test_a_seat_counts_only_while_its_dates_cover_today(two):
    dual = two.users["dual"]
    Membership.objects.filter(person__user=dual, committee=two.tmag).update(
        end_date=london(2020, 1, 1).date()
    )
    dual.__dict__.pop("_dag_access", None)
    assert not Meeting.objects.visible_to(dual).filter(ref="TMAG001").exists()
    assert not roles.is_committee_chair(dual, two.tmag.pk)


def test_a_deputy_chair_decides_and_reads_confidential_meetings(two):
    Membership.objects.create(
        committee=two.seed.committee,
        person=two.users["outsider"].person,
        role=Membership.Role.DEPUTY_CHAIR,
    )
    outsider = two.users["outsider"]
    assert Meeting.objects.visible_to(outsider).filter(ref="DAG031").exists()
    decided = decision_transition(
        decision=two.seed.dec68, to_status=Decision.Status.APPROVED, acting_user=outsider
    )
    assert decided.status == Decision.Status.APPROVED


def test_each_chair_decides_only_their_committees_decisions(two):
    chair, dual = two.users["chair"], two.users["dual"]
    with pytest.raises(PermissionDenied):
        decision_transition(
            decision=two.tmag_dec, to_status=Decision.Status.APPROVED, acting_user=chair
        )
    with pytest.raises(PermissionDenied):
        decision_transition(
            decision=two.seed.dec68, to_status=Decision.Status.APPROVED, acting_user=dual
        )
    assert Decision.objects.filter(status=Decision.Status.PROPOSED).count() == 2
    decision_transition(decision=two.tmag_dec, to_status=Decision.Status.APPROVED, acting_user=dual)
    decision_transition(
        decision=two.seed.dec68, to_status=Decision.Status.APPROVED, acting_user=chair
    )
    assert Decision.objects.filter(status=Decision.Status.APPROVED).count() == 2


def test_the_chair_posts_an_update_on_an_action_the_chair_owns(two):
    """Issue #12: "The chair cannot post an update on an action the chair owns (DAG28-14,
    owner 'Chair')". DAG28-03 is owned by "Chair": DAG's chair updates it; TMAG's chair,
    a DAG member, does not."""
    update = action_update_post(
        action=two.dag28_03, text="Terms of Reference sent", acting_user=two.users["chair"]
    )
    assert update.author == two.users["chair"]
    with pytest.raises(PermissionDenied):
        action_update_post(action=two.dag28_03, text="Not mine", acting_user=two.users["dual"])
    # TMAG's chair updates TMAG's "Chair" action, which the DAG chair may not even open.
    action_update_post(action=two.tmag1_02, text="Letter sent", acting_user=two.users["dual"])
    assert not Action.objects.visible_to(two.users["chair"]).filter(ref="TMAG1-02").exists()


def test_an_organisation_named_alone_gives_its_people_nothing(two):
    programme_only = action_create(
        meeting=two.tmag001,
        description="Programme to publish the TMAG rehearsal outcome",
        owners=["Programme"],
        acting_user=SYSTEM,
    )
    member = two.users["member"]  # Rob Short, of Programme, a DAG member only
    assert not Action.objects.visible_to(member).filter(pk=programme_only.pk).exists()
    with pytest.raises(PermissionDenied):
        action_update_post(action=programme_only, text="Published", acting_user=member)


def test_the_owner_may_always_open_their_action(two):
    """Tina Tmag is no member of TMAG: named on TMAG1-01 she opens it, and nothing else of
    TMAG001; the observer-only owner of a Confidential action opens that action."""
    from meetings.models import Person
    from tests.meetings.factories import UserFactory

    tina = Person.objects.get(name="Tina Tmag")
    tina.user = UserFactory()
    tina.save()
    assert set(Action.objects.visible_to(tina.user).values_list("ref", flat=True)) == (
        SEED_ACTIONS | {"TMAG1-01"}
    )
    assert not Meeting.objects.visible_to(tina.user).filter(ref="TMAG001").exists()


def test_only_the_decisions_committee_chair_re_opens_it_and_with_a_visible_reason(two):
    """A chair of one committee cannot re-open another committee's decision (the PMO may,
    on record), and a reason of zero-width characters is no reason."""
    from decisions.services import decision_reopen

    chair, dual = two.users["chair"], two.users["dual"]
    decision_transition(decision=two.tmag_dec, to_status=Decision.Status.APPROVED, acting_user=dual)
    with pytest.raises(PermissionDenied):
        decision_reopen(decision=two.tmag_dec, reason="Wrong figures", acting_user=chair)
    with pytest.raises(ValidationError):
        decision_reopen(decision=two.tmag_dec, reason="\u200b\u2060 ", acting_user=dual)
    reopening = decision_reopen(decision=two.tmag_dec, reason="Wrong figures", acting_user=dual)
    assert reopening.acted_as == "chair"
    two.tmag_dec.refresh_from_db()
    assert two.tmag_dec.status == Decision.Status.PROPOSED


@pytest.mark.parametrize("username", sorted(MEETINGS))
def test_the_action_rule_leaves_out_only_seats_that_add_nothing(two, username):
    """``action_visible_q`` drops the owned part's seats on committees whose every meeting
    the reader sees (a chair's, the secretariat's): each login sees what the full rule
    (every meeting they may see, every action they own) gives."""
    from actions.models import ActionOwner
    from core.visibility import action_owned_q, meeting_visible_q

    user = two.users[username]
    full = Action.objects.filter(
        meeting_visible_q(user, "meeting__") | action_owned_q(user, ActionOwner.objects.all())
    )
    if username == "pmo":  # an empty Q (sees all) ORed is dropped: the full rule is all
        full = Action.objects.all()
    seen = Action.objects.visible_to(user)
    assert set(seen.values_list("ref", flat=True)) == set(full.values_list("ref", flat=True))
    if username in ("chair", "secretary"):  # their seats are on DAG, all of whose they read
        sql = str(seen.query).upper()
        assert "UPPER" not in sql
