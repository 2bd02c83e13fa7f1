"""What an adversarial client tried against the API, and the clear 4xx it now gets.

Each test names the attack; the records are the seed report's (DAG027, DAG028, DAG029).
"""

from __future__ import annotations

import pytest

from core.actors import SYSTEM

pytestmark = pytest.mark.django_db


def test_json_nested_deeper_than_the_parser_goes_is_a_400_not_a_500(seeded, pmo_api):
    body = b'{"a": ' * 5000 + b"1" + b"}" * 5000
    response = pmo_api.generic(
        "POST", "/api/v1/actions/DAG28-01/updates/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert pmo_api.get("/api/v1/actions/DAG28-01/updates/").json()["results"] == []


@pytest.fixture
def dag029_area(seeded):
    """An agenda item of DAG029, the next meeting the seed names (11 October 2023)."""
    from meetings.models import Meeting
    from meetings.services import agenda_item_create

    return agenda_item_create(
        meeting=Meeting.objects.get(ref="DAG029"), title="DAG ToR", acting_user=SYSTEM
    )


def test_an_action_cannot_be_reviewed_at_a_meeting_before_the_one_that_raised_it(seeded, pmo_api):
    from actions.models import Action

    response = pmo_api.post(
        "/api/v1/actions/DAG28-05/reviews/",
        {"meeting": "DAG027", "outcome": "closed", "note": "closed before it was raised"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["meeting"]
    action = Action.objects.get(ref="DAG28-05")
    assert (action.status, action.reviews.count()) == ("open", 0)


def test_a_review_is_filed_under_an_area_of_its_own_meeting(seeded, pmo_api, dag029_area):
    from meetings.models import AgendaItem

    dag028_area = AgendaItem.objects.get(meeting__ref="DAG028", title="CR023 Decision")
    response = pmo_api.post(
        "/api/v1/actions/DAG28-05/reviews/",
        {"meeting": "DAG029", "agenda_item": dag028_area.pk},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["agenda_item"]
    response = pmo_api.post(
        "/api/v1/actions/DAG28-05/reviews/",
        {"meeting": "DAG029", "agenda_item": dag029_area.pk},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["agenda_item"]["title"] == "DAG ToR"


def test_a_decision_cannot_move_under_another_meetings_area(seeded, pmo_api, dag029_area):
    from decisions.models import Decision

    response = pmo_api.patch(
        "/api/v1/decisions/DAG-DEC68/", {"agenda_item": dag029_area.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["agenda_item"]
    assert Decision.objects.get(ref="DAG-DEC68").agenda_item.title == "CR023 Decision"


def test_a_discussion_item_cannot_move_under_another_meetings_area(seeded, pmo_api, dag029_area):
    from meetings.models import DiscussionItem

    item = DiscussionItem.objects.filter(meeting__ref="DAG028").order_by("order").first()
    area_before = item.agenda_item_id
    response = pmo_api.patch(
        f"/api/v1/discussion-items/{item.pk}/", {"agenda_item": dag029_area.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["agenda_item"]
    item.refresh_from_db()
    assert item.agenda_item_id == area_before
