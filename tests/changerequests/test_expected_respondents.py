"""Impact assessments that get answered (changerequests.expected_respondents, composer.ia_chasers).

On the seed (``tests.fixtures.build_seedlike``: CR023 awaiting decision at DAG028, the demo
member Rob Short of Programme seated on DAG) three more organisations are seated on DAG as
members, so the committee's membership gives four expected respondents: Elexon, Octopus
Energy, Programme and RECCo. Elexon and Octopus answer; Programme and RECCo do not. The IA
window closes on 20 October 2023; chasers go 3 days before (``IA_CHASE_DAYS_BEFORE``), so
from 17 October, and once after, from 21 October.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from changerequests.expected_respondents import (
    expected_respondent_add,
    expected_respondents_from_committee,
    ia_matrix,
    ia_pending_for_person,
)
from changerequests.models import ImpactAssessmentChase
from changerequests.services import change_request_update, ia_response_record
from composer import reminders
from composer.ia_chasers import ia_chasers_send
from composer.tasks import ia_chasers_send_task
from core.actors import SYSTEM
from decisions.services import decision_transition
from meetings.models import Membership, Organisation, Person
from tests.fixtures import build_seedlike

D = dt.date
IA_END = D(2023, 10, 20)
NOON_17_OCT = dt.datetime(2023, 10, 17, 11, tzinfo=dt.UTC)


def _seat(committee, name: str, organisation: str, constituency: str, *, login: bool) -> Person:
    from django.contrib.auth import get_user_model

    org, _ = Organisation.objects.get_or_create(name=organisation)
    username = name.split()[0].lower()
    user = get_user_model().objects.create_user(username) if login else None
    person = Person.objects.create(
        name=name, organisation=org, email=f"{username}@example.org", user=user
    )
    Membership.objects.create(
        committee=committee, person=person, role=Membership.Role.MEMBER, constituency=constituency
    )
    return person


@pytest.fixture
def ia(db, settings):
    settings.IA_CHASE_DAYS_BEFORE = 3
    seed = build_seedlike()
    people = {
        "Elexon": _seat(seed.committee, "Ellie Elexon", "Elexon", "Central systems", login=True),
        "Octopus Energy": _seat(
            seed.committee, "Otto Octopus", "Octopus Energy", "Large Supplier", login=False
        ),
        "RECCo": _seat(seed.committee, "Rhea Recco", "RECCo", "Code bodies", login=True),
    }
    cr = change_request_update(
        change_request=seed.cr023,
        ia_start_date=D(2023, 9, 20),
        ia_end_date=IA_END,
        acting_user=SYSTEM,
    )
    expected = expected_respondents_from_committee(
        change_request=cr, committee=seed.committee, acting_user=SYSTEM
    )
    ia_response_record(
        change_request=cr,
        organisation=Organisation.objects.get(name="Elexon"),
        position="support",
        received_date=D(2023, 10, 2),
        acting_user=SYSTEM,
    )
    ia_response_record(
        change_request=cr,
        organisation=Organisation.objects.get(name="Octopus Energy"),
        position="support_with_conditions",
        conditions="Delivered in IR6, not IR5.",
        received_date=D(2023, 10, 9),
        acting_user=SYSTEM,
    )
    return {"seed": seed, "cr": cr, "expected": expected, "people": people}


def test_the_committee_gives_four_expected_respondents_due_at_the_window_end(ia):
    # Members' organisations only: the chair's and the observer's seats answer for no one,
    # and the demo member Rob Short sits for Programme.
    assert [(e.organisation.name, e.due_date) for e in ia["expected"]] == [
        ("Elexon", IA_END),
        ("Octopus Energy", IA_END),
        ("Programme", IA_END),
        ("RECCo", IA_END),
    ]


def test_the_matrix_of_expected_against_received(ia):
    rows = ia_matrix(change_request=ia["cr"], today=D(2023, 10, 17))
    assert [
        (
            row.organisation.name,
            row.due_date,
            row.state,
            row.response.position if row.response else None,
            row.response.conditions if row.response else "",
            row.response.received_date if row.response else None,
        )
        for row in rows
    ] == [
        ("Elexon", IA_END, "received", "support", "", D(2023, 10, 2)),
        (
            "Octopus Energy",
            IA_END,
            "received",
            "support_with_conditions",
            "Delivered in IR6, not IR5.",
            D(2023, 10, 9),
        ),
        ("Programme", IA_END, "pending", None, "", None),
        ("RECCo", IA_END, "pending", None, "", None),
    ]
    after = ia_matrix(change_request=ia["cr"], today=D(2023, 10, 21))
    assert [row.state for row in after] == ["received", "received", "overdue", "overdue"]


def test_the_matrix_on_the_cr_page_and_in_the_api(ia, client, django_user_model):
    client.force_login(django_user_model.objects.get(username="member"))
    with time_machine.travel(NOON_17_OCT):
        page = client.get("/change-requests/CR023/").content.decode()
        api = client.get("/api/v1/change-requests/CR023/").json()
        listed = client.get("/api/v1/change-requests/").json()["results"]
        assert "Expected respondents (4, 2 awaited)" in page
    matrix = page.split('id="ia-matrix"')[1].split("</section>")[0]
    assert matrix.count("Awaiting response") == 2
    assert "Delivered in IR6, not IR5." in matrix
    assert [
        (r["organisation"]["name"], r["due_date"], r["state"], r["position"], r["received_date"])
        for r in api["expected_respondents"]
    ] == [
        ("Elexon", "2023-10-20", "received", "support", "2023-10-02"),
        ("Octopus Energy", "2023-10-20", "received", "support_with_conditions", "2023-10-09"),
        ("Programme", "2023-10-20", "pending", None, None),
        ("RECCo", "2023-10-20", "pending", None, None),
    ]
    # The tally the API already gave is unchanged.
    assert api["ia_tally"] == {
        "support": 1,
        "support_with_conditions": 1,
        "neutral": 0,
        "oppose": 0,
    }
    assert [r["state"] for r in listed[0]["expected_respondents"]][2:] == ["pending", "pending"]


def test_pending_for_me_for_the_two_who_did_not_answer(ia, client, django_user_model):
    assert [e.change_request.ref for e in ia_pending_for_person(person=ia["people"]["RECCo"])] == [
        "CR023"
    ]
    rob = Person.objects.get(name="Rob Short")
    assert [e.organisation.name for e in ia_pending_for_person(person=rob)] == ["Programme"]
    for answered in ("Elexon", "Octopus Energy"):
        assert ia_pending_for_person(person=ia["people"][answered]) == []

    for username, expected in (("member", True), ("rhea", True), ("ellie", False)):
        client.force_login(django_user_model.objects.get(username=username))
        page = client.get(reverse("action-mine")).content.decode()
        assert ('id="ia-pending"' in page) is expected, username
        if expected:
            section = page.split('id="ia-pending"')[1].split("</section>")[0]
            assert "CR023" in section
            assert "Response due 20 Oct 2023" in section


def test_pending_for_me_in_the_daily_digest(ia):
    # Rob Short owns DAG28-01, due 11/10/2023: on 8 October his digest before DAG029 goes,
    # with CR023 awaiting Programme's response.
    reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8))
    (message,) = [m for m in mail.outbox if "member@example.org" in m.to[0]]
    assert "Impact assessments awaiting your organisation's response:" in message.body
    assert "- CR023: Standardisation of Interfaces" in message.body
    assert "Programme's response due Fri 20 Oct 2023" in message.body
    html, _ = message.alternatives[0]
    assert "/change-requests/CR023/" in html
    # Nobody of an organisation that answered is told it is pending.
    for other in mail.outbox:
        if "CR023" in other.body:
            assert Person.objects.get(email=other.to[0].split("<")[1][:-1]).organisation.name in (
                "Programme",
                "RECCo",
            )


def _chasers() -> list[tuple[str, str, str]]:
    return sorted(
        ImpactAssessmentChase.objects.values_list(
            "expected_respondent__organisation__name", "occasion", "person__email"
        )
    )


def test_one_chaser_each_before_the_window_closes_and_one_after(ia):
    programme = sorted(
        Person.objects.filter(organisation__name="Programme")
        .exclude(email="")
        .values_list("email", flat=True)
    )
    assert "member@example.org" in programme
    assert ia_chasers_send(today=D(2023, 10, 16), acting_user=SYSTEM).sent == []
    assert mail.outbox == []

    first = ia_chasers_send(today=D(2023, 10, 17), acting_user=SYSTEM)
    second = ia_chasers_send(today=D(2023, 10, 17), acting_user=SYSTEM)
    third = ia_chasers_send(today=D(2023, 10, 19), acting_user=SYSTEM)
    assert second.sent == third.sent == []
    before = [("Programme", "before", email) for email in programme] + [
        ("RECCo", "before", "rhea@example.org")
    ]
    assert _chasers() == sorted(before)
    assert len(first.sent) == len(mail.outbox) == len(before)
    assert {tuple(sent[:2]) for sent in first.sent} == {("CR023", "Programme"), ("CR023", "RECCo")}
    message = next(m for m in mail.outbox if "rhea@example.org" in m.to[0])
    assert message.subject == "Impact assessment of CR023 due 20/10/2023: RECCo's response"
    assert "is due by Friday 20 October 2023" in message.body
    assert "/change-requests/CR023/" in message.body
    assert '<meta name="viewport"' in message.alternatives[0][0]

    # The task, twice on the day after the window closed: one "after" chaser each.
    ia_chasers_send_task("2023-10-21")
    ia_chasers_send_task("2023-10-21")
    after = [("Programme", "after", email) for email in programme] + [
        ("RECCo", "after", "rhea@example.org")
    ]
    assert _chasers() == sorted(before + after)
    assert len(mail.outbox) == len(before) + len(after)
    assert "was due on Friday 20 October 2023 and has not been received" in mail.outbox[-1].body


def test_an_answer_or_a_decided_cr_stops_the_chasers(ia):
    ia_response_record(
        change_request=ia["cr"],
        organisation=Organisation.objects.get(name="RECCo"),
        position="neutral",
        acting_user=SYSTEM,
    )
    ia_chasers_send(today=D(2023, 10, 17), acting_user=SYSTEM)
    assert {org for org, _, _ in _chasers()} == {"Programme"}
    decision_transition(decision=ia["seed"].dec68, to_status="approved", acting_user=SYSTEM)
    ia_chasers_send(today=D(2023, 10, 21), acting_user=SYSTEM)
    assert {occasion for _, occasion, _ in _chasers()} == {"before"}


def test_the_tally_at_decision_time_is_frozen_into_the_decision(ia, client, django_user_model):
    chair = django_user_model.objects.get(username="chair")
    decision = decision_transition(
        decision=ia["seed"].dec68, to_status="approved", acting_user=chair
    )
    frozen = decision.ia_tally
    assert frozen["change_request"] == "CR023"
    assert (frozen["expected"], frozen["received"], frozen["pending"]) == (4, 2, 2)
    assert frozen["tally"] == {
        "Support": 1,
        "Support with conditions": 1,
        "Neutral": 0,
        "Oppose": 0,
    }
    assert [(r["organisation"], r["position"]) for r in frozen["rows"]] == [
        ("Elexon", "Support"),
        ("Octopus Energy", "Support with conditions"),
        ("Programme", None),
        ("RECCo", None),
    ]
    # A response recorded afterwards changes the CR's tally, not the decision's record.
    ia_response_record(
        change_request=ia["cr"],
        organisation=Organisation.objects.get(name="RECCo"),
        position="oppose",
        acting_user=SYSTEM,
    )
    decision.refresh_from_db()
    assert decision.ia_tally == frozen
    client.force_login(chair)
    page = client.get("/decisions/DAG-DEC68/").content.decode()
    section = page.split('id="ia-tally"')[1].split("</section>")[0]
    assert "2 responses received, 4 expected, 2 not received" in section
    assert "Delivered in IR6, not IR5." in section
    assert section.count("Not received") == 2


def test_the_pmo_expects_respondents_on_the_cr_page(ia, client, django_user_model):
    url = reverse("change-request-expected-respondents", args=["CR023"])
    client.force_login(django_user_model.objects.get(username="member"))
    assert client.post(url, {"organisation": "Elexon"}).status_code == 403
    client.force_login(django_user_model.objects.get(username="pmo"))
    refused = client.post(url, {"organisation": "", "committee": ""})
    assert "Name an organisation or choose a committee." in refused.content.decode()
    done = client.post(url, {"organisation": "Citizens Advice", "due_date": "2023-10-27"})
    assert done.status_code == 302
    rows = ia_matrix(change_request=ia["cr"], today=D(2023, 10, 17))
    assert (rows[0].organisation.name, rows[0].due_date) == (
        "Citizens Advice",
        D(2023, 10, 27),
    )


def test_only_the_pmo_expects_and_a_due_date_is_needed(ia, member_user):
    org = Organisation.objects.create(name="Ofgem")
    with pytest.raises(PermissionDenied):
        expected_respondent_add(change_request=ia["cr"], organisation=org, acting_user=member_user)
    change_request_update(change_request=ia["cr"], ia_end_date=None, acting_user=SYSTEM)
    with pytest.raises(ValidationError):
        expected_respondent_add(change_request=ia["cr"], organisation=org, acting_user=SYSTEM)


def test_a_new_due_date_is_a_new_window_chased_again(ia):
    ia_chasers_send(today=D(2023, 10, 17), acting_user=SYSTEM)
    expected_respondent_add(
        change_request=ia["cr"],
        organisation=Organisation.objects.get(name="RECCo"),
        due_date=D(2023, 10, 31),
        acting_user=SYSTEM,
    )
    # Programme's window closed on the 20th (an "after" chaser); RECCo's runs to the 31st.
    ia_chasers_send(today=D(2023, 10, 28), acting_user=SYSTEM)
    ia_chasers_send(today=D(2023, 10, 28), acting_user=SYSTEM)
    recco = [
        (occasion, due)
        for occasion, due in ImpactAssessmentChase.objects.filter(
            expected_respondent__organisation__name="RECCo"
        ).values_list("occasion", "due_date")
    ]
    assert sorted(recco) == [("before", D(2023, 10, 20)), ("before", D(2023, 10, 31))]
