"""The change requests API against the seed: CR023 (approved at DAG028) and its neighbours."""

from __future__ import annotations

import pytest

from changerequests.models import ChangeRequest, ImpactAssessmentResponse
from meetings.models import Organisation

pytestmark = pytest.mark.django_db

SEED_CRS = ["CR019", "CR023", "CR024", "CR025", "CR027", "CR028", "CR029", "CR030", "CR031"]


def refs_of(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["ref"] for row in response.json()["results"]]


def test_list_and_filters(seeded, pmo_api):
    assert refs_of(pmo_api.get("/api/v1/change-requests/")) == SEED_CRS
    assert refs_of(pmo_api.get("/api/v1/change-requests/?status=approved_with_conditions")) == [
        "CR027",
        "CR029",
    ]
    assert refs_of(pmo_api.get("/api/v1/change-requests/?q=E-Billing")) == ["CR027"]


def test_retrieve_by_ref(seeded, pmo_api):
    response = pmo_api.get("/api/v1/change-requests/cr23/")
    assert response.status_code == 200
    data = response.json()
    assert data["ref"] == "CR023"
    assert data["status"] == "approved"
    # By hand: implemented, or re-opened to await a new decision (both with a reason).
    assert data["allowed_transitions"] == ["awaiting_decision", "implemented"]
    assert data["is_decided"] is True
    assert pmo_api.get("/api/v1/change-requests/CR999/").status_code == 404
    assert pmo_api.get("/api/v1/change-requests/DAG028/").status_code == 404


