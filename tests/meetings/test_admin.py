"""The admin: refs assigned on add, bad input shown as form errors (never a 500), every page."""

import pytest
from django.contrib import admin
from django.urls import reverse

from actions.models import Action
from core.actors import SYSTEM
from meetings import services
from meetings.models import Meeting, Organisation
from tests.actions.factories import ActionFactory
from tests.conftest import london


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.org", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def dag028(committee):
    return services.meeting_create(
        committee=committee, number=28, start_at=london(2023, 9, 13), acting_user=SYSTEM
    )


def meeting_form(committee, **overrides):
    data = {
        "committee": committee.pk,
        "number": "",
        "sub_number": "0",
        "title": "",
        "start_at_0": "11/10/2023",
        "start_at_1": "10:00",
        "end_at_0": "",
        "end_at_1": "",
        "venue": "Virtual",
        "classification": "public",
        "status": "planned",
        "report_issue_date": "",
    }
    for prefix in ("agenda_items", "actions", "decisions", "discussion_items"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data | overrides


def test_add_meeting_assigns_the_next_ref(admin_client, committee, dag028):
    response = admin_client.post(reverse("admin:meetings_meeting_add"), meeting_form(committee))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Meeting.objects.get(number=29).ref == "DAG029"


def test_the_admin_records_who_added_and_who_deleted(admin_client, committee, dag028):
    admin_user = int(admin_client.session["_auth_user_id"])
    response = admin_client.post(reverse("admin:meetings_meeting_add"), meeting_form(committee))
    assert response.status_code == 302
    added = Meeting.objects.get(ref="DAG029")
    assert [r.history_user_id for r in added.history.all()] == [admin_user]
    elexon = services.organisation_get_or_create(name="Elexon", acting_user=SYSTEM)
    url = reverse("admin:meetings_organisation_delete", args=[elexon.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    rows = Organisation.history.filter(id=elexon.pk).order_by("history_date", "history_id")
    assert [(r.history_type, r.history_user_id) for r in rows] == [
        ("+", None),
        ("-", admin_user),
    ]


def test_duplicate_meeting_number_is_a_form_error(admin_client, committee, dag028):
    response = admin_client.post(
        reverse("admin:meetings_meeting_add"), meeting_form(committee, number="28")
    )
    assert response.status_code == 200
    assert "Meeting with this Committee, Number and Sub number already exists." in (
        response.content.decode()
    )
    assert Meeting.objects.count() == 1


def action_form(meeting, **overrides):
    data = {
        "meeting": meeting.pk,
        "agenda_item": "",
        "description": "Programme to issue the ToR",
        "due_date": "11/10/2023",
        "due_meeting": "",
        "owners_text": "Programme (PMO)",
    }
    return data | overrides


def test_add_action_assigns_ref_and_owner(admin_client, dag028):
    response = admin_client.post(reverse("admin:actions_action_add"), action_form(dag028))
    assert response.status_code == 302, response.content.decode()[:3000]
    action = Action.objects.get()
    assert (action.ref, action.owner_display(), str(action.due_date)) == (
        "DAG28-01",
        "Programme (PMO)",
        "2023-10-11",
    )
    assert action.history.count() == 1


def test_due_date_that_is_not_a_date_is_a_form_error(admin_client, dag028):
    response = admin_client.post(
        reverse("admin:actions_action_add"), action_form(dag028, due_date="31/02/2023")
    )
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    assert not Action.objects.exists()


def test_bad_owner_text_is_a_form_error_and_nothing_is_written(admin_client, dag028):
    response = admin_client.post(
        reverse("admin:actions_action_add"), action_form(dag028, owners_text="Programme (Rob (S")
    )
    assert response.status_code == 200
    assert "is not an owner such as" in response.content.decode()
    assert not Action.objects.exists()
    dag028.refresh_from_db()
    assert dag028.last_action_seq == 0


def test_malformed_action_ref_in_a_review_is_a_form_error(admin_client, dag028):
    response = admin_client.post(
        reverse("admin:actions_actionreview_add"),
        {"action_ref": "DAG-27-08", "meeting": dag028.pk, "order": "1", "outcome": "kept_open"},
    )
    assert response.status_code == 200
    assert "is not an action reference such as DAG28-01" in response.content.decode()


def test_bad_committee_code_is_a_form_error(admin_client):
    response = admin_client.post(
        reverse("admin:meetings_committee_add"),
        {
            "code": "dag1",
            "name": "Design Advisory Group",
            "programme_name": "",
            "due_soon_days": "3",
        },
    )
    assert response.status_code == 200
    assert "A committee code is 2 to 10 capital letters" in response.content.decode()


def test_every_admin_list_and_add_page_renders(admin_client, dag028):
    ActionFactory(meeting=dag028)
    for model in admin.site._registry:
        opts = model._meta
        for view in ("changelist", "add"):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}")
            response = admin_client.get(url)
            assert response.status_code in {200, 403}, url


def test_papers_packs_participants_attendance_and_series_are_read_only(admin_client, dag028):
    """Kept by their services: listed and viewed in the admin, never added, edited or
    deleted there."""
    from meetings.models import MeetingAttendance, MeetingPack, MeetingParticipant, Person

    person = Person.objects.create(name="Gail Guest")
    participant = MeetingParticipant.objects.create(meeting=dag028, person=person)
    pack = MeetingPack.objects.create(meeting=dag028)
    record = MeetingAttendance.objects.create(meeting=dag028)
    for obj, shown in [(participant, "Gail Guest"), (pack, "DAG028"), (record, "DAG028")]:
        opts = obj._meta
        listed = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert listed.status_code == 200
        assert shown in listed.content.decode()
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        page = admin_client.get(url)
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        assert admin_client.post(url, {}).status_code == 403
        delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
        assert (
            admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code
            == 403
        )
    for name in ("paper", "meetingseries"):
        assert admin_client.get(reverse(f"admin:meetings_{name}_changelist")).status_code == 200
    assert MeetingParticipant.objects.filter(pk=participant.pk).exists()
