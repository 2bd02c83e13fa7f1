"""The actions API against the seed report DAG028: its refs, owners and due dates.

Expected values come from the seed (seeds/DAG028-headline-report.txt): DAG28-01 is
"Programme (Rob Short)", due 11/10/2023; DAG28-04 is due 15/09/2023; DAG28-14 is owned by
the Chair; DAG27-08 (Matt McKeon) is the earlier action reviewed at DAG028.
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action
from core.actors import SYSTEM
from meetings.models import Meeting, Organisation, Person
from tests.actions.factories import ActionFactory
from tests.meetings.factories import UserFactory, link_login

pytestmark = pytest.mark.django_db

DAG28 = [f"DAG28-{n:02d}" for n in range(1, 16)]


def meeting_new(committee) -> Meeting:
    """The committee's next meeting, recorded through the service."""
    from meetings.services import meeting_create

    return meeting_create(
        committee=committee,
        start_at=dt.datetime(2024, 1, 10, 10, tzinfo=dt.UTC),
        acting_user=SYSTEM,
    )


def refs_of(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["ref"] for row in response.json()["results"]]


def all_refs(client, path: str) -> list[str]:
    """Every ref of a list, following next links."""
    refs: list[str] = []
    url = path
    while url:
        response = client.get(url)
        refs += refs_of(response)
        url = response.json()["next"]
    return refs


# --- list, filters, ordering, pagination ----------------------------------------------------


def test_list_holds_the_seed_actions_in_creation_order(seeded, pmo_api):
    response = pmo_api.get("/api/v1/actions/")
    assert refs_of(response) == [*DAG28, "DAG27-08"]
    first = response.json()["results"][0]
    assert first["owner_display"] == "Programme (Rob Short)"
    assert first["owners"][0]["person"]["name"] == "Rob Short"
    assert first["owners"][0]["organisation"]["name"] == "Programme"
    assert first["due_date"] == "2023-10-11"
    assert first["meeting"]["ref"] == "DAG028"
    assert first["meeting"]["url"] == "http://testserver/api/v1/meetings/DAG028/"
    assert first["agenda_item"]["title"] == "Minutes and Actions"
    assert first["url"] == "http://testserver/api/v1/actions/DAG28-01/"


def test_an_action_reads_exactly_as_the_contract_says(seeded, pmo_api):
    """The list's and the detail's JSON of DAG28-01 as the seed report gives it (Programme
    (Rob Short), "Minutes and Actions", due 11/10/2023), every key and value: the API is a
    public contract, so the rows it is built from (actions.rows) must not change it."""
    Action.objects.filter(ref="DAG28-01").update(
        created_at=dt.datetime(2023, 7, 1, 9, 30, tzinfo=dt.UTC),
        updated_at=dt.datetime(2023, 12, 1, 9, 30, 0, 123456, tzinfo=dt.UTC),
    )
    action = Action.objects.get(ref="DAG28-01")
    programme = Organisation.objects.get(name="Programme")
    rob = Person.objects.get(name="Rob Short")
    api = "http://testserver/api/v1"
    expected = {
        "id": action.pk,
        "ref": "DAG28-01",
        "url": f"{api}/actions/DAG28-01/",
        "committee": {
            "code": "DAG",
            "name": "Design Advisory Group",
            "url": f"{api}/committees/DAG/",
        },
        "meeting": {"ref": "DAG028", "url": f"{api}/meetings/DAG028/"},
        "agenda_item": {
            "id": action.agenda_item_id,
            "title": "Minutes and Actions",
            "url": f"{api}/agenda-items/{action.agenda_item_id}/",
        },
        "description": action.description,
        "owners": [
            {
                "organisation": {
                    "id": programme.pk,
                    "name": "Programme",
                    "url": f"{api}/organisations/{programme.pk}/",
                },
                "role": "",
                "person": {"id": rob.pk, "name": "Rob Short", "url": f"{api}/people/{rob.pk}/"},
                "is_lead": True,
                "display": "Programme (Rob Short)",
            }
        ],
        "owner_display": "Programme (Rob Short)",
        "due_date": "2023-10-11",
        "due_meeting": None,
        "status": "open",
        "is_overdue": False,
        "closed_date": None,
        "closure_note": "",
        "created_at": "2023-07-01T10:30:00+01:00",
        "updated_at": "2023-12-01T09:30:00.123456Z",
        "updates_url": f"{api}/actions/DAG28-01/updates/",
        "reviews_url": f"{api}/actions/DAG28-01/reviews/",
    }
    with time_machine.travel(dt.datetime(2023, 10, 11, 12, tzinfo=dt.UTC), tick=False):
        listed = pmo_api.get("/api/v1/actions/?ordering=ref&page_size=50").json()["results"]
        detail = pmo_api.get("/api/v1/actions/DAG28-01/").json()
    assert next(row for row in listed if row["ref"] == "DAG28-01") == expected
    assert {key: detail[key] for key in expected} == expected
    assert list(detail)[: len(expected)] == list(expected)  # the same keys, in order


