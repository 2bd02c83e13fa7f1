"""The login backend (core.auth): a session's user, their person and roles in one query."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core import roles
from core.auth import ModelBackend
from meetings.models import Membership
from tests.fixtures import build_seedlike


@pytest.fixture
def seed(db):
    return build_seedlike()


def test_the_member_comes_with_person_organisation_and_roles_in_one_query(
    seed, django_assert_num_queries
):
    member = get_user_model().objects.get(username="member")
    with django_assert_num_queries(1):
        user = ModelBackend().get_user(member.pk)
        # The demo member is Rob Short of Programme (make run's login list).
        assert (user.person.name, user.person.organisation.name) == ("Rob Short", "Programme")
        assert roles.user_roles(user) == {roles.MEMBER}
        assert roles.is_member(user)
        assert not roles.is_pmo(user)


def test_a_user_without_a_person_or_groups_has_no_roles(seed, django_assert_num_queries):
    plain = get_user_model().objects.create_user("plain", password="plain-pass-1")
    with django_assert_num_queries(1):
        user = ModelBackend().get_user(plain.pk)
        assert roles.user_roles(user) == set()
        assert getattr(user, "person", None) is None


def test_roles_are_read_at_every_request_so_a_removed_seat_takes_effect(seed):
    # Roles are seats on committees (core.access): the demo chair chairs DAG until the seat
    # goes; the PMO group is read the same way.
    chair = get_user_model().objects.get(username="chair")
    assert roles.is_chair(ModelBackend().get_user(chair.pk))
    Membership.objects.filter(person__user=chair, role=Membership.Role.CHAIR).delete()
    assert not roles.is_chair(ModelBackend().get_user(chair.pk))
    pmo = get_user_model().objects.get(username="pmo")
    assert roles.is_pmo(ModelBackend().get_user(pmo.pk))
    pmo.groups.remove(Group.objects.get(name=roles.PMO))
    assert not roles.is_pmo(ModelBackend().get_user(pmo.pk))


def test_an_inactive_or_unknown_user_is_nobody(seed):
    observer = get_user_model().objects.get(username="observer")
    observer.is_active = False
    observer.save()
    assert ModelBackend().get_user(observer.pk) is None
    assert ModelBackend().get_user(10**9) is None


def test_a_superuser_counts_as_pmo_and_chair(seed):
    admin = get_user_model().objects.create_superuser("root", password="root-pass-1")
    assert roles.user_roles(ModelBackend().get_user(admin.pk)) == {roles.PMO, roles.CHAIR}


def test_a_session_signed_in_before_this_backend_stays_signed_in(client, seed):
    # Sessions store their backend's path; Django's own was the only one until core.auth.
    member = get_user_model().objects.get(username="member")
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/actions/mine/")
    assert response.status_code == 200
    assert "Rob Short" in response.content.decode()
