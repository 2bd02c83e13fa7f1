"""Times the London clocks skip or pass twice, and dates out of range: refused with words.

One rule (``core.times``) for the meeting form in the browser, the API and every service
save. The facts: in 2024 British Summer Time began at 01:00 GMT on 31 March (clocks forward
to 02:00); in 2023 it ended at 02:00 BST on 29 October (clocks back to 01:00).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from actions.models import Action
from actions.services import action_update
from core.actors import SYSTEM
from core.times import london_datetime
from meetings.models import Committee, Meeting
from tests.fixtures import build_seedlike

GAP = "01:30 on 31 March 2024 does not exist in London; clocks go forward at 01:00"
TWICE = "01:30 on 29 October 2023 happens twice in London (clocks go back at 02:00)"


@pytest.fixture
def seed(db):
    return build_seedlike()


def login(client, username: str):
    assert client.login(username=username, password=f"{username}-demo")
    return get_user_model().objects.get(username=username)


def meeting_form(date: str, start: str, number: str = "40") -> dict[str, str]:
    return {
        "committee": str(Committee.objects.get(code="DAG").pk),
        "number": number,
        "date": date,
        "start_time": start,
        "classification": "public",
        "status": "planned",
    }


def test_the_skipped_and_doubled_hours_are_refused_naming_the_change():
    with pytest.raises(ValidationError) as gap:
        london_datetime(dt.date(2024, 3, 31), dt.time(1, 30))
    assert GAP in gap.value.messages[0]
    with pytest.raises(ValidationError) as twice:
        london_datetime(dt.date(2023, 10, 29), dt.time(1, 30))
    assert TWICE in twice.value.messages[0]
    assert "+01:00 (BST)" in twice.value.messages[0]
    assert "+00:00 (GMT)" in twice.value.messages[0]
    # Either side of the changes is one instant.
    assert london_datetime(dt.date(2024, 3, 31), dt.time(0, 59)) == dt.datetime(
        2024, 3, 31, 0, 59, tzinfo=dt.UTC
    )
    assert london_datetime(dt.date(2024, 3, 31), dt.time(2, 0)) == dt.datetime(
        2024, 3, 31, 1, 0, tzinfo=dt.UTC
    )
    assert london_datetime(dt.date(2023, 10, 29), dt.time(2, 0)) == dt.datetime(
        2023, 10, 29, 2, 0, tzinfo=dt.UTC
    )


@pytest.mark.parametrize(
    ("date", "expected"), [("2024-03-31", GAP), ("2023-10-29", TWICE)], ids=["gap", "twice"]
)
def test_the_meeting_form_refuses_them_and_records_nothing(client, seed, date, expected):
    login(client, "pmo")
    before = Meeting.objects.count()
    response = client.post("/meetings/new/", meeting_form(date, "01:30"))
    assert response.status_code == 200
    assert expected in response.context["form"].errors["start_time"][0]
    assert expected in response.content.decode()
    assert Meeting.objects.count() == before


@pytest.mark.parametrize(
    ("start_at", "expected"),
    [("2024-03-31T01:30:00", GAP), ("2023-10-29T01:30:00", TWICE)],
    ids=["gap", "twice"],
)
def test_the_api_refuses_them_without_an_offset(seed, pmo_api, start_at, expected):
    body = {"committee": "DAG", "start_at": start_at, "classification": "public"}
    response = pmo_api.post("/api/v1/meetings/", body, format="json")
    assert response.status_code == 400, response.json()
    assert expected in response.json()["errors"]["start_at"][0]


def test_the_api_takes_the_doubled_hour_with_its_offset(seed, pmo_api):
    body = {"committee": "DAG", "start_at": "2023-10-29T01:30:00+00:00"}
    response = pmo_api.post("/api/v1/meetings/", body, format="json")
    assert response.status_code == 201, response.json()
    assert Meeting.objects.get(ref=response.json()["ref"]).start_at == dt.datetime(
        2023, 10, 29, 1, 30, tzinfo=dt.UTC
    )


@pytest.mark.parametrize("day", ["1989-12-31", "2101-01-01", "0203-10-11"])
def test_a_meeting_date_outside_1990_to_2100_is_refused_in_the_browser(client, seed, day):
    login(client, "pmo")
    response = client.post("/meetings/new/", meeting_form(day, "10:00"))
    assert response.status_code == 200
    assert "Give a date from 1990 to 2100." in response.content.decode()


def test_a_due_date_outside_1990_to_2100_is_refused_in_the_api(seed, pmo_api):
    response = pmo_api.patch("/api/v1/actions/DAG28-01/", {"due_date": "2203-10-11"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["due_date"] == ["Give a date from 1990 to 2100."]
    assert Action.objects.get(ref="DAG28-01").due_date != dt.date(2203, 10, 11)


def test_the_service_refuses_a_due_date_outside_the_range(seed):
    action = Action.objects.filter(status=Action.Status.OPEN).first()
    with pytest.raises(ValidationError) as refused:
        action_update(action=action, due_date=dt.date(1066, 10, 14), acting_user=SYSTEM)
    assert refused.value.message_dict == {"due_date": ["Give a date from 1990 to 2100."]}
