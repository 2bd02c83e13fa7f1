"""No silent lost update in the browser (``core.concurrency``): two people open the same
edit form; the first save is kept, the second is refused with what changed meanwhile and
the user's input kept, and saved when sent again."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.test import Client

from actions.models import Action
from tests.fixtures import build_seedlike

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def seed(db):
    return build_seedlike()


def pmo_client() -> Client:
    client = Client()
    assert client.login(username="pmo", password="pmo-demo")
    return client


def hidden(html: str, name: str) -> str:
    """The value of the hidden input ``name`` in ``html``."""
    match = re.search(rf'<input type="hidden" name="{re.escape(name)}" value="([^"]*)"', html)
    assert match, f"no hidden {name}"
    return unescape(match.group(1))


def edit_data(html: str, **fields: str) -> dict[str, str]:
    data = {"version": hidden(html, "version"), "read_values": hidden(html, "read_values")}
    return data | fields


ACTION_FIELDS = {
    "area": "Minutes and Actions",
    "owners": "Programme (Rob Short)",
}


def test_second_stale_action_edit_is_refused_and_the_first_kept(seed):
    alice, bob = pmo_client(), pmo_client()
    alice_form = alice.get("/actions/DAG28-01/edit/").content.decode()
    bob_form = bob.get("/actions/DAG28-01/edit/").content.decode()
    first = alice.post(
        "/actions/DAG28-01/edit/",
        edit_data(
            alice_form,
            **ACTION_FIELDS,
            description=seed.dag28_01.description,
            due_date="2023-10-25",
        ),
    )
    assert first.status_code == 302
    second = bob.post(
        "/actions/DAG28-01/edit/",
        edit_data(
            bob_form, **ACTION_FIELDS, description="Bob's new wording", due_date="2023-11-08"
        ),
    )
    html = unescape(second.content.decode())
    assert second.status_code == 200
    assert "was changed by someone else after you opened this form" in html
    assert "Due date: 11 Oct 2023 → 25 Oct 2023" in html
    # Bob's input is kept for him to re-apply; the record keeps Alice's save.
    assert "Bob&#x27;s new wording" in second.content.decode() or "Bob's new wording" in html
    assert 'value="2023-11-08"' in html
    action = Action.objects.get(ref="DAG28-01")
    assert action.due_date == dt.date(2023, 10, 25)
    assert action.description == seed.dag28_01.description
    # Sent again (the form now carries the current version), Bob's save goes through.
    again = bob.post(
        "/actions/DAG28-01/edit/",
        edit_data(html, **ACTION_FIELDS, description="Bob's new wording", due_date="2023-11-08"),
    )
    assert again.status_code == 302
    assert Action.objects.get(ref="DAG28-01").due_date == dt.date(2023, 11, 8)


def test_action_edit_form_carries_the_api_etag(seed):
    client = pmo_client()
    form = client.get("/actions/DAG28-01/edit/").content.decode()
    etag = client.get("/api/v1/actions/DAG28-01/")["ETag"]
    assert hidden(form, "version") == etag


def test_stale_review_of_an_action_closed_meanwhile_is_refused(seed):
    alice, bob = pmo_client(), pmo_client()
    alice_page = alice.get("/meetings/DAG029/reviews/").content.decode()
    bob_page = bob.get("/meetings/DAG029/reviews/").content.decode()
    closed = alice.post(
        "/meetings/DAG029/reviews/",
        {
            "action": "DAG28-01",
            "DAG28-01-version": hidden(alice_page, "DAG28-01-version"),
            "DAG28-01-read_values": hidden(alice_page, "DAG28-01-read_values"),
            "DAG28-01-outcome": "closed",
            "DAG28-01-note": "Presented at DRG",
        },
    )
    assert closed.status_code == 302
    stale = bob.post(
        "/meetings/DAG029/reviews/",
        {
            "action": "DAG28-01",
            "DAG28-01-version": hidden(bob_page, "DAG28-01-version"),
            "DAG28-01-read_values": hidden(bob_page, "DAG28-01-read_values"),
            "DAG28-01-outcome": "re_dated",
            "DAG28-01-new_due_date": "2023-11-08",
            "DAG28-01-note": "Bob's note",
        },
    )
    html = unescape(stale.content.decode())
    assert stale.status_code == 200
    assert "Action DAG28-01 was changed by someone else" in html
    assert "Status: Open → Closed" in html
    assert "Bob's note" in html
    action = Action.objects.get(ref="DAG28-01")
    assert (action.status, action.due_date) == ("closed", dt.date(2023, 10, 11))
    assert action.reviews.get().note == "Presented at DRG"


def test_stale_decision_edit_is_refused_and_the_first_kept(seed):
    from decisions.models import Decision

    alice, bob = pmo_client(), pmo_client()
    alice_form = alice.get("/decisions/DAG-DEC68/edit/").content.decode()
    bob_form = bob.get("/decisions/DAG-DEC68/edit/").content.decode()
    fields = {"area": "CR023 Decision", "change_request": "CR023"}
    first = alice.post(
        "/decisions/DAG-DEC68/edit/",
        edit_data(alice_form, **fields, text="The SRO approved CR023 for implementation in IR5"),
    )
    assert first.status_code == 302
    second = bob.post(
        "/decisions/DAG-DEC68/edit/", edit_data(bob_form, **fields, text="Bob's wording")
    )
    html = unescape(second.content.decode())
    assert "Decision DAG-DEC68 was changed by someone else" in html
    assert (
        "Text: The SRO approved CR023 for implementation → The SRO approved CR023 for "
        "implementation in IR5" in html
    )
    assert "Bob's wording" in html
    decision = Decision.objects.get(ref="DAG-DEC68")
    assert decision.text == "The SRO approved CR023 for implementation in IR5"


def test_stale_in_place_edit_on_the_meeting_page_comes_back_in_place(seed):
    """The htmx form on the meeting page: refused in place, with the message and input."""
    alice, bob = pmo_client(), pmo_client()
    url = "/actions/DAG28-02/edit/?return_to=meeting"
    alice_form = alice.get(url, **HTMX).content.decode()
    bob_form = bob.get(url, **HTMX).content.decode()
    fields = {
        "return_to": "meeting",
        "area": "Minutes and Actions",
        "owners": "Large Supplier Representative (Haz Elmamoun)",
        "description": seed.dag28_02.description,
    }
    alice.post("/actions/DAG28-02/edit/", edit_data(alice_form, **fields, due_date="2023-10-20"))
    refused = bob.post(
        "/actions/DAG28-02/edit/", edit_data(bob_form, **fields, due_date="2023-10-30"), **HTMX
    )
    html = unescape(refused.content.decode())
    assert html.lstrip().startswith('<tr id="r-DAG28-02"')
    assert "Due date: 11 Oct 2023 → 20 Oct 2023" in html
    assert Action.objects.get(ref="DAG28-02").due_date == dt.date(2023, 10, 20)


def form_values(html: str) -> dict[str, str]:
    """Every field of the (one) form in ``html`` with the value it shows, as a browser
    would post it unchanged."""
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and "checkbox" not in tag:
            values[unescape(name.group(1))] = unescape(value.group(1)) if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]*)"[^>]*>(.*?)</textarea>', html, re.S):
        values[name] = unescape(text).lstrip("\n")
    for name, body in re.findall(r'<select[^>]*name="([^"]*)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        values[name] = unescape(chosen.group(1)) if chosen else ""
    values.pop("csrfmiddlewaretoken", None)
    return values


@pytest.mark.parametrize(
    ("url", "field", "first_value", "second_value", "changed"),
    [
        ("/meetings/DAG029/edit/", "venue", "Elexon, London", "Teams", "Venue: Virtual – MS Teams"),
        ("/change-requests/CR023/edit/", "title", "Interfaces", "Roles", "Title: Standardisation"),
    ],
)
def test_stale_meeting_and_cr_edits_are_refused(
    seed, url, field, first_value, second_value, changed
):
    alice, bob = pmo_client(), pmo_client()
    alice_form = form_values(alice.get(url).content.decode())
    bob_form = form_values(bob.get(url).content.decode())
    assert alice.post(url, alice_form | {field: first_value}).status_code == 302
    refused = bob.post(url, bob_form | {field: second_value})
    html = unescape(refused.content.decode())
    assert refused.status_code == 200
    assert "was changed by someone else" in html
    assert changed in html
    assert f"→ {first_value}" in html


def test_stale_discussion_item_edit_is_refused(seed):
    item = seed.dag028.discussion_items.get()
    url = f"/meetings/DAG028/discussion/{item.pk}/edit/"
    alice, bob = pmo_client(), pmo_client()
    alice_form = form_values(alice.get(url).content.decode())
    bob_form = form_values(bob.get(url).content.decode())
    assert alice.post(url, alice_form | {"text": "Alice's summary"}).status_code == 302
    refused = bob.post(url, bob_form | {"text": "Bob's summary"})
    html = unescape(refused.content.decode())
    assert "This discussion item of DAG028 was changed by someone else" in html
    assert "→ Alice's summary" in html
    item.refresh_from_db()
    assert item.text == "Alice's summary"
