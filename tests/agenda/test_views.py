"""The agenda page, papers and the pack in the browser's views and the meeting's API: who
sees what before and after publication, stale edits refused, files served only to readers
of the meeting (a Confidential meeting's paper is 404 to a member who is not a participant).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from core.actors import SYSTEM
from meetings import agenda_services, services
from meetings.models import AgendaItem, MeetingPack, Paper, Person
from meetings.participants import meeting_participant_add
from tests.agenda.helpers import DOCX_MAIN, ooxml_bytes, pdf_bytes, upload
from tests.fixtures import build_seedlike

PAGE = "/meetings/DAG029/agenda-and-papers/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def seed(db):
    return build_seedlike()


def login(client, username: str):
    assert client.login(username=username, password=f"{username}-demo")
    return get_user_model().objects.get(username=username)


@pytest.fixture
def agenda(seed):
    item = services.agenda_item_create(
        meeting=seed.dag029, title="CR032 Decision", acting_user=SYSTEM
    )
    agenda_services.agenda_item_edit(
        agenda_item=item,
        start_time=dt.time(10, 15),
        duration_minutes=45,
        purpose="decision",
        presenter=Person.objects.get(name="Rob Short"),
        acting_user=SYSTEM,
    )
    paper = agenda_services.paper_add(
        meeting=seed.dag029,
        agenda_item=item,
        title="CR032 impact assessment",
        upload=upload("cr032.pdf", pdf_bytes(1)),
        acting_user=SYSTEM,
    )
    return item, paper


def test_a_member_sees_no_agenda_until_it_is_published(client, seed, agenda):
    item, paper = agenda
    login(client, "member")
    page = client.get(PAGE).content.decode()
    assert "has not been published yet" in page
    assert "CR032 impact assessment" not in page
    assert client.get(f"/meetings/DAG029/papers/{paper.pk}/v1/").status_code == 404
    assert client.get("/api/v1/meetings/DAG029/").json()["agenda"] is None
    assert client.get(f"/api/v1/agenda-items/{item.pk}/").json()["purpose"] is None
    assert client.post("/meetings/DAG029/pack/").status_code == 404

    agenda_services.agenda_publish(meeting=seed.dag029, acting_user=SYSTEM)
    page = client.get(PAGE).content.decode()
    assert "10:15–11:00" in page
    assert "For decision" in page
    assert "Presenter: Rob Short" in page
    assert "Changed since published" not in page
    assert "PUBLIC" in page  # the classification marking
    (entry,) = client.get("/api/v1/meetings/DAG029/").json()["agenda"]
    assert entry["start_time"] == "10:15:00"
    assert entry["end_time"] == "11:00:00"
    assert entry["purpose"] == "decision"
    assert entry["presenter"]["name"] == "Rob Short"
    assert entry["changed_since_published"] is False
    assert entry["papers"][0]["version"] == 1
    assert entry["papers"][0]["file_url"].endswith(f"/meetings/DAG029/papers/{paper.pk}/v1/")

    agenda_services.agenda_item_edit(agenda_item=item, duration_minutes=30, acting_user=SYSTEM)
    assert "Changed since published" in client.get(PAGE).content.decode()
    assert client.get("/api/v1/meetings/DAG029/").json()["agenda"][0]["changed_since_published"]


def test_a_paper_is_served_as_an_attachment_with_nosniff(client, seed, agenda):
    _item, paper = agenda
    agenda_services.agenda_publish(meeting=seed.dag029, acting_user=SYSTEM)
    login(client, "member")
    response = client.get(f"/meetings/DAG029/papers/{paper.pk}/v1/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="cr032.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert client.get(f"/meetings/DAG029/papers/{paper.pk}/v2/").status_code == 404


def test_a_confidential_meetings_paper_is_404_to_a_member_who_is_not_a_participant(
    client, seed, agenda
):
    _item, paper = agenda
    services.meeting_update(meeting=seed.dag029, classification="confidential", acting_user=SYSTEM)
    agenda_services.agenda_publish(meeting=seed.dag029, acting_user=SYSTEM)
    member = login(client, "member")
    url = f"/meetings/DAG029/papers/{paper.pk}/v1/"
    assert client.get(url).status_code == 404
    assert client.get(PAGE).status_code == 404
    meeting_participant_add(meeting=seed.dag029, person=member.person, acting_user=SYSTEM)
    assert client.get(url).status_code == 200
    assert "CONFIDENTIAL" in client.get(PAGE).content.decode()


def test_the_pmo_edits_an_item_and_a_stale_save_is_refused(client, seed, agenda):
    item, _paper = agenda
    login(client, "pmo")
    url = f"{PAGE}items/{item.pk}/edit/"
    form = client.get(url).context["form"]
    posted = {
        "title": "CR032 Decision",
        "start_time": "10:00",
        "duration_minutes": "20",
        "presenter": "",
        "purpose": "discussion",
        "change_request": "",
        "version": form.initial["version"],
        "read_values": form.initial["read_values"],
    }
    response = client.post(url, posted)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.start_time, item.duration_minutes, item.purpose) == (
        dt.time(10, 0),
        20,
        "discussion",
    )
    assert item.presenter is None
    # The same form posted again is stale: the item changed since it was read.
    response = client.post(url, {**posted, "purpose": "information"})
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    item.refresh_from_db()
    assert item.purpose == "discussion"


def test_the_pmo_moves_items_and_a_member_may_not(client, seed, agenda):
    item, _paper = agenda
    first = services.agenda_item_create(meeting=seed.dag029, title="Welcome", acting_user=SYSTEM)
    login(client, "pmo")
    client.post(f"{PAGE}items/{first.pk}/move/", {"direction": "up"})
    titles = list(seed.dag029.agenda_items.order_by("order").values_list("title", flat=True))
    assert titles == ["Welcome", "CR032 Decision"]
    response = client.post(
        f"{PAGE}order/", {"items": [item.pk, first.pk]}, content_type="application/json"
    )
    assert response.status_code == 200
    assert AgendaItem.objects.get(pk=item.pk).order == 1
    stale = client.post(f"{PAGE}order/", {"items": [item.pk]}, content_type="application/json")
    assert stale.status_code == 409
    login(client, "member")
    assert client.post(f"{PAGE}items/{first.pk}/move/", {"direction": "up"}).status_code == 403


def test_a_word_document_renamed_pdf_is_refused_with_a_field_error(client, seed, agenda):
    login(client, "pmo")
    response = client.post(
        f"{PAGE}papers/new/",
        {"title": "Disguised", "agenda_item": "", "file": upload("x.pdf", ooxml_bytes(DOCX_MAIN))},
    )
    assert response.status_code == 200
    errors = response.context["paper_form"].errors["file"]
    assert errors == [
        "This file is a Word document but is named .pdf: rename it to .docx and upload it again."
    ]
    assert not Paper.objects.filter(title="Disguised").exists()


def test_the_pmo_replaces_a_paper_and_both_versions_are_served(client, seed, agenda):
    _item, paper = agenda
    login(client, "pmo")
    response = client.post(
        f"{PAGE}papers/{paper.pk}/replace/", {"file": upload("cr032-v2.pdf", pdf_bytes(2))}
    )
    assert response.status_code == 302
    page = client.get(PAGE).content.decode()
    assert "version 2" in page
    assert client.get(f"/meetings/DAG029/papers/{paper.pk}/v1/").status_code == 200
    assert client.get(f"/meetings/DAG029/papers/{paper.pk}/v2/").status_code == 200


def test_the_pack_is_asked_for_rendered_and_downloaded(
    client, seed, agenda, django_capture_on_commit_callbacks
):
    from io import BytesIO

    from pypdf import PdfReader

    agenda_services.agenda_publish(meeting=seed.dag029, acting_user=SYSTEM)
    login(client, "member")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/meetings/DAG029/pack/")
    pack = MeetingPack.objects.get()
    assert response["Location"] == f"/meetings/DAG029/pack/{pack.pk}/"
    assert "Download the meeting pack" in client.get(response["Location"]).content.decode()
    file = client.get(f"/meetings/DAG029/pack/{pack.pk}/file/")
    assert file["X-Content-Type-Options"] == "nosniff"
    assert len(PdfReader(BytesIO(b"".join(file.streaming_content))).pages) == 2
    login(client, "observer")  # the demo observer holds no seat here: Public meetings only
    assert client.get(f"/meetings/DAG029/pack/{pack.pk}/").status_code == 200
    services.meeting_update(meeting=seed.dag029, classification="restricted", acting_user=SYSTEM)
    assert client.get(f"/meetings/DAG029/pack/{pack.pk}/file/").status_code == 404


def test_the_meetings_api_lists_agendas_and_papers_in_a_fixed_number_of_queries(
    client, seed, agenda, django_assert_max_num_queries
):
    agenda_services.agenda_publish(meeting=seed.dag029, acting_user=SYSTEM)
    login(client, "member")
    client.get("/api/v1/meetings/")  # warm the per-process caches
    with django_assert_max_num_queries(20) as few:
        client.get("/api/v1/meetings/")
    for n in range(5):
        item = services.agenda_item_create(
            meeting=seed.dag029, title=f"Item {n}", acting_user=SYSTEM
        )
        agenda_services.paper_add(
            meeting=seed.dag029,
            agenda_item=item,
            title=f"Paper {n}",
            upload=upload(f"p{n}.pdf", pdf_bytes(1)),
            acting_user=SYSTEM,
        )
    agenda_services.paper_add(
        meeting=seed.dag029,
        title="Pre-read",
        upload=upload("r.pdf", pdf_bytes(1)),
        acting_user=SYSTEM,
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = client.get("/api/v1/meetings/?committee=DAG").json()
    dag029 = next(m for m in data["results"] if m["ref"] == "DAG029")
    assert len(dag029["agenda"]) == 6
    assert [p["title"] for p in dag029["papers"]] == ["Pre-read"]
    dag028 = next(m for m in data["results"] if m["ref"] == "DAG028")
    assert (dag028["agenda"], dag028["papers"]) == (None, None)  # never published


def test_the_meeting_history_keeps_the_agenda_detail_until_it_is_published(client, db):
    import datetime as dt

    from django.contrib.auth import get_user_model

    from core.actors import SYSTEM
    from meetings.agenda_services import agenda_item_edit, agenda_publish
    from meetings.services import agenda_item_create
    from tests.fixtures import build_seedlike

    seed = build_seedlike()
    item = agenda_item_create(meeting=seed.dag029, title="Release plan", acting_user=SYSTEM)
    agenda_item_edit(
        agenda_item=item, start_time=dt.time(10, 17), duration_minutes=43, acting_user=SYSTEM
    )
    client.force_login(get_user_model().objects.get(username="member"))
    before = client.get("/meetings/DAG029/history/").content.decode()
    assert "Release plan" in before  # the item's title is the report's area: shown
    assert "10:17" not in before
    assert "Duration" not in before
    agenda_publish(meeting=seed.dag029, acting_user=SYSTEM)
    after = client.get("/meetings/DAG029/history/").content.decode()
    assert "10:17" in after


def test_a_reorder_body_that_is_not_a_list_of_ids_is_a_400(client, db):
    from django.contrib.auth import get_user_model

    from tests.fixtures import build_seedlike

    build_seedlike()
    client.force_login(get_user_model().objects.get(username="pmo"))
    url = "/meetings/DAG029/agenda-and-papers/order/"
    for body in ('{"items":[1e400]}', "[" * 100_000 + "]" * 100_000, '{"items": "x"}'):
        answer = client.post(url, body, content_type="application/json")
        assert answer.status_code == 400, body[:20]


def test_the_agenda_page_warns_when_the_order_contradicts_the_times(client, seed, agenda):
    item, _ = agenda  # "CR032 Decision" at 10:15
    later = services.agenda_item_create(meeting=seed.dag029, title="AOB", acting_user=SYSTEM)
    untimed = services.agenda_item_create(meeting=seed.dag029, title="Notes", acting_user=SYSTEM)
    agenda_services.agenda_item_edit(
        agenda_item=later, start_time=dt.time(11, 0), duration_minutes=15, acting_user=SYSTEM
    )
    login(client, "pmo")
    page = client.get(PAGE).content.decode()
    assert 'id="agenda-time-warning"' not in page
    assert "Starts before the item above" not in page
    # "Welcome" at 10:00, added last: after 10:15 and 11:00 in the order, before them in time.
    early = services.agenda_item_create(meeting=seed.dag029, title="Welcome", acting_user=SYSTEM)
    agenda_services.agenda_item_edit(
        agenda_item=early, start_time=dt.time(10, 0), duration_minutes=15, acting_user=SYSTEM
    )
    page = client.get(PAGE).content.decode()
    assert 'id="agenda-time-warning"' in page
    # The untimed "Notes" between them is passed over: "Welcome" is read against "AOB".
    assert "“Welcome” (10:00) starts before “AOB” (11:00) above it" in page
    assert page.count("Starts before the item above") == 1
    assert untimed.title == "Notes"
    # Moved to the top, the order agrees with the times again.
    agenda_services.agenda_reorder(
        meeting=seed.dag029, item_ids=[early.pk, item.pk, untimed.pk, later.pk], acting_user=SYSTEM
    )
    page = client.get(PAGE).content.decode()
    assert 'id="agenda-time-warning"' not in page


def _edit_post(client, url, **values):
    form = client.get(url).context["form"]
    posted = {
        "title": "CR032 Decision",
        "start_time": "10:00",
        "duration_minutes": "20",
        "presenter": "",
        "purpose": "",
        "change_request": "",
        "version": form.initial["version"],
        "read_values": form.initial["read_values"],
    }
    return client.post(url, {**posted, **values})


@pytest.mark.parametrize(("start", "minutes"), [("23:30", "120"), ("00:00", "1440")])
def test_a_slot_running_past_midnight_is_a_field_error(client, seed, agenda, start, minutes):
    item, _ = agenda
    login(client, "pmo")
    url = f"{PAGE}items/{item.pk}/edit/"
    response = _edit_post(client, url, start_time=start, duration_minutes=minutes)
    assert response.status_code == 200
    assert "duration_minutes" in response.context["form"].errors
    assert "must end before midnight" in response.content.decode()
    item.refresh_from_db()
    assert (item.start_time, item.duration_minutes) == (dt.time(10, 15), 45)


def test_a_slot_outside_the_meetings_time_is_kept_with_a_warning(client, seed, agenda):
    item, _ = agenda
    login(client, "pmo")
    assert "Outside the meeting's time" not in client.get(PAGE).content.decode()
    url = f"{PAGE}items/{item.pk}/edit/"
    assert _edit_post(client, url, start_time="08:00", duration_minutes="30").status_code == 302
    assert "Outside the meeting's time" in client.get(PAGE).content.decode()


def test_an_item_edit_posted_without_its_version_is_refused(client, seed, agenda):
    item, _ = agenda
    login(client, "pmo")
    url = f"{PAGE}items/{item.pk}/edit/"
    response = _edit_post(client, url, version="", purpose="information")
    assert response.status_code == 200
    assert "sent without the version of the record it edits" in response.content.decode()
    item.refresh_from_db()
    assert item.purpose == "decision"
