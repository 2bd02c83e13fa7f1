"""The decision register's pages: committee code order, newest first, read a committee at a
time (``decisions.selectors.DecisionIds``), and its counts per committee cached until a
decision is recorded or who sees which meeting changes (``core.list_cache``)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.actors import SYSTEM
from decisions.services import decision_create
from meetings.models import Meeting
from meetings.services import meeting_update
from tests.fixtures import build_two_committees

pytestmark = pytest.mark.django_db

REF = re.compile(r'<a class="ref" href="/decisions/[^"]+">([A-Z]+-DEC\d+)</a>')


@pytest.fixture
def world():
    # DAG028 (Public) holds DAG-DEC68; TMAG001 (Restricted) holds TMAG-DEC1. Add 54 DAG
    # decisions (DAG-DEC69..DAG-DEC122) and 50 TMAG ones (TMAG-DEC2..TMAG-DEC51).
    world = build_two_committees()
    for n in range(54):
        decision_create(meeting=world.seed.dag028, text=f"DAG decision {n}", acting_user=SYSTEM)
    for n in range(50):
        decision_create(meeting=world.tmag001, text=f"TMAG decision {n}", acting_user=SYSTEM)
    return world


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def _page(client, number=None):
    response = client.get("/decisions/", {"page": number} if number else {})
    assert response.status_code == 200
    body = response.content.decode()
    return REF.findall(body), body


def _refs(code, high, low):
    return [f"{code}-DEC{seq}" for seq in range(high, low - 1, -1)]


@pytest.mark.parametrize(
    ("username", "total", "pages"),
    [
        # The PMO sees both committees: the second page spans them, DAG's last five and
        # then TMAG's newest.
        (
            "pmo",
            106,
            [
                _refs("DAG", 122, 73),
                _refs("DAG", 72, 68) + _refs("TMAG", 51, 7),
                _refs("TMAG", 6, 1),
            ],
        ),
        # The outsider holds no seat: Public meetings only, so DAG028's decisions and not
        # TMAG001's.
        ("outsider", 55, [_refs("DAG", 122, 73), _refs("DAG", 72, 68)]),
    ],
)
def test_pages_run_through_committees_in_code_order_newest_first(
    client, world, username, total, pages
):
    login(client, username)
    for number, expected in enumerate(pages, start=1):
        refs, body = _page(client, number)
        assert f"{total} decisions." in body
        assert refs == expected
    assert f"Page {len(pages)} of {len(pages)}" in body


def test_the_cached_counts_follow_new_decisions_and_visibility(client, world):
    login(client, "outsider")
    assert "55 decisions." in _page(client)[1]
    decision_create(meeting=world.seed.dag028, text="One more", acting_user=SYSTEM)
    first, body = _page(client)
    assert "56 decisions." in body
    assert first[0] == "DAG-DEC123"
    # TMAG001 made Public: the outsider now sees its 51 decisions too.
    meeting_update(
        meeting=world.tmag001,
        classification=Meeting.Classification.PUBLIC,
        acting_user=SYSTEM,
    )
    third, body = _page(client, 3)
    assert "107 decisions." in body
    assert third == _refs("TMAG", 7, 1)


def test_a_filter_counts_each_time(client, world):
    from decisions.services import decision_approve

    login(client, "pmo")
    proposed = client.get("/decisions/", {"status": "proposed"}).content.decode()
    assert "106 decisions." in proposed
    decision_approve(decision=world.tmag_dec, acting_user=world.users["dual"])
    proposed = client.get("/decisions/", {"status": "proposed"}).content.decode()
    assert "105 decisions." in proposed
    assert "TMAG-DEC1<" not in proposed


def test_a_deep_page_costs_what_the_first_does(client, world):
    login(client, "outsider")
    _page(client)  # warm the session and the counts
    queries = {}
    for number in (1, 2):
        with CaptureQueriesContext(connection) as captured:
            _page(client, number)
        queries[number] = len(captured)
    assert queries[1] == queries[2]
