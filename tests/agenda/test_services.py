"""Agenda items' slots, order and publication; papers checked by content and versioned; the
meeting pack (cover then the PDF papers, counted with pypdf)."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.actors import SYSTEM
from meetings import agenda_services, services
from meetings.models import AgendaItem, MeetingPack, Paper, Person
from meetings.pack import meeting_pack_render, meeting_pack_request, meeting_pack_retry
from tests.agenda.helpers import (
    DOCX_MAIN,
    PNG_BYTES,
    XLSX_MAIN,
    ooxml_bytes,
    pdf_bytes,
    upload,
)
from tests.fixtures import build_seedlike


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def seed(db):
    return build_seedlike()


@pytest.fixture
def pmo():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="pmo")


def _items(meeting, pmo, *titles):
    return [services.agenda_item_create(meeting=meeting, title=t, acting_user=pmo) for t in titles]


def test_slot_presenter_purpose_are_kept_with_history(seed, pmo):
    (item,) = _items(seed.dag029, pmo, "Minutes and Actions")
    presenter = Person.objects.get(name="Rob Short")
    agenda_services.agenda_item_edit(
        agenda_item=item,
        start_time=dt.time(10, 0),
        duration_minutes=20,
        presenter=presenter,
        purpose=AgendaItem.Purpose.DISCUSSION,
        acting_user=pmo,
    )
    item.refresh_from_db()
    assert (item.start_time, item.end_time) == (dt.time(10, 0), dt.time(10, 20))
    assert item.presenter == presenter
    assert item.get_purpose_display() == "For discussion"
    assert item.history.first().history_user == pmo


def test_a_duration_without_a_start_is_a_field_error(seed, pmo):
    (item,) = _items(seed.dag029, pmo, "Minutes and Actions")
    with pytest.raises(ValidationError) as caught:
        agenda_services.agenda_item_edit(agenda_item=item, duration_minutes=15, acting_user=pmo)
    assert "start_time" in caught.value.message_dict


def test_only_the_pmo_edits_the_agenda(seed, member_user):
    (item,) = _items(seed.dag029, SYSTEM, "Minutes and Actions")
    with pytest.raises(PermissionDenied):
        agenda_services.agenda_item_edit(
            agenda_item=item, purpose="decision", acting_user=member_user
        )
    with pytest.raises(PermissionDenied):
        agenda_services.agenda_publish(meeting=seed.dag029, acting_user=member_user)


def test_moving_and_reordering_renumber_the_agenda(seed, pmo):
    a, b, c = _items(seed.dag029, pmo, "A", "B", "C")
    agenda_services.agenda_item_move(agenda_item=c, offset=-1, acting_user=pmo)
    assert list(seed.dag029.agenda_items.order_by("order").values_list("title", flat=True)) == [
        "A",
        "C",
        "B",
    ]
    agenda_services.agenda_item_move(agenda_item=a, offset=-1, acting_user=pmo)  # at the top
    agenda_services.agenda_reorder(
        meeting=seed.dag029, item_ids=[b.pk, a.pk, c.pk], acting_user=pmo
    )
    assert list(seed.dag029.agenda_items.order_by("order").values_list("title", flat=True)) == [
        "B",
        "A",
        "C",
    ]
    with pytest.raises(ValidationError):  # a stale page's list: an item is missing
        agenda_services.agenda_reorder(meeting=seed.dag029, item_ids=[b.pk, a.pk], acting_user=pmo)


def test_items_edited_after_publication_are_marked(seed, pmo):
    empty = services.meeting_create(
        committee=seed.committee,
        start_at=seed.dag029.start_at + dt.timedelta(days=28),
        acting_user=pmo,
    )
    with pytest.raises(ValidationError):  # nothing to publish
        agenda_services.agenda_publish(meeting=empty, acting_user=pmo)
    _a, b = _items(seed.dag029, pmo, "Minutes and Actions", "CR032 Decision")
    meeting = agenda_services.agenda_publish(meeting=seed.dag029, acting_user=pmo)
    assert meeting.agenda_published_by == pmo
    assert meeting.agenda_published_at is not None
    agenda_services.agenda_item_edit(agenda_item=b, purpose="decision", acting_user=pmo)
    marked = {
        i.title: i.is_changed_since_published
        for i in seed.dag029.agenda_items.with_changed_since_published()
    }
    assert marked == {"Minutes and Actions": False, "CR032 Decision": True}


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("paper.pdf", None, "pdf"),
        ("paper.docx", ooxml_bytes(DOCX_MAIN), "docx"),
        ("model.xlsx", ooxml_bytes(XLSX_MAIN), "xlsx"),
        ("diagram.png", PNG_BYTES, "png"),
        ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpeg"),
    ],
)
def test_papers_are_taken_by_content(seed, pmo, name, content, kind):
    content = content if content is not None else pdf_bytes(1)
    paper = agenda_services.paper_add(
        meeting=seed.dag029, title="A paper", upload=upload(name, content), acting_user=pmo
    )
    version = paper.versions.get()
    assert (version.version, version.kind, version.size) == (1, kind, len(content))
    assert version.file.read() == content


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("paper.pdf", ooxml_bytes(DOCX_MAIN), "is a Word document but is named .pdf"),
        ("paper.pdf", b"<html>not a pdf</html>", "named .pdf but its content is not a PDF"),
        ("fake.pdf", b"%PDF-1.4\n<html><script>x()</script>", "cannot be read as one"),
        ("paper.docx", b"PK\x03\x04broken", "named .docx but its content is not a Word"),
        ("notes.txt", b"plain text", "not accepted"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(seed, pmo, name, content, words):
    with pytest.raises(ValidationError) as caught:
        agenda_services.paper_add(
            meeting=seed.dag029, title="Bad", upload=upload(name, content), acting_user=pmo
        )
    assert words in " ".join(caught.value.message_dict["file"])
    assert not Paper.objects.exists()


def test_a_paper_too_large_is_refused(seed, pmo, settings):
    settings.PAPER_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as caught:
        agenda_services.paper_add(
            meeting=seed.dag029, title="Big", upload=upload("a.pdf", pdf_bytes(1)), acting_user=pmo
        )
    assert "at most" in caught.value.message_dict["file"][0]


def test_replacing_a_paper_keeps_its_versions(seed, pmo):
    paper = agenda_services.paper_add(
        meeting=seed.dag029, title="Paper", upload=upload("a.pdf", pdf_bytes(1)), acting_user=pmo
    )
    agenda_services.paper_replace(
        paper=paper, upload=upload("b.pdf", pdf_bytes(2)), acting_user=pmo
    )
    assert list(paper.versions.values_list("version", "filename")) == [(2, "b.pdf"), (1, "a.pdf")]


def test_the_pack_is_the_cover_then_the_pdf_papers(seed, pmo, django_capture_on_commit_callbacks):
    from pypdf import PdfReader

    (item,) = _items(seed.dag029, pmo, "CR032 Decision")
    agenda_services.agenda_item_edit(
        agenda_item=item,
        start_time=dt.time(10, 0),
        duration_minutes=30,
        purpose="decision",
        acting_user=pmo,
    )
    agenda_services.paper_add(
        meeting=seed.dag029,
        agenda_item=item,
        title="CR032 paper",
        upload=upload("cr032.pdf", pdf_bytes(3, "CR032")),
        acting_user=pmo,
    )
    agenda_services.paper_add(
        meeting=seed.dag029,
        title="Slides",
        upload=upload("s.pdf", pdf_bytes(2, "Slides")),
        acting_user=pmo,
    )
    agenda_services.paper_add(
        meeting=seed.dag029,
        title="Cost model",
        upload=upload("m.xlsx", ooxml_bytes(XLSX_MAIN)),
        acting_user=pmo,
    )
    with django_capture_on_commit_callbacks(execute=True):  # the task runs in-process
        pack = meeting_pack_request(meeting=seed.dag029, acting_user=pmo)
    pack.refresh_from_db()
    assert pack.status == MeetingPack.Status.READY, pack.error
    reader = PdfReader(BytesIO(pack.file.read()))
    assert pack.pages == len(reader.pages) == 1 + 3 + 2
    cover = reader.pages[0].extract_text()
    for words in ("DAG029", "CR032 Decision", "10:00", "10:30", "For decision", "Cost model"):
        assert words in cover
    # The meeting's own papers first, then each item's in agenda order.
    assert "Slides page 1" in reader.pages[1].extract_text()
    assert "CR032 page 3" in reader.pages[5].extract_text()
    assert meeting_pack_render(pack_id=pack.pk, acting_user=SYSTEM).status == "ready"  # no-op


def test_a_broken_paper_fails_the_pack_visibly_and_it_is_retried(
    seed, pmo, django_capture_on_commit_callbacks
):
    paper = agenda_services.paper_add(
        meeting=seed.dag029, title="Broken", upload=upload("x.pdf", pdf_bytes(1)), acting_user=pmo
    )
    # The stored file damaged since (a disk, a restore): a PDF read at upload no longer reads.
    stored = paper.versions.get().file
    with stored.storage.open(stored.name, "wb") as damaged:
        damaged.write(b"%PDF-1.4 nonsense")
    with django_capture_on_commit_callbacks(execute=True):
        pack = meeting_pack_request(meeting=seed.dag029, acting_user=pmo)
    pack.refresh_from_db()
    assert pack.status == MeetingPack.Status.FAILED
    assert "Broken" in pack.error
    agenda_services.paper_replace(
        paper=paper, upload=upload("x.pdf", pdf_bytes(1)), acting_user=pmo
    )
    with django_capture_on_commit_callbacks(execute=True):
        meeting_pack_retry(pack=pack, acting_user=pmo)
    pack.refresh_from_db()
    assert (pack.status, pack.pages, pack.attempts) == ("ready", 2, 2)


def test_a_member_cannot_ask_for_an_unpublished_pack(seed, member_user):
    with pytest.raises(PermissionDenied):
        meeting_pack_request(meeting=seed.dag029, acting_user=member_user)


def test_a_pack_made_before_a_paper_is_replaced_is_out_of_date(
    seed, pmo, django_capture_on_commit_callbacks
):
    from meetings.pack import pack_is_out_of_date

    (item,) = _items(seed.dag029, pmo, "Release plan")
    paper = agenda_services.paper_add(
        meeting=seed.dag029,
        agenda_item=item,
        title="Plan",
        upload=upload("plan.pdf", pdf_bytes(1)),
        acting_user=pmo,
    )
    agenda_services.agenda_publish(meeting=seed.dag029, acting_user=pmo)
    with django_capture_on_commit_callbacks(execute=True):
        pack = meeting_pack_request(meeting=seed.dag029, acting_user=pmo)
    pack.refresh_from_db()
    assert pack.status == MeetingPack.Status.READY
    assert not pack_is_out_of_date(pack)
    agenda_services.paper_replace(
        paper=paper, upload=upload("plan.pdf", pdf_bytes(2)), acting_user=pmo
    )
    assert pack_is_out_of_date(pack)


def test_a_slot_must_end_before_midnight(seed, pmo):
    (item,) = _items(seed.dag029, pmo, "Minutes and Actions")
    for start, minutes in ((dt.time(23, 30), 120), (dt.time(0, 0), 1440), (dt.time(23), 60)):
        with pytest.raises(ValidationError) as caught:
            agenda_services.agenda_item_edit(
                agenda_item=item, start_time=start, duration_minutes=minutes, acting_user=pmo
            )
        assert "before midnight" in caught.value.message_dict["duration_minutes"][0]
    agenda_services.agenda_item_edit(
        agenda_item=item, start_time=dt.time(23), duration_minutes=59, acting_user=pmo
    )
    item.refresh_from_db()
    assert item.end_time == dt.time(23, 59)
