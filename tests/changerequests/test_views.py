"""The change request register and page: status filters, IA tally, everything that concerns
a CR, and the PMO's edits. CR023 and its title come from the seed report."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action
from changerequests.models import ChangeRequest, ImpactAssessmentResponse
from changerequests.services import change_request_create, ia_response_record
from core.actors import SYSTEM
from meetings.models import Organisation
from tests.fixtures import build_seedlike


@pytest.fixture
def seed(db):
    return build_seedlike()


def login(client, username: str):
    assert client.login(username=username, password=f"{username}-demo")
    return get_user_model().objects.get(username=username)


def crs_listed(html: str) -> list[str]:
    return re.findall(r'<a class="ref" href="/change-requests/(CR\d+)/">', html)


def test_register_filters_by_status(client, seed):
    change_request_create(
        number=24, title="Implementation of DIN", status="approved", acting_user=SYSTEM
    )
    change_request_create(
        number=31, title="Transition Design Milestone", status="draft", acting_user=SYSTEM
    )
    login(client, "observer")
    assert crs_listed(client.get("/change-requests/").content.decode()) == [
        "CR023",
        "CR024",
        "CR031",
    ]
    assert crs_listed(client.get("/change-requests/?status=open").content.decode()) == [
        "CR023",
        "CR031",
    ]
    approved = client.get("/change-requests/?status=approved").content.decode()
    assert crs_listed(approved) == ["CR024"]
    assert 'aria-current="page">Approved</a>' in approved
    assert crs_listed(client.get("/change-requests/?q=milestone").content.decode()) == ["CR031"]


def test_cr_page_shows_ia_tally_and_what_concerns_it(client, seed):
    for name, position, conditions in [
        ("RECCo", "support", ""),
        ("Elexon", "support_with_conditions", "Only in IR5"),
        ("DCUSA", "oppose", ""),
        ("Octopus", "support", ""),
    ]:
        ia_response_record(
            change_request=seed.cr023,
            organisation=Organisation.objects.get_or_create(name=name)[0],
            position=position,
            conditions=conditions,
            acting_user=SYSTEM,
        )
    seed.dag28_02.change_requests.add(seed.cr023)
    login(client, "member")
    html = client.get("/change-requests/CR023/").content.decode()
    assert "Standardisation of Interfaces within the Smart and Advanced Data Services" in html
    counts = {
        label: int(n) for n, label in re.findall(r'<span class="n">(\d+)</span>([^<]+)<', html)
    }
    assert counts == {
        "Support": 2,
        "Support with conditions": 1,
        "Neutral": 0,
        "Oppose": 1,
    }
    assert "Only in IR5" in html
    assert 'href="/decisions/DAG-DEC68/"' in html  # the decision on it
    assert 'href="/actions/DAG28-02/"' in html  # an action about it
    assert "DAG028 (CR023 Decision)" in html  # on the agenda
    assert "The Chair invited any objections" in html  # discussed


def test_pmo_records_a_cr_and_an_ia_response(client, seed):
    login(client, "pmo")
    created = client.post(
        "/change-requests/new/",
        {
            "title": "Corrections to EES and SDEP Requirements",
            "raiser": "RECCo",
            "target_release": "IR5",
            "backstop_release": "ir6",
            "ia_start_date": "2023-08-01",
            "ia_end_date": "2023-08-25",
        },
    )
    assert created.status_code == 302
    assert created["Location"] == "/change-requests/CR024/"
    cr = ChangeRequest.objects.select_related("raiser", "target_release").get(number=24)
    assert (cr.raiser.name, cr.target_release.code, cr.backstop_release.code) == (
        "RECCo",
        "IR5",
        "IR6",
    )
    missing = client.post(
        "/change-requests/CR024/ia-responses/",
        {"organisation": "Elexon", "position": "support_with_conditions"},
    )
    assert "Support with conditions needs the conditions." in missing.content.decode()
    client.post(
        "/change-requests/CR024/ia-responses/",
        {"organisation": "Elexon", "position": "neutral", "comments": "No impact"},
    )
    assert ImpactAssessmentResponse.objects.get(change_request=cr).position == "neutral"
    moved = client.post("/change-requests/CR024/status/", {"to_status": "impact_assessment"})
    assert moved.status_code == 302
    cr.refresh_from_db()
    assert cr.status == "impact_assessment"


def test_members_cannot_change_crs(client, seed):
    login(client, "member")
    assert client.get("/change-requests/new/").status_code == 403
    assert client.post("/change-requests/new/", {"title": "x"}).status_code == 403
    assert client.post("/change-requests/CR023/edit/", {"title": "x"}).status_code == 403
    assert (
        client.post("/change-requests/CR023/status/", {"to_status": "withdrawn"}).status_code == 403
    )
    assert (
        client.post(
            "/change-requests/CR023/ia-responses/",
            {"organisation": "X", "position": "support"},
        ).status_code
        == 403
    )
    assert ChangeRequest.objects.get(ref="CR023").status == "awaiting_decision"
    assert not Action.objects.filter(change_requests__isnull=False).exists()


def test_cr_register_and_page_cost_a_fixed_number_of_queries(
    client, seed, django_assert_num_queries
):
    def add(n: int) -> None:
        cr = change_request_create(number=40 + n, title=f"Change {n}", acting_user=SYSTEM)
        ia_response_record(
            change_request=seed.cr023,
            organisation=Organisation.objects.get_or_create(name=f"Org {n}")[0],
            position="support",
            acting_user=SYSTEM,
        )
        seed.dag28_01.change_requests.add(cr, seed.cr023)

    add(0)  # one of each, so that every prefetch runs in both measurements
    login(client, "member")
    client.get("/change-requests/")  # warm the session
    counts = {}
    for url in ("/change-requests/", "/change-requests/CR023/"):
        with CaptureQueriesContext(connection) as before:
            client.get(url)
        counts[url] = len(before)
    for n in range(1, 11):
        add(n)
    for url, count in counts.items():
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200


# --- a decided CR (issue #12) -------------------------------------------------------------------

CR023_TITLE = "Standardisation of Interfaces within the Smart and Advanced Data Services Roles"
REASON = "DCUSA raised a new impact after the approval at DAG028."


@pytest.fixture
def approved(seed):
    """The seed's records with DAG-DEC68 approved by the demo chair: CR023 approved."""
    from decisions.services import decision_approve

    chair = get_user_model().objects.get(username="chair")
    decision_approve(decision=seed.dec68, acting_user=chair)
    return seed