def test_list_links_lead_to_the_related_records(seeded, pmo_api):
    row = pmo_api.get("/api/v1/actions/?meeting=DAG028").json()["results"][0]
    for link in (row["meeting"]["url"], row["agenda_item"]["url"], row["committee"]["url"]):
        assert pmo_api.get(link).status_code == 200
    person = pmo_api.get(row["owners"][0]["person"]["url"]).json()
    assert person["name"] == "Rob Short"
    assert pmo_api.get(row["updates_url"]).status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("meeting=DAG028", DAG28),
        ("meeting=dag 28", DAG28),
        ("meeting=DAG027", ["DAG27-08"]),
        ("committee=dag", [*DAG28, "DAG27-08"]),
        ("owner=Rob Short", ["DAG28-01"]),
        ("owner=fraser", ["DAG28-03", "DAG28-05", "DAG28-08"]),
        ("owner=Chair", ["DAG28-14"]),
        ("due_before=2023-09-30", ["DAG28-04", "DAG27-08"]),
        ("due_after=2023-10-11", [r for r in DAG28 if r not in ("DAG28-04", "DAG28-05")]),
        ("due_after=2023-10-10&due_before=2023-10-10", ["DAG28-05"]),
        ("q=MPAN Explainer", ["DAG28-01"]),
        ("q=Testing Team", ["DAG28-07"]),
        ("status=closed", []),
        ("is_open=true&owner=Paul Pettitt", ["DAG28-11", "DAG28-12"]),
    ],
)
def test_filters(seeded, pmo_api, query, expected):
    assert all_refs(pmo_api, f"/api/v1/actions/?{query}") == expected


def test_owner_person_and_organisation_filters(seeded, pmo_api):
    rob = Person.objects.get(name="Rob Short")
    programme = Organisation.objects.get(name="Programme")
    assert all_refs(pmo_api, f"/api/v1/actions/?owner_person={rob.pk}") == ["DAG28-01"]
    by_org = all_refs(pmo_api, f"/api/v1/actions/?owner_organisation={programme.pk}")
    assert "DAG28-02" not in by_org
    assert "DAG28-14" not in by_org
    assert len(by_org) == 14


@time_machine.travel(dt.datetime(2023, 10, 11, 9, 0, tzinfo=dt.UTC), tick=False)
def test_overdue_is_open_and_due_before_today_in_london(seeded, pmo_api):
    # On 11/10/2023 DAG28-04 (15/09), DAG27-08 (13/09) and DAG28-05 (10/10) are overdue.
    assert all_refs(pmo_api, "/api/v1/actions/?overdue=true") == [
        "DAG28-04",
        "DAG28-05",
        "DAG27-08",
    ]
    not_overdue = all_refs(pmo_api, "/api/v1/actions/?overdue=false")
    assert len(not_overdue) == 13
    row = pmo_api.get("/api/v1/actions/DAG28-05/").json()
    assert row["is_overdue"] is True
    assert pmo_api.get("/api/v1/actions/DAG28-01/").json()["is_overdue"] is False


