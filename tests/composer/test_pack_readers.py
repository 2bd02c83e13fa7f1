"""A meeting pack is one PDF whose "Since the last meeting" section was built for the
meeting's least-privileged reader when it rendered (``composer.since_last_pack``). When the
meeting is read more widely later (a guest invited, the meeting made Public, a member's seat
ended by its date passing), the old pack is withheld: its file is 404 and its pages say to
make it again, until a pack for the current readers is made."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
import time_machine
from django.utils import timezone
from pypdf import PdfReader

from core.actors import SYSTEM
from meetings import agenda_services, services
from meetings.models import Meeting, MeetingPack, Membership
from meetings.pack import meeting_pack_request, pack_is_out_of_date, pack_is_withheld
from meetings.participants import meeting_participant_add
from meetings.services import meeting_update
from tests.conftest import london
from tests.fixtures import build_two_committees


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def two(db):
    two = build_two_committees()
    services.agenda_item_create(meeting=two.dag030, title="Options", acting_user=SYSTEM)
    agenda_services.agenda_publish(meeting=two.dag030, acting_user=SYSTEM)
    return two


def make_pack(two, capture) -> MeetingPack:
    with capture(execute=True):  # the render task runs in-process
        pack = meeting_pack_request(meeting=two.dag030, acting_user=two.users["pmo"])
    pack.refresh_from_db()
    assert pack.status == MeetingPack.Status.READY, pack.error
    return pack


def pack_text(pack: MeetingPack) -> str:
    with pack.file.open("rb") as handle:
        reader = PdfReader(BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def invite(two, *usernames):
    for name in usernames:
        meeting_participant_add(
            meeting=two.dag030, person=two.users[name].person, acting_user=SYSTEM
        )


def file_url(pack):
    return f"/meetings/DAG030/pack/{pack.pk}/file/"


def test_a_guest_invited_after_the_pack_does_not_get_it(
    client, two, django_capture_on_commit_callbacks
):
    meeting_update(
        meeting=two.dag030, classification=Meeting.Classification.CONFIDENTIAL, acting_user=SYSTEM
    )
    invite(two, "member", "observer")
    pack = make_pack(two, django_capture_on_commit_callbacks)
    assert pack.reader_basis == {"since-last": "observer"}
    assert "the committee's Public and Restricted meetings" in pack_text(pack)
    client.force_login(two.users["member"])
    assert client.get(file_url(pack)).status_code == 200
    invite(two, "guest")
    assert pack_is_withheld(pack)
    assert pack_is_out_of_date(pack)
    for reader in ("guest", "member", "pmo"):  # one file for all: withheld from all
        client.force_login(two.users[reader])
        refused = client.get(file_url(pack))
        assert refused.status_code == 404
        assert "make the pack again for its current readers" in refused.content.decode()
    client.force_login(two.users["guest"])
    status = client.get(f"/meetings/DAG030/pack/{pack.pk}/").content.decode()
    assert "Download the meeting pack" not in status
    assert "Make the meeting pack again" in status
    agenda = client.get("/meetings/DAG030/agenda-and-papers/").content.decode()
    assert "Latest pack: ready, out of date" in agenda
    assert "more people read the meeting now, so it is not served" in agenda
    client.force_login(two.users["pmo"])
    again = make_pack(two, django_capture_on_commit_callbacks)
    assert again.reader_basis == {"since-last": "public"}
    assert "records of Public meetings" in pack_text(again)
    client.force_login(two.users["guest"])
    assert client.get(file_url(again)).status_code == 200
    assert client.get(file_url(pack)).status_code == 404


def test_a_restricted_meeting_made_public_withholds_its_pack(
    client, two, django_capture_on_commit_callbacks
):
    invite(two, "member")
    pack = make_pack(two, django_capture_on_commit_callbacks)
    assert pack.reader_basis == {"since-last": "observer"}
    client.force_login(two.users["outsider"])
    assert client.get(file_url(pack)).status_code == 404  # may not see the meeting
    meeting_update(
        meeting=two.dag030, classification=Meeting.Classification.PUBLIC, acting_user=SYSTEM
    )
    assert client.get(f"/meetings/DAG030/pack/{pack.pk}/").status_code == 200
    assert client.get(file_url(pack)).status_code == 404
    assert pack_is_withheld(pack)


def test_a_seat_ending_by_its_date_withholds_the_pack(
    client, two, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    Membership.objects.filter(person=two.users["observer"].person).update(
        end_date=today + dt.timedelta(days=5)
    )
    invite(two, "member", "observer")
    pack = make_pack(two, django_capture_on_commit_callbacks)
    assert pack.reader_basis == {"since-last": "observer"}
    client.force_login(two.users["observer"])
    assert client.get(file_url(pack)).status_code == 200
    later = london(*(today + dt.timedelta(days=10)).timetuple()[:3], 12)
    with time_machine.travel(later, tick=False):  # no history row: only the date passed
        assert pack_is_withheld(pack)
        assert pack_is_out_of_date(pack)
        client.force_login(two.users["observer"])
        assert client.get(file_url(pack)).status_code == 404
        client.force_login(two.users["member"])
        assert client.get(file_url(pack)).status_code == 404


def test_a_pack_whose_reader_widened_since_is_still_served(
    client, two, django_capture_on_commit_callbacks
):
    """Built for a narrower reader than now (a guest removed): it shows less, never more."""
    invite(two, "member")
    pack = make_pack(two, django_capture_on_commit_callbacks)
    MeetingPack.objects.filter(pk=pack.pk).update(reader_basis={"since-last": "public"})
    pack.refresh_from_db()
    assert not pack_is_withheld(pack)
    MeetingPack.objects.filter(pk=pack.pk).update(reader_basis={})  # made before it was kept
    pack.refresh_from_db()
    assert pack_is_withheld(pack)
