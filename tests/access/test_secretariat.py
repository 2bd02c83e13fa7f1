"""A committee's secretariat records and issues for that committee only (``core.roles``
``is_recorder``): "secretary" holds DAG's secretariat seat and no PMO group (the scene of
tests/access/test_rule.py). They create and edit DAG's meetings, actions, decisions and
discussion and issue DAG's headline report; for TMAG they are refused (403 where they may
see the record, 404 where they may not).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actions.services import action_close, action_create
from composer.discussion import discussion_item_create
from composer.headline_report import headline_report_issue_outcome
from core import roles
from core.actors import SYSTEM
from decisions.services import decision_create, decision_update
from meetings import services
from meetings.models import Meeting, Person
from tests.conftest import london


@pytest.fixture
def tmag_public(two) -> Meeting:
    """TMAG002, Public and held: a TMAG meeting DAG's secretariat may read but not record."""
    return services.meeting_create(
        committee=two.tmag,
        start_at=london(2023, 12, 1),
        classification=Meeting.Classification.PUBLIC,
        status=Meeting.Status.HELD,
        acting_user=SYSTEM,
    )


def api_for(user) -> APIClient:
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_the_secretariat_records_for_its_committee_only(two, tmag_public):
    secretary = two.users["secretary"]
    dag = two.seed.committee
    assert not roles.is_pmo(secretary)
    assert roles.is_recorder(secretary, dag.pk)
    assert not roles.is_recorder(secretary, two.tmag.pk)
    assert roles.recorded_committee_ids(secretary) == {dag.pk}
    assert not roles.is_recorder_somewhere(two.users["chair"])

    meeting = services.meeting_create(
        committee=dag, start_at=london(2024, 2, 7), acting_user=secretary
    )
    services.meeting_update(meeting=meeting, venue="Elexon", acting_user=secretary)
    # An owner new to the directory is created on the way, as the PMO's would be.
    action = action_create(
        meeting=two.dag032,
        description="Circulate the rehearsal plan",
        owners=["Programme (Nina New)"],
        due_date=london(2024, 2, 1).date(),
        acting_user=secretary,
    )
    assert Person.objects.filter(name="Nina New").exists()
    action_close(action=action, acting_user=secretary)
    decision = decision_create(meeting=two.dag032, text="DAG agrees", acting_user=secretary)
    decision_update(decision=decision, text="DAG agrees the plan", acting_user=secretary)
    discussion_item_create(meeting=two.dag032, text="ACTION DAG28-01 noted", acting_user=secretary)
    outcome = headline_report_issue_outcome(meeting=two.dag030, acting_user=secretary)
    assert outcome.report.meeting_id == two.dag030.pk

    refusals = [
        lambda: services.meeting_create(
            committee=two.tmag, start_at=london(2024, 2, 7), acting_user=secretary
        ),
        lambda: services.meeting_update(meeting=tmag_public, venue="x", acting_user=secretary),
        lambda: action_create(
            meeting=tmag_public,
            description="x",
            owners=["Chair"],
            due_date=london(2024, 2, 1).date(),
            acting_user=secretary,
        ),
        lambda: action_close(action=two.tmag1_01, acting_user=secretary),
        lambda: decision_create(meeting=tmag_public, text="x", acting_user=secretary),
        lambda: decision_update(decision=two.tmag_dec, text="x", acting_user=secretary),
        lambda: discussion_item_create(meeting=tmag_public, text="x", acting_user=secretary),
        lambda: headline_report_issue_outcome(meeting=tmag_public, acting_user=secretary),
    ]
    for refused in refusals:
        with pytest.raises(PermissionDenied):
            refused()


