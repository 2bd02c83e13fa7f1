"""Pages of several versioned forms (``core.concurrency.record_versions``): each form
carries its record's API ETag, all read in one pass, so the page's queries do not grow with
its rows."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from actions.models import ActionUpdate
from actions.services import action_create
from changerequests.models import ChangeRequest, ImpactAssessmentResponse
from composer import discussion
from core.actors import SYSTEM
from decisions.models import Decision
from decisions.services import decision_create, decision_transition, decision_update
from tests.edits.test_stale_edits import form_values, hidden
from tests.fixtures import build_seedlike


@pytest.fixture
def seed(db):
    return build_seedlike()


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=f"{username}-demo")
    return client


def _add_earlier_actions(seed, count: int, start: int) -> list[str]:
    refs = []
    for n in range(count):
        action = action_create(
            meeting=seed.dag028,
            description=f"Earlier action {start + n}",
            owners=[f"Organisation {n % 3} (Person {start + n})", "Chair"],
            due_date=dt.date(2023, 10, 11),
            acting_user=SYSTEM,
        )
        # What the action's ETag is made of beside its own columns: an update, a CR, a
        # discussion that names it.
        ActionUpdate.objects.create(action=action, text=f"Progress on {action.ref}")
        action.change_requests.add(seed.cr023)
        discussion.discussion_item_create(
            meeting=seed.dag028, text=f"See {action.ref}.", acting_user=SYSTEM
        )
        refs.append(action.ref)
    return refs


def test_reviews_page_queries_do_not_grow_with_its_rows(seed, django_assert_num_queries):
    client = login("pmo")
    client.get("/meetings/DAG029/reviews/")  # warm the session
    _add_earlier_actions(seed, 2, 100)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/meetings/DAG029/reviews/").status_code == 200
    refs = _add_earlier_actions(seed, 20, 200)
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get("/meetings/DAG029/reviews/").content.decode()
    assert f"{refs[-1]}-version" in html
    # Each form's version is the ETag the API answers for its action, by ref.
    for ref in ("DAG28-01", refs[0], refs[-1]):
        assert hidden(html, f"{ref}-version") == client.get(f"/api/v1/actions/{ref}/")["ETag"]


def _queue_post(page: str, ref: str, **fields: str) -> dict[str, str]:
    return {
        "return_to": "queue",
        f"{ref}-version": hidden(page, f"{ref}-version"),
        f"{ref}-read_values": hidden(page, f"{ref}-read_values"),
        **{f"{ref}-{name}": value for name, value in fields.items()},
    }


NEW_WORDING = "The SRO approved CR023 for implementation in IR6"


def test_chair_approval_of_wording_changed_meanwhile_is_refused(seed):
    """The chair reads DAG-DEC68 in the queue; the PMO rewords it; the chair's approval
    (with conditions) is refused with what changed and the conditions kept; the API
    refuses the same version with 412; sent again, the approval is recorded."""
    chair = login("chair")
    page = chair.get("/decisions/queue/").content.decode()
    read_version = hidden(page, "DAG-DEC68-version")
    assert read_version == chair.get("/api/v1/decisions/DAG-DEC68/")["ETag"]
    decision_update(decision=seed.dec68, text=NEW_WORDING, acting_user=seed_user("pmo"))
    refused = chair.post(
        "/decisions/DAG-DEC68/decide/",
        _queue_post(
            page, "DAG-DEC68", outcome="approve_with_conditions", conditions="Report to DAG030"
        ),
    )
    html = unescape(refused.content.decode())
    assert refused.status_code == 200
    assert "Decision DAG-DEC68 was changed by someone else" in html
    assert f"Text: {seed.dec68.text} → {NEW_WORDING}" in html
    assert "Report to DAG030" in html  # the chair's input, kept
    assert Decision.objects.get(ref="DAG-DEC68").status == Decision.Status.PROPOSED
    # The API answers the same version with 412, as the browser refused it.
    api = chair.post(
        "/api/v1/decisions/DAG-DEC68/approve/",
        {"conditions": "Report to DAG030"},
        content_type="application/json",
        HTTP_IF_MATCH=read_version,
    )
    assert api.status_code == 412
    # The form now carries the current version: sent again, the decision is recorded.
    again = chair.post(
        "/decisions/DAG-DEC68/decide/",
        _queue_post(
            html, "DAG-DEC68", outcome="approve_with_conditions", conditions="Report to DAG030"
        ),
    )
    assert again.status_code == 302
    decision = Decision.objects.get(ref="DAG-DEC68")
    assert (decision.status, decision.text, decision.conditions) == (
        Decision.Status.APPROVED_WITH_CONDITIONS,
        NEW_WORDING,
        "Report to DAG030",
    )


def test_decision_page_decide_form_is_versioned_too(seed):
    chair = login("chair")
    form = form_of(chair.get("/decisions/DAG-DEC68/").content.decode(), "decide-form")
    assert form["DAG-DEC68-version"] == chair.get("/api/v1/decisions/DAG-DEC68/")["ETag"]
    decision_update(decision=seed.dec68, text=NEW_WORDING, acting_user=seed_user("pmo"))
    refused = chair.post("/decisions/DAG-DEC68/decide/", form | {"DAG-DEC68-outcome": "reject"})
    html = unescape(refused.content.decode())
    assert "was changed by someone else" in html
    assert f"→ {NEW_WORDING}" in html
    assert re.search(r'value="reject"[^>]*checked', html)  # the chair's choice, kept


def test_decision_decided_meanwhile_says_so(seed):
    chair = login("chair")
    page = chair.get("/decisions/queue/").content.decode()
    decision_transition(decision=seed.dec68, to_status="rejected", acting_user=seed_user("chair"))
    late = chair.post(
        "/decisions/DAG-DEC68/decide/",
        _queue_post(page, "DAG-DEC68", outcome="approve"),
        follow=True,
    )
    html = unescape(late.content.decode())
    assert "DAG-DEC68 was decided meanwhile (rejected), so your decision was not recorded" in html


def seed_user(username: str):
    return get_user_model().objects.get(username=username)


def form_of(html: str, css_class: str) -> dict[str, str]:
    """The values of the form of class ``css_class`` in ``html``, as a browser posts them."""
    start = html.index(f'class="stacked {css_class}"')
    return form_values(html[start : html.index("</form>", start)])


def test_decision_queue_queries_do_not_grow_with_its_rows(seed, django_assert_num_queries):
    chair = login("chair")
    chair.get("/decisions/queue/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert chair.get("/decisions/queue/").status_code == 200
    for n in range(15):
        decision_create(meeting=seed.dag028, text=f"Proposal {n}", acting_user=SYSTEM)
    with django_assert_num_queries(len(few.captured_queries)):
        html = chair.get("/decisions/queue/").content.decode()
    assert html.count('name="DAG-DEC') >= 16 * 2


def cr_form(html: str, action: str) -> dict[str, str]:
    """The values of the CR page's form posting to ``action``."""
    start = html.index(f'action="{action}"')
    return form_values(html[start : html.index("</form>", start)])


