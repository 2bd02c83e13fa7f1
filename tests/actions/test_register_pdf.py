"""The action register as a PDF: ``/actions/register.pdf`` and ``actions.register_pdf``.

Known values from the seed report DAG028 (imported): DAG28-01 "Programme to provide overview
of the Related MPAN Explainer document…", owned by Programme (Rob Short), due 11/10/2023;
DAG028 is a Public meeting. The PDF's text is read back with poppler's ``pdftotext``.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model

from actions import register_pdf
from actions.models import Action, ActionOwner, action_ref_sort_key
from actions.register_pdf import action_register_pdf
from actions.selectors import ActionRegisterFilters
from actions.services import action_close, action_create
from composer.demo import demo_logins_ensure
from composer.importer import headline_report_import_file
from core.actors import SYSTEM
from meetings import services as meeting_services
from meetings.models import Meeting, Organisation, Person
from tests.conftest import SEED_PATH, london

REF = re.compile(r"^\s*(DAG\d+-\d+)\b", re.MULTILINE)


@pytest.fixture
def seed(db):
    """The seed report imported, and the demo logins (``pmo``, ``observer``, …)."""
    headline_report_import_file(path=SEED_PATH, acting_user=SYSTEM)
    demo_logins_ensure()
    return Meeting.objects.get(ref="DAG028")


def login(client, username: str):
    assert client.login(username=username, password=f"{username}-demo")
    return get_user_model().objects.get(username=username)


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page of ``pdf`` (``pdftotext -layout``)."""
    assert pdf.startswith(b"%PDF-")
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "register.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"],  # poppler-utils
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    return text.split("\f")[:-1]  # every page ends with a form feed


def refs_in(pages: list[str]) -> list[str]:
    """The action refs the register's rows begin with, in order."""
    return [ref for page in pages for ref in REF.findall(page)]


def seed_refs() -> list[str]:
    return list(Action.objects.order_by("ref_sort").values_list("ref", flat=True))


def test_the_pdf_lists_the_seed_actions_with_owner_and_due_date(client, seed):
    login(client, "pmo")
    # The day before DAG027's action DAG27-08 falls due (13/09/2023): nothing is overdue.
    with time_machine.travel(london(2023, 9, 12, 14, 5), tick=False):
        response = client.get("/actions/register.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="action-register-2023-09-12.pdf"'
    )
    pages = pdf_pages(response.content)
    text = "\n".join(pages)
    row = next(line for line in text.splitlines() if line.lstrip().startswith("DAG28-01 "))
    assert "DAG028" in row
    assert "Minutes and Actions" in row
    assert "Programme to provide overview of the Related MPAN Explainer" in row
    assert "Programme (Rob Short)" in row
    assert "11/10/2023" in row
    assert "Open" in row
    assert "Filters: none. Sorted by ref." in text
    # 14:05 in London on 12 September 2023 (BST), not the UTC clock's 13:05.
    assert "Generated 12/09/2023 14:05 (Europe/London)" in text
    assert refs_in(pages) == seed_refs()
    assert "Overdue" not in text.split("marked Overdue.", 1)[1]
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert re.search(r"Ref\s+Meeting\s+Area\s+Action\s+Owner\(s\)\s+Due\s+Status", page)


def test_open_actions_past_their_due_date_are_marked_overdue(client, seed):
    login(client, "pmo")
    with time_machine.travel(london(2023, 10, 12), tick=False):
        text = "\n".join(pdf_pages(client.get("/actions/register.pdf").content))
    lines = text.splitlines()
    # "Overdue" is written under the due date, on the row's next line.
    for ref in ("DAG27-08", "DAG28-01"):
        at = next(i for i, line in enumerate(lines) if line.lstrip().startswith(f"{ref} "))
        assert "Overdue" in lines[at + 1]