def test_the_secretariat_pages_open_for_its_committee_and_refuse_another(as_user, two, tmag_public):
    client = as_user("secretary")
    assert client.get("/meetings/DAG032/edit/").status_code == 200
    assert client.get("/meetings/DAG032/actions/new/").status_code == 200
    assert client.get("/meetings/DAG030/report/issue/").status_code == 200
    assert client.get("/actions/DAG30-01/edit/").status_code == 200
    assert client.get("/meetings/TMAG002/edit/").status_code == 403
    assert client.get("/meetings/TMAG002/actions/new/").status_code == 403
    assert client.get("/meetings/TMAG002/report/issue/").status_code == 403
    assert client.get("/meetings/TMAG001/edit/").status_code == 404
    assert client.get("/actions/TMAG1-01/edit/").status_code == 404
    new = client.get("/meetings/new/")
    assert new.status_code == 200
    assert list(new.context["form"].fields["committee"].queryset) == [two.seed.committee]
    # The directory stays the administrators'.
    assert client.get("/people/").status_code == 403
    refused = client.post(
        "/meetings/new/",
        {
            "committee": two.tmag.pk,
            "date": "2024-02-07",
            "start_time": "10:00",
            "classification": "public",
            "status": "planned",
        },
    )
    assert refused.status_code == 200
    assert "committee" in refused.context["form"].errors
    assert not Meeting.objects.filter(committee=two.tmag, number=3).exists()


def test_the_secretariat_api_writes_for_its_committee_only(two, tmag_public):
    api = api_for(two.users["secretary"])
    ok = api.patch("/api/v1/meetings/DAG032/", {"venue": "Elexon"}, format="json")
    assert ok.status_code == 200, ok.content
    created = api.post(
        "/api/v1/meetings/", {"committee": "DAG", "start_at": "2024-02-07T10:00:00Z"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert api.patch("/api/v1/meetings/TMAG002/", {"venue": "x"}, format="json").status_code == 403
    assert api.patch("/api/v1/meetings/TMAG001/", {"venue": "x"}, format="json").status_code == 404
    refused = api.post(
        "/api/v1/meetings/",
        {"committee": "TMAG", "start_at": "2024-02-07T10:00:00Z"},
        format="json",
    )
    assert refused.status_code == 403
    assert api.post("/api/v1/actions/TMAG1-01/close/", {}, format="json").status_code == 404
    # Observers and members still record nothing.
    member = api_for(two.users["member"])
    assert member.patch("/api/v1/meetings/DAG032/", {"venue": "x"}, format="json").status_code == (
        403
    )


def test_the_secretariat_builds_its_committees_agenda_and_records_attendance(
    two, tmag_public, client
):
    """The #15 pages record too: DAG's secretariat builds DAG032's agenda (reading it before
    it is published), publishes it and records attendance; TMAG's are refused."""
    from meetings import agenda_services, attendance
    from meetings.models import Paper

    secretary = two.users["secretary"]
    item = services.agenda_item_create(meeting=two.dag032, title="Opening", acting_user=secretary)
    agenda_services.agenda_item_edit(
        agenda_item=item, start_time=dt.time(10, 0), duration_minutes=10, acting_user=secretary
    )
    client.force_login(secretary)
    page = client.get("/meetings/DAG032/agenda-and-papers/").content.decode()
    assert "Opening" in page
    assert "Publish" in page
    added = client.post(
        "/meetings/DAG032/agenda-and-papers/items/new/", {"title": "Any other business"}
    )
    assert added.status_code in (200, 302)
    agenda_services.agenda_publish(meeting=two.dag032, acting_user=secretary)
    attendance.meeting_participants_invite_members(meeting=two.dag032, acting_user=secretary)
    assert client.get("/meetings/DAG032/attendance/").status_code == 200
    # TMAG's agenda and attendance are not theirs to record.
    with pytest.raises(PermissionDenied):
        services.agenda_item_create(meeting=tmag_public, title="Nope", acting_user=secretary)
    tmag_item = services.agenda_item_create(meeting=tmag_public, title="T", acting_user=SYSTEM)
    with pytest.raises(PermissionDenied):
        agenda_services.agenda_publish(meeting=tmag_public, acting_user=secretary)
    with pytest.raises(PermissionDenied):
        attendance.meeting_participants_invite_members(meeting=tmag_public, acting_user=secretary)
    refused = client.post(f"/meetings/{tmag_public.ref}/agenda-and-papers/publish/")
    assert refused.status_code == 403
    assert tmag_item.meeting.agenda_published_at is None
    assert not Paper.objects.exists()
