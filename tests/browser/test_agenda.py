"""The agenda and papers of DAG029 in real Chromium, at 1280 and 390 px: the PMO builds the
agenda with two papers and publishes it; a member reads a paper and the meeting pack. Each
new page is checked with axe-core (no serious or critical violation); with
``SCREENSHOTS_DIR`` set the pages are saved as PNGs to look at.
"""

from __future__ import annotations

import datetime as dt
import os
from io import BytesIO
from pathlib import Path

import pytest
from playwright.sync_api import expect

from meetings.models import AgendaItem, Meeting
from tests.agenda.helpers import pdf_bytes

PAGE = "/meetings/DAG029/agenda-and-papers/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _shot(page, name: str) -> None:
    shots = os.environ.get("SCREENSHOTS_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{shots}/{name}.png", full_page=True)


def _axe(page, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    _shot(page, name)
    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{name}: " + "; ".join(bad)


def _add_item(page, title: str) -> None:
    page.get_by_label("New item's title").fill(title)
    page.get_by_role("button", name="Add item").click()
    expect(page.locator("#messages")).to_contain_text(f"“{title}” added to the agenda.")


def _attach(page, title: str, item: str, name: str, content: bytes) -> None:
    page.get_by_label("Paper title").fill(title)
    page.get_by_role("combobox", name="Agenda item").select_option(label=item)
    page.get_by_label("File").set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": content}
    )
    page.get_by_role("button", name="Attach paper").click()
    expect(page.locator("#messages")).to_contain_text(f"Paper “{title}” attached (version 1).")


@pytest.mark.parametrize("width", [1280, 390])
def test_pmo_builds_and_publishes_dag029s_agenda_and_a_member_reads_it(open_page, seeded, width):
    from pypdf import PdfReader

    pmo = open_page("pmo", width=width)
    pmo.goto(PAGE)
    _add_item(pmo, "Minutes and Actions")
    _add_item(pmo, "CR032 Decision")
    pmo.locator("#agenda-items li").nth(1).get_by_role("link", name="Edit").click()
    pmo.get_by_label("Start time").fill("10:30")
    pmo.get_by_label("Duration (minutes)").fill("45")
    pmo.get_by_label("Purpose").select_option(label="For decision")
    pmo.get_by_label("Presenter").select_option(label="Rob Short (Programme)")
    _axe(pmo, f"agenda-item-edit-{width}")
    pmo.get_by_role("button", name="Save").click()
    expect(pmo.locator("#messages")).to_contain_text("Agenda item “CR032 Decision” saved.")
    # By keyboard (or without JavaScript): the decision goes first.
    pmo.get_by_role("button", name="Move up CR032 Decision").click()
    expect(pmo.locator("#agenda-items li").first).to_contain_text("CR032 Decision")
    _attach(pmo, "CR032 impact assessment", "CR032 Decision", "cr032-ia.pdf", pdf_bytes(3))
    _attach(pmo, "DAG028 minutes", "Minutes and Actions", "dag028-minutes.pdf", pdf_bytes(2))
    pmo.get_by_role("button", name="Publish the agenda").click()
    expect(pmo.locator("#messages")).to_contain_text("The agenda of DAG029 is published")
    _axe(pmo, f"agenda-pmo-{width}")
    dag029 = Meeting.objects.get(ref="DAG029")
    assert dag029.agenda_published_by.username == "pmo"
    decision = AgendaItem.objects.get(meeting=dag029, title="CR032 Decision")
    assert (decision.order, decision.start_time, decision.duration_minutes) == (
        1,
        dt.time(10, 30),
        45,
    )

    member = open_page("member", width=width)
    member.goto(PAGE)
    entry = member.locator("#agenda-items li").first
    expect(entry).to_contain_text("10:30–11:15")
    expect(entry).to_contain_text("For decision")
    expect(entry).to_contain_text("Presenter: Rob Short")
    expect(member.get_by_role("button", name="Move up CR032 Decision")).to_have_count(0)
    _axe(member, f"agenda-member-{width}")
    with member.expect_download() as paper:
        member.get_by_role("link", name="CR032 impact assessment").click()
    assert paper.value.suggested_filename == "cr032-ia.pdf"
    assert len(PdfReader(paper.value.path()).pages) == 3

    member.get_by_role("button", name="Make the meeting pack (PDF)").click()
    member.wait_for_url("**/meetings/DAG029/pack/*/")
    link = member.get_by_role("link", name="Download the meeting pack")
    expect(link).to_be_visible(timeout=60_000)
    _axe(member, f"meeting-pack-{width}")
    with member.expect_download() as pack:
        link.click()
    reader = PdfReader(BytesIO(Path(pack.value.path()).read_bytes()))
    assert len(reader.pages) == 1 + 3 + 2  # the cover, then the papers in agenda order
    cover = reader.pages[0].extract_text()
    assert "CR032 Decision" in cover
    assert "10:30" in cover
    assert "Paper page 1" in reader.pages[1].extract_text()