def test_create_takes_the_next_number_and_refuses_a_given_one(seeded, pmo_api):
    refused = pmo_api.post("/api/v1/change-requests/", {"title": "x", "number": 40}, format="json")
    assert refused.status_code == 400
    assert "number" in refused.json()["errors"]
    response = pmo_api.post(
        "/api/v1/change-requests/", {"title": "Interface versioning"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["ref"] == "CR032"  # the seed's highest CR is CR031
    assert response.json()["status"] == "draft"


def test_patch_and_transition(seeded, pmo_api):
    ref = pmo_api.post("/api/v1/change-requests/", {"title": "x"}, format="json").json()["ref"]
    etag = pmo_api.get(f"/api/v1/change-requests/{ref}/")["ETag"]
    patched = pmo_api.patch(
        f"/api/v1/change-requests/{ref}/",
        {"ia_start_date": "2023-10-02", "ia_end_date": "2023-10-20"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert patched.status_code == 200
    stale = pmo_api.patch(
        f"/api/v1/change-requests/{ref}/", {"title": "y"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412
    bad_window = pmo_api.patch(
        f"/api/v1/change-requests/{ref}/", {"ia_end_date": "2023-09-01"}, format="json"
    )
    assert bad_window.status_code == 400
    moved = pmo_api.post(
        f"/api/v1/change-requests/{ref}/transition/",
        {"status": "impact_assessment"},
        format="json",
    )
    assert moved.json()["status"] == "impact_assessment"
    refused = pmo_api.post(
        f"/api/v1/change-requests/{ref}/transition/", {"status": "implemented"}, format="json"
    )
    assert refused.status_code == 400


def test_ia_responses_and_tally(seeded, pmo_api):
    org = Organisation.objects.create(name="DCUSA")
    response = pmo_api.post(
        "/api/v1/change-requests/CR027/ia-responses/",
        {
            "organisation": org.pk,
            "position": "support_with_conditions",
            "conditions": "Minor comments resolved before IR5",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["organisation"]["name"] == "DCUSA"
    missing = pmo_api.post(
        "/api/v1/change-requests/CR027/ia-responses/",
        {"organisation": org.pk, "position": "support_with_conditions"},
        format="json",
    )
    assert missing.status_code == 400
    listed = pmo_api.get("/api/v1/change-requests/CR027/ia-responses/").json()["results"]
    assert [r["position"] for r in listed] == ["support_with_conditions"]
    tally = pmo_api.get("/api/v1/change-requests/CR027/").json()["ia_tally"]
    assert tally == {"support": 0, "support_with_conditions": 1, "neutral": 0, "oppose": 0}
    assert ImpactAssessmentResponse.objects.count() == 1


def test_role_refusals(seeded, member_api, observer_api, anon_api):
    for client in (member_api, observer_api):
        assert client.get("/api/v1/change-requests/CR023/").status_code == 200
        response = client.post("/api/v1/change-requests/", {"title": "x"}, format="json")
        assert response.status_code == 403
        assert (
            client.post(
                "/api/v1/change-requests/CR023/transition/",
                {"status": "implemented"},
                format="json",
            ).status_code
            == 403
        )
    assert anon_api.get("/api/v1/change-requests/").status_code == 401
    assert ChangeRequest.objects.count() == len(SEED_CRS)


def test_releases(seeded, pmo_api):
    from changerequests.models import Release

    Release.objects.create(code="IR5", name="Interim Release 5")
    assert [r["code"] for r in pmo_api.get("/api/v1/releases/").json()["results"]] == ["IR5"]
    assert pmo_api.get("/api/v1/releases/ir5/").json()["name"] == "Interim Release 5"
    assert pmo_api.post("/api/v1/releases/", {}, format="json").status_code == 405


# --- a decided CR (issue #12) -------------------------------------------------------------------

REASON = "DCUSA raised a new impact after the approval at DAG028."


def test_an_approved_crs_title_is_409_and_its_release_still_changes(seeded, pmo_api):
    from changerequests.models import Release

    Release.objects.create(code="IR5")
    for change in ({"title": "Renamed"}, {"description": "Reworded"}):
        response = pmo_api.patch("/api/v1/change-requests/CR023/", change, format="json")
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "locked"
        assert response.json()["detail"].startswith("CR023 is approved: its ")
    # One field stays, two stay (the message is built from the fields refused).
    one = pmo_api.patch("/api/v1/change-requests/CR023/", {"title": "Renamed"}, format="json")
    assert one.json()["detail"] == (
        "CR023 is approved: its title stays as decided. Re-open it (back to awaiting "
        "decision, with a reason) to change it."
    )
    both = pmo_api.patch(
        "/api/v1/change-requests/CR023/",
        {"title": "Renamed", "description": "Reworded"},
        format="json",
    )
    assert both.json()["detail"] == (
        "CR023 is approved: its description and title stay as decided. Re-open it (back to "
        "awaiting decision, with a reason) to change them."
    )
    ok = pmo_api.patch("/api/v1/change-requests/CR023/", {"target_release": "IR5"}, format="json")
    assert ok.status_code == 200
    cr023 = ChangeRequest.objects.get(number=23)
    assert (cr023.title, cr023.target_release.code) == (
        "Standardisation of Interfaces within the Smart and Advanced Data Services Roles",
        "IR5",
    )


def test_approval_by_hand_is_refused(seeded, pmo_api):
    ref = pmo_api.post("/api/v1/change-requests/", {"title": "x"}, format="json").json()["ref"]
    pmo_api.post(
        f"/api/v1/change-requests/{ref}/transition/",
        {"status": "awaiting_decision"},
        format="json",
    )
    for status in ("approved", "approved_with_conditions", "rejected"):
        response = pmo_api.post(
            f"/api/v1/change-requests/{ref}/transition/",
            {"status": status, "reason": "Agreed offline"},
            format="json",
        )
        assert response.status_code == 400
        assert "the chair's decision on it does that" in response.json()["detail"]
    assert ChangeRequest.objects.get(ref=ref).status == "awaiting_decision"


def test_reopening_an_approved_cr_needs_a_reason_on_record(seeded, pmo_api):
    missing = pmo_api.post(
        "/api/v1/change-requests/CR023/transition/",
        {"status": "awaiting_decision"},
        format="json",
    )
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"reason": ["CR023 is approved: give the reason."]}
    moved = pmo_api.post(
        "/api/v1/change-requests/CR023/transition/",
        {"status": "awaiting_decision", "reason": REASON},
        format="json",
    )
    assert moved.status_code == 200
    assert (moved.json()["status"], moved.json()["is_decided"]) == ("awaiting_decision", False)
    change = ChangeRequest.objects.get(number=23).status_changes.order_by("id").last()
    assert (change.from_status, change.to_status, change.reason, change.decision_ref) == (
        "approved",
        "awaiting_decision",
        REASON,
        "",
    )
