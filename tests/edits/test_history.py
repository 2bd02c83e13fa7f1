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
    # Who: the PMO for the change (the action's fields and its owners, one entry), the
    # system for the seed's records.
    assert re.search(r"\d\d:\d\d PMO Description: ", text)
    assert "System Recorded Owners: — → Programme (Rob Short)" in text


def chair():
    return get_user_model().objects.get(username="chair")


def test_decision_history_shows_text_status_and_conditions(seed):
    from decisions.services import decision_approve, decision_update

    decision_update(decision=seed.dec68, text="The SRO approved CR023", acting_user=pmo())
    decision_approve(decision=seed.dec68, conditions="Go live with IR5", acting_user=chair())
    text = history_text(viewer(), "/decisions/DAG-DEC68/")
    assert "Status: Proposed → Approved with conditions" in text
    assert "Conditions: — → Go live with IR5" in text
    assert "Text: The SRO approved CR023 for implementation → The SRO approved CR023" in text
    assert "System Recorded" in text


def test_meeting_history_shows_the_meeting_agenda_and_discussion_items(seed):
    from composer.discussion import discussion_item_update
    from meetings.models import AgendaItem
    from meetings.services import agenda_item_update, meeting_update

    meeting_update(meeting=seed.dag028, venue="Elexon, London", acting_user=pmo())
    minutes = AgendaItem.objects.get(meeting=seed.dag028, title="Minutes and Actions")
    agenda_item_update(agenda_item=minutes, change_request=seed.cr023, acting_user=pmo())
    item = seed.dag028.discussion_items.get()
    discussion_item_update(
        discussion_item=item,
        text=item.text.replace("none were received", "none came"),
        acting_user=pmo(),
    )
    client = viewer()
    # The meeting page loads its history card from /history/ when it is scrolled to.
    page = client.get("/meetings/DAG028/").content.decode()
    assert 'hx-get="/meetings/DAG028/history/" hx-trigger="revealed"' in page
    text = history_text(client, "/meetings/DAG028/history/")
    assert "Venue: Virtual – MS Teams → Elexon, London" in text
    assert "Agenda item “Minutes and Actions” Change request: — → CR023" in text
    html = client.get("/meetings/DAG028/history/").content.decode()
    assert "<del>were received.</del> <ins>came.</ins>" in html
    assert "Discussion item 1" in text


def test_change_request_history_keeps_an_earlier_ia_response(seed):
    from changerequests.services import change_request_update, ia_response_record
    from meetings.services import organisation_get_or_create

    change_request_update(change_request=seed.cr023, design_artefacts="DES-196", acting_user=pmo())
    elexon = organisation_get_or_create(name="Elexon", acting_user=pmo())
    ia_response_record(
        change_request=seed.cr023, organisation=elexon, position="support", acting_user=pmo()
    )
    ia_response_record(
        change_request=seed.cr023,
        organisation=elexon,
        position="oppose",
        comments="Cost too high",
        acting_user=pmo(),
    )
    text = history_text(viewer(), "/change-requests/CR023/")
    assert "Design artefacts: — → DES-196" in text
    # The second response replaced the first; the first is kept in the history.
    assert "IA response of Elexon Position: Support → Oppose Comments: — → Cost too high" in text
    assert "IA response of Elexon : Recorded" in text
