"""Every output follows the access rule (``core.visibility``): pages, 404s, the API, the
register and its PDF, My actions, reminder emails, and the side views (reviews, next
meeting, due-by meeting, ref links, the headline report). The scene is
``tests.fixtures.build_two_committees`` (see tests/access/test_rule.py for who holds what).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from email.utils import parseaddr

import pytest

from actions.models import Action
from actions.register import ActionRegisterFilters
from actions.register_pdf import register_pdf_html
from actions.services import action_create, action_review_record
from composer import discussion
from composer.reminders import reminders_send
from composer.report import headline_report_data
from composer.report_render import headline_report_html
from core.actors import SYSTEM
from meetings.models import Meeting, Person
from tests.access.test_rule import ACTIONS, MEETINGS
from tests.fixtures import (
    DAG_CONFIDENTIAL_TEXT,
    DAG_RESTRICTED_TEXT,
    TMAG_CHAIR_TEXT,
    TMAG_RESTRICTED_TEXT,
)

HIDDEN_TEXTS = {
    "DAG30-01": DAG_RESTRICTED_TEXT,
    "DAG31-01": DAG_CONFIDENTIAL_TEXT,
    "TMAG1-01": TMAG_RESTRICTED_TEXT,
    "TMAG1-02": TMAG_CHAIR_TEXT,
}
ALL_ACTIONS = ACTIONS["pmo"]


@pytest.mark.parametrize("username", ["chair", "member", "dual", "guest", "outsider"])
def test_pages_answer_404_for_what_the_login_may_not_see(as_user, username):
    client = as_user(username)
    for ref in MEETINGS["pmo"]:
        expected = 200 if ref in MEETINGS[username] else 404
        assert client.get(f"/meetings/{ref}/").status_code == expected, ref
        assert client.get(f"/meetings/{ref}/reviews/").status_code == expected, ref
        # Not the PMO: a visible meeting's edit page is refused (403), a hidden one is not there.
        assert client.get(f"/meetings/{ref}/edit/").status_code == (
            403 if expected == 200 else 404
        ), ref
    for ref in ALL_ACTIONS:
        expected = 200 if ref in ACTIONS[username] else 404
        assert client.get(f"/actions/{ref}/").status_code == expected, ref
        assert client.get(f"/actions/{ref}/edit/").status_code == (
            403 if expected == 200 else 404
        ), ref


@pytest.mark.parametrize("username", ["chair", "observer", "dual", "tmag", "outsider"])
def test_the_register_its_pdf_and_the_api_list_what_the_login_may_see(as_user, username, two):
    client = as_user(username)
    user = two.users[username]
    html = client.get("/actions/?status=").content.decode()
    listed = set(re.findall(r"\b(?:DAG|TMAG)\d+-\d+\b", html))
    assert listed & ALL_ACTIONS == ACTIONS[username]
    pdf_html, shown, _ = register_pdf_html(
        user=user, filters=ActionRegisterFilters(), today=dt.date(2023, 11, 18)
    )
    assert shown == len(ACTIONS[username])
    for ref, text in HIDDEN_TEXTS.items():
        assert (text in pdf_html) == (ref in ACTIONS[username]), ref
    api = client.get("/api/v1/actions/?limit=100").json()["results"]
    assert {row["ref"] for row in api} == ACTIONS[username]
    meetings = client.get("/api/v1/meetings/?limit=100").json()["results"]
    assert {row["ref"] for row in meetings} == MEETINGS[username]
    for ref in ALL_ACTIONS - ACTIONS[username]:
        assert client.get(f"/api/v1/actions/{ref}/").status_code == 404
        # A write to a hidden record is 404 too, not a refusal telling it exists.
        assert client.post(f"/api/v1/actions/{ref}/close/", {}).status_code == 404


def test_a_due_by_meeting_the_reader_may_not_see_is_not_named(as_user, two):
    """DAG28-03 (Public DAG028) is due by DAG030 (Restricted): a DAG member reads "by
    DAG030"; a login with no DAG seat reads the date alone, on the register, the action
    page and the API."""
    member = as_user("member")
    assert "by DAG030" in member.get("/actions/?status=").content.decode()
    assert member.get("/api/v1/actions/DAG28-03/").json()["due_meeting"]["ref"] == "DAG030"
    outsider = as_user("outsider")
    assert "DAG030" not in outsider.get("/actions/?status=").content.decode()
    assert "DAG030" not in outsider.get("/actions/DAG28-03/").content.decode()
    assert outsider.get("/api/v1/actions/DAG28-03/").json()["due_meeting"] is None


def test_the_next_meeting_is_the_next_one_the_reader_may_see(as_user):
    def next_of(client) -> str:
        html = client.get("/meetings/DAG029/").content.decode()
        return re.search(r"<dt>Next meeting</dt><dd>(.*?)</dd>", html, re.S).group(1)

    assert ">DAG030<" in next_of(as_user("member"))
    outsider = next_of(as_user("outsider"))
    assert ">DAG032<" in outsider
    assert "DAG030" not in outsider


def test_reviews_of_hidden_actions_show_no_text_on_pages_or_the_report(as_user, two):
    """DAG31-01 (Confidential DAG031) and DAG30-01 (Restricted DAG030) are taken up at the
    Public DAG032: the DAG observer reads DAG30-01 but not DAG31-01's text; the outsider
    neither; the issued report of the Public meeting names neither."""
    for action in (two.dag30_01, two.dag31_01):
        action_review_record(action=action, meeting=two.dag032, acting_user=SYSTEM)
    observer = as_user("observer")
    for path in ("/meetings/DAG032/", "/meetings/DAG032/reviews/"):
        html = observer.get(path).content.decode()
        assert DAG_RESTRICTED_TEXT in html
        assert DAG_CONFIDENTIAL_TEXT not in html
        assert "An action of a restricted meeting" in html
    outsider = as_user("outsider")
    for path in ("/meetings/DAG032/", "/meetings/DAG032/reviews/"):
        html = outsider.get(path).content.decode()
        assert DAG_RESTRICTED_TEXT not in html
        assert DAG_CONFIDENTIAL_TEXT not in html
    report = headline_report_html(data=headline_report_data(meeting=two.dag032), for_pdf=True)
    assert DAG_RESTRICTED_TEXT not in report
    assert DAG_CONFIDENTIAL_TEXT not in report
    assert report.count("An action of a restricted meeting") == 2


def test_discussion_links_only_refs_the_reader_may_open(as_user, two):
    discussion.discussion_item_create(
        meeting=two.seed.dag028,
        text="The Chair noted ACTION DAG30-01 and ACTION DAG28-01.",
        acting_user=SYSTEM,
    )

    def linked(client, path) -> set[str]:
        html = client.get(path).content.decode()
        return set(re.findall(r'class="ref-link" href="[^"]*" title="([^"]+)"', html))

    assert {"DAG30-01", "DAG28-01"} <= linked(as_user("member"), "/meetings/DAG028/")
    outsider = as_user("outsider")
    for path in ("/meetings/DAG028/", "/actions/DAG28-01/"):
        refs = linked(outsider, path)
        assert "DAG28-01" in refs
        assert "DAG30-01" not in refs
        assert "DAG30-01" in outsider.get(path).content.decode()  # as plain text


def test_my_actions_are_mine_and_my_organisations_are_a_second_tab(as_user, two):
    org_dag = action_create(
        meeting=two.seed.dag028,
        description="Programme-wide DAG task",
        owners=["Programme"],
        acting_user=SYSTEM,
    )
    org_tmag = action_create(
        meeting=two.tmag001,
        description="Programme-wide TMAG task",
        owners=["Programme"],
        acting_user=SYSTEM,
    )
    member = as_user("member")  # Rob Short, Programme, DAG member
    mine = member.get("/actions/mine/").content.decode()
    assert {"DAG28-01", "DAG30-01"} <= set(re.findall(r"\bDAG\d+-\d+\b", mine))
    assert org_dag.ref not in mine
    theirs = member.get("/actions/mine/?tab=organisation").content.decode()
    assert org_dag.ref in theirs
    assert org_tmag.ref not in theirs  # TMAG001 is Restricted; Rob holds no TMAG seat
    assert "DAG28-01" not in theirs
    dual = as_user("dual").get("/actions/mine/").content.decode()
    assert "TMAG1-02" in dual
    assert "DAG28-03" not in dual  # DAG's "Chair" action: dual is a DAG member, not its chair
    chair = as_user("chair").get("/actions/mine/").content.decode()
    assert {"DAG28-03", "DAG31-01"} <= set(re.findall(r"\bDAG\d+-\d+\b", chair))
    assert "TMAG1-02" not in chair


def test_reminder_emails_name_only_what_their_recipients_may_open(two, mailoutbox):
    """A run on each day around the actions' due date (20 November 2023): every email's
    actions are ones its recipient may open, and they are that person's "My actions"."""
    for person in Person.objects.filter(user__isnull=False):
        person.email = person.email or f"{person.user.username}@example.org"
        person.save()
    named: dict[str, set[str]] = {}
    for day in range(16, 23):
        run = reminders_send(today=dt.date(2023, 11, day), acting_user=SYSTEM)
        for email in run.sent:
            refs = {ref for kind, refs in email.reminders.items() for ref in refs}
            named.setdefault(email.email, set()).update(refs)
    assert mailoutbox, "the run sent nothing"
    by_email = {p.email: p.user for p in Person.objects.filter(user__isnull=False)}
    for address, refs in named.items():
        user = by_email[address]
        actions = {r for r in refs if "-" in r}
        visible = set(Action.objects.visible_to(user).values_list("ref", flat=True))
        owned = set(Action.objects.owned_by(user).values_list("ref", flat=True))
        assert actions <= visible, address
        assert actions <= owned, address
        meetings = refs - actions
        assert meetings <= set(Meeting.objects.visible_to(user).values_list("ref", flat=True))
    assert {"TMAG1-02"} <= named["dual@example.org"]
    assert "TMAG1-02" not in named.get("chair@example.org", set())
    assert "DAG31-01" in named["chair@example.org"]
    for message in mailoutbox:
        for ref, text in HIDDEN_TEXTS.items():
            if text in message.body:
                user = by_email[parseaddr(message.to[0])[1]]
                assert Action.objects.visible_to(user).filter(ref=ref).exists()


