"""A decided decision in the browser and the admin: the edit refused with the reason shown,
the chair's re-opening with a reason, and its log on the decision's page (issue #12).

On the seed's records (``build_seedlike``): DAG-DEC68 "The SRO approved CR023 for
implementation", in the area "CR023 Decision" of DAG028; the demo chair is "Demo Chair".
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from changerequests.models import ChangeRequest
from decisions.models import Decision, DecisionReopening
from decisions.services import decision_approve
from tests.fixtures import DEC68_TEXT, build_seedlike

HTMX = {"HTTP_HX_REQUEST": "true"}
REASON = "The minutes misquote the chair: the approval was for IR5 only."
LOCKED = (
    "DAG-DEC68 is approved: its text, conditions, area, meeting and change request stay as "
    "the chair decided them."
)


@pytest.fixture
def approved(db):
    """The seed's records with DAG-DEC68 approved by the demo chair."""
    seed = build_seedlike()
    chair = get_user_model().objects.get(username="chair")
    decision_approve(decision=seed.dec68, acting_user=chair)
    return seed


def login(client, username: str):
    assert client.login(username=username, password=f"{username}-demo")
    return get_user_model().objects.get(username=username)


def text_of(ref: str = "DAG-DEC68") -> str:
    return Decision.objects.get(ref=ref).text


def test_the_pmos_edit_of_approved_dag_dec68_is_refused_and_the_page_says_why(client, approved):
    login(client, "pmo")
    form = client.get("/decisions/DAG-DEC68/edit/")
    assert (form.status_code, form["Location"]) == (302, "/decisions/DAG-DEC68/")
    saved = client.post(
        "/decisions/DAG-DEC68/edit/",
        {"area": "CR023 Decision", "text": "The SRO approved CR023 for IR6", "change_request": ""},
    )
    assert (saved.status_code, saved["Location"]) == (302, "/decisions/DAG-DEC68/")
    assert text_of() == DEC68_TEXT
    page = client.get("/decisions/DAG-DEC68/").content.decode()
    assert LOCKED in page  # the message and the lock notice
    assert 'href="/decisions/DAG-DEC68/edit/"' not in page
    assert 'action="/decisions/DAG-DEC68/reopen/"' in page  # the PMO may re-open, on record


def test_in_place_on_the_meeting_page_the_edit_leads_to_the_decision_page(client, approved):
    login(client, "pmo")
    meeting = client.get("/meetings/DAG028/").content.decode()
    assert "/decisions/DAG-DEC68/edit/" not in meeting
    form = client.get("/decisions/DAG-DEC68/edit/?return_to=meeting", **HTMX)
    assert (form.status_code, form["HX-Redirect"]) == (200, "/decisions/DAG-DEC68/")
    saved = client.post(
        "/decisions/DAG-DEC68/edit/",
        {"area": "CR023 Decision", "text": "Reworded", "return_to": "meeting"},
        **HTMX,
    )
    assert saved["HX-Redirect"] == "/decisions/DAG-DEC68/"
    assert text_of() == DEC68_TEXT


def test_the_chair_reopens_dag_dec68_and_the_log_shows_it(client, approved):
    login(client, "chair")
    missing = client.post("/decisions/DAG-DEC68/reopen/", {"reason": "  "})
    assert missing.status_code == 200
    assert "This field is required." in missing.content.decode()
    assert Decision.objects.get(ref="DAG-DEC68").status == "approved"

    reopened = client.post("/decisions/DAG-DEC68/reopen/", {"reason": REASON})
    assert (reopened.status_code, reopened["Location"]) == (302, "/decisions/DAG-DEC68/")
    page = client.get("/decisions/DAG-DEC68/").content.decode()
    assert "DAG-DEC68 re-opened: it awaits the chair again." in page
    assert "Re-openings (1)" in page
    assert f"Re-opened by Demo Chair (Chair): {REASON}" in page
    assert "It had been approved, decided by Demo Chair on " in page
    assert 'action="/decisions/DAG-DEC68/decide/"' in page  # the chair decides again
    assert LOCKED not in page
    assert ChangeRequest.objects.get(ref="CR023").status == "awaiting_decision"
    cr_page = client.get("/change-requests/CR023/").content.decode()
    assert f"DAG-DEC68 re-opened: {REASON}" in cr_page

    client.logout()
    login(client, "pmo")
    edited = client.post(
        "/decisions/DAG-DEC68/edit/",
        {"area": "CR023 Decision", "text": DEC68_TEXT + " in IR5", "change_request": "CR023"},
    )
    assert edited.status_code == 302
    assert text_of() == DEC68_TEXT + " in IR5"


@pytest.mark.parametrize("username", ["member", "observer"])
def test_only_the_chair_or_the_pmo_reopens(client, approved, username):
    login(client, username)
    assert client.post("/decisions/DAG-DEC68/reopen/", {"reason": REASON}).status_code == 403
    page = client.get("/decisions/DAG-DEC68/").content.decode()
    assert LOCKED in page
    assert "/reopen/" not in page
    assert not DecisionReopening.objects.exists()


def test_a_proposed_decision_has_no_lock_and_no_reopening(client, db):
    build_seedlike()
    login(client, "chair")
    page = client.get("/decisions/DAG-DEC68/").content.decode()
    assert "Locked as decided" not in page
    assert "/reopen/" not in page
    refused = client.post("/decisions/DAG-DEC68/reopen/", {"reason": REASON}, follow=True)
    assert "DAG-DEC68 is proposed; only an approved or rejected decision is re-opened" in (
        refused.content.decode()
    )


def test_the_admin_shows_a_decided_decision_read_only(client, approved):
    login(client, "pmo")  # the demo PMO is staff with every permission
    pk = approved.dec68.pk
    url = f"/admin/decisions/decision/{pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="text"' not in page
    assert 'name="agenda_item"' not in page
    assert 'name="change_request"' not in page
    assert DEC68_TEXT in page  # shown, read-only
    client.post(url, {"text": "Reworded in the admin", "change_request": "", "agenda_item": ""})
    dec68 = Decision.objects.get(pk=pk)
    assert (dec68.text, dec68.agenda_item.title, dec68.change_request.ref) == (
        DEC68_TEXT,
        "CR023 Decision",
        "CR023",
    )
