"""The pack's "Since the last meeting" section: the seed's DAG028 and a DAG029 with changes
(``tests/composer/test_since_last.py``), the pack rendered and read back with pypdf. The
section shows what the meeting's least-privileged reader may see: a Restricted record of the
committee only when every participant is a current member, a Confidential one never."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
import time_machine
from pypdf import PdfReader

from actions.services import action_close, action_create
from composer.since_last_pack import OBSERVER, PUBLIC_ONLY, pack_reader_kind
from core.actors import SYSTEM
from meetings.models import Meeting, MeetingPack, Person
from meetings.pack import meeting_pack_request, pack_is_out_of_date
from meetings.participants import meeting_participant_add
from meetings.services import meeting_create, meeting_update
from tests.composer.test_since_last import build, user
from tests.conftest import london


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def build_with_confidential(db):
    seed = build(db)
    with time_machine.travel(london(2023, 8, 1, 12), tick=False):
        dag026 = meeting_create(
            committee=seed.committee,
            number=26,
            start_at=london(2023, 7, 12),
            end_at=london(2023, 7, 12, 12),
            classification=Meeting.Classification.CONFIDENTIAL,
            status=Meeting.Status.HELD,
            acting_user=SYSTEM,
        )
        secret = action_create(
            meeting=dag026,
            description="Chair to settle the confidential commercial point",
            owners=["Chair"],
            due_date=london(2023, 12, 1).date(),
            acting_user=SYSTEM,
        )
    with time_machine.travel(london(2023, 9, 26, 10), tick=False):
        action_close(action=secret, acting_user=user("pmo"))
    meeting_update(
        meeting=seed.dag029,
        classification=Meeting.Classification.RESTRICTED,
        acting_user=SYSTEM,
    )
    seed.dag029.refresh_from_db()
    return seed


def render_pack(meeting, capture) -> tuple[MeetingPack, str]:
    with capture(execute=True):  # the render task runs in-process
        pack = meeting_pack_request(meeting=meeting, acting_user=user("pmo"))
    pack.refresh_from_db()
    assert pack.status == MeetingPack.Status.READY, pack.error
    reader = PdfReader(BytesIO(pack.file.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return pack, " ".join(text.split())


def test_a_restricted_meeting_of_members_shows_the_committees_restricted_changes(
    db, django_capture_on_commit_callbacks
):
    seed = build_with_confidential(db)
    member = Person.objects.get(user__username="member")
    meeting_participant_add(meeting=seed.dag029, person=member, acting_user=user("pmo"))
    assert pack_reader_kind(seed.dag029) == OBSERVER
    pack, text = render_pack(seed.dag029, django_capture_on_commit_callbacks)
    assert "Since the last meeting" in text
    assert "What changed after DAG028 (13 September 2023 13:00) up to 11 October 2023 10:00" in (
        text
    )
    assert "DAG28-01 Closed 21/09/2023" in text
    assert "DAG27-01 Closed 25/09/2023" in text  # Restricted DAG027: every reader is a member
    assert "DAG26-01" not in text  # Confidential: never
    assert "DAG28-02 Re-dated from 11/10/2023 to 08/11/2023" in text
    assert "Explainer sent to the DRG" in text
    assert "the committee's Public and Restricted meetings" in text
    assert "Records some readers may not see are left out" in text
    assert "/meetings/DAG029/since-last/" in text
    assert not pack_is_out_of_date(pack)


def test_a_non_member_guest_narrows_the_section_to_public_records(
    db, django_capture_on_commit_callbacks
):
    seed = build_with_confidential(db)
    member = Person.objects.get(user__username="member")
    meeting_participant_add(meeting=seed.dag029, person=member, acting_user=user("pmo"))
    pack, _ = render_pack(seed.dag029, django_capture_on_commit_callbacks)
    guest = Person.objects.create(name="Gail Guest")  # no seat on DAG
    meeting_participant_add(meeting=seed.dag029, person=guest, acting_user=user("pmo"))
    assert pack_is_out_of_date(pack)  # the guest changes who reads the pack
    assert pack_reader_kind(seed.dag029) == PUBLIC_ONLY
    _, text = render_pack(seed.dag029, django_capture_on_commit_callbacks)
    assert "DAG28-01 Closed 21/09/2023" in text
    assert "DAG27-01" not in text
    assert "DAG26-01" not in text
    assert "records of Public meetings" in text


def test_a_public_meeting_is_read_by_anyone_signed_in(db):
    seed = build(db)
    assert seed.dag029.classification == Meeting.Classification.PUBLIC
    assert pack_reader_kind(seed.dag029) == PUBLIC_ONLY


def test_a_change_recorded_after_the_pack_makes_it_out_of_date(
    db, django_capture_on_commit_callbacks
):
    seed = build(db)
    with time_machine.travel(london(2023, 10, 2, 9), tick=False):
        pack, text = render_pack(seed.dag029, django_capture_on_commit_callbacks)
        assert "DAG28-02 Closed" not in text
        assert not pack_is_out_of_date(pack)
    with time_machine.travel(london(2023, 10, 3, 9), tick=False):
        action_close(action=seed.dag28_02, acting_user=user("pmo"))
        assert pack_is_out_of_date(pack)


def test_the_cover_numbers_its_pages_across_the_merged_pack(db, django_capture_on_commit_callbacks):
    from meetings import agenda_services
    from tests.agenda.helpers import pdf_bytes, upload

    seed = build(db)
    agenda_services.paper_add(
        meeting=seed.dag029,
        title="Slides",
        upload=upload("s.pdf", pdf_bytes(3, "Slides")),
        acting_user=user("pmo"),
    )
    pack, _ = render_pack(seed.dag029, django_capture_on_commit_callbacks)
    with pack.file.open("rb") as handle:
        reader = PdfReader(BytesIO(handle.read()))
    total = len(reader.pages)
    cover_pages = total - 3
    assert cover_pages >= 1
    for number in range(cover_pages):
        footer = " ".join(reader.pages[number].extract_text().split())
        assert f"DAG029 meeting pack – page {number + 1} of {total}" in footer
    assert f"Slides (version 1), from page {cover_pages + 1}" in " ".join(
        "\n".join(reader.pages[n].extract_text() for n in range(cover_pages)).split()
    )
    assert "Slides page 1" in reader.pages[cover_pages].extract_text()


def test_an_imported_decision_is_dated_by_its_meeting_not_the_import(db):
    """A decision of DAG028 recorded by an import a week later was not taken between DAG028
    and DAG029; one decided by the chair in between was."""
    from composer.since_last import since_last_meeting
    from decisions.services import decision_approve, decision_create, decision_transition

    seed = build(db)
    with time_machine.travel(london(2023, 9, 20, 9), tick=False):
        imported = decision_create(
            meeting=seed.dag028, seq=69, text="Imported from the report", acting_user=SYSTEM
        )
        decision_transition(
            decision=imported,
            to_status="approved",
            decided_at=seed.dag028.start_at,
            acting_user=SYSTEM,
        )
    with time_machine.travel(london(2023, 9, 28), tick=False):
        decision_approve(decision=seed.dec68, acting_user=user("chair"))
    since = since_last_meeting(meeting=seed.dag029, user=user("pmo"), now=london(2023, 10, 20))
    assert [(c.record.ref, c.at) for c in since.decisions] == [
        ("DAG-DEC68", london(2023, 9, 28, 10))
    ]
    assert dt.timedelta(0) < since.until - since.since
