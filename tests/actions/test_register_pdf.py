"""The action register as a PDF: asked for on ``/actions/register-pdfs/`` (or the old
``/actions/register.pdf`` link), rendered by the task ``actions.register_pdf_render`` after
commit, stored, and served to its requester from ``/actions/register-pdfs/<id>/file/``.

Known values from the seed report DAG028 (imported): DAG28-01 "Programme to provide overview
of the Related MPAN Explainer document…", owned by Programme (Rob Short), due 11/10/2023;
DAG028 is a Public meeting. The stored PDF's text is read back with poppler's ``pdftotext``.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import tempfile
from html import escape
from pathlib import Path
from urllib.parse import urlencode

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from actions import register_pdf
from actions.models import Action, ActionOwner, RegisterPdf, action_ref_sort_key
from actions.register import ActionRegisterFilters
from actions.register_pdf import register_pdf_render, register_pdf_request
from actions.services import action_close, action_create
from actions.tasks import register_pdf_render_task
from composer.demo import demo_logins_ensure
from composer.importer import headline_report_import_file
from core.actors import SYSTEM
from meetings import services as meeting_services
from meetings.models import Meeting, Membership, Organisation, Person
from tests.conftest import SEED_PATH, london

REF = re.compile(r"^\s*(DAG\d+-\d+)\b", re.MULTILINE)
STATUS_URL = re.compile(r"^/actions/register-pdfs/(\d+)/$")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def seed(db):
    """The seed report imported, and the demo logins (``pmo``, ``observer``, …)."""
    headline_report_import_file(path=SEED_PATH, acting_user=SYSTEM)
    demo_logins_ensure()
    # The observer here reads Public meetings only: a login with no seat (the demo's DAG
    # observer seat reads DAG's Restricted meetings; tests/access tests that).
    Membership.objects.filter(person__user__username="observer").delete()
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


def ask(client, capture, params=None, *, old_link: bool = False) -> RegisterPdf:
    """Ask for the register PDF as the browser does (the button's POST, or the old GET link)
    and let the task run after commit (eagerly, as with no broker); the request, reloaded."""
    query = urlencode(params or {})
    with capture(execute=True):
        if old_link:
            before = RegisterPdf.objects.count()
            page = client.get("/actions/register.pdf", params or {})
            assert page.status_code == 200
            assert RegisterPdf.objects.count() == before  # a GET asks for nothing
            html = page.content.decode()
            assert f'action="/actions/register-pdfs/?{escape(query)}"' in html
        response = client.post(f"/actions/register-pdfs/?{query}")
    assert response.status_code == 302
    found = STATUS_URL.match(response["Location"])
    assert found, response["Location"]
    return RegisterPdf.objects.get(pk=int(found.group(1)))


def download(client, asked: RegisterPdf):
    response = client.get(f"/actions/register-pdfs/{asked.pk}/file/")
    assert response.status_code == 200
    return response


def stored_pdf(asked: RegisterPdf) -> bytes:
    asked.refresh_from_db()
    with asked.file.open("rb") as handle:
        return handle.read()


def pages_of(client, capture, params=None, **kwargs) -> list[str]:
    asked = ask(client, capture, params, **kwargs)
    assert asked.status == RegisterPdf.Status.READY, asked.error
    return pdf_pages(b"".join(download(client, asked).streaming_content))


def test_the_pdf_lists_the_seed_actions_with_owner_and_due_date(
    client, seed, django_capture_on_commit_callbacks
):
    pmo = login(client, "pmo")
    # The day before DAG027's action DAG27-08 falls due (13/09/2023): nothing is overdue.
    with time_machine.travel(london(2023, 9, 12, 14, 5), tick=False):
        asked = ask(client, django_capture_on_commit_callbacks)
        response = download(client, asked)
    assert (asked.status, asked.requested_by, asked.attempts) == ("ready", pmo, 1)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="action-register-2023-09-12.pdf"'
    )
    pdf = b"".join(response.streaming_content)
    assert pdf == stored_pdf(asked)
    pages = pdf_pages(pdf)
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
    assert (asked.rows, asked.total, asked.pages) == (
        len(seed_refs()),
        len(seed_refs()),
        len(pages),
    )
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Action register, generated 12/09/2023 14:05" in page
        assert re.search(r"Ref\s+Meeting\s+Area\s+Action\s+Owner\(s\)\s+Due\s+Status", page)


def test_open_actions_past_their_due_date_are_marked_overdue(
    client, seed, django_capture_on_commit_callbacks
):
    login(client, "pmo")
    with time_machine.travel(london(2023, 10, 12), tick=False):
        text = "\n".join(pages_of(client, django_capture_on_commit_callbacks))
    lines = text.splitlines()
    # "Overdue" is written under the due date, on the row's next line.
    for ref in ("DAG27-08", "DAG28-01"):
        at = next(i for i, line in enumerate(lines) if line.lstrip().startswith(f"{ref} "))
        assert "Overdue" in lines[at + 1]


def test_the_register_filters_apply_and_are_named(client, seed, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    pmo = login(client, "pmo")
    action_close(action=Action.objects.get(ref="DAG28-02"), acting_user=pmo)
    text = "\n".join(pages_of(client, capture, {"status": "closed"}))
    assert refs_in([text]) == ["DAG28-02"]
    assert "Filters: Status: Closed." in text
    text = "\n".join(pages_of(client, capture, {"status": "open", "q": "MPAN"}))
    assert refs_in([text]) == ["DAG28-01"]
    assert "Filters: Search: “MPAN”; Status: Not closed." in text
    text = "\n".join(pages_of(client, capture, {"status": "nonsense", "sort": "-ref"}))
    assert refs_in([text]) == list(reversed(seed_refs()))
    assert "Filters: none (ignored, not valid: Status). Sorted by ref, newest first." in text


def test_an_observer_gets_no_action_of_restricted_or_confidential_meetings(
    client, seed, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
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
    text = "\n".join(pages_of(client, capture))
    assert set(hidden) <= set(refs_in([text]))
    client.logout()
    login(client, "observer")
    # Rendered by the task (the system), but with the register the observer may see.
    text = "\n".join(pages_of(client, capture))
    assert refs_in([text]) == [ref for ref in seed_refs() if ref not in hidden]
    assert "Restricted business" not in text
    # Naming the hidden meeting does not reveal it: the filter is ignored, as on /actions/.
    text = "\n".join(pages_of(client, capture, {"meeting": "DAG030"}))
    assert "Restricted business" not in text
    assert "ignored, not valid: Raised at" in text


def test_the_pdf_needs_a_login(client, seed):
    for response in (
        client.get("/actions/register.pdf"),
        client.post("/actions/register-pdfs/"),
        client.get("/actions/register-pdfs/1/"),
    ):
        assert response.status_code == 302
        assert "/login" in response["Location"]
    assert not RegisterPdf.objects.exists()


def test_the_old_link_shows_the_filters_and_a_button_that_asks_for_the_pdf(
    client, seed, django_capture_on_commit_callbacks
):
    login(client, "pmo")
    asked = ask(client, django_capture_on_commit_callbacks, {"status": "open"}, old_link=True)
    assert asked.status == RegisterPdf.Status.READY
    assert asked.filters["status"] == "open"
    assert asked.filters_text == "Status: Not closed"
    html = client.get(f"/actions/register-pdfs/{asked.pk}/").content.decode()
    assert f'href="/actions/register-pdfs/{asked.pk}/file/"' in html
    assert "hx-trigger" not in html  # ready: nothing to poll for


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


def _pending(user, *, today=dt.date(2023, 8, 1), capture, **filters) -> RegisterPdf:
    """A stored request whose task is not run (its on-commit callback dropped)."""
    with capture(execute=False):
        return register_pdf_request(
            filters=ActionRegisterFilters(**filters),
            filters_text="none",
            today=today,
            acting_user=user,
        )


def test_the_render_costs_the_same_queries_for_10_and_200_actions(
    seed,
    django_assert_num_queries,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    member = get_user_model().objects.get(username="member")
    Action.objects.exclude(ref__in=seed_refs()[:10]).delete()
    assert Action.objects.count() == 10
    register_pdf_render(request_id=_pending(member, capture=capture).pk, acting_user=SYSTEM)
    ten_request = _pending(member, capture=capture, sort="-ref")
    with django_assert_max_num_queries(25) as ten:
        register_pdf_render(request_id=ten_request.pk, acting_user=SYSTEM)
    _bulk_actions(seed, 190)
    assert Action.objects.count() == 200
    two_hundred = _pending(member, capture=capture, sort="due_date")
    with django_assert_num_queries(len(ten.captured_queries)):
        register_pdf_render(request_id=two_hundred.pk, acting_user=SYSTEM)
    assert len(refs_in(pdf_pages(stored_pdf(two_hundred)))) == 200


def test_one_document_prints_every_row_once_on_full_numbered_pages(
    seed, django_capture_on_commit_callbacks
):
    # The bulk rows are one line each and none is overdue yet (an overdue row takes a second
    # line), so full pages hold as many rows as each other.
    _bulk_actions(seed, 200 - Action.objects.count(), wrap=False)
    pmo = get_user_model().objects.get(username="pmo")
    asked = _pending(pmo, capture=django_capture_on_commit_callbacks)
    register_pdf_render_task(asked.pk)
    pages = pdf_pages(stored_pdf(asked))
    assert (asked.rows, asked.total, asked.pages) == (200, 200, len(pages))
    assert refs_in(pages) == seed_refs()
    assert [f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, 1)] == [True] * len(
        pages
    )
    # Between the first page (title, the seed's longer rows) and the last, every page is full.
    per_page = [len(REF.findall(page)) for page in pages]
    assert len(pages) >= 5
    assert len(set(per_page[1:-1])) == 1
    assert per_page[-1] <= per_page[1]


def test_a_long_register_rendered_in_parts_is_numbered_as_one_document(
    seed, monkeypatch, django_capture_on_commit_callbacks
):
    """Past ``REGISTER_PDF_PART_ROWS`` rows the register is laid out in parts (here 60 rows a
    part for 200): every row once and in order, one title, and every page "Page N of M" with
    M the whole PDF's page count, from the page-number layer laid over the parts."""
    monkeypatch.setattr(register_pdf, "REGISTER_PDF_PART_ROWS", 60)
    _bulk_actions(seed, 200 - Action.objects.count())
    pmo = get_user_model().objects.get(username="pmo")
    asked = _pending(pmo, capture=django_capture_on_commit_callbacks)
    register_pdf_render_task(asked.pk)
    asked.refresh_from_db()
    assert asked.status == RegisterPdf.Status.READY, asked.error
    pages = pdf_pages(stored_pdf(asked))
    assert (asked.rows, asked.pages) == (200, len(pages))
    assert refs_in(pages) == seed_refs()
    assert sum("Action register" in page.split("\n", 3)[0] for page in pages) == 1
    numbered = [
        f"Page {n} of {len(pages)}" in page and "Action register, generated" in page
        for n, page in enumerate(pages, 1)
    ]
    assert numbered == [True] * len(pages)
    assert all("Ref" in page and "Owner(s)" in page for page in pages)  # headers on each


def test_an_action_longer_than_a_page_is_printed_once_and_whole(
    seed, django_capture_on_commit_callbacks
):
    # A ~4,900-character action (the API's limit is 5,000) in four places: one longer than
    # what is left of a page splits over two pages, and is still printed once, all of it.
    _bulk_actions(seed, 200 - Action.objects.count(), wrap=False)
    long_refs = [seed_refs()[i] for i in (52, 55, 112, 115)]
    for ref in long_refs:
        words = " ".join(f"word{n}" for n in range(700))
        Action.objects.filter(ref=ref).update(description=f"{ref} {words} ENDMARK")
    pmo = get_user_model().objects.get(username="pmo")
    asked = _pending(pmo, capture=django_capture_on_commit_callbacks)
    register_pdf_render_task(asked.pk)
    pages = pdf_pages(stored_pdf(asked))
    text = "\n".join(pages)
    assert refs_in(pages) == seed_refs()
    assert text.count("ENDMARK") == len(long_refs)
    assert text.count("word0 ") == len(long_refs)
    assert text.count("word699 ENDMARK") == len(long_refs)
    # At least one of them starts on one page and ends on the next.
    assert any("word0 " in page and "ENDMARK" not in page for page in pages)


def test_more_actions_than_the_cap_are_cut_and_the_pdf_and_pages_say_so(
    client, seed, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(register_pdf, "REGISTER_PDF_MAX_ROWS", 5)
    total = Action.objects.count()
    login(client, "pmo")
    asked = ask(client, django_capture_on_commit_callbacks)
    text = "\n".join(pdf_pages(stored_pdf(asked)))
    assert refs_in([text]) == seed_refs()[:5]
    assert f"5 actions of {total}." in text
    assert f"The filters match {total} actions: this PDF lists the first 5" in text
    assert (asked.rows, asked.total, asked.is_capped) == (5, total, True)
    status = client.get(f"/actions/register-pdfs/{asked.pk}/").content.decode()
    assert f"The filters match {total} actions: the PDF lists the first 5" in status
    html = client.get("/actions/", {"status": "open"}).content.decode()
    assert f"The PDF lists the first 5 of these {total} actions." in html
    assert 'action="/actions/register-pdfs/?status=open"' in html
    html = client.get("/actions/", {"q": "MPAN"}).content.decode()
    assert "The PDF lists the first" not in html
    assert 'action="/actions/register-pdfs/?q=MPAN"' in html


def test_the_status_page_polls_while_the_pdf_renders(
    client, seed, django_capture_on_commit_callbacks
):
    pmo = login(client, "pmo")
    asked = _pending(pmo, capture=django_capture_on_commit_callbacks)
    url = f"/actions/register-pdfs/{asked.pk}/"
    page = client.get(url).content.decode()
    assert "<html" in page
    assert f'hx-get="{url}" hx-trigger="every 2s"' in page
    assert "Waiting to render" in page
    assert client.get(f"{url}file/").status_code == 404  # nothing to download yet
    register_pdf_render_task(asked.pk)
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert "hx-trigger" not in fragment  # the swap stops the polling
    assert "Ready" in fragment
    assert f'href="{url}file/"' in fragment
    assert f"{len(seed_refs())} actions" in fragment


def test_asking_twice_while_it_waits_renders_once(seed, django_capture_on_commit_callbacks):
    pmo = get_user_model().objects.get(username="pmo")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = register_pdf_request(
            filters=ActionRegisterFilters(status="open"),
            filters_text="Status: Not closed",
            today=dt.date(2023, 9, 12),
            acting_user=pmo,
        )
        again = register_pdf_request(
            filters=ActionRegisterFilters(status="open"),
            filters_text="Status: Not closed",
            today=dt.date(2023, 9, 12),
            acting_user=pmo,
        )
        other = register_pdf_request(
            filters=ActionRegisterFilters(status="closed"),
            filters_text="Status: Closed",
            today=dt.date(2023, 9, 12),
            acting_user=pmo,
        )
    assert again == first
    assert other != first
    assert len(callbacks) == 2


def test_the_system_cannot_ask_for_a_register_of_its_own(seed):
    with pytest.raises(PermissionDenied):
        register_pdf_request(
            filters=ActionRegisterFilters(),
            filters_text="none",
            today=dt.date(2023, 9, 12),
            acting_user=SYSTEM,
        )


def test_a_failed_render_is_shown_and_retried(
    client, seed, settings, tmp_path, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocked
    login(client, "pmo")
    asked = ask(client, capture)
    assert asked.status == RegisterPdf.Status.FAILED
    assert asked.error  # the storage's own error, e.g. NotADirectoryError
    assert not asked.file
    url = f"/actions/register-pdfs/{asked.pk}/"
    page = client.get(url).content.decode()
    assert "hx-trigger" not in page
    assert "could not be rendered" in page
    assert f'action="{url}retry/"' in page
    assert client.get(f"{url}file/").status_code == 404

    settings.MEDIA_ROOT = tmp_path / "media"
    with capture(execute=True):
        response = client.post(f"{url}retry/")
    assert response.status_code == 302
    assert response["Location"] == url
    asked.refresh_from_db()
    assert (asked.status, asked.attempts, asked.error) == ("ready", 2, "")
    assert refs_in(pdf_pages(b"".join(download(client, asked).streaming_content))) == seed_refs()
    # A ready one is not rendered again: the page says why.
    with capture(execute=True) as callbacks:
        response = client.post(f"{url}retry/", follow=True)
    assert not callbacks
    assert "only a failed one can be retried" in response.content.decode()


def test_another_user_gets_404_for_every_page_of_a_request(
    client, seed, django_capture_on_commit_callbacks
):
    login(client, "pmo")
    asked = ask(client, django_capture_on_commit_callbacks)
    assert download(client, asked).status_code == 200
    client.logout()
    member = login(client, "member")
    url = f"/actions/register-pdfs/{asked.pk}/"
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
    assert client.get(f"{url}file/").status_code == 404
    assert client.post(f"{url}retry/").status_code == 404
    assert client.get("/actions/register-pdfs/999999/").status_code == 404
    with pytest.raises(PermissionDenied):
        register_pdf_render(request_id=asked.pk, acting_user=member)


def test_running_the_task_twice_does_no_harm(client, seed, django_capture_on_commit_callbacks):
    login(client, "pmo")
    asked = ask(client, django_capture_on_commit_callbacks)
    before = (asked.file.name, stored_pdf(asked), asked.attempts, asked.rendered_at)
    register_pdf_render_task(asked.pk)
    register_pdf_render_task.delay(asked.pk)  # as queued (eager here, as with no broker)
    asked.refresh_from_db()
    assert (asked.file.name, stored_pdf(asked), asked.attempts, asked.rendered_at) == before
    assert register_pdf_render_task.name == "actions.register_pdf_render"


def test_a_render_lost_with_its_worker_can_be_retried(
    client, seed, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(london(2023, 9, 12, 10), tick=False):
        pmo = login(client, "pmo")
        asked = _pending(pmo, capture=capture)  # queued, but no worker ever ran it
        url = f"/actions/register-pdfs/{asked.pk}/"
        assert "hx-trigger" in client.get(url).content.decode()
        assert client.post(f"{url}retry/", follow=True).status_code == 200
        asked.refresh_from_db()
        assert (asked.status, asked.attempts) == ("pending", 0)  # too soon to call it lost
    with time_machine.travel(london(2023, 9, 12, 10, 20), tick=False):
        page = client.get(url).content.decode()
        assert "hx-trigger" not in page
        assert "its render was lost" in page
        with capture(execute=True):
            client.post(f"{url}retry/")
    asked.refresh_from_db()
    assert (asked.status, asked.attempts) == ("ready", 1)
