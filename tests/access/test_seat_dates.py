"""A seat's end date is the day it ends (``core.access.is_current``): ended today, it gives
nothing at once; and an ended seat leaves the role free for a re-appointment, its own row
kept on record (the scene of tests/access/test_rule.py: "dual" chairs TMAG)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from core import roles
from core.access import is_current, user_access
from core.actors import SYSTEM
from meetings import people_services
from meetings.models import Meeting, Membership
from tests.conftest import london


def _fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def test_the_end_date_is_the_first_day_without_the_seat():
    today = dt.date(2024, 3, 31)
    assert is_current(None, dt.date(2024, 4, 1), today)
    assert not is_current(None, today, today)
    assert not is_current(dt.date(2024, 4, 1), None, today)
    assert is_current(today, None, today)


@time_machine.travel(london(2024, 3, 12, 16), tick=False)
def test_a_seat_ended_today_gives_nothing_at_once(two, as_user):
    dual = two.users["dual"]
    seat = Membership.objects.get(person__user=dual, committee=two.tmag)
    client = as_user("dual")
    assert client.get("/meetings/TMAG001/").status_code == 200
    people_services.membership_end(
        membership=seat, end_date=dt.date(2024, 3, 12), acting_user=SYSTEM
    )
    # The same afternoon: the page, the API, the rights and the rule all say no.
    assert client.get("/meetings/TMAG001/").status_code == 404
    assert client.get("/api/v1/meetings/TMAG001/").status_code == 404
    fresh = _fresh(dual)
    assert not roles.is_committee_chair(fresh, two.tmag.pk)
    assert not Meeting.objects.visible_to(fresh).filter(ref="TMAG001").exists()
    # An end date tomorrow still leaves today's seat.
    people_services.membership_update(
        membership=seat, end_date=dt.date(2024, 3, 13), acting_user=SYSTEM
    )
    assert roles.is_committee_chair(_fresh(dual), two.tmag.pk)


@time_machine.travel(london(2024, 3, 12, 16), tick=False)
def test_a_superuser_ending_their_own_seat_reads_it_ended_in_the_same_request(two):
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", "x")
    person = people_services.person_create(
        name="Bea Boss", email="boss@example.org", organisation=None, acting_user=SYSTEM
    )
    person.user = boss
    person.save()
    seat = people_services.membership_create(
        committee=two.tmag, person=person, role=Membership.Role.CHAIR, acting_user=boss
    )
    assert user_access(boss).holds(two.tmag.pk, {Membership.Role.CHAIR})
    people_services.membership_end(membership=seat, end_date=dt.date(2024, 3, 12), acting_user=boss)
    assert not user_access(boss).holds(two.tmag.pk, {Membership.Role.CHAIR})


@time_machine.travel(london(2024, 3, 12, 16), tick=False)
def test_an_ended_seat_leaves_the_role_free_for_a_re_appointment(two):
    dual = two.users["dual"]
    seat = Membership.objects.get(person__user=dual, committee=two.tmag)
    person = seat.person
    # While the seat is open, a second one of the same role is refused with a clear error.
    with pytest.raises(ValidationError, match="already holds this seat"):
        people_services.membership_create(
            committee=two.tmag, person=person, role=seat.role, acting_user=SYSTEM
        )
    people_services.membership_end(
        membership=seat, end_date=dt.date(2024, 3, 1), acting_user=SYSTEM
    )
    again = people_services.membership_create(
        committee=two.tmag,
        person=person,
        role=seat.role,
        start_date=dt.date(2024, 3, 12),
        acting_user=SYSTEM,
    )
    seats = Membership.objects.filter(committee=two.tmag, person=person, role=seat.role)
    assert {(m.start_date, m.end_date) for m in seats} == {
        (seat.start_date, dt.date(2024, 3, 1)),
        (dt.date(2024, 3, 12), None),
    }
    assert again.history.count() == 1
    assert seat.history.count() == 2  # created, then ended: the old seat's record stays
    assert roles.is_committee_chair(_fresh(dual), two.tmag.pk)
    with pytest.raises(ValidationError, match="already holds this seat"):
        people_services.membership_create(
            committee=two.tmag, person=person, role=seat.role, acting_user=SYSTEM
        )
