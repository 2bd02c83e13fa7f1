"""Attendance and quorum: inviting the members in one step, one save for everyone's
attendance, substitutes and guests, the quorum, and the API's participant fields."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from core.actors import SYSTEM
from meetings import attendance, participants
from meetings.models import Membership, Organisation, Person
from meetings.services import meeting_create
from tests.conftest import london
from tests.fixtures import build_seedlike


@pytest.fixture
def seed(db):
    seed = build_seedlike()
    org = Organisation.objects.get_or_create(name="Programme")[0]
    for name, role in [
        ("Vera Voter", Membership.Role.MEMBER),
        ("Alan Alternate", Membership.Role.ALTERNATE),
    ]:
        person = Person.objects.create(name=name, organisation=org)
        Membership.objects.create(committee=seed.committee, person=person, role=role)
    return seed


def person(name: str) -> Person:
    return Person.objects.get(name=name)


def pmo():
    return get_user_model().objects.get(username="pmo")


def login(client, username: str):
    assert client.login(username=username, password=f"{username}-demo")


def test_inviting_the_members_in_one_step_and_a_guest(seed):
    added = attendance.meeting_participants_invite_members(meeting=seed.dag029, acting_user=pmo())
    names = sorted(p.person.name for p in added)
    assert names == ["Alan Alternate", "Demo Chair", "Rob Short", "Vera Voter"]
    assert not any(p.is_guest for p in added)
    # Again: nobody new.
    assert (
        attendance.meeting_participants_invite_members(meeting=seed.dag029, acting_user=pmo()) == []
    )
    guest = Person.objects.create(name="Gina Guest")
    row = participants.meeting_participant_add(meeting=seed.dag029, person=guest, acting_user=pmo())
    assert row.is_guest
    member = get_user_model().objects.get(username="member")
    with pytest.raises(PermissionDenied):
        attendance.meeting_participants_invite_members(meeting=seed.dag029, acting_user=member)


def record(seed, rows: dict[str, tuple[str, str | None]], **kwargs):
    return attendance.meeting_attendance_record(
        meeting=seed.dag029,
        entries=[
            attendance.AttendanceEntry(
                person_id=person(name).pk,
                attendance=value,
                substitute_for=person(sub) if sub else None,
            )
            for name, (value, sub) in rows.items()
        ],
        acting_user=pmo(),
        **kwargs,
    )


def test_quorum_counts_the_present_the_video_and_a_substitute(seed):
    seed.committee.quorum_count = 3
    seed.committee.save()
    attendance.meeting_participants_invite_members(meeting=seed.dag029, acting_user=pmo())
    quorum = attendance.meeting_quorum(meeting=seed.dag029)
    assert (quorum.voting, quorum.required, quorum.is_quorate) == (3, 3, None)
    assert "attendance not recorded" in quorum.text
    record(
        seed,
        {
            "Demo Chair": ("present", None),
            "Rob Short": ("apologies", None),
            "Vera Voter": ("video", None),
            "Alan Alternate": ("present", None),
        },
    )
    quorum = attendance.meeting_quorum(meeting=seed.dag029)
    assert (quorum.represented, quorum.is_quorate) == (2, False)
    assert quorum.text.startswith("Inquorate: 2 of 3 voting members there")
    record(seed, {"Alan Alternate": ("present", "Rob Short")}, in_report=True)
    quorum = attendance.meeting_quorum(meeting=seed.dag029)
    assert (quorum.represented, quorum.is_quorate) == (3, True)
    seed.dag029.refresh_from_db()
    assert attendance.meeting_attendance_get(meeting=seed.dag029).in_report is True
    history = seed.dag029.participants.get(person__name="Alan Alternate").history.first()
    assert history.history_user.username == "pmo"


def test_a_fraction_of_the_voting_members_rounds_up(seed):
    seed.committee.quorum_fraction = Decimal("0.5")
    seed.committee.save()
    assert attendance.quorum_required(committee=seed.committee, voting=3) == 2
    seed.committee.quorum_fraction = None
    assert attendance.quorum_required(committee=seed.committee, voting=3) is None


def test_the_committee_takes_a_number_or_a_fraction_not_both(seed):
    seed.committee.quorum_count, seed.committee.quorum_fraction = 2, Decimal("0.5")
    with pytest.raises(ValidationError, match="not both"):
        seed.committee.full_clean()
    seed.committee.quorum_count, seed.committee.quorum_fraction = None, Decimal("1.5")
    with pytest.raises(ValidationError, match="at most 1"):
        seed.committee.full_clean()


def test_substitutes_are_checked_and_nothing_is_saved_on_an_error(seed):
    attendance.meeting_participants_invite_members(meeting=seed.dag029, acting_user=pmo())
    with pytest.raises(ValidationError) as caught:
        record(
            seed,
            {
                "Demo Chair": ("present", None),
                "Alan Alternate": ("present", "Alan Alternate"),
                "Vera Voter": ("present", "Alan Alternate"),
            },
        )
    assert "Alan Alternate cannot stand in for themself." in caught.value.messages
    assert "Vera Voter stands in for Alan Alternate, who is not a voting member." in (
        caught.value.messages
    )
    assert not seed.dag029.participants.exclude(attendance="").exists()
    with pytest.raises(ValidationError, match="two substitutes"):
        record(
            seed,
            {"Alan Alternate": ("present", "Rob Short"), "Vera Voter": ("present", "Rob Short")},
        )


def read_state(client, ref: str) -> str:
    """The attendance form's hidden read state, as the page gives it."""
    page = client.get(f"/meetings/{ref}/attendance/").content.decode()
    return re.search(r'name="read_state" value="([^"]+)"', page)[1]


