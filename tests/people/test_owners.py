"""Owners from the directory: suggestions as the PMO types, and the explicit step that adds
a person a typed name does not find."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actions.models import Action
from actions.services import action_create
from core.actors import SYSTEM
from meetings import people_services
from meetings.models import Person
from tests.fixtures import build_seedlike

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed(db):
    return build_seedlike()


def suggest(client, q, committee=None):
    params = {"q": q} | ({"committee": committee.pk} if committee else {})
    response = client.get(reverse("people-autocomplete"), params)
    assert response.status_code == 200
    return response.json()["results"]


def test_suggestions_offer_members_seats_and_people(client, seed, pmo_user):
    haz = Person.objects.get(name="Haz Elmamoun")
    people_services.membership_create(
        committee=seed.committee,
        person=haz,
        constituency="Large Supplier Representative",
        acting_user=SYSTEM,
    )
    client.force_login(pmo_user)
    texts = [r["text"] for r in suggest(client, "haz", seed.committee)]
    assert texts[0] == "Large Supplier Representative (Haz Elmamoun)"
    member = suggest(client, "haz", seed.committee)[0]
    assert member["kind"] == "member"
    assert member["has_email"] is False
    assert "Large Supplier Representative" in [
        r["text"] for r in suggest(client, "large supplier", seed.committee)
    ]
    assert next(r["text"] for r in suggest(client, "chair")) == "Chair"
    assert "Programme (Rob Short)" in [r["text"] for r in suggest(client, "rob")]
    # A deactivated person is no longer offered.
    rob = Person.objects.get(name="Rob Short")
    people_services.person_set_active(person=rob, is_active=False, acting_user=SYSTEM)
    assert "Programme (Rob Short)" not in [r["text"] for r in suggest(client, "rob")]


def test_suggestions_are_for_the_pmo(client, seed, member_user):
    client.force_login(member_user)
    assert client.get(reverse("people-autocomplete"), {"q": "rob"}).status_code == 403


def test_owner_field_carries_the_suggestion_hooks(client, seed, pmo_user):
    client.force_login(pmo_user)
    page = client.get("/actions/DAG28-01/edit/").content.decode()
    assert 'data-owner-suggest="/people/autocomplete/"' in page
    assert f'data-committee="{seed.committee.pk}"' in page
    assert "js/owner-suggest.js" in page


def test_a_known_owner_in_any_case_resolves_to_the_directory(client, seed, pmo_user):
    client.force_login(pmo_user)
    response = client.post(
        "/meetings/DAG029/actions/new/",
        {"description": "Circulate the outcome", "owners": "programme (rob short)"},
    )
    assert response.status_code == 302
    owner = Action.objects.get(ref="DAG29-01").owners.get()
    assert owner.person == Person.objects.get(name="Rob Short")
    assert Person.objects.filter(name__iexact="rob short").count() == 1


def test_an_unknown_owner_name_asks_for_the_explicit_create_step(client, seed, pmo_user):
    client.force_login(pmo_user)
    data = {"description": "Circulate the outcome", "owners": "Programme (Rob Shrot)"}
    response = client.post("/meetings/DAG029/actions/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "“Rob Shrot” is not in the people directory" in html
    assert "Add “Rob Shrot” to the people directory as a new person" in html
    assert not Person.objects.filter(name="Rob Shrot").exists()
    assert not Action.objects.filter(ref="DAG29-01").exists()
    assert 'value="Circulate the outcome"' in html or "Circulate the outcome</textarea>" in html

    # Ticked without an email: the email is asked for.
    response = client.post("/meetings/DAG029/actions/new/", data | {"owner_new_person": "on"})
    assert "Give the new person&#x27;s email." in response.content.decode()
    assert not Person.objects.filter(name="Rob Shrot").exists()

    response = client.post(
        "/meetings/DAG029/actions/new/",
        data | {"owner_new_person": "on", "owner_new_email": "rob.shrot@example.org"},
    )
    assert response.status_code == 302
    person = Person.objects.get(name="Rob Shrot")
    assert person.email == "rob.shrot@example.org"
    assert person.organisation.name == "Programme"
    assert Action.objects.get(ref="DAG29-01").owners.get().person == person


def test_the_api_and_importer_text_form_still_creates_unknown_people(seed):
    # Compatibility: services (the API, the importer) keep creating a person named as owner.
    action = action_create(
        meeting=seed.dag029, description="x", owners=["Programme (New Name)"], acting_user=SYSTEM
    )
    assert action.owners.get().person.name == "New Name"


def test_role_owner_finds_the_only_person_of_that_name(seed):
    haz = Person.objects.get(name="Haz Elmamoun")
    people_services.person_update(
        person=haz, organisation=seed.dag28_01.owners.get().organisation, acting_user=SYSTEM
    )
    action = action_create(
        meeting=seed.dag029,
        description="x",
        owners=["Large Supplier Representative (Haz Elmamoun)"],
        acting_user=SYSTEM,
    )
    assert action.owners.get().person == haz
    assert Person.objects.filter(name="Haz Elmamoun").count() == 1
