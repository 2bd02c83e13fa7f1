"""Every record's page shows its history (``core.history``, ``templates/_history.html``):
who, when, and old → new for each field changed, built from the services' history rows."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from actions.services import action_update
from tests.fixtures import DAG28_01_TEXT, build_seedlike


@pytest.fixture
def seed(db):
    return build_seedlike()


def pmo():
    return get_user_model().objects.get(username="pmo")


def history_text(client: Client, url: str) -> str:
    """The text of the page's history card, tags dropped (the word diff's kept as text)."""
    html = client.get(url).content.decode()
    card = html[html.index('<section class="card history"') :]
    card = card[: card.index("</section>")]
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card)))


def viewer(username: str = "observer") -> Client:
    client = Client()
    assert client.login(username=username, password=f"{username}-demo")
    return client


def test_action_history_shows_fields_owners_and_due_meeting(seed):
    action_update(
        action=seed.dag28_01,
        owners=["Programme (Rob Short)", "Chair"],
        due_meeting=seed.dag029,
        description=DAG28_01_TEXT + " by the end of October",
        acting_user=pmo(),
    )
    text = history_text(viewer(), "/actions/DAG28-01/")
    assert "Owners: Programme (Rob Short) → Programme (Rob Short); Chair" in text
    assert "Due meeting: — → DAG029" in text
    # The description's word diff: the added words marked, the old wording kept.
    assert "(DRG) by the end of October" in text
    html = viewer().get("/actions/DAG28-01/").content.decode()
    assert "<ins>by the end of October</ins>" in html
    # Who: the PMO for the change, the system for the seed's records.
    assert re.search(r"\d\d:\d\d PMO Owners: Programme \(Rob Short\) →", text)
    assert re.search(r"\d\d:\d\d PMO Description: ", text)
    assert "System Recorded Owners: — → Programme (Rob Short)" in text
