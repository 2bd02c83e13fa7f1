"""A reminder email's "done, please close" link, opened in a fresh Chromium with no session.

The email is a real reminder run on the seed's 12 October 2023 (Paul Pettitt, no login, owns
DAG28-11 and DAG28-12, both due 11/10/2023). The page is checked with axe-core at 1280 and
390 px; with ``SCREENSHOTS_DIR`` set it is saved there.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.core import mail

from actions.models import Action, ActionUpdate
from composer import reminders
from core.actors import SYSTEM
from meetings.models import Person


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_done_please_close_from_the_email_once_then_used_and_tampered_refused(
    open_page, seeded, live_server, width
):
    from axe_playwright_python.sync_playwright import Axe

    Person.objects.filter(name="Paul Pettitt").update(email="paul.pettitt@example.org")
    reminders.reminders_send(acting_user=SYSTEM, today=dt.date(2023, 10, 12))
    (message,) = [m for m in mail.outbox if "paul.pettitt@example.org" in m.to[0]]
    html, _ = message.alternatives[0]
    # The HTML part's row of DAG28-12 and its first link.
    row = re.search(r'<a href="[^"]+/actions/DAG28-12/">DAG28-12</a>.*?</tr>', html, re.S)[0]
    url = re.search(r'<a href="(http[^"]+/act/[^"]+/)">Done, please close</a>', row)[1]
    path = url.split("://", 1)[1].split("/", 1)[1]

    before = dict(Action.objects.values_list("ref", "status"))
    page = open_page(None, width=width)  # a fresh context: no session, no cookie
    page.goto(f"/{path}")
    assert page.get_by_role("heading", level=1).inner_text() == "Done, please close: DAG28-12"
    assert Action.objects.get(ref="DAG28-12").status == Action.Status.OPEN
    results = Axe().run(page)
    _shot(page, f"email-link-confirm-{width}")
    assert results.violations_count == 0, results.generate_report()
    page.get_by_label("What was done").fill("Raised at the DRG on 10 October.")
    page.get_by_role("button", name="Confirm: done, please close").click()
    page.wait_for_selector("text=Closure of DAG28-12 is proposed")
    _shot(page, f"email-link-done-{width}")

    after = dict(Action.objects.values_list("ref", "status"))
    changed = {ref: status for ref, status in after.items() if before[ref] != status}
    assert changed == {"DAG28-12": Action.Status.PROPOSED_CLOSURE}
    (update,) = ActionUpdate.objects.all()
    assert (update.action.ref, update.author_person.name) == ("DAG28-12", "Paul Pettitt")

    again = page.goto(f"/{path}")
    assert again.status == 410
    assert page.get_by_role("heading", level=1).inner_text() == "This link has been used"
    _shot(page, f"email-link-used-{width}")
    assert ActionUpdate.objects.count() == 1

    tampered = page.goto(f"/{path[:-4]}x/")
    assert tampered.status == 400
    assert page.get_by_role("heading", level=1).inner_text() == "This link is not valid"
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
