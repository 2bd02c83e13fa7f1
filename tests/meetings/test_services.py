"""Ref assignment, historical refs, the resolver and validation, through the services."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from actions.models import Action
from actions.services import OwnerSpec, action_create, action_update
from changerequests.services import change_request_create
from composer import discussion
from core import roles
from core.actors import SYSTEM
from decisions.services import decision_create
from meetings import services
from meetings.models import DiscussionItem, Meeting, Organisation, Person
from tests.conftest import london
from tests.meetings.factories import link_login


@pytest.fixture
def dag028(committee):
    return services.meeting_create(
        committee=committee,
        number=28,
        start_at=london(2023, 9, 13, 10),
        end_at=london(2023, 9, 13, 13),
        venue="Virtual – MS Teams",
        acting_user=SYSTEM,
    )


def test_meeting_numbers_continue_from_the_last(committee, dag028):
    nxt = services.meeting_create(
        committee=committee, start_at=london(2023, 10, 11), acting_user=SYSTEM
    )
    assert (dag028.ref, nxt.ref) == ("DAG028", "DAG029")


def test_extraordinary_meeting_and_its_actions(committee):
    services.meeting_create(
        committee=committee, number=20, start_at=london(2023, 4, 12), acting_user=SYSTEM
    )
    extra = services.meeting_create(
        committee=committee,
        number=20,
        sub_number=1,
        start_at=london(2023, 4, 26),
        acting_user=SYSTEM,
    )
    action = action_create(
        meeting=extra,
        seq=12,
        description="Related MPAN explainer",
        owners=["Programme"],
        acting_user=SYSTEM,
    )
    assert (extra.ref, action.ref) == ("DAG020.1", "DAG20.1-12")
    # The next ordinary meeting is still 21.
    assert (
        services.meeting_create(
            committee=committee, start_at=london(2023, 5, 10), acting_user=SYSTEM
        ).ref
        == "DAG021"
    )


def test_duplicate_meeting_number_is_a_validation_error(committee, dag028):
    with pytest.raises(ValidationError, match="DAG028 already exists"):
        services.meeting_create(
            committee=committee, number=28, start_at=london(2023, 9, 14), acting_user=SYSTEM
        )


def test_action_refs_are_per_meeting_and_never_reused(dag028):
    first = action_create(
        meeting=dag028, description="a", owners=["Programme (Rob Short)"], acting_user=SYSTEM
    )
    second = action_create(meeting=dag028, description="b", owners=["Chair"], acting_user=SYSTEM)
    second.owners.all().delete()
    second.delete()
    third = action_create(meeting=dag028, description="c", owners=["Chair"], acting_user=SYSTEM)
    assert [first.ref, third.ref] == ["DAG28-01", "DAG28-03"]


def test_owner_text_splits_into_organisation_or_role_and_person(dag028):
    action = action_create(
        meeting=dag028,
        description="x",
        owners=[
            "Large Supplier Representative (Haz Elmamoun)",
            "Programme (Testing Team)",
            "Chair",
        ],
        acting_user=SYSTEM,
    )
    owners = list(action.owners.select_related("organisation", "person"))
    assert [
        (o.organisation and o.organisation.name, o.role, o.person and o.person.name) for o in owners
    ] == [
        (None, "Large Supplier Representative", "Haz Elmamoun"),
        ("Programme", "", "Testing Team"),
        (None, "Chair", None),
    ]
    assert [o.is_lead for o in owners] == [True, False, False]
    assert owners[1].person.is_team is True
    assert action.owner_display() == (
        "Large Supplier Representative (Haz Elmamoun); Programme (Testing Team); Chair"
    )


def test_decisions_continue_after_historical_dag_dec67(dag028):
    historical = decision_create(
        meeting=dag028, seq=67, text="Minutes approved", status="approved", acting_user=SYSTEM
    )
    nxt = decision_create(
        meeting=dag028, text="The SRO approved CR023 for implementation", acting_user=SYSTEM
    )
    assert (historical.ref, nxt.ref) == ("DAG-DEC67", "DAG-DEC68")
    with pytest.raises(ValidationError, match="DAG-DEC67 already exists"):
        decision_create(meeting=dag028, seq=67, text="again", acting_user=SYSTEM)


def test_change_request_numbers(db):
    assert (
        change_request_create(number=23, title="Standardisation", acting_user=SYSTEM).ref == "CR023"
    )
    assert change_request_create(title="Next", acting_user=SYSTEM).ref == "CR024"
    with pytest.raises(ValidationError, match="CR023 already exists"):
        change_request_create(number=23, acting_user=SYSTEM)


def test_due_date_that_is_not_a_date_is_refused(dag028):
    with pytest.raises(ValidationError) as err:
        action_create(
            meeting=dag028,
            description="x",
            owners=["Chair"],
            due_date="11/13/2023",
            acting_user=SYSTEM,
        )
    assert "due_date" in err.value.message_dict


def test_action_due_by_a_meeting_follows_the_meeting(committee, dag028, pmo_user):
    dag029 = services.meeting_create(
        committee=committee, start_at=london(2023, 10, 11), acting_user=SYSTEM
    )
    action = action_create(
        meeting=dag028, description="x", owners=["Chair"], due_meeting=dag029, acting_user=SYSTEM
    )
    assert action.due_date == dt.date(2023, 10, 11)
    services.meeting_update(meeting=dag029, start_at=london(2023, 10, 18), acting_user=pmo_user)
    action.refresh_from_db()
    assert action.due_date == dt.date(2023, 10, 18)


def test_a_member_cannot_create_meetings(committee, member_user):
    with pytest.raises(PermissionDenied):
        services.meeting_create(
            committee=committee, start_at=london(2023, 10, 11), acting_user=member_user
        )


def test_resolver_links_the_seed_rows(committee, dag028):
    dag027 = services.meeting_create(
        committee=committee, number=27, start_at=london(2023, 8, 9), acting_user=SYSTEM
    )
    action_create(
        meeting=dag027, seq=2, description="CR023 plan", owners=["Programme"], acting_user=SYSTEM
    )
    for _ in range(2):
        action_create(meeting=dag028, description="x", owners=["Programme"], acting_user=SYSTEM)
    cr023 = change_request_create(
        number=23, title="Standardisation of Interfaces", acting_user=SYSTEM
    )
    decision_create(meeting=dag028, seq=67, text="Minutes approved", acting_user=SYSTEM)
    dec68 = decision_create(
        meeting=dag028, text="The SRO approved CR023", change_request=cr023, acting_user=SYSTEM
    )
    row = discussion.discussion_item_create(
        meeting=dag028,
        text="<b>DAG27-02</b> : With regard to the implementation plan for Programme Change "
        "Request (CR) 023 ... ( <b>ACTION DAG28-02</b> ) as this will inform the timetable.",
        acting_user=SYSTEM,
    )
    cr_row = discussion.discussion_item_create(
        meeting=dag028,
        text="The Chair approved CR023 for implementation ( <b>DECISION DAG-DEC68</b> )",
        acting_user=SYSTEM,
    )
    resolved = {r.ref: r for r in row.references.all()}
    assert resolved["DAG27-02"].action.meeting == dag027
    assert resolved["DAG28-02"].action.description == "x"
    assert resolved["CR023"].change_request == cr023
    assert {r.ref: r.decision for r in cr_row.references.all()}["DAG-DEC68"] == dec68
    from meetings.selectors import discussions_of

    assert list(discussions_of(field="change_request", record=cr023)) == [row, cr_row]


def test_discussion_html_is_sanitised(dag028):
    item = discussion.discussion_item_create(
        meeting=dag028,
        text='<b>DAG27-02</b> <script>alert(1)</script><a href="x">link</a>',
        acting_user=SYSTEM,
    )
    assert item.text == "<b>DAG27-02</b> link"


def test_every_update_writes_a_history_row(dag028):
    action = action_create(
        meeting=dag028, description="first", owners=["Chair"], acting_user=SYSTEM
    )
    action_update(action=action, description="second", acting_user=SYSTEM)
    action_update(action=action, due_date=dt.date(2023, 11, 8), acting_user=SYSTEM)
    history = list(Action.history.filter(id=action.id).order_by("history_id"))
    assert [h.history_type for h in history] == ["+", "~", "~"]
    assert [h.description for h in history] == ["first", "second", "second"]
    assert history[-1].due_date == dt.date(2023, 11, 8)
    assert Meeting.history.filter(id=dag028.id).count() >= 1


def test_owner_spec_parses_plain_text():
    assert OwnerSpec.from_text("Programme (Rob Short)") == OwnerSpec("Programme", "Rob Short")
    with pytest.raises(ValidationError):
        OwnerSpec.from_text("Programme (Rob (Short)")


# --- the actor: None is nobody, SYSTEM is the product, history records the person ---------------


def test_require_pmo_allows_the_system_and_refuses_nobody(member_user, pmo_user):
    roles.require_pmo(SYSTEM)
    roles.require_pmo(pmo_user)
    roles.require_chair(SYSTEM)
    for actor in (None, member_user):
        with pytest.raises(PermissionDenied):
            roles.require_pmo(actor)
    with pytest.raises(PermissionDenied):
        roles.require_chair(None)


def test_a_meetings_service_called_with_no_actor_is_refused(committee, dag028):
    refused = [
        lambda: services.committee_create(code="DRG", name="Design Review", acting_user=None),
        lambda: services.meeting_create(
            committee=committee, start_at=london(2023, 10, 11), acting_user=None
        ),
        lambda: services.meeting_update(meeting=dag028, venue="Elexon", acting_user=None),
        lambda: services.agenda_item_create(meeting=dag028, title="Design", acting_user=None),
        lambda: services.agenda_item_get_or_create(
            meeting=dag028, title="Design", acting_user=None
        ),
        lambda: services.organisation_get_or_create(name="Elexon", acting_user=None),
        lambda: services.person_get_or_create(name="Rob Short", acting_user=None),
        lambda: discussion.discussion_item_create(
            meeting=dag028, text="The DAG noted the plan.", acting_user=None
        ),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    dag028.refresh_from_db()
    assert (dag028.ref, dag028.venue) == ("DAG028", "Virtual – MS Teams")
    assert Meeting.objects.count() == 1
    assert not dag028.agenda_items.exists()
    assert not dag028.discussion_items.exists()
    assert not Organisation.objects.filter(name="Elexon").exists()
    assert not Person.objects.filter(name="Rob Short").exists()


def test_history_records_the_user_who_made_each_change(committee, role_user):
    alice, bob = role_user("PMO"), role_user("PMO")
    meeting = services.meeting_create(
        committee=committee, number=28, start_at=london(2023, 9, 13, 10), acting_user=alice
    )
    services.meeting_update(meeting=meeting, venue="Elexon, London", acting_user=bob)
    rows = list(meeting.history.order_by("history_date", "history_id"))
    assert [(r.history_type, r.venue, r.history_user) for r in rows] == [
        ("+", "", alice),
        ("~", "Elexon, London", bob),
    ]

    item = discussion.discussion_item_create(
        meeting=meeting, text="The DAG noted DAG28-01.", acting_user=alice
    )
    item_id = item.pk
    discussion.discussion_item_delete(discussion_item=item, acting_user=bob)
    deleted = DiscussionItem.history.filter(id=item_id).order_by("history_date", "history_id")
    assert [(r.history_type, r.history_user) for r in deleted] == [("+", alice), ("-", bob)]


def test_the_system_is_recorded_as_no_user(committee, pmo_user):
    meeting = services.meeting_create(
        committee=committee, number=28, start_at=london(2023, 9, 13, 10), acting_user=SYSTEM
    )
    services.meeting_update(meeting=meeting, venue="Elexon, London", acting_user=pmo_user)
    users = list(
        meeting.history.order_by("history_date", "history_id").values_list(
            "history_user", flat=True
        )
    )
    assert users == [None, pmo_user.pk]


def test_organisations_and_people_made_on_the_way_record_who_made_them(dag028, pmo_user):
    action_create(
        meeting=dag028,
        description="Programme to issue the plan",
        owners=["Programme (Rob Short)"],
        acting_user=pmo_user,
    )
    programme = Organisation.objects.get(name="Programme")
    rob = Person.objects.get(name="Rob Short", organisation=programme)
    assert [r.history_user for r in programme.history.all()] == [pmo_user]
    assert [r.history_user for r in rob.history.all()] == [pmo_user]
    # Asked again, the same rows come back and no history is written.
    assert services.organisation_get_or_create(name=" Programme ", acting_user=SYSTEM) == programme
    assert (
        services.person_get_or_create(name="Rob Short", organisation=programme, acting_user=SYSTEM)
        == rob
    )
    assert programme.history.count() == rob.history.count() == 1


# --- every guard of the meetings services ------------------------------------------------------

REFUSED_ROLES = ["Chair", "Member", "Observer"]


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_only_the_pmo_changes_committees_meetings_and_agendas(committee, dag028, role_user, role):
    user = role_user(role)
    area = services.agenda_item_create(meeting=dag028, title="CR023 Decision", acting_user=SYSTEM)
    calls = [
        lambda: services.committee_create(code="DRG", name="Design Review", acting_user=user),
        lambda: services.meeting_create(
            committee=committee, start_at=london(2023, 10, 11), acting_user=user
        ),
        lambda: services.meeting_update(meeting=dag028, venue="Elexon", acting_user=user),
        lambda: services.agenda_item_create(meeting=dag028, title="Design", acting_user=user),
        lambda: services.agenda_item_update(agenda_item=area, order=9, acting_user=user),
        lambda: services.agenda_item_get_or_create(
            meeting=dag028, title="CR023 Decision", acting_user=user
        ),
        lambda: services.organisation_get_or_create(name="Elexon", acting_user=user),
        lambda: services.person_get_or_create(name="Rob Short", acting_user=user),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    dag028.refresh_from_db()
    area.refresh_from_db()
    assert (dag028.venue, area.order) == ("Virtual – MS Teams", 1)
    assert list(Meeting.objects.values_list("ref", flat=True)) == ["DAG028"]
    assert list(dag028.agenda_items.values_list("title", flat=True)) == ["CR023 Decision"]
    assert not Organisation.objects.exists()
    # Only the person the role's seats need (tests.meetings.factories), none made by a call.
    assert not Person.objects.exclude(user=user).exists()


@pytest.mark.parametrize("actor", ["PMO", "system"])
def test_the_pmo_and_the_system_change_them(committee, role_user, actor):
    user = SYSTEM if actor == "system" else role_user("PMO")
    drg = services.committee_create(code="DRG", name="Design Resolution Group", acting_user=user)
    dag028 = services.meeting_create(
        committee=committee, number=28, start_at=london(2023, 9, 13, 10), acting_user=user
    )
    services.meeting_update(meeting=dag028, status=Meeting.Status.HELD, acting_user=user)
    area = services.agenda_item_create(meeting=dag028, title="CR023  Decision", acting_user=user)
    services.agenda_item_update(agenda_item=area, order=5, acting_user=user)
    same = services.agenda_item_get_or_create(
        meeting=dag028, title=" CR023 Decision ", acting_user=user
    )
    minutes = services.agenda_item_get_or_create(
        meeting=dag028, title="Minutes and Actions", acting_user=user
    )
    programme = services.organisation_get_or_create(name="Programme", acting_user=user)
    rob = services.person_get_or_create(name="Rob Short", organisation=programme, acting_user=user)
    dag028.refresh_from_db()
    assert (drg.code, dag028.ref, dag028.status) == ("DRG", "DAG028", Meeting.Status.HELD)
    assert same == area
    assert list(dag028.agenda_items.values_list("title", "order")) == [
        ("CR023 Decision", 5),
        ("Minutes and Actions", 6),
    ]
    assert minutes.order == 6
    assert (rob.name, rob.organisation, rob.is_team) == ("Rob Short", programme, False)


@pytest.mark.parametrize("code", ["dag", "D", "DAG1", "ABCDEFGHIJK", ""])
def test_a_bad_committee_code_is_refused(db, code):
    with pytest.raises(ValidationError) as err:
        services.committee_create(code=code, name="Design Advisory Group", acting_user=SYSTEM)
    assert "code" in err.value.message_dict


def test_a_taken_committee_code_is_refused(committee):
    with pytest.raises(ValidationError) as err:
        services.committee_create(code="DAG", name="Another", acting_user=SYSTEM)
    assert "code" in err.value.message_dict


@pytest.mark.parametrize(
    ("service", "extra"),
    [(services.organisation_get_or_create, {}), (services.person_get_or_create, {})],
)
def test_blank_or_overlong_names_are_refused(db, service, extra):
    for name in ("", "   ", None, "x" * 201):
        with pytest.raises(ValidationError) as err:
            service(name=name, acting_user=SYSTEM, **extra)
        assert "name" in err.value.message_dict
    assert not Organisation.objects.exists()
    assert not Person.objects.exists()


def test_a_team_is_recorded_as_a_team(db):
    programme = services.organisation_get_or_create(name="Programme", acting_user=SYSTEM)
    team = services.person_get_or_create(
        name="Testing  Team", organisation=programme, is_team=True, acting_user=SYSTEM
    )
    chair = services.person_get_or_create(name="Chair (Jane Doe)", acting_user=SYSTEM)
    assert (team.name, team.is_team, chair.organisation) == ("Testing Team", True, None)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"number": 0}, "number"),
        ({"number": 10_000}, "number"),
        ({"number": 20, "sub_number": 100}, "sub_number"),
        ({"number": 20, "sub_number": -1}, "sub_number"),
        ({"sub_number": 1}, "number"),
        ({"end_at": london(2023, 9, 13, 9)}, None),
        ({"classification": "secret"}, "classification"),
        ({"status": "cancelled"}, "status"),
        ({"venue": "x" * 201}, "venue"),
    ],
)
def test_bad_meeting_values_are_refused(committee, values, field):
    with pytest.raises(ValidationError) as err:
        services.meeting_create(
            committee=committee, start_at=london(2023, 9, 13, 10), acting_user=SYSTEM, **values
        )
    if field:
        assert field in err.value.message_dict
    assert not Meeting.objects.exists()


def test_a_taken_extraordinary_meeting_is_refused(committee):
    services.meeting_create(
        committee=committee,
        number=20,
        sub_number=1,
        start_at=london(2023, 4, 26),
        acting_user=SYSTEM,
    )
    with pytest.raises(ValidationError, match=r"DAG020\.1 already exists"):
        services.meeting_create(
            committee=committee,
            number=20,
            sub_number=1,
            start_at=london(2023, 4, 27),
            acting_user=SYSTEM,
        )


def test_meeting_update_refuses_other_fields_and_bad_values(dag028, pmo_user):
    for changes in ({"number": 29}, {"ref": "DAG029"}, {"committee": None}):
        with pytest.raises(ValidationError, match="cannot be changed here"):
            services.meeting_update(meeting=dag028, acting_user=pmo_user, **changes)
    for changes, field in (
        ({"end_at": london(2023, 9, 13, 9)}, None),
        ({"status": "cancelled"}, "status"),
        ({"classification": "secret"}, "classification"),
    ):
        with pytest.raises(ValidationError) as err:
            services.meeting_update(meeting=dag028, acting_user=pmo_user, **changes)
        if field:
            assert field in err.value.message_dict
    dag028.refresh_from_db()
    assert (dag028.ref, dag028.status, dag028.end_at) == (
        "DAG028",
        Meeting.Status.PLANNED,
        london(2023, 9, 13, 13),
    )


def test_agenda_item_guards(committee, dag028):
    area = services.agenda_item_create(meeting=dag028, title="CR023 Decision", acting_user=SYSTEM)
    with pytest.raises(ValidationError):
        services.agenda_item_create(meeting=dag028, title="CR023  Decision", acting_user=SYSTEM)
    for title in ("", "   ", "x" * 301):
        with pytest.raises(ValidationError) as err:
            services.agenda_item_create(meeting=dag028, title=title, acting_user=SYSTEM)
        assert "title" in err.value.message_dict
    for changes in ({"title": "Renamed"}, {"meeting": None}):
        with pytest.raises(ValidationError, match="cannot be changed here"):
            services.agenda_item_update(agenda_item=area, acting_user=SYSTEM, **changes)
    with pytest.raises(ValidationError):
        services.agenda_item_get_or_create(meeting=dag028, title="  ", acting_user=SYSTEM)
    # The same title at another meeting is another agenda item.
    dag029 = services.meeting_create(
        committee=committee, start_at=london(2023, 10, 11), acting_user=SYSTEM
    )
    other = services.agenda_item_get_or_create(
        meeting=dag029, title="CR023 Decision", acting_user=SYSTEM
    )
    assert other != area
    assert list(dag028.agenda_items.values_list("title", flat=True)) == ["CR023 Decision"]


def test_agenda_item_create_places_new_items_at_the_end(dag028):
    first = services.agenda_item_create(meeting=dag028, title="Minutes", acting_user=SYSTEM)
    placed = services.agenda_item_create(
        meeting=dag028, title="Design (DIN)", order=7, acting_user=SYSTEM
    )
    last = services.agenda_item_create(meeting=dag028, title="AOB", acting_user=SYSTEM)
    assert [first.order, placed.order, last.order] == [1, 7, 8]


# --- a person's reminder emails: the person, the PMO or the system -------------------------------


@pytest.fixture
def rob(db):
    programme = services.organisation_get_or_create(name="Programme", acting_user=SYSTEM)
    return services.person_get_or_create(
        name="Rob Short", organisation=programme, acting_user=SYSTEM
    )


@pytest.mark.parametrize("role", [*REFUSED_ROLES, None])
def test_only_the_person_the_pmo_or_the_system_stop_reminders(rob, role_user, role):
    user = role_user(role) if role else None
    with pytest.raises(PermissionDenied):
        services.person_reminders_opt_out_set(person=rob, opt_out=True, acting_user=user)
    rob.refresh_from_db()
    assert rob.reminders_opt_out is False


def test_the_person_stops_and_restarts_their_own_reminders(rob, role_user):
    login = role_user("Member")
    link_login(rob, login)
    services.person_reminders_opt_out_set(person=rob, opt_out=True, acting_user=login)
    rob.refresh_from_db()
    assert rob.reminders_opt_out is True
    services.person_reminders_opt_out_set(person=rob, opt_out=False, acting_user=login)
    rob.refresh_from_db()
    assert rob.reminders_opt_out is False
    assert [r.history_user for r in rob.history.order_by("history_date", "history_id")] == [
        None,
        None,
        login,
        login,
    ]


def test_the_pmo_and_the_system_stop_reminders_and_twice_writes_once(rob, pmo_user):
    services.person_reminders_opt_out_set(person=rob, opt_out=True, acting_user=pmo_user)
    services.person_reminders_opt_out_set(person=rob, opt_out=True, acting_user=SYSTEM)
    rob.refresh_from_db()
    assert rob.reminders_opt_out is True
    rows = rob.history.order_by("history_date", "history_id")
    assert [(r.reminders_opt_out, r.history_user) for r in rows] == [
        (False, None),
        (True, pmo_user),
    ]
    services.person_reminders_opt_out_set(person=rob, opt_out=False, acting_user=SYSTEM)
    rob.refresh_from_db()
    assert rob.reminders_opt_out is False
