"""Taking up the meeting's open earlier actions in one pass: five in one save, all or nothing,
a stale row refused beside it, the page back where the PMO was."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model

from actions.models import Action, ActionReview
from actions.services import action_create, action_update
from core.actors import SYSTEM
from tests.conftest import london
from tests.fixtures import build_seedlike


@pytest.fixture
def seed(db):
    seed = build_seedlike()
    for n in range(3):
        action_create(
            meeting=seed.dag028,
            description=f"Earlier action {n + 3}",
            owners=["Programme (Rob Short)"],
            due_date=london(2023, 10, 4).date(),
            acting_user=SYSTEM,
        )
    return seed


def login(client, username: str):
    assert client.login(username=username, password=f"{username}-demo")


def posted(html: str) -> dict[str, str]:
    """The form as the browser would post it: every hidden input of the take-up form."""
    form = html[html.index('aria-label="Take up earlier actions') :]
    form = form[: form.index("</form>")]
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        data.setdefault(name, []).append(unescape(value))
    return data


def test_five_earlier_actions_taken_up_in_one_save(seed, client):
    login(client, "pmo")
    html = client.get("/meetings/DAG029/take-up/").content.decode()
    data = posted(html)
    refs = data["actions"]
    assert refs == ["DAG28-01", "DAG28-02", "DAG28-03", "DAG28-04", "DAG28-05"]
    data |= {
        "DAG28-01-outcome": "closed",
        "DAG28-01-note": "Explainer presented to the DRG",
        "DAG28-02-outcome": "re_dated",
        "DAG28-02-new_due_date": "2023-11-08",
        "DAG28-03-outcome": "kept_open",
        "DAG28-04-outcome": "closed",
        "DAG28-05-outcome": "re_dated",
        "DAG28-05-new_due_date": "2023-12-06",
        "DAG28-05-note": "Waiting for the suppliers",
    }
    response = client.post("/meetings/DAG029/take-up/", data)
    assert response.status_code == 302
    assert response["Location"] == "/meetings/DAG029/take-up/#taken-up"
    reviews = ActionReview.objects.filter(meeting=seed.dag029).order_by("order")
    assert [(r.action.ref, r.outcome) for r in reviews] == [
        ("DAG28-01", "closed"),
        ("DAG28-02", "re_dated"),
        ("DAG28-03", "kept_open"),
        ("DAG28-04", "closed"),
        ("DAG28-05", "re_dated"),
    ]
    assert Action.objects.get(ref="DAG28-02").due_date == london(2023, 11, 8).date()
    assert Action.objects.get(ref="DAG28-01").status == "closed"
    html = client.get("/meetings/DAG029/take-up/").content.decode()
    assert "No open action of an earlier meeting is waiting." in html
    assert "Taken up at DAG029 (5)" in html


def test_a_stale_row_refuses_the_whole_save(seed, client):
    login(client, "pmo")
    data = posted(client.get("/meetings/DAG029/take-up/").content.decode())
    data |= {
        "DAG28-01-outcome": "closed",
        "DAG28-02-outcome": "re_dated",
        "DAG28-02-new_due_date": "2023-11-08",
        "DAG28-03-outcome": "re_dated",  # no new date: refused beside the row
    }
    # Someone re-dates DAG28-02 after the page was read.
    pmo = get_user_model().objects.get(username="pmo")
    action_update(
        action=Action.objects.get(ref="DAG28-02"),
        due_date=london(2023, 10, 25).date(),
        acting_user=pmo,
    )
    response = client.post("/meetings/DAG029/take-up/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "A re-dated action needs its new due date." in html
    assert not ActionReview.objects.exists()
    # The date error is found before anything is saved; fix it, and the stale row is refused.
    data["DAG28-03-new_due_date"] = "2023-11-08"
    html = client.post("/meetings/DAG029/take-up/", data).content.decode()
    assert "DAG28-02: Action DAG28-02 was changed by someone else" in html
    assert "Due date: 11 Oct 2023 → 25 Oct 2023" in html
    assert not ActionReview.objects.exists()
    assert Action.objects.get(ref="DAG28-01").status == "open"
    # The form came back with the new version: saved again, it goes through.
    data = posted(html) | {k: v for k, v in data.items() if "-outcome" in k or "-new_due" in k}
    response = client.post("/meetings/DAG029/take-up/", data)
    assert response.status_code == 302
    assert ActionReview.objects.count() == 3


def test_only_the_pmo_saves(seed, client):
    login(client, "member")
    html = client.get("/meetings/DAG029/take-up/").content.decode()
    assert "DAG28-01" in html
    assert "Save all" not in html
    assert client.post("/meetings/DAG029/take-up/", {"actions": "DAG28-01"}).status_code == 403


def test_a_row_posted_without_its_version_is_refused(seed, client):
    """The page always carries each row's version: a crafted POST without it saves nothing."""
    login(client, "pmo")
    data = posted(client.get("/meetings/DAG029/take-up/").content.decode())
    data = {k: v for k, v in data.items() if not k.endswith("-version")}
    data |= {"DAG28-01-outcome": "closed", "DAG28-02-outcome": "kept_open"}
    response = client.post("/meetings/DAG029/take-up/", data)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "DAG28-01: This form was sent without the version of the record it edits" in html
    assert not ActionReview.objects.exists()
    assert Action.objects.get(ref="DAG28-01").status == "open"
