"""Who the record names: an imported decision's "Decided by" says what the report records
(the committee at the meeting, no person) rather than an empty label; a re-opening names
the person of the login that re-opened it, else the login."""

from __future__ import annotations

from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from composer.demo import SEED_REPORT, demo_logins_ensure
from composer.importer import headline_report_import_file
from core.actors import SYSTEM
from decisions.models import Decision
from decisions.services import decision_reopen


@pytest.fixture
def imported(db):
    headline_report_import_file(path=SEED_REPORT, acting_user=SYSTEM)
    demo_logins_ensure()


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=f"{username}-demo")
    return client


def decided_by(html: str) -> str:
    start = html.index("<dt>Decided by</dt><dd>") + len("<dt>Decided by</dt><dd>")
    return unescape(html[start : html.index("</dd>", start)])


def test_an_imported_decision_names_the_committee_at_its_meeting(imported):
    decision = Decision.objects.get(ref="DAG-DEC68")
    assert decision.decided_at is not None
    assert decision.decided_by is None  # the report names no person
    html = login("observer").get("/decisions/DAG-DEC68/").content.decode()
    assert decided_by(html) == (
        "Design Advisory Group at DAG028, as recorded (no person named), 13 September 2023, 10:00"
    )


def test_a_reopening_shows_the_persons_name_else_the_login(imported):
    user = get_user_model()
    decision = Decision.objects.get(ref="DAG-DEC68")
    decision_reopen(
        decision=decision, reason="A new impact", acting_user=user.objects.get(username="chair")
    )
    html = login("pmo").get("/decisions/DAG-DEC68/").content.decode()
    assert "Re-opened by Demo Chair (Chair): A new impact" in unescape(html)
    # A login with no person in the register: its username.
    from decisions.models import DecisionReopening

    admin = user.objects.create_user(username="ops-admin", password="x")
    reopening = DecisionReopening.objects.get()
    reopening.reopened_by = admin
    reopening.save()
    html = login("pmo").get("/decisions/DAG-DEC68/").content.decode()
    assert "Re-opened by ops-admin (Chair): A new impact" in unescape(html)
