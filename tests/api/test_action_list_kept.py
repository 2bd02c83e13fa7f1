"""The action list keeps its answers per connection while the database is unchanged
(``core.api.db.kept_while_unchanged``, PostgreSQL's snapshot): a kept answer is given
again only to the same reader for the same request, and any committed write, however it is
made, is in the next answer.

These tests commit (``transaction=True``): inside a test's transaction block no answer is
kept, as inside any transaction block. On SQLite nothing is kept, and the same answers are
asserted."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from actions.models import Action
from core.api.db import database_snapshot
from meetings.models import Membership
from tests.actions.factories import ActionFactory
from tests.api.conftest import KEPT_ANSWERS
from tests.meetings.factories import (
    CommitteeFactory,
    MeetingFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_kept_answers")]

LIST = "/api/v1/actions/?page_size=50"
KEPT = KEPT_ANSWERS


@pytest.fixture
def register():
    """Committee A's Public and Confidential meetings with an action each; the PMO, A's
    chair (who sees both) and an observer of A (who sees the Public one)."""
    a = CommitteeFactory(code="AAA")
    public = ActionFactory(meeting=MeetingFactory(committee=a, classification="public"))
    secret = ActionFactory(meeting=MeetingFactory(committee=a, classification="confidential"))
    member, observer = UserFactory(person=True), UserFactory(person=True)
    MembershipFactory(person=member.person, committee=a, role=Membership.Role.CHAIR)
    MembershipFactory(person=observer.person, committee=a, role=Membership.Role.OBSERVER)
    return {
        "a": a,
        "public": public,
        "secret": secret,
        "pmo": UserFactory(role="PMO"),
        "member": member,
        "observer": observer,
    }


def _rows(client, path: str = LIST) -> list[tuple[str, str]]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return [(row["ref"], row["description"]) for row in response.json()["results"]]


def _refs(client) -> list[str]:
    return [ref for ref, _ in _rows(client)]


def _on_postgres() -> bool:
    return connection.vendor == "postgresql"


def test_a_repeat_read_is_the_kept_answer_and_costs_the_snapshot_only(register, api_client_for):
    client = api_client_for(register["pmo"])
    first = client.get(LIST)
    with CaptureQueriesContext(connection) as repeat:
        again = client.get(LIST)
    # Read before the next request, which empties the connection's query log.
    queries = [q["sql"] for q in repeat.captured_queries]
    assert again.content == first.content
    assert {ref for ref, _ in _rows(client)} == {register["public"].ref, register["secret"].ref}
    snapshot_reads = [sql for sql in queries if "pg_current_snapshot" in sql]
    if _on_postgres():
        # The token's query and the snapshot: no page, no owners.
        assert len(snapshot_reads) == 1, queries
        assert len(queries) == 2, queries
        assert len(connection.__dict__[KEPT]) == 1
    else:
        assert not snapshot_reads
        assert KEPT not in connection.__dict__


def test_a_write_by_update_is_in_the_next_answer(register, api_client_for):
    """``QuerySet.update`` sends no signal: the snapshot still sees it committed."""
    client = api_client_for(register["member"])
    ref = register["public"].ref
    before = dict(_rows(client))
    Action.objects.filter(ref=ref).update(description="Reworded on record")
    after = dict(_rows(client))
    assert before[ref] != "Reworded on record"
    assert after[ref] == "Reworded on record"


def test_a_write_from_another_connection_is_in_the_next_answer(register, api_client_for):
    client = api_client_for(register["pmo"])
    _rows(client)
    ref = register["secret"].ref

    def elsewhere() -> None:
        try:
            Action.objects.filter(ref=ref).update(description="Written by another process")
        finally:
            connections.close_all()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert dict(_rows(client))[ref] == "Written by another process"


def test_a_seat_change_changes_the_next_answer(register, api_client_for):
    """The observer sees the Public meeting's action only; seated as the chair, both."""
    client = api_client_for(register["observer"])
    assert _refs(client) == [register["public"].ref]
    Membership.objects.filter(person=register["observer"].person).update(role=Membership.Role.CHAIR)
    assert sorted(_refs(client)) == sorted([register["public"].ref, register["secret"].ref])


def test_no_reader_is_given_another_readers_kept_answer(register, api_client_for):
    readers = ("pmo", "member", "observer")
    clients = {name: api_client_for(register[name]) for name in readers}
    expected = {
        "pmo": {register["public"].ref, register["secret"].ref},
        "member": {register["public"].ref, register["secret"].ref},
        "observer": {register["public"].ref},
    }
    for _ in range(2):  # the second round is all kept answers on PostgreSQL
        for name in ("observer", "pmo", "member"):
            assert set(_refs(clients[name])) == expected[name], name
    if _on_postgres():
        assert len(connection.__dict__[KEPT]) == len(readers)


def test_the_links_follow_the_host_asked(register, api_client_for):
    client = api_client_for(register["pmo"])
    with override_settings(ALLOWED_HOSTS=["one.example", "two.example"]):
        one = client.get(LIST, HTTP_HOST="one.example").json()["results"][0]["url"]
        two = client.get(LIST, HTTP_HOST="two.example").json()["results"][0]["url"]
    assert one.startswith("http://one.example/api/v1/actions/")
    assert two.startswith("http://two.example/api/v1/actions/")


def test_a_page_after_a_cursor_is_kept_as_its_own_answer(register, api_client_for):
    client = api_client_for(register["pmo"])
    first = client.get("/api/v1/actions/?page_size=1").json()
    second_url = first["next"]
    second = client.get(second_url).json()
    assert [row["ref"] for row in first["results"] + second["results"]] == [
        register["public"].ref,
        register["secret"].ref,
    ]
    assert client.get(second_url).json() == second


def test_nothing_is_kept_inside_a_transaction_block(register, api_client_for):
    """Inside a block, the block's own writes are not in the snapshot: no snapshot is read."""
    client = api_client_for(register["pmo"])
    ref = register["public"].ref
    with transaction.atomic():
        assert database_snapshot() is None
        _rows(client)
        Action.objects.filter(ref=ref).update(description="Inside the block")
        assert dict(_rows(client))[ref] == "Inside the block"
        transaction.set_rollback(True)
    assert dict(_rows(client))[ref] != "Inside the block"


@override_settings(API_KEPT_ANSWER_ROWS=0)
def test_no_answer_is_kept_when_the_setting_is_zero(register, api_client_for):
    client = api_client_for(register["pmo"])
    _rows(client)
    with CaptureQueriesContext(connection) as repeat:
        _rows(client)
    queries = [q["sql"] for q in repeat.captured_queries]
    assert KEPT not in connection.__dict__
    assert not [sql for sql in queries if "pg_current_snapshot" in sql]
    # The token, the page and its owners.
    assert len(queries) == 3, queries


@override_settings(API_KEPT_ANSWER_ROWS=1)
def test_the_answers_kept_hold_at_most_the_rows_the_setting_allows(register, api_client_for):
    pmo, chair = api_client_for(register["pmo"]), api_client_for(register["member"])
    assert len(_rows(pmo)) == 2  # two rows: larger than the budget, not kept
    assert not connection.__dict__.get(KEPT)
    assert len(_rows(pmo, "/api/v1/actions/?page_size=1")) == 1
    assert len(_rows(chair, "/api/v1/actions/?page_size=1")) == 1
    kept = connection.__dict__.get(KEPT, {})
    if _on_postgres():
        # The chair's page pushed the PMO's out: one row kept in all.
        assert [key[0][1][0] for key in kept] == [register["member"].pk]
    else:
        assert not kept
