"""What an adversarial user tried against the meeting pages and services, and the clear
error each now gets instead of a 500 or a record no URL can reach.

Records are the seed's (DAG028 held 13 September 2023, DAG029 planned 11 October 2023).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from meetings import services
from meetings.models import Committee, Meeting
from tests.browser.data import build_seedlike
from tests.conftest import london


@pytest.fixture
def seed(db):
    return build_seedlike()


def login(client, username: str):
    assert client.login(username=username, password=f"{username}-demo")
    return get_user_model().objects.get(username=username)


def meeting_form(number: str) -> dict[str, str]:
    return {
        "committee": str(Committee.objects.get(code="DAG").pk),
        "number": number,
        "date": "2023-11-08",
        "start_time": "10:00",
        "classification": "public",
        "status": "planned",
    }


@pytest.mark.parametrize("number", ["10000", str(2**31), str(2**63), "9" * 30])
def test_a_meeting_number_no_ref_can_name_is_a_form_error(client, seed, number):
    # DAG10000 would be unreachable (refs are DAG + up to 4 digits); 2**31 and beyond
    # overflowed the column: a 500 on PostgreSQL (and on SQLite past 2**63).
    login(client, "pmo")
    response = client.post("/meetings/new/", meeting_form(number))
    assert response.status_code == 200
    assert response.context["form"].errors["number"]
    assert Meeting.objects.count() == 2
    assert Committee.objects.get(code="DAG").last_meeting_number == 29
    assert client.post("/meetings/new/", meeting_form("")).url == "/meetings/DAG030/"


@pytest.mark.parametrize(("number", "sub_number"), [(10000, 0), (2**63, 0), (28, 100)])
def test_meeting_create_refuses_numbers_beyond_the_ref_grammar(seed, number, sub_number):
    with pytest.raises(ValidationError) as caught:
        services.meeting_create(
            committee=seed.committee,
            number=number,
            sub_number=sub_number,
            start_at=london(2023, 11, 8),
        )
    assert set(caught.value.message_dict) == {"sub_number" if sub_number else "number"}
    assert Committee.objects.get(code="DAG").last_meeting_number == 29