def test_the_register_filters_apply_and_are_named(client, seed):
    pmo = login(client, "pmo")
    action_close(action=Action.objects.get(ref="DAG28-02"), acting_user=pmo)
    closed = client.get("/actions/register.pdf", {"status": "closed"})
    text = "\n".join(pdf_pages(closed.content))
    assert refs_in([text]) == ["DAG28-02"]
    assert "Filters: Status: Closed." in text
    still_open = client.get("/actions/register.pdf", {"status": "open", "q": "MPAN"})
    text = "\n".join(pdf_pages(still_open.content))
    assert refs_in([text]) == ["DAG28-01"]
    assert "Filters: Search: “MPAN”; Status: Not closed." in text
    bad = client.get("/actions/register.pdf", {"status": "nonsense", "sort": "-ref"})
    text = "\n".join(pdf_pages(bad.content))
    assert refs_in([text]) == list(reversed(seed_refs()))
    assert "Filters: none (ignored, not valid: Status). Sorted by ref, newest first." in text


def test_an_observer_gets_no_action_of_restricted_or_confidential_meetings(client, seed):
    hidden = []
    for number, classification in (
        (30, Meeting.Classification.RESTRICTED),
        (31, Meeting.Classification.CONFIDENTIAL),
    ):
        meeting = meeting_services.meeting_create(
            committee=seed.committee,
            number=number,
            start_at=london(2023, 12, number - 20, 10),
            status=Meeting.Status.HELD,
            classification=classification,
            acting_user=SYSTEM,
        )
        action = action_create(
            meeting=meeting,
            description=f"Restricted business {number}",
            owners=["Programme (Rob Short)"],
            due_date=dt.date(2024, 1, 10),
            acting_user=SYSTEM,
        )
        hidden.append(action.ref)
    login(client, "pmo")
    text = "\n".join(pdf_pages(client.get("/actions/register.pdf").content))
    assert set(hidden) <= set(refs_in([text]))
    client.logout()
    login(client, "observer")
    text = "\n".join(pdf_pages(client.get("/actions/register.pdf").content))
    assert refs_in([text]) == [ref for ref in seed_refs() if ref not in hidden]
    assert "Restricted business" not in text
    # Naming the hidden meeting does not reveal it: the filter is ignored, as on /actions/.
    text = "\n".join(pdf_pages(client.get("/actions/register.pdf", {"meeting": "DAG030"}).content))
    assert "Restricted business" not in text
    assert "ignored, not valid: Raised at" in text


def test_the_pdf_needs_a_login(client, seed):
    response = client.get("/actions/register.pdf")
    assert response.status_code == 302
    assert "/login" in response["Location"]


def _bulk_actions(meeting: Meeting, count: int, *, wrap: bool = True) -> None:
    """``count`` more actions on ``meeting``, two owners each, written in bulk; with ``wrap``
    every third description is long enough to take two lines, the rest one."""
    meeting.refresh_from_db()
    start = meeting.last_action_seq
    organisation, _ = Organisation.objects.get_or_create(name="Bulk Energy Ltd")
    person, _ = Person.objects.get_or_create(name="Bulk Owner", organisation=organisation)
    actions = Action.objects.bulk_create(
        Action(
            committee=meeting.committee,
            meeting=meeting,
            seq=start + n + 1,
            ref=f"DAG{meeting.number}-{start + n + 1:02d}",
            ref_sort=action_ref_sort_key("DAG", meeting.number, 0, start + n + 1),
            description=f"Bulk action {n} "
            + "with a description long enough to wrap " * (4 * wrap * (n % 3 == 2)),
            due_date=dt.date(2023, 9, 1) + dt.timedelta(days=n % 90),
        )
        for n in range(count)
    )
    ActionOwner.objects.bulk_create(
        owner
        for action in actions
        for owner in (
            ActionOwner(action=action, organisation=organisation, person=person, is_lead=True),
            ActionOwner(action=action, role="Chair", is_lead=False, order=1),
        )
    )
    meeting.last_action_seq = start + count
    meeting.save(update_fields=["last_action_seq"])


def test_the_pdf_costs_the_same_queries_for_10_and_200_actions(
    client, seed, django_assert_num_queries, django_assert_max_num_queries
):
    login(client, "member")
    Action.objects.exclude(ref__in=seed_refs()[:10]).delete()
    assert Action.objects.count() == 10
    client.get("/actions/register.pdf")  # the session and the templates, once
    with django_assert_max_num_queries(12) as ten:
        client.get("/actions/register.pdf")
    _bulk_actions(seed, 190)
    assert Action.objects.count() == 200
    with django_assert_num_queries(len(ten.captured_queries)):
        response = client.get("/actions/register.pdf")
    assert len(refs_in(pdf_pages(response.content))) == 200


