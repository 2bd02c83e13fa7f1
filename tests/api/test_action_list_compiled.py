"""The action list keeps the compiled query of a first page per reader (core.api.db
``compiled_values``, keyed by ``core.visibility.reader_key``): no reader is ever answered
with another's query or rows, a change of seats or of day is a new query, and a kept query
answers the same bytes as a new one."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import Action
from meetings.models import Membership
from tests.actions.factories import ActionFactory, ActionOwnerFactory
from tests.meetings.factories import (
    CommitteeFactory,
    MeetingFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/actions/?page_size=50"


@pytest.fixture(autouse=True)
def no_kept_queries():
    """Each test starts with no kept query (they live on the connection, across tests)."""
    connection.__dict__.pop("_dag_compiled_pages", None)
    yield
    connection.__dict__.pop("_dag_compiled_pages", None)


def _kept() -> dict:
    return connection.__dict__.get("_dag_compiled_pages", {})


@pytest.fixture
def register():
    """Committee A's Public, Restricted and Confidential meetings, each with an action, and
    a Confidential meeting of committee B with an action owned by member one's person; the
    PMO, two members of A, an observer of B."""
    a, b = CommitteeFactory(code="AAA"), CommitteeFactory(code="BBB")
    actions = {
        level: ActionFactory(meeting=MeetingFactory(committee=a, classification=level))
        for level in ("public", "restricted", "confidential")
    }
    pmo = UserFactory(role="PMO")
    one, two = UserFactory(person=True), UserFactory(person=True)
    for user in (one, two):
        MembershipFactory(person=user.person, committee=a, role=Membership.Role.MEMBER)
    actions["owned"] = ActionFactory(
        meeting=MeetingFactory(committee=b, classification="confidential"), owner=one.person
    )
    observer = UserFactory(person=True)
    MembershipFactory(person=observer.person, committee=b, role=Membership.Role.OBSERVER)
    return {"actions": actions, "a": a, "pmo": pmo, "one": one, "two": two, "obs": observer}


def _refs(client) -> list[str]:
    response = client.get(LIST)
    assert response.status_code == 200
    return [row["ref"] for row in response.json()["results"]]


def _rule(user) -> list[str]:
    """What the rule (core.visibility, through the model's verb) lets ``user`` see."""
    return list(Action.objects.visible_to(user).order_by("pk").values_list("ref", flat=True))


def test_no_reader_gets_another_readers_kept_query(register, api_client_for):
    readers = [register[name] for name in ("pmo", "one", "two", "obs")]
    clients = {user.pk: api_client_for(user) for user in readers}
    expected = {user.pk: _rule(user) for user in readers}
    actions = register["actions"]
    # The seat shapes differ, and the two members' only by their person: each sees its own.
    assert actions["owned"].ref in expected[register["one"].pk]
    assert actions["owned"].ref not in expected[register["two"].pk]
    assert actions["confidential"].ref not in expected[register["one"].pk]
    assert expected[register["obs"].pk] == [actions["public"].ref]
    assert len(set(map(tuple, expected.values()))) == 4
    # Interleaved, twice round: the second round runs the kept queries.
    for _ in range(2):
        for user in (*readers, *reversed(readers)):
            assert _refs(clients[user.pk]) == expected[user.pk], user
    assert len(_kept()) == 4
    sqls = {(entry[1], entry[2]) for entry in _kept().values()}
    assert len(sqls) == 4  # no two readers share a query and its parameters


def test_a_kept_query_is_run_again_and_answers_the_same_bytes(register, api_client_for):
    client = api_client_for(register["one"])
    first = client.get(LIST)
    (entry,) = _kept().values()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(LIST)
    assert next(iter(_kept().values())) is entry
    assert again.content == first.content
    assert again.headers.get("ETag") == first.headers.get("ETag")
    # The token's user, the page, its owners: as before.
    assert len(queries.captured_queries) == 3
    # A later page (after a cursor) is built each time and kept nowhere.
    page = client.get("/api/v1/actions/?page_size=1").json()
    assert client.get(page["next"]).status_code == 200
    assert len(_kept()) == 2  # page_size=50 and page_size=1


def test_a_new_seat_is_a_new_query(register, api_client_for):
    two = register["two"]
    client = api_client_for(two)
    confidential = register["actions"]["confidential"].ref
    assert confidential not in _refs(client)
    MembershipFactory(person=two.person, committee=register["a"], role=Membership.Role.CHAIR)
    assert confidential in _refs(client)
    Membership.objects.filter(person=two.person, role=Membership.Role.CHAIR).delete()
    assert confidential not in _refs(client)


def test_filters_and_orderings_are_their_own_queries(register, api_client_for):
    client = api_client_for(register["pmo"])
    actions = register["actions"]
    everything = _refs(client)
    by_status = "/api/v1/actions/?page_size=50&committee=BBB"
    assert [r["ref"] for r in client.get(by_status).json()["results"]] == [actions["owned"].ref]
    assert _refs(client) == everything
    descending = client.get("/api/v1/actions/?page_size=50&ordering=-id").json()["results"]
    assert [r["ref"] for r in descending] == everything[::-1]
    bad = client.get("/api/v1/actions/?page_size=50&overdue=maybe")
    assert bad.status_code == 400
    assert client.get("/api/v1/actions/?page_size=50&overdue=maybe").status_code == 400


def test_overdue_follows_the_day(register, api_client_for):
    client = api_client_for(register["pmo"])
    action = register["actions"]["public"]
    today = timezone.localdate()
    Action.objects.filter(pk=action.pk).update(due_date=today)
    overdue = "/api/v1/actions/?page_size=50&overdue=true"
    assert action.ref not in [r["ref"] for r in client.get(overdue).json()["results"]]
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        assert action.ref in [r["ref"] for r in client.get(overdue).json()["results"]]


def test_request_values_stay_parameters(register, api_client_for):
    """Only a page without filters has its values written into the SQL (PostgreSQL); a
    filter's value, the request's, stays a parameter."""
    client = api_client_for(register["one"])
    client.get(LIST)
    client.get(f"{LIST}&q=O%27Brien%25")
    plain, filtered = _kept().values()
    if connection.vendor == "postgresql":
        assert plain[2] is None
    else:
        assert plain[2]
    assert "%O'Brien\\%%" in filtered[2]
    assert "O'Brien" not in filtered[1]


def test_a_seat_constituency_with_quotes_reads_as_written(register, api_client_for):
    """The owner words of a seat (its constituency: text the PMO typed) written into the
    SQL as a literal keep their quotes and percent signs."""
    constituency = "O'Brien 100% Suppliers"
    b = register["actions"]["owned"].committee
    reader = UserFactory(person=True)
    MembershipFactory(
        person=reader.person, committee=b, role=Membership.Role.MEMBER, constituency=constituency
    )
    owned = ActionFactory(
        meeting=MeetingFactory(committee=b, classification="confidential"), owner=False
    )
    ActionOwnerFactory(action=owned, person=None, organisation=None, role=constituency)
    client = api_client_for(reader)
    expected = _rule(reader)
    assert owned.ref in expected
    assert _refs(client) == expected
    assert _refs(client) == expected