def test_stale_cr_status_move_is_refused_with_what_moved(seed):
    """The PMO opens CR023 (awaiting decision); the chair approves DAG-DEC68 meanwhile, so
    CR023 is approved; the PMO's move to impact assessment is refused, CR023 stays approved."""
    pmo = login("pmo")
    page = pmo.get("/change-requests/CR023/").content.decode()
    form = cr_form(page, "/change-requests/CR023/status/")
    assert form["version"] == pmo.get("/api/v1/change-requests/CR023/")["ETag"]
    decision_transition(decision=seed.dec68, to_status="approved", acting_user=seed_user("chair"))
    refused = pmo.post("/change-requests/CR023/status/", form | {"to_status": "impact_assessment"})
    html = unescape(refused.content.decode())
    assert refused.status_code == 200
    assert "Change request CR023 was changed by someone else" in html
    assert "Status: Awaiting decision → Approved" in html
    assert ChangeRequest.objects.get(number=23).status == ChangeRequest.Status.APPROVED
    # The form shown is for the CR as it is now (approved: a reason is asked).
    again = cr_form(refused.content.decode(), "/change-requests/CR023/status/")
    assert again["version"] == pmo.get("/api/v1/change-requests/CR023/")["ETag"]
    moved = pmo.post(
        "/change-requests/CR023/status/",
        again | {"to_status": "awaiting_decision", "reason": "To be decided again"},
    )
    assert moved.status_code == 302
    assert ChangeRequest.objects.get(number=23).status == ChangeRequest.Status.AWAITING_DECISION


def test_stale_ia_response_is_refused_and_the_first_kept(seed):
    alice, bob = login("pmo"), login("pmo")
    alice_form = cr_form(alice.get("/change-requests/CR023/").content.decode(), IA_URL)
    bob_form = cr_form(bob.get("/change-requests/CR023/").content.decode(), IA_URL)
    first = alice.post(IA_URL, alice_form | {"organisation": "Elexon", "position": "support"})
    assert first.status_code == 302
    refused = bob.post(
        IA_URL, bob_form | {"organisation": "Elexon", "position": "oppose", "comments": "Bob's"}
    )
    html = unescape(refused.content.decode())
    assert "Change request CR023 was changed by someone else" in html
    assert "IA responses: none → Elexon: support" in html
    assert "Bob's" in html
    assert re.search(r'<option value="oppose"[^>]*selected', html)
    response = ImpactAssessmentResponse.objects.get(change_request__number=23)
    assert response.position == "support"
    again = bob.post(IA_URL, cr_form(refused.content.decode(), IA_URL))
    assert again.status_code == 302
    assert ImpactAssessmentResponse.objects.get(change_request__number=23).position == "oppose"


IA_URL = "/change-requests/CR023/ia-responses/"


def test_ia_response_form_read_before_a_comments_only_change_is_stale(seed):
    """Elexon's response keeps its position; only its comments change meanwhile."""
    alice, bob = login("pmo"), login("pmo")
    first = alice.post(
        IA_URL,
        cr_form(alice.get("/change-requests/CR023/").content.decode(), IA_URL)
        | {"organisation": "Elexon", "position": "support", "comments": "Fine"},
    )
    assert first.status_code == 302
    alice_form = cr_form(alice.get("/change-requests/CR023/").content.decode(), IA_URL)
    bob_form = cr_form(bob.get("/change-requests/CR023/").content.decode(), IA_URL)
    changed = alice.post(
        IA_URL,
        alice_form | {"organisation": "Elexon", "position": "support", "comments": "Only if"},
    )
    assert changed.status_code == 302
    refused = bob.post(
        IA_URL, bob_form | {"organisation": "Elexon", "position": "support", "comments": "Bob's"}
    )
    assert refused.status_code == 200
    assert "Change request CR023 was changed by someone else" in unescape(refused.content.decode())
    assert ImpactAssessmentResponse.objects.get(change_request__number=23).comments == "Only if"
