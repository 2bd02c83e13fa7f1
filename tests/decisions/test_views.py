"""The chair's queue and decisions: approve (with conditions), reject, defer, and refusals.

DAG-DEC68 ("The SRO approved CR023 for implementation", seed report) is recorded as
proposed so the chair can decide it; CR023 awaits that decision.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from changerequests.models import ChangeRequest
from core.actors import SYSTEM
from decisions.models import Decision
from tests.fixtures import DEC68_TEXT, build_seedlike


@pytest.fixture
def seed(db):
    return build_seedlike()


def login(client, username: str):
    assert client.login(username=username, password=f"{username}-demo")
    return get_user_model().objects.get(username=username)


def decide(client, ref: str, outcome: str, conditions: str = "", **extra):
    data = {f"{ref}-outcome": outcome, f"{ref}-conditions": conditions, **extra}
    return client.post(f"/decisions/{ref}/decide/", data)


def test_queue_lists_proposed_decisions_with_forms_for_the_chair_only(client, seed):
    login(client, "chair")
    html = client.get("/decisions/queue/").content.decode()
    assert DEC68_TEXT in html
    assert 'action="/decisions/DAG-DEC68/decide/"' in html
    client.logout()
    login(client, "member")
    html = client.get("/decisions/queue/").content.decode()
    assert DEC68_TEXT in html
    assert "/decide/" not in html


def test_chair_approves_with_conditions_and_the_cr_follows(client, seed):
    login(client, "chair")
    missing = decide(client, "DAG-DEC68", "approve_with_conditions", return_to="queue")
    assert missing.status_code == 200
    assert "State the conditions of the approval." in missing.content.decode()
    assert Decision.objects.get(ref="DAG-DEC68").status == Decision.Status.PROPOSED
    done = decide(
        client,
        "DAG-DEC68",
        "approve_with_conditions",
        "Subject to no impact on SIT",
        return_to="queue",
    )
    assert done.status_code == 302
    assert done["Location"] == "/decisions/queue/"
    decision = Decision.objects.select_related("decided_by").get(ref="DAG-DEC68")
    assert decision.status == Decision.Status.APPROVED_WITH_CONDITIONS
    assert decision.conditions == "Subject to no impact on SIT"
    assert decision.decided_by.name == "Demo Chair"
    assert decision.decided_at is not None
    cr = ChangeRequest.objects.get(ref="CR023")
    assert cr.status == ChangeRequest.Status.APPROVED_WITH_CONDITIONS
    page = client.get("/decisions/DAG-DEC68/").content.decode()
    assert "Demo Chair" in page
    assert "Subject to no impact on SIT" in page
    assert DEC68_TEXT not in client.get("/decisions/queue/").content.decode()


@pytest.mark.parametrize(
    ("outcome", "status", "cr_status"),
    [
        ("approve", "approved", "approved"),
        ("reject", "rejected", "rejected"),
        ("defer", "deferred", "awaiting_decision"),
    ],
)
def test_chair_outcomes_move_the_decision_and_its_cr(client, seed, outcome, status, cr_status):
    login(client, "chair")
    assert decide(client, "DAG-DEC68", outcome).status_code == 302
    assert Decision.objects.get(ref="DAG-DEC68").status == status
    assert ChangeRequest.objects.get(ref="CR023").status == cr_status


def test_a_decided_decision_cannot_be_decided_again(client, seed):
    login(client, "chair")
    decide(client, "DAG-DEC68", "reject")
    again = decide(client, "DAG-DEC68", "approve")
    assert again.status_code == 302
    page = client.get(again["Location"]).content.decode()
    assert "DAG-DEC68 is rejected; it cannot become approved." in page
    assert Decision.objects.get(ref="DAG-DEC68").status == Decision.Status.REJECTED


@pytest.mark.parametrize("username", ["member", "pmo", "observer"])
def test_only_the_chair_may_decide(client, seed, username):
    login(client, username)
    response = decide(client, "DAG-DEC68", "approve")
    assert response.status_code == 403
    decision = Decision.objects.get(ref="DAG-DEC68")
    assert (decision.status, decision.decided_at) == (Decision.Status.PROPOSED, None)


def test_pmo_edits_and_withdraws_but_members_cannot(client, seed):
    login(client, "member")
    assert client.post("/decisions/DAG-DEC68/withdraw/").status_code == 403
    assert client.get("/decisions/DAG-DEC68/edit/").status_code == 403
    client.logout()
    login(client, "pmo")
    edited = client.post(
        "/decisions/DAG-DEC68/edit/",
        {"area": "CR023 Decision", "text": DEC68_TEXT + " in IR5", "change_request": "CR023"},
    )
    assert edited.status_code == 302
    assert client.post("/decisions/DAG-DEC68/withdraw/").status_code == 302
    decision = Decision.objects.get(ref="DAG-DEC68")
    assert (decision.text, decision.status) == (DEC68_TEXT + " in IR5", "withdrawn")


def test_register_filters_by_status_and_text(client, seed):
    login(client, "observer")
    assert "DAG-DEC68" in client.get("/decisions/", {"status": "proposed"}).content.decode()
    assert "DAG-DEC68" not in client.get("/decisions/", {"status": "approved"}).content.decode()
    assert "DAG-DEC68" in client.get("/decisions/", {"q": "sro approved"}).content.decode()
    empty = client.get("/decisions/", {"q": "nothing like this"}).content.decode()
    assert "No decision matches these filters." in empty


def test_refusal_page_says_why(client, seed):
    login(client, "member")
    response = decide(client, "DAG-DEC68", "approve")
    assert response.status_code == 403
    assert "Only the chair can decide on a proposed decision." in response.content.decode()


def test_decision_lists_cost_a_fixed_number_of_queries(client, seed, django_assert_num_queries):
    from decisions.services import decision_create

    login(client, "chair")
    client.get("/decisions/")  # warm the session
    counts = {}
    for url in ("/decisions/", "/decisions/queue/"):
        with CaptureQueriesContext(connection) as before:
            client.get(url)
        counts[url] = len(before)
    for n in range(12):
        decision_create(
            meeting=seed.dag029, text=f"Decision {n}", change_request=seed.cr023, acting_user=SYSTEM
        )
    # The register's counts per committee were cached by the first read and thrown away by
    # the writes (core.list_cache): the next read counts again, once; then as before.
    with CaptureQueriesContext(connection) as recount:
        client.get("/decisions/")
    assert len(recount) == counts["/decisions/"] + 1
    for url, count in counts.items():
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200
