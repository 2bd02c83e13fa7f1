"""Login throttling (django-axes): per account and per address, with a cool-off; the admin's
login and API tokens too; one password hash per attempt."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.meetings.factories import UserFactory

LOGIN = "/accounts/login/"
PASSWORD = "right-horse-battery"
LIMIT = 5  # settings: LOGIN_FAILURE_LIMIT's default


@pytest.fixture
def chair(db):
    return UserFactory(username="chair", role="Chair", password=PASSWORD)


def attempt(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, address="10.0.0.1"):
    for _ in range(times):
        response = attempt(client, username, "wrong-guess", address)
        assert response.status_code in (200, 429)


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def test_the_right_password_after_the_limit_of_failures_is_refused_with_when_to_retry(
    client, chair
):
    fail(client, chair.username, LIMIT - 1)
    # Under the limit the form just says the password was wrong.
    assert attempt(client, chair.username, "wrong-guess").status_code == 429
    response = attempt(client, chair.username, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many sign-in attempts" in html
    retry = timezone.localtime(timezone.now() + dt.timedelta(minutes=15))
    assert retry.strftime("%H:%M") in html
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


def test_four_failures_leave_the_right_password_working(client, chair):
    fail(client, chair.username, LIMIT - 1)
    assert signed_in(attempt(client, chair.username, PASSWORD))


def test_the_account_is_locked_from_another_address_too(client, chair):
    fail(client, chair.username, LIMIT, address="10.0.0.1")
    assert attempt(client, chair.username, PASSWORD, address="10.9.9.9").status_code == 429


def test_the_address_is_locked_for_other_accounts_and_others_are_unaffected(client, chair):
    member = UserFactory(username="member", role="Member", password=PASSWORD)
    fail(client, "nobody-such", LIMIT, address="10.0.0.1")
    # The same address, another account: locked (the per-address rule).
    assert attempt(client, member.username, PASSWORD, address="10.0.0.1").status_code == 429
    # Another address, another account: unaffected.
    assert signed_in(attempt(client, chair.username, PASSWORD, address="10.0.0.2"))


def test_signing_in_to_ones_own_account_does_not_clear_the_count_against_another(client, chair):
    UserFactory(username="guesser", role="Observer", password="guessers-own-pass")
    fail(client, chair.username, LIMIT - 1)
    assert signed_in(attempt(client, "guesser", "guessers-own-pass"))
    client.logout()
    fail(client, chair.username, 1)
    assert attempt(client, chair.username, PASSWORD).status_code == 429


def test_the_lock_ends_after_the_cool_off(client, chair):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        fail(client, chair.username, LIMIT)
        assert attempt(client, chair.username, PASSWORD).status_code == 429
        traveller.shift(dt.timedelta(minutes=14))
        assert attempt(client, chair.username, PASSWORD).status_code == 429
        # Each attempt during the lock starts the wait again: 15 minutes after the last.
        traveller.shift(dt.timedelta(minutes=15, seconds=1))
        assert signed_in(attempt(client, chair.username, PASSWORD))


def test_the_admin_login_is_throttled_by_the_same_count(client, db):
    UserFactory(username="boss", is_staff=True, is_superuser=True, password=PASSWORD)
    for _ in range(LIMIT):
        client.post(
            "/admin/login/?next=/admin/",
            {"username": "boss", "password": "wrong-guess"},
            REMOTE_ADDR="10.0.0.7",
        )
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "boss", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.8",
    )
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()


def test_wrong_api_tokens_lock_out_their_address_with_429(client, db):
    user = UserFactory(role="Member", password=PASSWORD)
    token = Token.objects.create(user=user)
    for _ in range(LIMIT - 1):
        response = client.get(
            "/api/v1/actions/", HTTP_AUTHORIZATION="Token " + "f" * 40, REMOTE_ADDR="10.1.1.1"
        )
        assert response.status_code == 401
    response = client.get(
        "/api/v1/actions/", HTTP_AUTHORIZATION="Token " + "e" * 40, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert response["Retry-After"] == "900"
    assert response.json()["status"] == 429
    # Another address guessing is not locked; a valid token still works from anywhere.
    other = client.get(
        "/api/v1/actions/", HTTP_AUTHORIZATION="Token " + "f" * 40, REMOTE_ADDR="10.1.1.2"
    )
    assert other.status_code == 401
    good = client.get(
        "/api/v1/actions/", HTTP_AUTHORIZATION=f"Token {token.key}", REMOTE_ADDR="10.1.1.1"
    )
    assert good.status_code == 200


class CountingHasher(MD5PasswordHasher):
    """Django's MD5 hasher (the test settings' own), counting the hashes it computes."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@override_settings(PASSWORD_HASHERS=["tests.accounts.test_login_throttle.CountingHasher"])
@pytest.mark.parametrize("username", ["chair", "no-such-user"])
def test_a_failed_login_hashes_the_password_once(client, db, username):
    UserFactory(username="chair", password=PASSWORD)
    CountingHasher.calls = 0
    response = attempt(client, username, "wrong-guess")
    assert response.status_code == 200
    assert CountingHasher.calls == 1


def test_behind_the_proxy_a_spoofed_forwarded_for_does_not_escape_the_address_lock(
    client, chair, settings
):
    """The stack's nginx appends the address it saw to X-Forwarded-For; what the client put
    before it changes with every guess and must not count as a new address."""
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(LIMIT):
        client.post(
            LOGIN,
            {"username": f"guess{n}", "password": "wrong-guess"},
            REMOTE_ADDR="172.18.0.5",  # nginx
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7",
        )
    locked = client.post(
        LOGIN,
        {"username": chair.username, "password": PASSWORD},
        REMOTE_ADDR="172.18.0.5",
        HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7",
    )
    assert locked.status_code == 429
    # Another client behind the same nginx is a different address.
    other = client.post(
        LOGIN,
        {"username": chair.username, "password": PASSWORD},
        REMOTE_ADDR="172.18.0.5",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )
    assert signed_in(other)