def test_an_approved_crs_title_cannot_be_changed(client, approved):
    login(client, "pmo")
    form = client.get("/change-requests/CR023/edit/").content.decode()
    assert re.search(r'<input type="text" name="title"[^>]*disabled', form)
    saved = client.post(
        "/change-requests/CR023/edit/",
        {"title": "Renamed", "description": "Reworded", "design_artefacts": "DES-196"},
    )
    assert saved.status_code == 302
    cr023 = ChangeRequest.objects.get(ref="CR023")
    assert (cr023.title, cr023.description, cr023.design_artefacts) == (
        CR023_TITLE,
        "",
        "DES-196",
    )
    page = client.get("/change-requests/CR023/").content.decode()
    assert "CR023 is approved. Its title and description stay as decided" in page
    assert "DAG-DEC68: approved." in page  # the decision that settled it, on record


def test_move_to_never_offers_approval_and_refuses_it(client, seed):
    login(client, "pmo")
    page = client.get("/change-requests/CR023/").content.decode()
    assert '<option value="approved"' not in page
    assert '<option value="rejected"' not in page
    refused = client.post("/change-requests/CR023/status/", {"to_status": "approved"})
    assert refused.status_code == 200
    assert "Select a valid choice." in refused.content.decode()
    assert ChangeRequest.objects.get(ref="CR023").status == "awaiting_decision"


def test_a_decided_cr_is_reopened_with_a_reason_shown_on_its_page(client, approved):
    login(client, "pmo")
    missing = client.post("/change-requests/CR023/status/", {"to_status": "awaiting_decision"})
    assert missing.status_code == 200
    assert "This field is required." in missing.content.decode()
    assert ChangeRequest.objects.get(ref="CR023").status == "approved"
    moved = client.post(
        "/change-requests/CR023/status/", {"to_status": "awaiting_decision", "reason": REASON}
    )
    assert moved.status_code == 302
    page = client.get("/change-requests/CR023/").content.decode()
    assert "Approved → Awaiting decision, pmo" in page
    assert REASON in page
    assert ChangeRequest.objects.get(ref="CR023").status == "awaiting_decision"
