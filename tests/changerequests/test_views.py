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
