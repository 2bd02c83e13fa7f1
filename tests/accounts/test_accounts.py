"""Password reset throttled (without telling who has an account), API tokens revoked when the
password changes, secrets never cached, and the Content-Security-Policy header."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from rest_framework.authtoken.models import Token

from tests.meetings.factories import UserFactory

RESET = "/accounts/password_reset/"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def ask_reset(client, email, address="10.2.0.1"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def test_reset_mails_to_one_address_stop_at_three_an_hour_and_the_page_answers_the_same(client, db):
    UserFactory(username="chair", email="chair@example.org")
    answers = [ask_reset(client, "chair@example.org", f"10.2.0.{n}") for n in range(10)]
    assert len(mail.outbox) == 3
    assert all(
        a.status_code == 302 and a["Location"] == "/accounts/password_reset/done/" for a in answers
    )
    assert {m.to[0] for m in mail.outbox} == {"chair@example.org"}


def test_reset_requests_from_one_address_stop_at_ten_an_hour(client, db):
    for n in range(12):
        UserFactory(username=f"p{n}", email=f"p{n}@example.org")
    answers = [ask_reset(client, f"p{n}@example.org") for n in range(12)]
    assert len(mail.outbox) == 10
    assert {a["Location"] for a in answers} == {"/accounts/password_reset/done/"}
    # Another address still gets its mail.
    ask_reset(client, "p11@example.org", address="10.3.0.1")
    assert len(mail.outbox) == 11


def test_an_unknown_email_gets_the_same_answer_and_no_mail(client, db):
    known = ask_reset(client, "nobody@example.org")
    assert known.status_code == 302
    assert known["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_the_reset_link_sets_the_password_and_kills_the_api_token(client, db):
    user = UserFactory(username="member", email="member@example.org", role="Member")
    token = Token.objects.create(user=user)
    ask_reset(client, "member@example.org")
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    assert "no-store" in page["Cache-Control"]
    set_url = page.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "a-new-long-pass-9", "new_password2": "a-new-long-pass-9"}
    )
    assert done["Location"] == "/accounts/reset/done/"
    assert not Token.objects.filter(key=token.key).exists()
    refused = client.get("/api/v1/actions/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert refused.status_code == 401


def test_a_token_dies_when_its_user_changes_password_on_the_page_or_in_a_shell(client, db):
    user = UserFactory(username="member", role="Member", password="old-pass-long-1")
    token = Token.objects.create(user=user)
    assert (
        client.get("/api/v1/actions/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    )
    client.force_login(user)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "old-pass-long-1",
            "new_password1": "new-pass-long-2",
            "new_password2": "new-pass-long-2",
        },
    )
    assert response.status_code == 302
    assert (
        client.get("/api/v1/actions/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 401
    )
    # The same from code (a shell, a command): set_password and save.
    second = Token.objects.create(user=user)
    user.set_password("third-pass-long-3")
    user.save()
    assert not Token.objects.filter(key=second.key).exists()
    # Another user's token is untouched.
    other = Token.objects.create(user=UserFactory(role="Member"))
    user.set_password("fourth-pass-long-4")
    user.save()
    assert Token.objects.filter(key=other.key).exists()


def test_a_save_without_a_new_password_keeps_the_token(db):
    user = UserFactory(role="Member")
    token = Token.objects.create(user=user)
    user.first_name = "Rob"
    user.save()
    assert Token.objects.filter(key=token.key).exists()


def test_the_token_page_is_never_stored(client, db):
    user = UserFactory(role="Member")
    Token.objects.create(user=user)
    client.force_login(user)
    response = client.get("/api/token/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_every_page_has_a_strict_content_security_policy(client, db):
    user = UserFactory(role="Member")
    for path in ("/accounts/login/", RESET):
        policy = client.get(path)["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "unsafe-inline" not in policy
    client.force_login(user)
    policy = client.get("/actions/")["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    # The admin's and the API docs' third-party pages may have inline styles, not scripts.
    docs = client.get("/api/v1/docs/")
    assert "style-src 'self' 'unsafe-inline'" in docs["Content-Security-Policy"]
    assert "script-src 'self';" in docs["Content-Security-Policy"] + ";"
    assert "<script>" not in docs.content.decode()