def test_the_people_api_lists_only_people_the_reader_may_see(as_user):
    def names(client) -> set[str]:
        rows = client.get("/api/v1/people/?limit=200").json()["results"]
        return {row["name"] for row in rows}

    # Tina Tmag is named only on TMAG1-01, of the Restricted TMAG001.
    assert "Tina Tmag" in names(as_user("tmag"))
    outsider = names(as_user("outsider"))
    assert "Tina Tmag" not in outsider
    assert {"Rob Short", "Haz Elmamoun", "Olly Outsider"} <= outsider


def test_the_pmo_keeps_a_meetings_participants(as_user, two):
    pmo = as_user("pmo")
    outsider = two.users["outsider"]
    assert not Meeting.objects.visible_to(outsider).filter(ref="DAG031").exists()
    added = pmo.post(
        "/api/v1/meetings/DAG031/participants/",
        json.dumps({"person": outsider.person.pk}),
        content_type="application/json",
    )
    assert added.status_code == 201
    assert {p["person"]["name"] for p in added.json()} == {"Gail Guest", "Olly Outsider"}
    outsider.__dict__.pop("_dag_access", None)
    assert Meeting.objects.visible_to(outsider).filter(ref="DAG031").exists()
    page = pmo.get("/meetings/DAG031/participants/").content.decode()
    assert "Olly Outsider" in page
    gone = pmo.delete(f"/api/v1/meetings/DAG031/participants/{outsider.person.pk}/")
    assert gone.status_code == 204
    assert not Meeting.objects.visible_to(outsider).filter(ref="DAG031").exists()
    # Others: the list of a hidden meeting is 404, a visible one's write is 403.
    member = as_user("member")
    assert member.get("/api/v1/meetings/DAG031/participants/").status_code == 404
    refused = member.post("/api/v1/meetings/DAG030/participants/", {"person": outsider.person.pk})
    assert refused.status_code == 403
