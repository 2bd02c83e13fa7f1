"""Single sign-on by OpenID Connect through the real flow: Django's test client, a stub
provider on 127.0.0.1 (tests/accounts/oidc_provider.py) issuing RS256-signed id_tokens, and
mozilla-django-oidc's views and backend in between."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
import requests
from django.contrib.auth import get_user_model

from meetings.models import Person
from tests.accounts.oidc_provider import StubProvider
from tests.meetings.factories import PersonFactory, UserFactory


@pytest.fixture
def provider(settings, db):
    with StubProvider() as stub:
        for name, value in stub.settings().items():
            setattr(settings, name, value)
        settings.AUTHENTICATION_BACKENDS = [
            *settings.AUTHENTICATION_BACKENDS,
            "core.oidc.PersonOIDCBackend",
        ]
        settings.ROOT_URLCONF = "tests.accounts.oidc_urls"
        yield stub


def sign_in_at_provider(client, provider, email, *, verified=True, next_url="/actions/"):
    """Start at our sign-in button, "sign in" at the provider, come back with its code."""
    provider.user = {"email": email, "email_verified": verified, "given_name": "Ada"}
    start = client.get(f"/oidc/authenticate/?next={next_url}")
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.url}/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    back = urlparse(at_provider.headers["Location"])
    assert back.path == "/oidc/callback/"
    return client.get(f"{back.path}?{back.query}")


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else None


def test_the_sign_in_page_offers_single_sign_on_only_when_configured(client, db, settings):
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404


def test_a_person_with_a_login_signs_in_as_that_login(client, provider):
    chair = UserFactory(username="chair", role="Chair", email="chair@example.org", person=True)
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Stub ID" in page
    done = sign_in_at_provider(client, provider, "CHAIR@example.org")
    assert done.status_code == 302
    assert done["Location"] == "/actions/"
    assert signed_in_user(client) == chair
    assert client.get("/decisions/queue/").status_code == 200


def test_a_person_without_a_login_gets_one_linked_with_no_role(client, provider):
    person = PersonFactory(name="Ada Lovelace", email="ada@example.org")
    done = sign_in_at_provider(client, provider, "ada@example.org")
    assert done["Location"] == "/actions/"
    person.refresh_from_db()
    user = signed_in_user(client)
    assert person.user == user
    assert user.username == "ada"
    assert not user.has_usable_password()
    assert list(user.groups.all()) == []
    latest = person.history.latest()
    assert latest.user_id == user.pk
    assert latest.history_user is None  # recorded as the system


def test_an_unknown_email_is_refused_and_no_login_is_made(client, provider):
    users_before = get_user_model().objects.count()
    done = sign_in_at_provider(client, provider, "stranger@example.net")
    assert done["Location"] == "/accounts/login/?sso=failed"
    assert signed_in_user(client) is None
    assert get_user_model().objects.count() == users_before
    page = client.get(done["Location"]).content.decode()
    assert "Stub ID did not sign you in" in page


def test_an_unknown_email_gets_a_login_when_the_setting_says_so(client, provider, settings):
    settings.OIDC_CREATE_USER = True
    done = sign_in_at_provider(client, provider, "stranger@example.net")
    assert done["Location"] == "/actions/"
    user = signed_in_user(client)
    assert user.email == "stranger@example.net"
    assert not Person.objects.filter(user=user).exists()


def test_an_unverified_email_is_refused(client, provider):
    UserFactory(username="chair", role="Chair", email="chair@example.org", person=True)
    done = sign_in_at_provider(client, provider, "chair@example.org", verified=False)
    assert done["Location"] == "/accounts/login/?sso=failed"
    assert signed_in_user(client) is None


def test_an_id_token_signed_by_another_key_is_refused(client, provider):
    from cryptography.hazmat.primitives.asymmetric import rsa

    UserFactory(username="chair", role="Chair", email="chair@example.org", person=True)
    provider.key_for_signing_only = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    real_id_token = provider.id_token

    def forged(nonce, email):
        import jwt

        claims = jwt.decode(real_id_token(nonce, email), options={"verify_signature": False})
        return jwt.encode(
            claims, provider.key_for_signing_only, algorithm="RS256", headers={"kid": provider.kid}
        )

    provider.id_token = forged
    done = sign_in_at_provider(client, provider, "chair@example.org")
    # mozilla-django-oidc refuses a bad signature as a suspicious request: 400, no session.
    assert done.status_code == 400
    assert signed_in_user(client) is None
