"""Pages of several versioned forms (``core.concurrency.record_versions``): each form
carries its record's API ETag, all read in one pass, so the page's queries do not grow with
its rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from actions.models import ActionUpdate
from actions.services import action_create
from composer import discussion
from core.actors import SYSTEM
from tests.edits.test_stale_edits import hidden
from tests.fixtures import build_seedlike


@pytest.fixture
def seed(db):
    return build_seedlike()


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=f"{username}-demo")
    return client


def _add_earlier_actions(seed, count: int, start: int) -> list[str]:
    refs = []
    for n in range(count):
        action = action_create(
            meeting=seed.dag028,
            description=f"Earlier action {start + n}",
            owners=[f"Organisation {n % 3} (Person {start + n})", "Chair"],
            due_date=dt.date(2023, 10, 11),
            acting_user=SYSTEM,
        )
        # What the action's ETag is made of beside its own columns: an update, a CR, a
        # discussion that names it.
        ActionUpdate.objects.create(action=action, text=f"Progress on {action.ref}")
        action.change_requests.add(seed.cr023)
        discussion.discussion_item_create(
            meeting=seed.dag028, text=f"See {action.ref}.", acting_user=SYSTEM
        )
        refs.append(action.ref)
    return refs


def test_reviews_page_queries_do_not_grow_with_its_rows(seed, django_assert_num_queries):
    client = login("pmo")
    client.get("/meetings/DAG029/reviews/")  # warm the session
    _add_earlier_actions(seed, 2, 100)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/meetings/DAG029/reviews/").status_code == 200
    refs = _add_earlier_actions(seed, 20, 200)
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get("/meetings/DAG029/reviews/").content.decode()
    assert f"{refs[-1]}-version" in html
    # Each form's version is the ETag the API answers for its action, by ref.
    for ref in ("DAG28-01", refs[0], refs[-1]):
        assert hidden(html, f"{ref}-version") == client.get(f"/api/v1/actions/{ref}/")["ETag"]
