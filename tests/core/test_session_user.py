"""The session user read in one hand-written query (core.auth.ModelBackend.get_user) is the
user the ORM reads: columns, types, person, roles, seats; refusals answer None."""

import datetime as dt
import warnings

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from core import access, roles
from core.auth import ModelBackend
from meetings.models import Membership
from tests.meetings.factories import (
    CommitteeFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_full_user_row_matches_orm():
    org = OrganisationFactory(name="O'\"<b>&amp;")
    user = UserFactory(role="PMO", person=org, is_superuser=True)
    user.last_login = timezone.now()
    user.save()
    c1, c2 = CommitteeFactory(), CommitteeFactory()
    person = user.person
    MembershipFactory(person=person, committee=c1, role=Membership.Role.CHAIR)
    today = timezone.localdate()
    MembershipFactory(
        person=person,
        committee=c2,
        role=Membership.Role.CHAIR,
        start_date=today - dt.timedelta(days=30),
        end_date=today - dt.timedelta(days=1),
    )
    got = ModelBackend().get_user(user.pk)
    ref = get_user_model().objects.get(pk=user.pk)
    for f in ref._meta.concrete_fields:
        assert getattr(got, f.attname) == getattr(ref, f.attname), f.name
    assert timezone.is_aware(got.last_login)
    assert timezone.is_aware(got.date_joined)
    assert got.person.organisation.name == org.name
    assert roles.is_pmo(got)
    assert access.user_access(got).committees() == frozenset({c1.pk})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got.first_name = "x"
        got.save()
    assert get_user_model().objects.get(pk=user.pk).last_login == ref.last_login


def test_no_person_and_person_without_org():
    plain = UserFactory()
    got = ModelBackend().get_user(plain.pk)
    assert got is not None and got.person is None if hasattr(got, "person") else True
    assert access.user_access(got).person_id is None
    lone = UserFactory()
    PersonFactory(user=lone, organisation=None)
    got = ModelBackend().get_user(lone.pk)
    assert got.person.organisation is None
    assert access.user_access(got).organisation_id is None


def test_inactive_deleted_garbage():
    user = UserFactory(is_active=False)
    assert ModelBackend().get_user(user.pk) is None
    assert ModelBackend().get_user(987654) is None
    assert ModelBackend().get_user("abc") is None
    assert ModelBackend().get_user(None) is None


def test_password_change_logs_out(client):
    user = UserFactory()
    client.force_login(user, backend="core.auth.ModelBackend")
    assert client.get("/actions/mine/").status_code != 302
    user.set_password("new-pw-123!xyz")
    user.save()
    response = client.get("/actions/mine/")
    assert response.status_code == 302


def test_deleted_and_inactive_session_logged_out(client):
    user = UserFactory()
    client.force_login(user, backend="core.auth.ModelBackend")
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/actions/mine/").status_code == 302


def test_field_types_match_orm():
    user = UserFactory(role="PMO", person=True, is_superuser=True, is_staff=True)
    got = ModelBackend().get_user(user.pk)
    ref = get_user_model().objects.select_related("person__organisation").get(pk=user.pk)
    for a, b in (
        (got, ref),
        (got.person, ref.person),
        (got.person.organisation, ref.person.organisation),
    ):
        if b is None:
            assert a is None
            continue
        for f in type(b)._meta.concrete_fields:
            assert type(getattr(a, f.attname)) is type(getattr(b, f.attname)), f.name
    assert got.is_superuser is True
    assert got.is_active is True
    assert got.has_perm("anything.at_all")
    assert roles.is_pmo(got)


def test_a_user_id_beyond_the_columns_range_is_no_user_as_with_djangos_backend():
    from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

    huge = str(10**30)  # SQLite's driver cannot bind it; the ORM matches nothing
    assert DjangoModelBackend().get_user(huge) is None
    assert ModelBackend().get_user(huge) is None
