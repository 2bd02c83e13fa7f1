"""The decisions API against the seed: DAG-DEC67 to DAG-DEC74, all decided at DAG028.

DAG-DEC68 approved CR023; DAG-DEC69 approved CR027 with conditions (the seed's text).
"""

from __future__ import annotations

import pytest

from changerequests.models import ChangeRequest
from decisions.models import Decision
from meetings.models import Person

pytestmark = pytest.mark.django_db

SEED_DECISIONS = [f"DAG-DEC{n}" for n in range(67, 75)]


def refs_of(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["ref"] for row in response.json()["results"]]


@pytest.fixture
def proposed(seeded, pmo_api) -> str:
    """A decision on CR024 proposed through the API: the committee's next ref."""
    response = pmo_api.post(
        "/api/v1/decisions/",
        {"meeting": "DAG028", "text": "The SRO approved CR024", "change_request": "CR024"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["ref"]


def test_list_and_filters(seeded, pmo_api):
    assert refs_of(pmo_api.get("/api/v1/decisions/")) == SEED_DECISIONS
    assert refs_of(pmo_api.get("/api/v1/decisions/?status=approved_with_conditions")) == [
        "DAG-DEC69",
        "DAG-DEC71",
    ]
    assert refs_of(pmo_api.get("/api/v1/decisions/?change_request=cr23")) == ["DAG-DEC68"]
    assert refs_of(pmo_api.get("/api/v1/decisions/?q=DES196")) == ["DAG-DEC74"]
    assert refs_of(pmo_api.get("/api/v1/decisions/?meeting=DAG027")) == []
    assert refs_of(pmo_api.get("/api/v1/decisions/?committee=DAG&ordering=-ref&page_size=2")) == [
        "DAG-DEC74",
        "DAG-DEC73",
    ]


def test_retrieve_by_ref(seeded, pmo_api):
    response = pmo_api.get("/api/v1/decisions/dag-dec69/")
    assert response.status_code == 200
    data = response.json()
    assert data["ref"] == "DAG-DEC69"
    assert data["status"] == "approved_with_conditions"
    assert data["change_request"]["ref"] == "CR027"
    assert data["meeting"]["ref"] == "DAG028"
    assert response["ETag"]
    assert pmo_api.get("/api/v1/decisions/DAG-DEC99/").status_code == 404


def test_create_assigns_the_committees_next_ref_and_starts_proposed(proposed, pmo_api):
    assert proposed == "DAG-DEC75"
    data = pmo_api.get(f"/api/v1/decisions/{proposed}/").json()
    assert data["status"] == "proposed"
    assert set(data["allowed_transitions"]) == {
        "approved",
        "approved_with_conditions",
        "rejected",
        "deferred",
        "withdrawn",
    }


def test_create_refuses_a_ref_and_a_status(seeded, pmo_api):
    response = pmo_api.post(
        "/api/v1/decisions/",
        {"meeting": "DAG028", "text": "x", "ref": "DAG-DEC99", "status": "approved"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"ref", "status"}


def test_patch_text(proposed, pmo_api):
    response = pmo_api.patch(
        f"/api/v1/decisions/{proposed}/",
        {"text": "The SRO approved CR024 for implementation"},
        format="json",
    )
    assert response.status_code == 200
    assert Decision.objects.get(ref=proposed).text == "The SRO approved CR024 for implementation"


def test_chair_approves_and_the_cr_follows(proposed, chair_api):
    chair = Person.objects.get(user__groups__name="Chair")
    response = chair_api.post(f"/api/v1/decisions/{proposed}/approve/", {}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "approved"
    assert data["decided_by"]["name"] == chair.name
    assert ChangeRequest.objects.get(number=24).status == ChangeRequest.Status.APPROVED


def test_chair_approves_with_conditions(proposed, chair_api):
    response = chair_api.post(
        f"/api/v1/decisions/{proposed}/approve/",
        {"conditions": "Subject to DCUSA comments"},
        format="json",
    )
    assert response.json()["status"] == "approved_with_conditions"
    assert response.json()["conditions"] == "Subject to DCUSA comments"


def test_member_approving_is_403(proposed, member_api):
    response = member_api.post(f"/api/v1/decisions/{proposed}/approve/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the chair can decide on a proposed decision."
    assert Decision.objects.get(ref=proposed).status == Decision.Status.PROPOSED


def test_pmo_approving_is_403(proposed, pmo_api):
    response = pmo_api.post(f"/api/v1/decisions/{proposed}/approve/", {}, format="json")
    assert response.status_code == 403


def test_observer_writing_is_403(proposed, observer_api):
    assert (
        observer_api.post(
            "/api/v1/decisions/", {"meeting": "DAG028", "text": "x"}, format="json"
        ).status_code
        == 403
    )
    assert observer_api.post(f"/api/v1/decisions/{proposed}/approve/").status_code == 403
    assert (
        observer_api.patch(
            f"/api/v1/decisions/{proposed}/", {"text": "x"}, format="json"
        ).status_code
        == 403
    )


def test_anonymous_is_401(proposed, anon_api):
    assert anon_api.get("/api/v1/decisions/").status_code == 401
    assert anon_api.post(f"/api/v1/decisions/{proposed}/approve/").status_code == 401


def test_approving_with_a_stale_etag_is_412(proposed, chair_api, pmo_api):
    etag = chair_api.get(f"/api/v1/decisions/{proposed}/")["ETag"]
    pmo_api.patch(f"/api/v1/decisions/{proposed}/", {"text": "Reworded"}, format="json")
    response = chair_api.post(
        f"/api/v1/decisions/{proposed}/approve/", {}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412
    assert Decision.objects.get(ref=proposed).status == Decision.Status.PROPOSED
    fresh = chair_api.get(f"/api/v1/decisions/{proposed}/")["ETag"]
    ok = chair_api.post(
        f"/api/v1/decisions/{proposed}/approve/", {}, format="json", HTTP_IF_MATCH=fresh
    )
    assert ok.status_code == 200


def test_transitions_follow_the_workflow(proposed, chair_api, pmo_api):
    deferred = chair_api.post(
        f"/api/v1/decisions/{proposed}/transition/", {"status": "deferred"}, format="json"
    )
    assert deferred.json()["status"] == "deferred"
    rejected = chair_api.post(
        f"/api/v1/decisions/{proposed}/transition/", {"status": "rejected"}, format="json"
    )
    assert rejected.json()["status"] == "rejected"
    again = chair_api.post(
        f"/api/v1/decisions/{proposed}/transition/", {"status": "approved"}, format="json"
    )
    assert again.status_code == 400
    assert "cannot become approved" in again.json()["detail"]


def test_conditions_are_required_for_a_conditional_approval(proposed, chair_api):
    response = chair_api.post(
        f"/api/v1/decisions/{proposed}/transition/",
        {"status": "approved_with_conditions"},
        format="json",
    )
    assert response.status_code == 400
    assert "conditions" in response.json()["errors"]


def test_pmo_may_withdraw_but_not_reject(proposed, pmo_api):
    rejected = pmo_api.post(
        f"/api/v1/decisions/{proposed}/transition/", {"status": "rejected"}, format="json"
    )
    assert rejected.status_code == 403
    withdrawn = pmo_api.post(
        f"/api/v1/decisions/{proposed}/transition/", {"status": "withdrawn"}, format="json"
    )
    assert withdrawn.json()["status"] == "withdrawn"


def test_delete_is_not_offered(proposed, pmo_api):
    assert pmo_api.delete(f"/api/v1/decisions/{proposed}/").status_code == 405


# --- approval locks the record (issue #12) ---------------------------------------------------

REASON = "The minutes misquote the chair: the approval was for IR5 only."


def test_patching_approved_dag_dec68_is_409_and_changes_nothing(seeded, pmo_api):
    before = pmo_api.get("/api/v1/decisions/DAG-DEC68/")
    assert (before.json()["status"], before.json()["is_locked"]) == ("approved", True)
    for change in ({"text": "The SRO approved CR023 for IR6"}, {"change_request": None}):
        response = pmo_api.patch("/api/v1/decisions/DAG-DEC68/", change, format="json")
        assert response.status_code == 409, response.content
        assert response.json() == {
            "status": 409,
            "code": "locked",
            "detail": "DAG-DEC68 is approved: its text, conditions, area, meeting and change "
            "request stay as the chair decided them. Re-open it with a reason to change them; "
            "the chair then decides again.",
            "errors": {},
        }
    after = pmo_api.get("/api/v1/decisions/DAG-DEC68/")
    assert after["ETag"] == before["ETag"]
    assert after.json()["text"] == "The SRO approved CR023 for implementation"


def test_the_chair_reopens_dag_dec68_and_then_it_can_be_changed(seeded, chair_api, pmo_api):
    missing = chair_api.post("/api/v1/decisions/DAG-DEC68/reopen/", {}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"reason"}
    response = chair_api.post(
        "/api/v1/decisions/DAG-DEC68/reopen/", {"reason": REASON}, format="json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["is_locked"], data["decided_at"]) == ("proposed", False, None)
    reopening = Decision.objects.get(ref="DAG-DEC68").reopenings.get()
    assert (reopening.reason, reopening.acted_as, reopening.from_status) == (
        REASON,
        "chair",
        "approved",
    )
    assert ChangeRequest.objects.get(number=23).status == ChangeRequest.Status.AWAITING_DECISION
    patched = pmo_api.patch(
        "/api/v1/decisions/DAG-DEC68/", {"text": "The SRO approved CR023 for IR5"}, format="json"
    )
    assert patched.status_code == 200
    again = chair_api.post("/api/v1/decisions/DAG-DEC68/reopen/", {"reason": REASON}, format="json")
    assert again.status_code == 400
    assert "DAG-DEC68 is proposed" in again.json()["detail"]


def test_reopening_is_the_chairs_or_the_pmos(seeded, member_api, observer_api, pmo_api):
    for client in (member_api, observer_api):
        response = client.post(
            "/api/v1/decisions/DAG-DEC68/reopen/", {"reason": REASON}, format="json"
        )
        assert response.status_code == 403
    assert Decision.objects.get(ref="DAG-DEC68").status == Decision.Status.APPROVED
    by_pmo = pmo_api.post("/api/v1/decisions/DAG-DEC68/reopen/", {"reason": REASON}, format="json")
    assert by_pmo.json()["status"] == "proposed"
    assert Decision.objects.get(ref="DAG-DEC68").reopenings.get().acted_as == "pmo"


def test_the_schema_documents_the_409_and_the_reopening(seeded, pmo_api):
    schema = pmo_api.get("/api/v1/schema/?format=json").json()
    patch = schema["paths"]["/api/v1/decisions/{ref}/"]["patch"]
    assert "409" in patch["responses"]
    assert "Re-open it first" in patch["responses"]["409"]["description"]
    reopen = schema["paths"]["/api/v1/decisions/{ref}/reopen/"]["post"]
    assert "200" in reopen["responses"]