def _cursor(ordering: str, value: str) -> str:
    """A hand-made cursor (the list's own encoding: base64 of its JSON) after ``value``."""
    payload = json.dumps({"o": ordering, "v": [value, 1]}).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def test_bad_filter_values_are_400_with_field_errors(seeded, pmo_api):
    for query, field in [
        ("due_before=11/13/2023", "due_before"),
        ("meeting=not-a-ref", "meeting"),
        ("status=finished", "status"),
        ("owner_person=abc", "owner_person"),
        ("owner_person=99999999999999999999999", "owner_person"),
        ("ordering=colour", "ordering"),
        ("page_size=0", "page_size"),
        ("cursor=%%%", "cursor"),
        # Times whose UTC falls outside years 1-9999: a 500 (OverflowError) on SQLite.
        (
            f"ordering=updated_at&cursor={_cursor('updated_at', '9999-12-31T23:59:59-01:00')}",
            "cursor",
        ),
        (
            f"ordering=updated_at&cursor={_cursor('updated_at', '0001-01-01T00:00:00+01:00')}",
            "cursor",
        ),
    ]:
        response = pmo_api.get(f"/api/v1/actions/?{query}")
        assert response.status_code == 400, (query, response.content)
        body = response.json()
        assert body["status"] == 400
        assert body["code"] == "invalid"
        assert field in body["errors"], (query, body)


def test_orderings(seeded, pmo_api):
    by_ref = all_refs(pmo_api, "/api/v1/actions/?ordering=ref&page_size=4")
    assert by_ref == ["DAG27-08", *DAG28]
    assert all_refs(pmo_api, "/api/v1/actions/?ordering=-ref&page_size=4") == by_ref[::-1]
    by_due = all_refs(pmo_api, "/api/v1/actions/?ordering=due_date&page_size=3")
    assert by_due[:3] == ["DAG27-08", "DAG28-04", "DAG28-05"]
    assert all_refs(pmo_api, "/api/v1/actions/?ordering=-due_date&page_size=3") == by_due[::-1]


def test_pages_are_stable_when_rows_are_added_between_pages(seeded, pmo_api):
    first = pmo_api.get("/api/v1/actions/?page_size=5&ordering=ref").json()
    assert [r["ref"] for r in first["results"]] == ["DAG27-08", *DAG28[:4]]
    # A new action that sorts before the cursor must not shift the next page.
    ActionFactory(meeting=Meeting.objects.get(ref="DAG027"), seq=1)
    second = pmo_api.get(first["next"]).json()
    assert [r["ref"] for r in second["results"]] == DAG28[4:9]
    back = pmo_api.get(second["previous"]).json()
    assert [r["ref"] for r in back["results"]] == ["DAG27-08", *DAG28[:4]]


def test_page_size_over_500_is_refused_naming_the_maximum(seeded, pmo_api):
    # Not clamped: a client asking for 100,000 rows and given 500 would take them for all.
    response = pmo_api.get("/api/v1/actions/?page_size=100000")
    assert response.status_code == 400
    assert response.json()["errors"]["page_size"] == ["A whole number from 1 to 500."]
    assert len(pmo_api.get("/api/v1/actions/?page_size=500").json()["results"]) == 16


def test_list_costs_the_same_queries_at_10_and_200_rows(committee, pmo_api):
    from tests.meetings.factories import PersonFactory

    meetings = [meeting_new(committee) for _ in range(3)]
    people = [PersonFactory() for _ in range(4)]
    for index in range(205):
        ActionFactory(meeting=meetings[index % 3], owner=people[index % 4])
    for ordering in ("id", "ref", "-due_date"):
        counts = {}
        for size in (10, 200):
            with CaptureQueriesContext(connection) as ctx:
                response = pmo_api.get(f"/api/v1/actions/?page_size={size}&ordering={ordering}")
            assert len(response.json()["results"]) == size
            counts[size] = len(ctx.captured_queries)
        assert counts[10] == counts[200], ordering
        assert counts[10] == 3  # the token with its user's roles, the page, its owners


@pytest.mark.parametrize(
    ("created_at", "text"),
    [
        (dt.datetime(2023, 7, 1, 9, 30, tzinfo=dt.UTC), "2023-07-01T10:30:00+01:00"),
        (dt.datetime(2023, 12, 1, 9, 30, 0, 123456, tzinfo=dt.UTC), "2023-12-01T09:30:00.123456Z"),
        # Summer time began at 01:00 UTC on 26 March 2023.
        (dt.datetime(2023, 3, 26, 0, 59, 59, 999999, tzinfo=dt.UTC), "2023-03-26T00:59:59.999999Z"),
        (dt.datetime(2023, 3, 26, 1, 0, tzinfo=dt.UTC), "2023-03-26T02:00:00+01:00"),
    ],
)
def test_timestamps_read_as_london_iso_8601(seeded, pmo_api, created_at, text):
    # The list formats timestamps in the database on PostgreSQL
    # (core.api.timestamps.DateTimeText) and in Python on SQLite: both must write what DRF's
    # DateTimeField writes.
    Action.objects.filter(ref="DAG28-01").update(created_at=created_at)
    row = pmo_api.get("/api/v1/actions/?page_size=1").json()["results"][0]
    assert row["ref"] == "DAG28-01"
    assert row["created_at"] == text
    assert pmo_api.get("/api/v1/actions/DAG28-01/").json()["created_at"] == text


