"""The people directory, committees and memberships through the API, against the seed
(the DAG028 report imported: Rob Short of the Programme, Haz Elmamoun, the Testing Team)."""

from __future__ import annotations

import pytest

from meetings.models import Membership, Organisation, Person

pytestmark = pytest.mark.django_db


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_pmo_creates_and_updates_a_person(seeded, pmo_api, member_api):
    programme = Organisation.objects.get(name="Programme")
    created = pmo_api.post(
        "/api/v1/people/",
        {"name": "Ann Other", "email": "ann@example.org", "organisation": programme.pk},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["organisation"]["name"] == "Programme"
    assert body["has_email"] is True
    assert body["has_login"] is False
    assert body["is_active"]
    url = f"/api/v1/people/{body['id']}/"
    etag = pmo_api.get(url)["ETag"]
    changed = pmo_api.patch(
        url, {"email": "ann.other@example.org"}, format="json", HTTP_IF_MATCH=etag
    )
    assert changed.status_code == 200
    assert Person.objects.get(pk=body["id"]).email == "ann.other@example.org"
    stale = pmo_api.patch(url, {"email": "x@example.org"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    off = pmo_api.patch(url, {"is_active": False}, format="json")
    assert off.json()["is_active"] is False

    refused = member_api.post("/api/v1/people/", {"name": "Mallory"}, format="json")
    assert refused.status_code == 403
    assert member_api.patch(url, {"name": "x"}, format="json").status_code == 403
    assert not Person.objects.filter(name="Mallory").exists()


def test_person_input_is_checked(seeded, pmo_api):
    programme = Organisation.objects.get(name="Programme")
    taken = pmo_api.post(
        "/api/v1/people/", {"name": "Rob Short", "organisation": programme.pk}, format="json"
    )
    assert taken.status_code == 400
    bad = pmo_api.post("/api/v1/people/", {"name": "X", "email": "nope"}, format="json")
    assert "email" in bad.json()["errors"]
    unknown = pmo_api.post("/api/v1/people/", {"name": "X", "emial": "a@b.c"}, format="json")
    assert "emial" in unknown.json()["errors"]


def test_people_without_email_are_flagged_to_every_reader(seeded, observer_api):
    haz = results(observer_api.get("/api/v1/people/?q=elmamoun"))[0]
    assert haz["has_email"] is False
    assert haz["email"] is None


def test_pmo_creates_and_renames_an_organisation(seeded, pmo_api, member_api):
    created = pmo_api.post(
        "/api/v1/organisations/", {"name": "RECCo", "short_name": "RECCo"}, format="json"
    )
    assert created.status_code == 201, created.content
    url = created.json()["url"]
    renamed = pmo_api.patch(url, {"name": "Retail Energy Code Company"}, format="json")
    assert renamed.json()["name"] == "Retail Energy Code Company"
    assert (
        pmo_api.post("/api/v1/organisations/", {"name": "RECCo"}, format="json").status_code == 201
    )
    dup = pmo_api.post("/api/v1/organisations/", {"name": "Programme"}, format="json")
    assert dup.status_code == 400
    assert (
        member_api.post("/api/v1/organisations/", {"name": "Y"}, format="json").status_code == 403
    )


def test_committee_patch(seeded, pmo_api, member_api):
    changed = pmo_api.patch("/api/v1/committees/DAG/", {"due_soon_days": 5}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["due_soon_days"] == 5
    code = pmo_api.patch("/api/v1/committees/DAG/", {"code": "DAX"}, format="json")
    assert code.status_code == 400
    assert (
        member_api.patch("/api/v1/committees/DAG/", {"name": "x"}, format="json").status_code == 403
    )


def test_memberships_crud(seeded, pmo_api, member_api, observer_api):
    haz = Person.objects.get(name="Haz Elmamoun")
    url = "/api/v1/committees/DAG/memberships/"
    # The seats the role users of the fixtures hold (tests.meetings.factories legacy seats).
    seated = {m["person"]["name"] for m in results(member_api.get(url))}
    assert "Haz Elmamoun" not in seated
    created = pmo_api.post(
        url,
        {
            "person": haz.pk,
            "constituency": "Large Supplier Representative",
            "start_date": "2023-04-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    seat = created.json()
    assert seat["person"]["name"] == "Haz Elmamoun"
    assert seat["role"] == "member"
    assert seat["committee"]["code"] == "DAG"
    assert seat["url"].endswith(f"/api/v1/committees/DAG/memberships/{seat['id']}/")
    again = pmo_api.post(url, {"person": haz.pk}, format="json")
    assert again.status_code == 400

    listed = results(observer_api.get(url))
    assert {m["person"]["name"] for m in listed} == seated | {"Haz Elmamoun"}
    detail = seat["url"]
    ended = pmo_api.patch(detail, {"end_date": "2024-03-31"}, format="json")
    assert ended.json()["end_date"] == "2024-03-31"
    before_start = pmo_api.patch(detail, {"end_date": "2023-01-01"}, format="json")
    assert before_start.status_code == 400
    assert member_api.delete(detail).status_code == 403
    assert (
        member_api.post(url, {"person": haz.pk, "role": "chair"}, format="json").status_code == 403
    )
    assert pmo_api.delete(detail).status_code == 204
    assert not Membership.objects.filter(pk=seat["id"]).exists()
    assert pmo_api.get("/api/v1/committees/NOPE/memberships/").status_code == 404


def test_schema_documents_the_new_operations(seeded, pmo_api):
    schema = pmo_api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = schema.json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/people/"])
    assert "patch" in paths["/api/v1/people/{id}/"]
    assert "post" in paths["/api/v1/organisations/"]
    assert "patch" in paths["/api/v1/committees/{code}/"]
    assert {"get", "post"} <= set(paths["/api/v1/committees/{code}/memberships/"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/committees/{code}/memberships/{id}/"])