def test_chunks_join_into_full_pages_with_every_row_once_and_numbered(seed, monkeypatch):
    # Chunks of 60 rows (more than a page holds) over 200 actions: four or more WeasyPrint
    # documents joined into one. The bulk rows are one line each and none is overdue yet (an
    # overdue row takes a second line), so full pages hold as many rows as each other.
    monkeypatch.setattr(register_pdf, "CHUNK_ROWS", 60)
    _bulk_actions(seed, 200 - Action.objects.count(), wrap=False)
    pmo = get_user_model().objects.get(username="pmo")
    result = action_register_pdf(
        user=pmo, filters=ActionRegisterFilters(), today=dt.date(2023, 8, 1)
    )
    pages = pdf_pages(result.pdf)
    assert (result.shown, result.total, result.pages) == (200, 200, len(pages))
    assert refs_in(pages) == seed_refs()
    assert [f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, 1)] == [True] * len(
        pages
    )
    # A chunk's part-filled last page is dropped and its rows start the next chunk: between
    # the first page (title, the seed's longer rows) and the last, every page is full.
    per_page = [len(REF.findall(page)) for page in pages]
    assert len(pages) >= 5
    assert len(set(per_page[1:-1])) == 1
    assert per_page[-1] <= per_page[1]


def test_an_action_longer_than_a_page_at_a_chunks_end_is_printed_once_and_whole(seed, monkeypatch):
    # A ~4,900-character action (the API's limit is 5,000) near the end of each 60-row chunk:
    # it splits over two pages, and WeasyPrint names it on both. The chunk's last page was
    # dropped and the next chunk began with that action again: printed twice, once cut off.
    monkeypatch.setattr(register_pdf, "CHUNK_ROWS", 60)
    _bulk_actions(seed, 200 - Action.objects.count(), wrap=False)
    long_refs = [seed_refs()[i] for i in (52, 55, 112, 115)]
    for ref in long_refs:
        words = " ".join(f"word{n}" for n in range(700))
        Action.objects.filter(ref=ref).update(description=f"{ref} {words} ENDMARK")
    pmo = get_user_model().objects.get(username="pmo")
    result = action_register_pdf(
        user=pmo, filters=ActionRegisterFilters(), today=dt.date(2023, 8, 1)
    )
    pages = pdf_pages(result.pdf)
    text = "\n".join(pages)
    assert refs_in(pages) == seed_refs()
    assert text.count("ENDMARK") == len(long_refs)
    assert text.count("word0 ") == len(long_refs)


def test_more_actions_than_the_cap_are_cut_and_the_pdf_and_page_say_so(client, seed, monkeypatch):
    monkeypatch.setattr(register_pdf, "REGISTER_PDF_MAX_ROWS", 5)
    total = Action.objects.count()
    login(client, "pmo")
    text = "\n".join(pdf_pages(client.get("/actions/register.pdf").content))
    assert refs_in([text]) == seed_refs()[:5]
    assert f"5 actions of {total}." in text
    assert f"The filters match {total} actions: this PDF lists the first 5" in text
    html = client.get("/actions/", {"status": "open"}).content.decode()
    assert f"The PDF lists the first 5 of these {total} actions." in html
    assert 'href="/actions/register.pdf?status=open"' in html
    html = client.get("/actions/", {"q": "MPAN"}).content.decode()
    assert "The PDF lists the first" not in html
    assert 'href="/actions/register.pdf?q=MPAN"' in html


def test_overlapping_renders_leave_the_collector_as_they_found_it():
    # Two threads' renders interleaved as first-in, second-in, first-out, second-out: each
    # checking gc.isenabled() alone, the second read the first's pause and kept it for good.
    import gc

    assert gc.isenabled()
    first, second = register_pdf._gc_paused(), register_pdf._gc_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second render is still laying out
    second.__exit__(None, None, None)
    assert gc.isenabled()
