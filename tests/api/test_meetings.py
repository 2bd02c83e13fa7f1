"""Committees, meetings, agenda items, discussion items, organisations, people and headline
reports through the API, against the seed (DAG028: 13 September 2023, Virtual – MS Teams,
Public; its 12 areas; 31 key discussion paragraphs)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.actors import SYSTEM
from meetings.models import DiscussionItem, HeadlineReport, Meeting

pytestmark = pytest.mark.django_db


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- committees ------------------------------------------------------------------------------


def test_committees_list_retrieve_create(seeded, pmo_api, member_api):
    assert [c["code"] for c in results(pmo_api.get("/api/v1/committees/"))] == ["DAG"]
    dag = pmo_api.get("/api/v1/committees/dag/").json()
    assert dag["name"] == "Design Advisory Group"
    assert dag["actions_url"] == "http://testserver/api/v1/actions/?committee=DAG"
    created = pmo_api.post(
        "/api/v1/committees/",
        {"code": "DRG", "name": "Design Resolution Group", "programme_name": "MHHS"},
        format="json",
    )
    assert created.status_code == 201, created.content
    taken = pmo_api.post("/api/v1/committees/", {"code": "DAG", "name": "x"}, format="json")
    assert taken.status_code == 400
    assert "code" in taken.json()["errors"]
    lower = pmo_api.post("/api/v1/committees/", {"code": "psg", "name": "x"}, format="json")
    assert lower.status_code == 400
    refused = member_api.post("/api/v1/committees/", {"code": "PSG", "name": "x"}, format="json")
    assert refused.status_code == 403


# --- meetings --------------------------------------------------------------------------------


def test_meeting_by_ref_holds_the_seed_header(seeded, pmo_api):
    response = pmo_api.get("/api/v1/meetings/DAG028/")
    assert response.status_code == 200
    data = response.json()
    assert data["venue"] == "Virtual – MS Teams"
    assert data["classification"] == "public"
    assert data["start_at"] == "2023-09-13T10:00:00+01:00"
    assert data["end_at"] == "2023-09-13T13:00:00+01:00"
    assert data["report_issue_date"] == "2023-09-20"
    titles = [a["title"] for a in data["agenda_items"]]
    assert titles[:3] == ["Minutes and Actions", "CR023 Decision", "CR027 Decision"]
    assert data["agenda_items"][1]["change_request"]["ref"] == "CR023"
    assert pmo_api.get("/api/v1/meetings/dag 28/").json()["ref"] == "DAG028"
    assert pmo_api.get("/api/v1/meetings/DAG099/").status_code == 404


def test_meeting_list_filters(seeded, pmo_api):
    refs = [m["ref"] for m in results(pmo_api.get("/api/v1/meetings/"))]
    assert refs == ["DAG027", "DAG028", "DAG029"]
    planned = results(pmo_api.get("/api/v1/meetings/?status=planned"))
    assert [m["ref"] for m in planned] == ["DAG029"]
    sept = results(pmo_api.get("/api/v1/meetings/?start_after=2023-09-13&start_before=2023-09-13"))
    assert [m["ref"] for m in sept] == ["DAG028"]


def test_meeting_list_queries_do_not_grow_with_the_page(seeded, pmo_api):
    from meetings.services import meeting_create

    committee = Meeting.objects.get(ref="DAG028").committee
    for day in range(12):
        meeting_create(
            committee=committee,
            start_at=dt.datetime(2024, 1, 1 + day, 10, tzinfo=dt.UTC),
            acting_user=SYSTEM,
        )
    counts = []
    for size in (2, 12):
        with CaptureQueriesContext(connection) as ctx:
            assert len(results(pmo_api.get(f"/api/v1/meetings/?page_size={size}"))) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_create_meeting_takes_the_next_number(seeded, pmo_api):
    response = pmo_api.post(
        "/api/v1/meetings/",
        {
            "committee": "DAG",
            "start_at": "2023-11-08T10:00:00Z",
            "end_at": "2023-11-08T13:00:00Z",
            "venue": "Virtual – MS Teams",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["ref"] == "DAG030"  # DAG029 is the seed's next meeting
    refused = pmo_api.post(
        "/api/v1/meetings/",
        {"committee": "DAG", "start_at": "2023-11-08T10:00:00Z", "ref": "DAG031"},
        format="json",
    )
    assert refused.status_code == 400
    assert "ref" in refused.json()["errors"]
    backwards = pmo_api.post(
        "/api/v1/meetings/",
        {"committee": "DAG", "start_at": "2023-11-08T10:00:00Z", "end_at": "2023-11-08T09:00Z"},
        format="json",
    )
    assert backwards.status_code == 400


def test_patch_meeting_with_if_match(seeded, pmo_api, observer_api):
    etag = pmo_api.get("/api/v1/meetings/DAG029/")["ETag"]
    response = pmo_api.patch(
        "/api/v1/meetings/DAG029/",
        {"venue": "Elexon, 4th floor"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200
    assert response.json()["venue"] == "Elexon, 4th floor"
    stale = pmo_api.patch(
        "/api/v1/meetings/DAG029/", {"venue": "Teams"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412
    assert Meeting.objects.get(ref="DAG029").venue == "Elexon, 4th floor"
    assert (
        observer_api.patch("/api/v1/meetings/DAG029/", {"venue": "x"}, format="json").status_code
        == 403
    )


def test_observer_sees_public_meetings_only(seeded, observer_api):
    Meeting.objects.filter(ref="DAG029").update(classification=Meeting.Classification.RESTRICTED)
    refs = [m["ref"] for m in results(observer_api.get("/api/v1/meetings/"))]
    assert refs == ["DAG027", "DAG028"]
    assert observer_api.get("/api/v1/meetings/DAG029/").status_code == 404


def test_a_group_that_is_not_a_role_grants_nothing(seeded, api_client_for):
    # A user in a "Staff" group made in the admin, and no role group: as the browser does,
    # the API shows them Public meetings only (the token path counted "Staff" as a role).
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    staffer = get_user_model().objects.create_user("staffer", password="staffer-pass-1")
    staffer.groups.add(Group.objects.create(name="Staff"))
    Meeting.objects.filter(ref="DAG029").update(classification=Meeting.Classification.RESTRICTED)
    staff_api = api_client_for(staffer)
    refs = [m["ref"] for m in results(staff_api.get("/api/v1/meetings/"))]
    assert refs == ["DAG027", "DAG028"]
    assert staff_api.get("/api/v1/meetings/DAG029/").status_code == 404


# --- agenda and discussion -------------------------------------------------------------------


def test_agenda_items(seeded, pmo_api):
    items = results(pmo_api.get("/api/v1/agenda-items/?meeting=DAG028&page_size=100"))
    assert len(items) == 12
    assert items[0]["title"] == "Minutes and Actions"
    by_cr = results(pmo_api.get("/api/v1/agenda-items/?change_request=CR030"))
    assert [i["title"] for i in by_cr] == ["CR030 Decision"]
    created = pmo_api.post(
        "/api/v1/agenda-items/", {"meeting": "DAG029", "title": "AOB"}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["meeting"]["ref"] == "DAG029"


def test_discussion_items_resolve_refs_to_links(seeded, pmo_api):
    items = results(pmo_api.get("/api/v1/discussion-items/?meeting=DAG028&page_size=200"))
    assert len(items) == 31
    naming = results(pmo_api.get("/api/v1/discussion-items/?refers_to=DAG28-02"))
    assert naming
    refs = {r["ref"]: r for r in naming[0]["references"]}
    assert refs["DAG28-02"]["url"] == "http://testserver/api/v1/actions/DAG28-02/"
    assert refs["DAG28-02"]["kind"] == "action"


def test_discussion_item_create_patch_delete(seeded, pmo_api, observer_api):
    created = pmo_api.post(
        "/api/v1/discussion-items/",
        {"meeting": "DAG029", "text": "Update on <b>ACTION DAG28-01</b><script>x</script>"},
        format="json",
    )
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["text"] == "Update on <b>ACTION DAG28-01</b>"
    assert [r["ref"] for r in item["references"]] == ["DAG28-01"]
    patched = pmo_api.patch(
        item["url"], {"text": "Now about DECISION DAG-DEC68"}, format="json"
    ).json()
    assert [r["ref"] for r in patched["references"]] == ["DAG-DEC68"]
    assert observer_api.delete(item["url"]).status_code == 403
    deleted = pmo_api.delete(item["url"])
    assert deleted.status_code == 204
    assert not DiscussionItem.objects.filter(pk=item["id"]).exists()
    assert pmo_api.get(item["url"]).status_code == 404


# --- organisations and people ----------------------------------------------------------------


def test_people_and_organisations(seeded, pmo_api, observer_api):
    people = results(pmo_api.get("/api/v1/people/?q=short"))
    assert [p["name"] for p in people] == ["Rob Short"]
    assert people[0]["organisation"]["name"] == "Programme"
    teams = [p["name"] for p in results(pmo_api.get("/api/v1/people/?is_team=true"))]
    assert "Testing Team" in teams
    assert "Rob Short" not in teams
    organisations = [o["name"] for o in results(pmo_api.get("/api/v1/organisations/"))]
    assert "Programme" in organisations
    # Observers do not see people's emails.
    assert results(observer_api.get("/api/v1/people/?q=short"))[0]["email"] is None


# --- headline reports ------------------------------------------------------------------------


def test_issue_a_headline_report_answers_202_with_a_status_url(
    seeded, pmo_api, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        response = pmo_api.post("/api/v1/meetings/DAG028/headline-reports/")
    assert response.status_code == 202, response.content
    status_url = response["Location"]
    assert status_url == response.json()["url"]
    assert response.json()["version"] == 1
    status = pmo_api.get(status_url).json()
    assert status["status"] == HeadlineReport.Status.ISSUED, status
    assert len(status["checksum"]) == 64
    pdf = pmo_api.get(status["pdf_url"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    body = b"".join(pdf.streaming_content)
    assert body.startswith(b"%PDF")
    versions = results(pmo_api.get("/api/v1/meetings/DAG028/headline-reports/"))
    assert [v["version"] for v in versions] == [1]


def test_only_the_pmo_issues_a_report(seeded, member_api, observer_api, anon_api):
    assert member_api.post("/api/v1/meetings/DAG028/headline-reports/").status_code == 403
    assert observer_api.post("/api/v1/meetings/DAG028/headline-reports/").status_code == 403
    assert anon_api.post("/api/v1/meetings/DAG028/headline-reports/").status_code == 401
    assert not HeadlineReport.objects.exists()


def test_a_planned_meetings_report_is_a_400_saying_why(seeded, pmo_api):
    # The seed's "Date of next DAG" recorded DAG029 as planned.
    response = pmo_api.post("/api/v1/meetings/DAG029/headline-reports/")
    assert response.status_code == 400, response.content
    assert "DAG029 is planned: mark it held before issuing its report." in str(response.json())
    assert not HeadlineReport.objects.exists()


def test_missing_report_version_and_pdf_are_404(seeded, pmo_api):
    assert pmo_api.get("/api/v1/meetings/DAG028/headline-reports/3/").status_code == 404
    response = pmo_api.get(
        "/api/v1/meetings/DAG028/headline-reports/3/pdf/", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_far_off_meeting_times_are_refused(seeded, pmo_api):
    # Found by schemathesis: London's offset before 1847 (-00:01:15) is not RFC 3339.
    response = pmo_api.patch(
        "/api/v1/meetings/DAG029/", {"start_at": "0052-10-04T09:52:50-21:06"}, format="json"
    )
    assert response.status_code == 400
    assert "start_at" in response.json()["errors"]
