"""The PMO at DAG029 in Chromium, at 1280 and 390 px: records attendance with one apology and a
substitute, sees the quorum (on the attendance page and the meeting page), and takes up five
earlier actions in one save; axe-core finds no serious or critical violation on the new
pages (attendance, take-up, since the last meeting, plan a series). With ``SCREENSHOTS_DIR``
set each page is also saved as a PNG to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SERIOUS = {"serious", "critical"}


def _shot(page, name: str) -> None:
    shots = os.environ.get("SCREENSHOTS_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{shots}/{name}.png", full_page=True)


def _axe(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


@pytest.fixture
def committee_seats(seeded):
    from meetings.models import Committee, Membership, Organisation, Person

    dag = Committee.objects.get(code="DAG")
    dag.quorum_count = 2
    dag.save()
    org = Organisation.objects.get_or_create(name="Programme")[0]
    for name, role in [
        ("Vera Voter", Membership.Role.MEMBER),
        ("Alan Alternate", Membership.Role.ALTERNATE),
    ]:
        person = Person.objects.create(name=name, organisation=org)
        Membership.objects.create(committee=dag, person=person, role=role)
    return seeded


@pytest.mark.parametrize("width", [1280, 390])
def test_attendance_quorum_and_five_actions_taken_up_in_one_save(open_page, committee_seats, width):
    from actions.models import ActionReview
    from meetings.models import MeetingParticipant

    page = open_page("pmo", width=width)
    problems: list[str] = []
    page.goto("/meetings/DAG029/attendance/")
    page.get_by_role("button", name="Invite the committee's members").click()
    page.wait_for_selector("text=committee member(s) invited")
    page.get_by_label("Attendance of Demo Chair").select_option("present")
    page.get_by_label("Attendance of Rob Short").select_option("apologies")
    page.get_by_label("Attendance of Vera Voter").select_option("video")
    page.get_by_label("Attendance of Alan Alternate").select_option("present")
    page.get_by_label("Alan Alternate stands in for").select_option(label="Rob Short")
    page.get_by_role("button", name="Save attendance").click()
    page.wait_for_selector("text=Attendance at DAG029 saved.")
    assert page.url.endswith("/meetings/DAG029/attendance/#quorum")
    quorum = page.locator("#quorum-text").inner_text()
    assert "Quorate: 3 of 3 voting members there (quorum 2)" in quorum
    alan = MeetingParticipant.objects.get(meeting__ref="DAG029", person__name="Alan Alternate")
    assert (alan.attendance, alan.substitute_for.name) == ("present", "Rob Short")
    assert MeetingParticipant.objects.get(person__name="Rob Short").attendance == "apologies"
    _shot(page, f"attendance-{width}")
    problems += _axe(page)

    # The meeting page loads the quorum.
    page.goto("/meetings/DAG029/")
    page.wait_for_selector("#quorum-text")
    assert "Quorate" in page.locator("#quorum-text").inner_text()

    page.goto("/meetings/DAG029/take-up/")
    refs = [el.get_attribute("value") for el in page.locator('input[name="actions"]').all()]
    assert len(refs) >= 5
    chosen = refs[:5]
    outcomes = ["closed", "re_dated", "kept_open", "closed", "re_dated"]
    for ref, outcome in zip(chosen, outcomes, strict=True):
        page.get_by_label(f"Outcome of {ref}").select_option(outcome)
        if outcome == "re_dated":
            page.get_by_label(f"New due date of {ref}").fill("2023-11-08")
        page.get_by_label(f"Note on {ref}").fill(f"Taken up {ref}")
    _shot(page, f"take-up-filled-{width}")
    problems += _axe(page)
    page.get_by_role("button", name="Save all").click()
    page.wait_for_selector("text=5 earlier action(s) taken up at DAG029.")
    assert page.url.endswith("/meetings/DAG029/take-up/#taken-up")
    assert "Taken up at DAG029 (5)" in page.locator("#taken-up").inner_text()
    saved = ActionReview.objects.filter(meeting__ref="DAG029").order_by("order")
    assert [(r.action.ref, r.outcome) for r in saved] == list(zip(chosen, outcomes, strict=True))
    _shot(page, f"take-up-saved-{width}")

    for url, name in [
        ("/meetings/DAG029/since-last/", "since-last"),
        ("/meetings/series/new/", "series"),
    ]:
        page.goto(url)
        _shot(page, f"{name}-{width}")
        problems += _axe(page)
        width_now = page.evaluate("document.documentElement.scrollWidth")
        assert width_now <= width, f"{url} is {width_now}px wide"
    assert problems == []
