"""The invitation offers only choices that grant something, and people's email addresses
are shown to the PMO, the secretariats and the person themself (``core.visibility``
``sees_email_of``); whether someone has one is shown to every reader (the scene of
tests/access/test_rule.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.actors import SYSTEM
from meetings import people_services
from meetings.models import Person


def _email_seen(user, person: Person) -> str | None:
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = client.get(f"/api/v1/people/{person.pk}/").json()
    assert body["has_email"] is True
    return body["email"]


def test_an_email_is_shown_to_the_pmo_the_secretariat_and_the_person_only(two):
    rob = two.users["member"].person  # Rob Short, a DAG member
    rob.email = "rob@example.org"
    rob.save()
    for username in ("pmo", "secretary", "member"):
        assert _email_seen(two.users[username], rob) == "rob@example.org", username
    for username in ("chair", "dual", "observer"):
        assert _email_seen(two.users[username], rob) is None, username


@pytest.fixture
def nina(two) -> Person:
    return people_services.person_create(
        name="Nina Newcomer", email="nina@example.org", organisation=None, acting_user=SYSTEM
    )


def test_the_invitation_offers_no_group_that_grants_nothing(
    two, nina, client, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(two.users["pmo"])
    page = client.get(f"/people/{nina.pk}/").content.decode()
    for word in ('value="Observer"', 'value="Chair"', 'value="Member"', 'name="role"'):
        assert word not in page, word
    assert "Programme administrator" not in page  # only a superuser makes administrators
    assert "follows their committee seats" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/people/{nina.pk}/invite/", {})
    assert response.status_code == 302
    user = get_user_model().objects.get(person=nina)
    assert list(user.groups.all()) == []
    assert len(mailoutbox) == 1


def test_a_superuser_may_make_an_administrator(two, nina, client):
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", "x")
    client.force_login(boss)
    page = client.get(f"/people/{nina.pk}/").content.decode()
    assert "Programme administrator (PMO)" in page
    client.post(f"/people/{nina.pk}/invite/", {"administrator": "on"})
    user = get_user_model().objects.get(person=nina)
    assert list(user.groups.values_list("name", flat=True)) == ["PMO"]


@pytest.mark.parametrize("role", ["Chair", "Member", "Observer", "Staff"])
def test_a_login_is_given_no_group_that_grants_nothing(two, nina, role):
    with pytest.raises(ValidationError):
        people_services.person_login_create(person=nina, role=role, acting_user=SYSTEM)
    assert not get_user_model().objects.filter(person=nina).exists()