def test_the_attendance_page_saves_every_row_together(seed, client):
    seed.committee.quorum_count = 2
    seed.committee.save()
    attendance.meeting_participants_invite_members(meeting=seed.dag029, acting_user=pmo())
    ids = {name: person(name).pk for name in ("Demo Chair", "Rob Short", "Vera Voter")}
    alan = person("Alan Alternate").pk
    login(client, "member")
    assert "Not recorded" in client.get("/meetings/DAG029/attendance/").content.decode()
    assert client.post("/meetings/DAG029/attendance/", {}).status_code == 403
    client.logout()
    login(client, "pmo")
    data = {
        "read_state": read_state(client, "DAG029"),
        f"p{ids['Demo Chair']}-attendance": "present",
        f"p{ids['Rob Short']}-attendance": "apologies",
        f"p{ids['Vera Voter']}-attendance": "absent",
        f"p{alan}-attendance": "video",
        f"p{alan}-substitute_for": str(ids["Rob Short"]),
    }
    response = client.post("/meetings/DAG029/attendance/", data)
    assert response.status_code == 302
    assert response["Location"].endswith("/meetings/DAG029/attendance/#quorum")
    html = client.get("/meetings/DAG029/attendance/").content.decode()
    assert "Quorate: 2 of 3 voting members there (quorum 2)" in html
    fragment = client.get("/meetings/DAG029/attendance/quorum/").content.decode()
    assert "Quorate" in fragment
    # A bad row: nothing saved, the error shown.
    data["read_state"] = read_state(client, "DAG029")
    data[f"p{ids['Vera Voter']}-substitute_for"] = str(alan)
    data[f"p{ids['Vera Voter']}-attendance"] = "present"
    html = client.post("/meetings/DAG029/attendance/", data).content.decode()
    assert "Select a valid choice" in html
    assert seed.dag029.participants.get(person_id=ids["Vera Voter"]).attendance == "absent"


