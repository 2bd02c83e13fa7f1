"""Separation of duties: the demo PMO (secretariat) keeps the records but can neither decide
as the chair (browser, API, admin) nor read API tokens or change users' rights.

DAG-DEC68 is proposed in the seed-like data (tests/fixtures.py); the demo chair's token is
what a PMO reading the token admin would have used to act as the chair.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token

from decisions.models import Decision
from tests.fixtures import build_seedlike
from tests.meetings.factories import UserFactory


@pytest.fixture
def seed(db):
    return build_seedlike()


@pytest.fixture
def pmo(client, seed):
    assert client.login(username="pmo", password="pmo-demo")
    return client


def chair_user():
    return get_user_model().objects.get(username="chair")


def dec68():
    return Decision.objects.get(ref="DAG-DEC68")


def test_the_pmo_cannot_approve_in_the_browser(pmo):
    response = pmo.post(
        "/decisions/DAG-DEC68/decide/",
        {"DAG-DEC68-outcome": "approve", "DAG-DEC68-conditions": ""},
    )
    assert response.status_code == 403
    assert dec68().status == Decision.Status.PROPOSED


def test_the_pmo_cannot_approve_through_the_api(pmo):
    response = pmo.post("/api/v1/decisions/DAG-DEC68/approve/", {}, content_type="application/json")
    assert response.status_code == 403
    assert dec68().status == Decision.Status.PROPOSED


def test_the_pmo_cannot_approve_in_the_admin(pmo):
    decision = dec68()
    url = f"/admin/decisions/decision/{decision.pk}/change/"
    assert pmo.get(url).status_code == 200  # the PMO keeps the record
    pmo.post(
        url,
        {
            "meeting": decision.meeting_id,
            "agenda_item": decision.agenda_item_id or "",
            "text": decision.text,
            "change_request": decision.change_request_id or "",
            "status": "approved",
            "decided_by": chair_user().person.pk,
        },
    )
    decision.refresh_from_db()
    assert decision.status == Decision.Status.PROPOSED
    assert decision.decided_by_id is None
    # Nor by restoring a past version from the history pages (shown, never saved back).
    history = decision.history.earliest()
    history_count = decision.history.count()
    url = f"/admin/decisions/decision/{decision.pk}/history/{history.history_id}/"
    assert pmo.get(url).status_code == 200
    assert pmo.post(url, {"text": "Restored", "meeting": decision.meeting_id}).status_code == 403
    decision.refresh_from_db()
    assert decision.text == "The SRO approved CR023 for implementation"
    assert decision.history.count() == history_count


def test_the_pmo_cannot_see_tokens_in_the_admin(pmo):
    key = Token.objects.create(user=chair_user()).key
    index = pmo.get("/admin/").content.decode()
    assert "authtoken" not in index
    for url in (
        "/admin/authtoken/tokenproxy/",
        f"/admin/authtoken/tokenproxy/{chair_user().pk}/change/",
    ):
        response = pmo.get(url)
        assert response.status_code in (302, 403, 404)
        assert key not in response.content.decode()


def test_the_pmo_cannot_make_itself_chair_or_superuser_or_reset_the_chairs_password(pmo):
    me = get_user_model().objects.get(username="pmo")
    chair = chair_user()
    change = pmo.post(
        f"/admin/auth/user/{me.pk}/change/",
        {
            "username": "pmo",
            "email": "pmo@example.org",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [g.pk for g in Group.objects.all()],
        },
    )
    assert change.status_code == 403
    me.refresh_from_db()
    assert not me.is_superuser
    assert set(me.groups.values_list("name", flat=True)) == {"PMO"}
    password = pmo.post(
        f"/admin/auth/user/{chair.pk}/password/",
        {"password1": "taken-over-9", "password2": "taken-over-9"},
    )
    assert password.status_code == 403
    assert pmo.get("/admin/auth/group/").status_code == 403
    chair.refresh_from_db()
    assert chair.check_password("chair-demo")


def test_a_staff_user_granted_user_rights_still_cannot_grant_roles_or_passwords(client, seed):
    """Belt and braces: whatever rights a non-superuser is given, the user admin holds."""
    from django.contrib.auth.models import Permission

    clerk = UserFactory(username="clerk", is_staff=True, password="clerk-pass-1")
    clerk.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["auth", "authtoken"])
    )
    assert client.login(username="clerk", password="clerk-pass-1")
    chair = chair_user()
    groups_before = set(chair.groups.values_list("name", flat=True))
    key = Token.objects.create(user=chair).key
    assert key not in client.get("/admin/authtoken/tokenproxy/").content.decode()
    page = client.get(f"/admin/auth/user/{chair.pk}/change/")
    assert page.status_code == 200
    client.post(
        f"/admin/auth/user/{chair.pk}/change/",
        {
            "username": "chair",
            "first_name": "Demo",
            "email": "attacker@example.net",
            "is_superuser": "on",
            "groups": [g.pk for g in Group.objects.all()],
        },
    )
    chair.refresh_from_db()
    assert chair.email == "chair@example.org"
    assert not chair.is_superuser
    assert set(chair.groups.values_list("name", flat=True)) == groups_before  # none added
    assert client.get(f"/admin/auth/user/{chair.pk}/password/").status_code == 403
    assert client.get("/admin/auth/user/add/").status_code == 403


def test_the_demo_pmo_group_has_no_rights_over_users_or_tokens(seed):
    me = get_user_model().objects.get(username="pmo")
    assert me.user_permissions.count() == 0
    assert me.has_perm("decisions.change_decision")
    assert me.has_perm("django_celery_beat.change_periodictask")
    assert me.has_perm("auth.view_user")
    for forbidden in (
        "auth.change_user",
        "auth.change_group",
        "authtoken.view_tokenproxy",
        "authtoken.view_token",
        "auth.add_user",
        "composer.view_calendarfeed",
    ):
        assert not me.has_perm(forbidden), forbidden
