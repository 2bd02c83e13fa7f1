"""What every endpoint shares: the error shape, authentication, the schema and docs, the
"my API token" page and the admin's tokens."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core import roles
from core.api.authentication import TokenAuthentication
from tests.meetings.factories import CommitteeFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_error_shape_for_malformed_json(seeded, pmo_api):
    response = pmo_api.generic(
        "POST", "/api/v1/actions/", b'{"meeting": "DAG028",', content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"status", "code", "detail", "errors"}
    assert body["code"] == "parse_error"


def test_error_shape_for_a_body_that_is_not_an_object(seeded, pmo_api):
    response = pmo_api.post("/api/v1/actions/", [1, 2], format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"]


def test_nested_field_errors_are_dotted(seeded, pmo_api):
    response = pmo_api.post(
        "/api/v1/actions/",
        {"meeting": "DAG028", "description": "x", "owners": ["Chair", "(nobody)"]},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["owners.1"]


def test_unsupported_media_type_is_415(seeded, pmo_api):
    response = pmo_api.generic(
        "POST", "/api/v1/actions/", b"meeting=DAG028", content_type="text/plain"
    )
    assert response.status_code == 415
    assert response.json()["status"] == 415


def test_nul_characters_never_reach_the_database(seeded, pmo_api):
    response = pmo_api.post(
        "/api/v1/actions/",
        {"meeting": "DAG028", "description": "a\x00b", "owners": ["Chair"]},
        format="json",
    )
    assert response.status_code == 400
    assert pmo_api.get("/api/v1/actions/?q=a%00b").status_code == 400
    assert pmo_api.get("/api/v1/actions/DAG28-01%00/").status_code == 404


def test_a_wrong_token_is_401(seeded):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/v1/actions/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


@pytest.mark.parametrize(("role", "status"), [("PMO", 400), ("Member", 403), ("Observer", 403)])
def test_the_token_lookup_reads_the_users_roles_too(
    api_client_for, role_user, django_assert_num_queries, role, status
):
    # One query authenticates and answers the write permission: the token, its user and
    # the user's groups are read together (core.api.authentication.TokenAuthentication).
    api = api_client_for(role_user(role))
    with django_assert_num_queries(1):
        response = api.post("/api/v1/actions/", {}, format="json")
    assert response.status_code == status


def test_the_token_lookup_reads_the_user_as_the_login_does(role_user, django_assert_num_queries):
    # The token's user comes in the shape the login backend gives a session's user
    # (core.auth): with their person and its organisation, and their roles, in one query.
    # The Member role is a seat on a committee, so there is one to hold it on.
    CommitteeFactory(code="DAG")
    user = role_user("Member", person=OrganisationFactory(name="Elexon"))
    user.groups.add(Group.objects.get_or_create(name="Staff")[0])  # not a role: grants nothing
    token = Token.objects.create(user=user)
    with django_assert_num_queries(1):
        found, found_token = TokenAuthentication().authenticate_credentials(token.key)
        assert (found, found_token) == (user, token)
        assert found.person.name == user.username
        assert found.person.organisation.name == "Elexon"
        assert roles.user_roles(found) == {"Member"}


def test_the_token_lookup_knows_a_user_without_a_person_has_none(
    role_user, django_assert_num_queries
):
    user = role_user("PMO")
    token = Token.objects.create(user=user)
    with django_assert_num_queries(1):
        found, _ = TokenAuthentication().authenticate_credentials(token.key)
        assert not hasattr(found, "person")
        assert roles.user_roles(found) == {"PMO"}


def test_a_superusers_token_writes_as_the_pmo(api_client_for, db):
    from tests.meetings.factories import UserFactory

    api = api_client_for(UserFactory(is_superuser=True))  # in no group
    assert api.post("/api/v1/actions/", {}, format="json").status_code == 400  # not 403


def test_an_inactive_users_token_is_401(api_client_for, member_user):
    api = api_client_for(member_user)
    member_user.is_active = False
    member_user.save()
    response = api.get("/api/v1/actions/")
    assert response.status_code == 401
    assert response.json()["detail"] == "User inactive or deleted."


def test_schema_is_valid_openapi_without_warnings(tmp_path):
    # --fail-on-warn: every view, field and filter is documented (no guessed types).
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    text = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/decisions/{ref}/approve/" in text
    assert "If-Match" in text


def test_schema_and_docs_are_served(seeded, pmo_api, client, pmo_user):
    schema = pmo_api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/actions/{ref}/" in paths
    action_list = paths["/api/v1/actions/"]["get"]
    names = {p["name"] for p in action_list["parameters"]}
    assert {"committee", "meeting", "status", "owner", "due_before", "due_after"} <= names
    assert {"overdue", "q", "cursor", "page_size", "ordering"} <= names
    assert set(action_list["responses"]) >= {"200", "400", "401", "403"}
    client.force_login(pmo_user)
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    # The docs load their scripts from our own static files, never a CDN.
    assert "cdn.jsdelivr" not in html
    assert "/static/drf_spectacular_sidecar/" in html


def test_token_page_creates_replaces_and_revokes(client, member_user):
    assert client.get("/api/token/").status_code == 302  # login first
    client.force_login(member_user)
    page = client.get("/api/token/")
    assert page.status_code == 200
    assert b"You have no API token" in page.content
    made = client.post("/api/token/", {"action": "create"}, follow=True).content.decode()
    assert "Your API token was made." in made
    assert "the old one no longer works" not in made  # there was no old one
    first = Token.objects.get(user=member_user).key
    page = client.get("/api/token/")
    assert first.encode() in page.content
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert api.get("/api/v1/committees/").status_code == 200
    replaced = client.post("/api/token/", {"action": "create"}, follow=True).content.decode()
    assert "A new API token was made; the old one no longer works." in replaced
    second = Token.objects.get(user=member_user).key
    assert second != first
    assert api.get("/api/v1/committees/").status_code == 401  # the old one stops working
    client.post("/api/token/", {"action": "revoke"})
    assert not Token.objects.filter(user=member_user).exists()


def test_tokens_are_managed_in_the_admin(admin_client, member_user):
    Token.objects.create(user=member_user)
    response = admin_client.get("/admin/authtoken/tokenproxy/")
    assert response.status_code == 200
    assert member_user.username.encode() in response.content