def test_the_api_reads_and_records_attendance(seed, client):
    attendance.meeting_participants_invite_members(meeting=seed.dag029, acting_user=pmo())
    login(client, "pmo")
    alan, rob = person("Alan Alternate").pk, person("Rob Short").pk
    url = f"/api/v1/meetings/DAG029/participants/{alan}/"
    response = client.patch(
        url, {"attendance": "present", "substitute_for": rob}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["attendance"] == "present"
    assert response.json()["substitute_for"]["name"] == "Rob Short"
    listed = client.get("/api/v1/meetings/DAG029/participants/").json()
    row = next(r for r in listed if r["person"]["id"] == alan)
    assert (row["attendance"], row["is_guest"]) == ("present", False)
    # Left out, the substitute stays; a bad one is refused.
    response = client.patch(url, {"attendance": "video"}, content_type="application/json")
    assert response.json()["substitute_for"]["id"] == rob
    response = client.patch(
        url, {"attendance": "present", "substitute_for": alan}, content_type="application/json"
    )
    assert response.status_code == 400
    client.logout()
    login(client, "member")
    response = client.patch(url, {"attendance": "absent"}, content_type="application/json")
    assert response.status_code == 403


def test_a_meeting_of_another_date_reads_the_seats_of_that_date(seed):
    later = meeting_create(
        committee=seed.committee, start_at=london(2024, 5, 8), acting_user=SYSTEM
    )
    Membership.objects.filter(person__name="Vera Voter").update(end_date=london(2024, 1, 1).date())
    assert person("Vera Voter").pk in attendance.voting_member_ids(meeting=seed.dag029)
    assert person("Vera Voter").pk not in attendance.voting_member_ids(meeting=later)


def test_the_quorum_is_kept_on_the_committee_through_the_api_and_the_form(seed, client):
    login(client, "pmo")
    response = client.patch(
        "/api/v1/committees/DAG/", {"quorum_fraction": "0.5"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["quorum_fraction"] == "0.500"
    assert response.json()["quorum_count"] is None
    response = client.patch(
        "/api/v1/committees/DAG/", {"quorum_count": 3}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "not both" in response.content.decode()
    response = client.post(
        "/committees/DAG/",
        {
            "name": "Design Advisory Group",
            "programme_name": "MHHS",
            "due_soon_days": "3",
            "quorum_count": "3",
            "quorum_fraction": "",
        },
    )
    assert response.status_code == 302
    seed.committee.refresh_from_db()
    assert (seed.committee.quorum_count, seed.committee.quorum_fraction) == (3, None)


def test_a_page_read_before_another_save_is_refused_and_a_later_participant_kept(seed, client):
    attendance.meeting_participants_invite_members(meeting=seed.dag029, acting_user=pmo())
    rob = person("Rob Short").pk
    login(client, "pmo")
    tab_a = read_state(client, "DAG029")
    tab_b = read_state(client, "DAG029")
    saved = client.post(
        "/meetings/DAG029/attendance/", {"read_state": tab_b, f"p{rob}-attendance": "present"}
    )
    assert saved.status_code == 302
    refused = client.post(
        "/meetings/DAG029/attendance/", {"read_state": tab_a, f"p{rob}-attendance": "apologies"}
    )
    assert refused.status_code == 200
    assert "changed by someone else" in refused.content.decode()
    assert seed.dag029.participants.get(person_id=rob).attendance == "present"
    # Saved again from the refreshed page: the rows on the page only; the others are kept.
    vera = person("Vera Voter").pk
    attendance.meeting_attendance_record(
        meeting=seed.dag029,
        entries=[
            attendance.AttendanceEntry(person_id=vera, attendance="video", substitute_for=None)
        ],
        acting_user=pmo(),
    )
    fresh = read_state(client, "DAG029")
    again = client.post(
        "/meetings/DAG029/attendance/", {"read_state": fresh, f"p{rob}-attendance": "apologies"}
    )
    assert again.status_code == 302
    assert seed.dag029.participants.get(person_id=rob).attendance == "apologies"
    assert seed.dag029.participants.get(person_id=vera).attendance == "video"


def test_a_row_does_not_offer_the_person_as_their_own_substitute(seed, client):
    attendance.meeting_participants_invite_members(meeting=seed.dag029, acting_user=pmo())
    rob, vera = person("Rob Short").pk, person("Vera Voter").pk
    login(client, "pmo")
    html = client.get("/meetings/DAG029/attendance/").content.decode()

    def options(person_id):
        select = html.split(f'name="p{person_id}-substitute_for"', 1)[1].split("</select>")[0]
        return re.findall(r'<option value="(\d+)"', select)

    assert str(rob) not in options(rob)
    assert str(vera) in options(rob)
    assert str(rob) in options(vera)
    # Posted anyway (a stale page, a crafted form), it is refused with the field's error.
    data = {
        "read_state": read_state(client, "DAG029"),
        f"p{rob}-attendance": "present",
        f"p{rob}-substitute_for": str(rob),
    }
    html = client.post("/meetings/DAG029/attendance/", data).content.decode()
    assert "Select a valid choice" in html
    assert seed.dag029.participants.get(person_id=rob).substitute_for_id is None


def test_the_participants_api_answers_etags_and_honours_the_preconditions(seed, client):
    attendance.meeting_participants_invite_members(meeting=seed.dag029, acting_user=pmo())
    login(client, "pmo")
    lst = "/api/v1/meetings/DAG029/participants/"
    alan, vera = person("Alan Alternate").pk, person("Vera Voter").pk
    one = f"{lst}{alan}/"
    listed = client.get(lst)
    list_etag = listed["ETag"]
    assert listed.status_code == 200
    assert list_etag.startswith('"')
    assert client.get(lst, headers={"If-None-Match": list_etag}).status_code == 304
    row = client.get(one)
    row_etag = row["ETag"]
    assert row.json()["person"]["id"] == alan
    assert client.get(one, headers={"If-None-Match": row_etag}).status_code == 304
    assert client.get(f"{lst}999999/").status_code == 404
    # A write with the current ETag goes; one with the old ETag is refused (412), nothing
    # changed, and the answer names the current ETag.
    changed = client.patch(
        one,
        {"attendance": "present"},
        content_type="application/json",
        headers={"If-Match": row_etag},
    )
    assert changed.status_code == 200
    assert changed["ETag"] != row_etag
    stale = client.patch(
        one,
        {"attendance": "absent"},
        content_type="application/json",
        headers={"If-Match": row_etag},
    )
    assert stale.status_code == 412
    assert stale["ETag"] == changed["ETag"]
    assert seed.dag029.participants.get(person_id=alan).attendance == "present"
    assert client.get(lst, headers={"If-None-Match": list_etag}).status_code == 200
    # The list's ETag guards an invitation; the person removed only under the current one.
    guest = Person.objects.create(name="Gail Guest")
    refused = client.post(
        lst, {"person": guest.pk}, content_type="application/json", headers={"If-Match": list_etag}
    )
    assert refused.status_code == 412
    assert not seed.dag029.participants.filter(person=guest).exists()
    current = client.get(lst)["ETag"]
    added = client.post(
        lst, {"person": guest.pk}, content_type="application/json", headers={"If-Match": current}
    )
    assert added.status_code == 201
    assert added["ETag"] != current
    assert client.delete(f"{lst}{vera}/", headers={"If-Match": row_etag}).status_code == 412
    vera_etag = client.get(f"{lst}{vera}/")["ETag"]
    assert client.delete(f"{lst}{vera}/", headers={"If-Match": vera_etag}).status_code == 204
