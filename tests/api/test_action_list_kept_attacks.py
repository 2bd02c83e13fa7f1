"""Attacks on the action list's kept answers (``core.api.db.kept_while_unchanged``): each
test tries to make a kept answer wrong (stale, another reader's, another origin's, an
error kept) and asserts the answer is right. They commit (``transaction=True``); on SQLite
nothing is kept and the same answers are asserted."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections
from django.test.utils import override_settings
from rest_framework.authtoken.models import Token

import core.api.db as api_db
from actions.models import Action
from tests.actions.factories import ActionFactory
from tests.api.conftest import KEPT_ANSWERS
from tests.meetings.factories import CommitteeFactory, MeetingFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_kept_answers")]

LIST = "/api/v1/actions/?page_size=50"
KEPT = KEPT_ANSWERS


@pytest.fixture
def action():
    committee = CommitteeFactory(code="AAA")
    return ActionFactory(meeting=MeetingFactory(committee=committee, classification="public"))


@pytest.fixture
def pmo():
    return UserFactory(role="PMO")


def _descriptions(client, path: str = LIST) -> dict[str, str]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return {row["ref"]: row["description"] for row in response.json()["results"]}


def _autocommit_off() -> None:
    connection.set_autocommit(False)


def _autocommit_back() -> None:
    connection.rollback()
    connection.set_autocommit(True)


def _raw_begin() -> None:
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")


def _raw_rollback() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ROLLBACK")


@pytest.mark.parametrize(
    ("open_block", "close_block"),
    [(_autocommit_off, _autocommit_back), (_raw_begin, _raw_rollback)],
    ids=["autocommit off", "BEGIN sent as SQL"],
)
def test_a_second_write_of_a_block_django_does_not_know_of_is_in_the_answer(
    action, pmo, api_client_for, open_block, close_block
):
    """Outside ``atomic``, with autocommit off or after a ``BEGIN`` sent as SQL (autocommit
    stays on), the connection is in a transaction block: its own xid is not in its
    snapshot, so a second write by the same transaction leaves ``pg_current_snapshot()``
    unchanged. Nothing may be kept there."""
    client = api_client_for(pmo)
    open_block()
    try:
        Action.objects.filter(pk=action.pk).update(description="First write")
        assert _descriptions(client)[action.ref] == "First write"
        Action.objects.filter(pk=action.pk).update(description="Second write")
        assert _descriptions(client)[action.ref] == "Second write"
    finally:
        close_block()
    assert _descriptions(client)[action.ref] == action.description


def test_a_commit_between_the_snapshot_and_the_page_is_in_this_and_the_next_answer(
    action, pmo, api_client_for, monkeypatch
):
    """Another connection commits right after the snapshot is read, before the page query:
    the answer computed sees it, and the snapshot it is kept under cannot come back."""
    client = api_client_for(pmo)
    original = api_db.database_snapshot
    writes = iter(["Between one", "Between two"])

    def snapshot_then_commit_elsewhere():
        snapshot = original()

        def elsewhere() -> None:
            try:
                Action.objects.filter(pk=action.pk).update(description=next(writes))
            finally:
                connections.close_all()

        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
        return snapshot

    monkeypatch.setattr(api_db, "database_snapshot", snapshot_then_commit_elsewhere)
    assert _descriptions(client)[action.ref] == "Between one"
    monkeypatch.setattr(api_db, "database_snapshot", original)
    assert _descriptions(client)[action.ref] == "Between one"
    # With nothing committed since the kept answer, the snapshot read is the same: the
    # write that commits after it raced this request, which may answer as before it.
    monkeypatch.setattr(api_db, "database_snapshot", snapshot_then_commit_elsewhere)
    expected = "Between one" if connection.vendor == "postgresql" else "Between two"
    assert _descriptions(client)[action.ref] == expected
    monkeypatch.setattr(api_db, "database_snapshot", original)
    assert _descriptions(client)[action.ref] == "Between two"


def test_a_rollback_elsewhere_leaves_the_answer_right(action, pmo, api_client_for):
    client = api_client_for(pmo)
    _descriptions(client)

    def elsewhere() -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                Action.objects.filter(pk=action.pk).update(description="Rolled back")
                transaction.set_rollback(True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert _descriptions(client)[action.ref] == action.description


def test_a_revoked_or_replaced_token_is_refused_after_a_kept_answer(action, pmo, api_client_for):
    client = api_client_for(pmo)
    assert action.ref in _descriptions(client)
    Token.objects.filter(user=pmo).delete()
    assert client.get(LIST).status_code == 401
    fresh = api_client_for(pmo)
    assert action.ref in _descriptions(fresh)
    Token.objects.filter(user=pmo).update(key="f" * 40)
    assert fresh.get(LIST).status_code == 401


def test_a_deactivated_user_is_refused_after_a_kept_answer(action, pmo, api_client_for):
    client = api_client_for(pmo)
    assert action.ref in _descriptions(client)
    type(pmo).objects.filter(pk=pmo.pk).update(is_active=False)
    assert client.get(LIST).status_code == 401


def test_a_reader_with_no_seat_is_not_given_a_pmo_answer(action, pmo, api_client_for):
    outsider = UserFactory(person=True)
    assert action.ref in _descriptions(api_client_for(pmo))
    # Public meetings are not everyone's: whatever the rule, it is the outsider's own.
    direct = api_client_for(outsider).get(LIST)
    connection.__dict__.pop(KEPT, None)
    assert api_client_for(outsider).get(LIST).json() == direct.json()


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_the_links_follow_the_scheme_the_proxy_names(action, pmo, api_client_for):
    client = api_client_for(pmo)
    path = "/api/v1/actions/?page_size=1"
    ActionFactory(meeting=action.meeting)  # a second row: the answer has a next link
    plain = client.get(path).json()
    secure = client.get(path, HTTP_X_FORWARDED_PROTO="https").json()
    plain_again = client.get(path).json()
    assert plain["results"][0]["url"].startswith("http://testserver/")
    assert plain["next"].startswith("http://testserver/")
    assert secure["results"][0]["url"].startswith("https://testserver")
    assert secure["next"].startswith("https://testserver")
    assert plain_again == plain


def test_a_bad_filter_is_refused_every_time_and_not_kept(action, pmo, api_client_for):
    client = api_client_for(pmo)
    for _ in range(2):
        response = client.get(LIST + "&due_before=not-a-date")
        assert response.status_code == 400, response.content
    assert not [key for key in connection.__dict__.get(KEPT, {}) if "due_before" in repr(key)]
    assert action.ref in _descriptions(client)


def test_head_options_and_formats_after_a_kept_answer(action, pmo, api_client_for):
    client = api_client_for(pmo)
    first = client.get(LIST)
    head = client.head(LIST)
    assert head.status_code == 200
    assert head.content == b""
    options = client.options(LIST)
    assert options.status_code == 200
    assert "results" not in options.json()
    accepted = client.get(LIST, HTTP_ACCEPT="application/json")
    assert accepted.json() == first.json()
    formatted = client.get(LIST + "&format=json")
    assert formatted.status_code == 200
    assert formatted.json() == first.json()
    browsable = client.get(LIST, HTTP_ACCEPT="text/html")
    assert browsable.status_code in (200, 406)
    assert client.get(LIST).json() == first.json()


def test_page_size_and_ordering_are_their_own_answers(action, pmo, api_client_for):
    client = api_client_for(pmo)
    later = ActionFactory(meeting=action.meeting, due_date=dt.date(2099, 1, 1))
    all_refs = list(_descriptions(client))
    one = list(_descriptions(client, "/api/v1/actions/?page_size=1"))
    assert len(all_refs) == 2
    assert len(one) == 1
    assert set(all_refs) == {action.ref, later.ref}
    assert list(_descriptions(client)) == all_refs


def test_the_day_changing_changes_what_is_overdue(action, pmo, api_client_for):
    Action.objects.filter(pk=action.pk).update(due_date=dt.date(2030, 6, 10), status="open")
    client = api_client_for(pmo)

    def overdue() -> bool:
        response = client.get(LIST)
        assert response.status_code == 200, response.content
        (row,) = [r for r in response.json()["results"] if r["ref"] == action.ref]
        return row["is_overdue"]

    with time_machine.travel(dt.datetime(2030, 6, 10, 12, tzinfo=dt.UTC), tick=False):
        assert overdue() is False
        assert overdue() is False
    with time_machine.travel(dt.datetime(2030, 6, 11, 12, tzinfo=dt.UTC), tick=False):
        assert overdue() is True


def test_the_kept_rows_stay_within_the_budget_under_many_keys(action, pmo, api_client_for):
    client = api_client_for(pmo)
    with override_settings(API_KEPT_ANSWER_ROWS=5):
        for n in range(30):
            assert action.ref in _descriptions(client, f"{LIST}&unknown={n}")
        kept = connection.__dict__.get(KEPT, {})
        assert sum(size for _, size, _ in kept.values()) <= 5


def test_the_kept_answers_are_few_whatever_their_rows(action, pmo, api_client_for, monkeypatch):
    """Each key holds its query string: many small answers are capped by count as well."""
    monkeypatch.setattr("core.api.db.KEPT_ANSWERS_MAX", 3)
    client = api_client_for(pmo)
    for n in range(10):
        assert action.ref in _descriptions(client, f"{LIST}&unknown={n}")
    kept = connection.__dict__.get(KEPT, {})
    assert len(kept) == (3 if connection.vendor == "postgresql" else 0)


def test_a_write_through_the_api_on_the_same_connection_is_in_the_next_answer(
    action, pmo, api_client_for
):
    client = api_client_for(pmo)
    assert client.get(LIST).json()["results"][0]["status"] == "open"
    closed = client.post(f"/api/v1/actions/{action.ref}/close/", {}, format="json")
    assert closed.status_code == 200, closed.content
    (row,) = client.get(LIST).json()["results"]
    assert row["status"] == "closed"
    reopened = client.post(f"/api/v1/actions/{action.ref}/reopen/")
    assert reopened.status_code == 200, reopened.content
    (row,) = client.get(LIST).json()["results"]
    assert row["status"] == "open"


def test_the_snapshot_names_the_server_started_so_a_restored_backup_shares_no_text(
    action, pmo, api_client_for
):
    """A base backup restored at the same address (or a replica promoted there) counts
    transaction ids again from the backup's: the same ``xmin:xmax:xip`` text comes back
    with other data (checked against a restored ``pg_basebackup``). The answers kept
    outlive the connection (a worker reconnects after the restart): the snapshot names the
    server's start time, which a restored or promoted server does not share."""
    client = api_client_for(pmo)
    assert action.ref in _descriptions(client)
    if connection.vendor != "postgresql":
        assert api_db.database_snapshot() is None
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_postmaster_start_time()::text")
        (started,) = cursor.fetchone()
    assert api_db.database_snapshot().endswith(" " + started)
    kept = connection.__dict__[KEPT]
    connection.close()
    assert connection.__dict__[KEPT] is kept  # kept across a reconnection
    assert action.ref in _descriptions(client)


def test_a_bad_cursor_is_refused_every_time_and_not_kept(action, pmo, api_client_for):
    client = api_client_for(pmo)
    for _ in range(2):
        response = client.get(LIST + "&cursor=not-a-cursor")
        assert response.status_code in (400, 404), response.content
    assert not [key for key in connection.__dict__.get(KEPT, {}) if "cursor" in repr(key)]
    assert action.ref in _descriptions(client)
