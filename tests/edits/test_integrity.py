"""Small integrity holes closed: a review that closes and re-dates, a reopen without a
reason, a due date before the raising meeting, an update on an action closed meanwhile,
both a due date and a due meeting."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client

from actions.models import Action
from actions.services import action_close, action_review_record, action_update
from tests.fixtures import build_seedlike


@pytest.fixture
def seed(db):
    return build_seedlike()


def client_of(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=f"{username}-demo")
    return client


def user(username: str):
    return get_user_model().objects.get(username=username)


def test_closing_and_re_dating_in_one_review_is_refused(seed):
    page = client_of("pmo").post(
        "/meetings/DAG029/reviews/",
        {
            "action": "DAG28-01",
            "DAG28-01-outcome": "closed",
            "DAG28-01-new_due_date": "2023-11-08",
        },
    )
    assert page.status_code == 200
    assert "A closed action takes no new due date" in unescape(page.content.decode())
    action = Action.objects.get(ref="DAG28-01")
    assert (action.status, action.due_date) == ("open", dt.date(2023, 10, 11))
    with pytest.raises(ValidationError) as refused:
        action_review_record(
            action=action,
            meeting=seed.dag029,
            outcome="closed",
            new_due_date=dt.date(2023, 11, 8),
            acting_user=user("pmo"),
        )
    assert list(refused.value.message_dict) == ["new_due_date"]


def test_a_bad_new_due_date_is_an_error_on_new_due_date(seed):
    with pytest.raises(ValidationError) as refused:
        action_review_record(
            action=seed.dag28_01,
            meeting=seed.dag029,
            outcome="re_dated",
            new_due_date="8 November",
            acting_user=user("pmo"),
        )
    assert list(refused.value.message_dict) == ["new_due_date"]


def test_reopen_shows_on_the_review_that_closed_it(seed):
    action_review_record(
        action=seed.dag28_01, meeting=seed.dag029, outcome="closed", acting_user=user("pmo")
    )
    pmo = client_of("pmo")
    pmo.post("/actions/DAG28-01/reopen/", {"reason": "The DRG wants a second look"})
    assert Action.objects.get(ref="DAG28-01").status == "open"
    meeting_page = pmo.get("/meetings/DAG029/").content.decode()
    assert "Reopened since" in meeting_page
    action_page = pmo.get("/actions/DAG28-01/").content.decode()
    assert "Reviewed: closed (reopened since)" in action_page
    assert "Reopened: The DRG wants a second look" in action_page


def test_an_action_due_before_its_meeting_saves_with_a_warning(seed):
    pmo = client_of("pmo")
    saved = pmo.post(
        "/meetings/DAG028/actions/new/",
        {
            "area": "Minutes and Actions",
            "description": "Circulate the minutes",
            "owners": "Programme",
            "due_date": "2023-09-01",
        },
        follow=True,
    )
    html = unescape(saved.content.decode())
    assert Action.objects.get(ref="DAG28-03").due_date == dt.date(2023, 9, 1)
    assert "DAG28-03 is due on 01 Sep 2023, before DAG028 (13 Sep 2023) that raised it" in html
    undated = pmo.post(
        "/meetings/DAG028/actions/new/",
        {"area": "Minutes and Actions", "description": "Book a room", "owners": "Programme"},
        follow=True,
    )
    assert "DAG28-04 has no due date and no due meeting" in unescape(undated.content.decode())


def test_a_members_update_on_an_action_closed_meanwhile_is_kept_as_a_note(seed):
    rob = user("member")
    # The demo member is Rob Short, who owns DAG28-01 in the seed.
    member = client_of("member")
    page = member.get("/actions/DAG28-01/").content.decode()
    assert "Progress update" in page
    action_close(action=seed.dag28_01, acting_user=user("pmo"))
    posted = member.post(
        "/actions/DAG28-01/updates/",
        {"text": "Views gathered from three suppliers", "proposes_closure": "on"},
        follow=True,
    )
    html = unescape(posted.content.decode())
    assert "DAG28-01 was closed meanwhile, so nothing was proposed" in html
    action = Action.objects.get(ref="DAG28-01")
    update = action.updates.get()
    assert (update.text, update.author, update.proposes_closure) == (
        "Views gathered from three suppliers",
        rob,
        False,
    )
    assert action.status == "closed"


def test_a_due_date_other_than_the_due_meetings_is_a_field_error(seed):
    with pytest.raises(ValidationError) as refused:
        action_update(
            action=seed.dag28_01,
            due_meeting=seed.dag029,
            due_date=dt.date(2023, 10, 20),
            acting_user=user("pmo"),
        )
    assert "DAG029 meets on 11 Oct 2023" in refused.value.message_dict["due_date"][0]
    # The same date as the meeting's is both given and kept.
    action_update(
        action=seed.dag28_01,
        due_meeting=seed.dag029,
        due_date=dt.date(2023, 10, 11),
        acting_user=user("pmo"),
    )
    assert Action.objects.get(ref="DAG28-01").due_meeting == seed.dag029


def test_the_api_reopen_takes_an_optional_reason(seed):
    action_close(action=seed.dag28_01, acting_user=user("pmo"))
    pmo = client_of("pmo")
    reopened = pmo.post(
        "/api/v1/actions/DAG28-01/reopen/",
        {"reason": "Asked again by the DRG"},
        content_type="application/json",
    )
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "open"
    assert [u["text"] for u in reopened.json()["updates"]] == ["Reopened: Asked again by the DRG"]