@pytest.mark.parametrize("ordering", ["id", "ref", "-ref", "due_date", "-due_date", "updated_at"])
def test_pages_read_the_same_once_the_database_keeps_their_plans(seeded, pmo_api, ordering):
    # On PostgreSQL the page and owner queries are prepared statements from their second
    # run on a connection (core.api.db.prepared_statements): a cursor's dates and texts and
    # the owners' id array are then bound by the server, and must find the same rows.
    path = f"/api/v1/actions/?ordering={ordering}&page_size=3"
    first = all_refs(pmo_api, path)
    assert sorted(first) == sorted(["DAG27-08", *DAG28])
    assert all_refs(pmo_api, path) == first
    assert all_refs(pmo_api, path) == first
    owners = pmo_api.get("/api/v1/actions/?page_size=3").json()["results"][0]["owners"]
    assert [owner["display"] for owner in owners] == ["Programme (Rob Short)"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
            prepared = [row[0] for row in cursor.fetchall()]
        assert any("actions_actionowner" in sql for sql in prepared)
        assert any('FROM "actions_action"' in sql for sql in prepared)


# --- one action ------------------------------------------------------------------------------


def test_retrieve_by_ref_any_case(seeded, pmo_api):
    response = pmo_api.get("/api/v1/actions/dag28-14/")
    assert response.status_code == 200
    data = response.json()
    assert data["ref"] == "DAG28-14"
    assert data["owner_display"] == "Chair"
    assert data["owners"][0]["role"] == "Chair"
    assert data["owners"][0]["organisation"] is None
    assert response["ETag"].startswith('"')
    discussed = [
        d["meeting"]["ref"] for d in pmo_api.get("/api/v1/actions/DAG28-02/").json()["discussed_in"]
    ]
    assert discussed
    assert set(discussed) == {"DAG028"}


def test_retrieve_unknown_or_malformed_ref_is_404(seeded, pmo_api):
    for ref in ("DAG28-99", "nonsense", "DAG-DEC68"):
        response = pmo_api.get(f"/api/v1/actions/{ref}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_if_none_match_gives_304(seeded, pmo_api):
    etag = pmo_api.get("/api/v1/actions/DAG28-01/")["ETag"]
    response = pmo_api.get("/api/v1/actions/DAG28-01/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag


# --- writes ----------------------------------------------------------------------------------


def test_create_assigns_the_meetings_next_ref(seeded, pmo_api):
    response = pmo_api.post(
        "/api/v1/actions/",
        {
            "meeting": "DAG028",
            "description": "Programme to circulate the CR023 workshop dates",
            "owners": ["Programme (Berlinda Kugara)", "Chair"],
            "due_date": "2023-10-11",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["ref"] == "DAG28-16"
    assert data["owner_display"] == "Programme (Berlinda Kugara); Chair"
    assert data["owners"][0]["is_lead"] is True
    assert data["owners"][1]["is_lead"] is False
    assert response["ETag"]
    assert Action.objects.get(ref="DAG28-16").due_date == dt.date(2023, 10, 11)


def test_create_refuses_a_client_supplied_ref(seeded, pmo_api):
    response = pmo_api.post(
        "/api/v1/actions/",
        {"ref": "DAG28-99", "meeting": "DAG028", "description": "x", "owners": ["Chair"]},
        format="json",
    )
    assert response.status_code == 400
    assert "server assigns" in response.json()["errors"]["ref"][0]
    assert not Action.objects.filter(ref="DAG28-99").exists()


def test_create_reports_field_errors(seeded, pmo_api):
    response = pmo_api.post(
        "/api/v1/actions/",
        {"meeting": "DAG099", "description": "", "owners": [], "due_date": "soon", "colour": 1},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"colour"}  # unknown fields are refused before anything else
    response = pmo_api.post(
        "/api/v1/actions/",
        {"meeting": "DAG099", "description": "", "owners": [], "due_date": "soon"},
        format="json",
    )
    assert set(response.json()["errors"]) == {"meeting", "description", "owners", "due_date"}


def test_create_with_an_area_of_another_meeting_is_a_field_error(seeded, pmo_api):
    from meetings.services import agenda_item_create

    other = meeting_new(Meeting.objects.get(ref="DAG028").committee)
    area = agenda_item_create(meeting=other, title="AOB", acting_user=SYSTEM)
    response = pmo_api.post(
        "/api/v1/actions/",
        {"meeting": "DAG028", "description": "x", "owners": ["Chair"], "agenda_item": area.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "agenda_item" in response.json()["errors"]


def test_patch_changes_only_the_fields_sent(seeded, pmo_api):
    response = pmo_api.patch("/api/v1/actions/DAG28-04/", {"due_date": "2023-10-11"}, format="json")
    assert response.status_code == 200, response.content
    action = Action.objects.get(ref="DAG28-04")
    assert action.due_date == dt.date(2023, 10, 11)
    assert action.owner_display() == "Programme (Berlinda Kugara)"
    assert action.description.startswith("Programme to raise Design Issue Notifications")


def test_patch_with_a_stale_etag_is_412_and_changes_nothing(seeded, pmo_api):
    etag = pmo_api.get("/api/v1/actions/DAG28-01/")["ETag"]
    first = pmo_api.patch(
        "/api/v1/actions/DAG28-01/",
        {"description": "Editor A's words"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert first.status_code == 200
    assert first["ETag"] != etag
    second = pmo_api.patch(
        "/api/v1/actions/DAG28-01/",
        {"description": "Editor B's words"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert second.status_code == 412
    assert second.json()["code"] == "precondition_failed"
    assert second["ETag"] == first["ETag"]
    assert Action.objects.get(ref="DAG28-01").description == "Editor A's words"


def test_put_is_not_offered(seeded, pmo_api):
    response = pmo_api.put("/api/v1/actions/DAG28-01/", {}, format="json")
    assert response.status_code == 405


def test_delete_is_not_allowed_refs_are_never_reused(seeded, pmo_api):
    assert pmo_api.delete("/api/v1/actions/DAG28-01/").status_code == 405
    assert Action.objects.filter(ref="DAG28-01").exists()


def test_close_and_reopen(seeded, pmo_api):
    response = pmo_api.post(
        "/api/v1/actions/DAG28-04/close/",
        {"closed_date": "2023-09-15", "note": "DINs raised"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert response.json()["closed_date"] == "2023-09-15"
    again = pmo_api.post("/api/v1/actions/DAG28-04/close/", {}, format="json")
    assert again.status_code == 400
    assert "already closed" in again.json()["detail"]
    reopened = pmo_api.post("/api/v1/actions/DAG28-04/reopen/")
    assert reopened.json()["status"] == "open"
    twice = pmo_api.post("/api/v1/actions/DAG28-04/reopen/")
    assert twice.status_code == 400
    assert twice.json()["errors"] == {"status": ["DAG28-04 is open, not closed."]}


def test_due_meeting_is_a_later_meeting_of_the_actions_committee(seeded, pmo_api):
    # DAG28-01 was raised at DAG028: due by DAG029 (11/10/2023 in the seed) follows its
    # date; due by DAG028 itself, or DAG027 before it, is refused with nothing changed.
    ok = pmo_api.patch("/api/v1/actions/DAG28-01/", {"due_meeting": "DAG029"}, format="json")
    assert ok.status_code == 200, ok.json()
    assert ok.json()["due_date"] == "2023-10-11"
    for ref in ("DAG028", "DAG027"):
        bad = pmo_api.patch("/api/v1/actions/DAG28-01/", {"due_meeting": ref}, format="json")
        assert bad.status_code == 400, ref
        assert "not a later meeting of DAG than DAG028" in bad.json()["errors"]["due_meeting"][0]
    assert Action.objects.get(ref="DAG28-01").due_meeting.ref == "DAG029"


# --- progress updates and reviews ------------------------------------------------------------


@pytest.fixture
def rob_api(seeded, api_client_for):
    """A member logged in as Rob Short, who owns DAG28-01 in the seed."""
    user = UserFactory(role="Member")
    link_login(Person.objects.get(name="Rob Short"), user)
    return api_client_for(user)


def test_owner_posts_progress_and_proposes_closure(rob_api, pmo_api):
    response = rob_api.post(
        "/api/v1/actions/DAG28-01/updates/",
        {"text": "Explainer presented at DRG.", "proposes_closure": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["author_name"] == "Rob Short"
    assert Action.objects.get(ref="DAG28-01").status == Action.Status.PROPOSED_CLOSURE
    updates = pmo_api.get("/api/v1/actions/DAG28-01/updates/").json()["results"]
    assert [u["text"] for u in updates] == ["Explainer presented at DRG."]
    declined = pmo_api.post(
        "/api/v1/actions/DAG28-01/decline-closure/", {"note": "Not yet"}, format="json"
    )
    assert declined.json()["status"] == "open"


def test_member_cannot_update_an_action_they_do_not_own(rob_api):
    # DAG28-02 is the Large Supplier Representative's (Haz Elmamoun), not Rob Short's.
    response = rob_api.post("/api/v1/actions/DAG28-02/updates/", {"text": "Done"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_review_at_a_later_meeting_re_dates(seeded, pmo_api):
    response = pmo_api.post(
        "/api/v1/actions/DAG28-03/reviews/",
        {"meeting": "DAG029", "outcome": "re_dated", "new_due_date": "2023-11-08"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["meeting"]["ref"] == "DAG029"
    assert Action.objects.get(ref="DAG28-03").due_date == dt.date(2023, 11, 8)
    reviews = pmo_api.get("/api/v1/actions/DAG28-03/reviews/").json()["results"]
    assert [r["outcome"] for r in reviews] == ["re_dated"]
    missing = pmo_api.post(
        "/api/v1/actions/DAG28-03/reviews/",
        {"meeting": "DAG029", "outcome": "re_dated"},
        format="json",
    )
    assert missing.status_code == 400
    assert "new_due_date" in missing.json()["errors"]


# --- permissions -----------------------------------------------------------------------------


def test_anonymous_gets_401(seeded, anon_api):
    for path in ("/api/v1/actions/", "/api/v1/actions/DAG28-01/"):
        response = anon_api.get(path)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert response.json()["code"] == "not_authenticated"
    assert anon_api.post("/api/v1/actions/", {}, format="json").status_code == 401


def test_observer_reads_but_cannot_write(seeded, observer_api):
    assert observer_api.get("/api/v1/actions/DAG28-01/").status_code == 200
    response = observer_api.post(
        "/api/v1/actions/",
        {"meeting": "DAG028", "description": "x", "owners": ["Chair"]},
        format="json",
    )
    assert response.status_code == 403
    assert (
        observer_api.patch(
            "/api/v1/actions/DAG28-01/", {"description": "x"}, format="json"
        ).status_code
        == 403
    )
    assert observer_api.post("/api/v1/actions/DAG28-01/close/").status_code == 403


def test_member_cannot_record_or_close(seeded, member_api):
    assert member_api.post("/api/v1/actions/DAG28-01/close/").status_code == 403
    assert (
        member_api.patch(
            "/api/v1/actions/DAG28-01/", {"description": "x"}, format="json"
        ).status_code
        == 403
    )
    assert Action.objects.get(ref="DAG28-01").status == Action.Status.OPEN


def test_observer_sees_only_actions_of_public_meetings(seeded, observer_api, pmo_api):
    Meeting.objects.filter(ref="DAG027").update(classification=Meeting.Classification.RESTRICTED)
    assert all_refs(observer_api, "/api/v1/actions/") == DAG28
    assert observer_api.get("/api/v1/actions/DAG27-08/").status_code == 404
    assert pmo_api.get("/api/v1/actions/DAG27-08/").status_code == 200


def test_session_authentication_works_for_the_browser(seeded, client, pmo_user):
    client.force_login(pmo_user)
    response = client.get("/api/v1/actions/DAG28-01/")
    assert response.status_code == 200
    assert response.json()["ref"] == "DAG28-01"
