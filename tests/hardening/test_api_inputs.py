"""Documented input never answered 500, and input outside the schema refused with a 400.

Each test is one request the issue (#18) found answered wrongly, against the seed report.
"""

from __future__ import annotations

import pytest
from django.db import connection

from actions.models import Action
from meetings.models import AgendaItem, Meeting, Organisation

pytestmark = pytest.mark.django_db


def test_a_change_request_with_its_ia_window_is_created(seeded, pmo_api):
    response = pmo_api.post(
        "/api/v1/change-requests/",
        {"title": "Window", "ia_start_date": "2024-01-08", "ia_end_date": "2024-01-22"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["ia_start_date"] == "2024-01-08"
    assert response.json()["ia_end_date"] == "2024-01-22"


def test_an_ia_window_that_ends_before_it_starts_is_a_sentence_not_a_constraint_name(
    seeded, pmo_api
):
    response = pmo_api.post(
        "/api/v1/change-requests/",
        {"title": "Window", "ia_start_date": "2024-01-22", "ia_end_date": "2024-01-08"},
        format="json",
    )
    assert response.status_code == 400
    text = str(response.json())
    assert "cr_ia_window_order" not in text
    assert "Constraint" not in text
    assert "The impact assessment cannot close before it opens." in text


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/actions/?updated_after=0001-01-01T00:00:00%2B01:00",
        "/api/v1/decisions/?decided_after=9999-12-31T23:00:00-05:00",
        "/api/v1/decisions/?decided_before=0001-01-01T00:30:00%2B01:00",
    ],
)
def test_list_filters_at_the_ends_of_the_calendar_answer_without_failing(seeded, pmo_api, query):
    response = pmo_api.get(query)
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert "from 1900 to 2999" in str(response.json())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"owners": [0]}, "owners.0"),
        ({"description": 12}, "description"),
    ],
)
def test_numbers_are_not_text(seeded, pmo_api, body, field):
    before = Organisation.objects.count()
    data = {"meeting": "DAG028", "description": "x", "owners": ["Programme"], **body}
    response = pmo_api.post("/api/v1/actions/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Organisation.objects.count() == before
    assert not Organisation.objects.filter(name="0").exists()


def test_a_number_is_not_a_boolean(seeded, pmo_api):
    response = pmo_api.post(
        "/api/v1/actions/DAG28-01/updates/",
        {"text": "done", "proposes_closure": 0},
        format="json",
    )
    assert response.status_code == 400
    assert "proposes_closure" in response.json()["errors"]
    assert Action.objects.get(ref="DAG28-01").status == Action.Status.OPEN


def test_a_page_size_over_the_maximum_is_refused_naming_it(seeded, pmo_api):
    response = pmo_api.get("/api/v1/actions/?page_size=501")
    assert response.status_code == 400
    assert response.json()["errors"]["page_size"] == ["A whole number from 1 to 500."]
    assert pmo_api.get("/api/v1/actions/?page_size=500").status_code == 200


def test_an_empty_ordering_is_refused(seeded, pmo_api):
    response = pmo_api.get("/api/v1/actions/?ordering=")
    assert response.status_code == 400
    assert "ordering" in response.json()["errors"]


def test_an_unknown_agenda_item_id_is_an_empty_list_like_any_unknown_id(seeded, pmo_api):
    unknown = AgendaItem.objects.order_by("-pk").first().pk + 1000
    for value in (0, unknown):
        response = pmo_api.get(f"/api/v1/actions/?agenda_item={value}")
        assert response.status_code == 200, response.json()
        assert response.json()["results"] == []


def test_a_malformed_meeting_ref_is_404_in_a_path_and_400_in_a_query_everywhere(seeded, pmo_api):
    for path in ("/api/v1/meetings/DAG!!/", "/api/v1/meetings/DAG!!/agenda-items/"):
        assert pmo_api.get(path).status_code == 404, path
    for query in ("/api/v1/actions/?meeting=DAG!!", "/api/v1/decisions/?meeting=DAG!!"):
        response = pmo_api.get(query)
        assert response.status_code == 400, query
        assert "meeting" in response.json()["errors"]


def test_a_meeting_before_1847_is_written_in_rfc_3339(seeded, pmo_api):
    # London kept local mean time (-00:01:15) before 1847: no RFC 3339 offset can say it.
    meeting = Meeting.objects.get(ref="DAG028")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE meetings_meeting SET start_at = %s WHERE id = %s",
            ["0001-06-01 10:00:00", meeting.pk],
        )
    start_at = pmo_api.get("/api/v1/meetings/DAG028/").json()["start_at"]
    assert start_at == "0001-06-01T10:00:00Z"
