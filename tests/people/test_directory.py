"""The people directory: services and PMO pages (list, add, edit, deactivate, invite, merge),
organisations, committees and memberships."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from actions.models import ActionOwner
from core.actors import SYSTEM
from meetings import people_services as services
from meetings.models import Committee, Membership, Organisation, Person
from tests.fixtures import build_seedlike

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed(db):
    return build_seedlike()


def test_seed_owners_resolve_to_directory_people(seed):
    # "Programme (Rob Short)" names the demo member's person (one Rob Short); "Large Supplier
    # Representative (Haz Elmamoun)" creates Haz, with no organisation and no email.
    rob = Person.objects.get(name="Rob Short")
    assert rob.organisation.name == "Programme"
    assert rob.has_login
    haz = Person.objects.get(name="Haz Elmamoun")
    assert haz.organisation is None
    assert not haz.has_email


def test_person_list_flags_people_without_email_and_login(client, seed, pmo_user):
    client.force_login(pmo_user)
    page = client.get(reverse("person-list")).content.decode()
    row = re.search(r"Haz Elmamoun</a>.*?</tr>", page, re.S).group(0)
    assert "no email" in row
    assert "no login" in row
    rob_row = re.search(r"Rob Short</a>.*?</tr>", page, re.S).group(0)
    assert "no email" not in rob_row
    assert "no login" not in rob_row
    only = client.get(reverse("person-list"), {"flag": "no-email"}).content.decode()
    assert "Haz Elmamoun" in only
    assert "Rob Short" not in only
    found = client.get(reverse("person-list"), {"q": "haz"}).content.decode()
    assert "Haz Elmamoun" in found
    assert "Rob Short" not in found


@pytest.mark.parametrize("name", ["person-list", "person-create", "committee-list"])
def test_directory_pages_refuse_members(client, member_user, name):
    client.force_login(member_user)
    assert client.get(reverse(name)).status_code == 403


def test_create_edit_and_deactivate_a_person(client, seed, pmo_user):
    client.force_login(pmo_user)
    programme = Organisation.objects.get(name="Programme")
    response = client.post(
        reverse("person-create"),
        {"name": "Ann Other", "email": "ann@example.org", "organisation": programme.pk},
    )
    assert response.status_code == 302
    ann = Person.objects.get(name="Ann Other")
    assert ann.email == "ann@example.org"
    assert ann.organisation == programme
    assert ann.history.first().history_user == pmo_user

    response = client.post(
        reverse("person-edit", args=[ann.pk]),
        {"name": "Ann Other", "email": "ann.other@example.org", "organisation": programme.pk},
    )
    assert response.status_code == 302
    ann.refresh_from_db()
    assert ann.email == "ann.other@example.org"

    # A duplicate name in the same organisation is a field error, nothing lost.
    response = client.post(
        reverse("person-create"),
        {"name": "Ann Other", "email": "x@example.org", "organisation": programme.pk},
    )
    assert response.status_code == 200
    assert Person.objects.filter(name="Ann Other").count() == 1

    client.post(reverse("person-active", args=[ann.pk]), {"is_active": "0"})
    ann.refresh_from_db()
    assert ann.is_active is False
    listed = client.get(reverse("person-list")).content.decode()
    assert reverse("person-edit", args=[ann.pk]) not in listed
    shown = client.get(reverse("person-list"), {"inactive": "on"}).content.decode()
    assert reverse("person-edit", args=[ann.pk]) in shown


def test_invite_sends_a_one_time_set_password_link(
    client, seed, pmo_user, django_capture_on_commit_callbacks
):
    rob = Person.objects.get(name="Haz Elmamoun")
    client.force_login(pmo_user)
    # No email yet: the invitation cannot go.
    client.post(reverse("person-invite", args=[rob.pk]))
    rob.refresh_from_db()
    assert rob.user is None
    assert not mail.outbox

    services.person_update(person=rob, email="haz@example.org", acting_user=pmo_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("person-invite", args=[rob.pk]))
    rob.refresh_from_db()
    assert rob.user is not None
    assert not rob.user.has_usable_password()
    assert not rob.user.groups.exists()  # what they may do follows their seats
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["haz@example.org"]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)

    client.logout()
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "Tr4cker-pass-99", "new_password2": "Tr4cker-pass-99"}
    )
    assert response.status_code == 302
    assert client.login(username=rob.user.username, password="Tr4cker-pass-99")
    # The link works once.
    client.logout()
    again = client.get(link, follow=True)
    assert "has been used already" in again.content.decode()


def test_merge_moves_owner_links_and_memberships(seed, pmo_user):
    programme = Organisation.objects.get(name="Programme")
    rob = Person.objects.get(name="Rob Short")
    services.person_update(person=rob, email="", acting_user=pmo_user)
    typo = services.person_create(
        name="Rob Shrot", email="rob@example.org", organisation=programme, acting_user=pmo_user
    )
    ActionOwner.objects.filter(action=seed.dag28_01).update(person=typo)
    # Rob (the demo member's person) already sits on DAG as a member: the typo's seat is an
    # alternate's, so it moves to him rather than duplicating his.
    services.membership_create(
        committee=seed.committee,
        person=typo,
        role=Membership.Role.ALTERNATE,
        constituency="Programme",
        acting_user=pmo_user,
    )
    services.person_merge(source=typo, target=rob, acting_user=pmo_user)

    assert not Person.objects.filter(pk=typo.pk).exists()
    assert ActionOwner.objects.get(action=seed.dag28_01).person == rob
    moved = Membership.objects.get(
        committee=seed.committee, person=rob, role=Membership.Role.ALTERNATE
    )
    assert moved.constituency == "Programme"
    rob.refresh_from_db()
    assert rob.email == "rob@example.org"  # the merged one's address was kept
    deleted = Person.history.filter(id=typo.pk, history_type="-").get()
    assert deleted.history_user == pmo_user
    assert "merged into" in deleted.history_change_reason


def test_merge_refuses_the_same_person_and_members(seed, pmo_user, member_user):
    rob = Person.objects.get(name="Rob Short")
    with pytest.raises(ValidationError):
        services.person_merge(source=rob, target=rob, acting_user=pmo_user)
    haz = Person.objects.get(name="Haz Elmamoun")
    with pytest.raises(PermissionDenied):
        services.person_merge(source=haz, target=rob, acting_user=member_user)


def test_organisation_merge_moves_people_and_owned_actions(seed, pmo_user):
    programme = Organisation.objects.get(name="Programme")
    twin = services.organisation_create(name="The Programme", acting_user=pmo_user)
    ActionOwner.objects.filter(action=seed.dag28_01).update(organisation=twin)
    services.person_create(name="Zoe Test", organisation=twin, acting_user=pmo_user)
    services.organisation_merge(source=twin, target=programme, acting_user=pmo_user)
    assert not Organisation.objects.filter(pk=twin.pk).exists()
    assert ActionOwner.objects.get(action=seed.dag28_01).organisation == programme
    assert Person.objects.get(name="Zoe Test").organisation == programme


def test_committee_and_membership_pages(client, seed, pmo_user):
    client.force_login(pmo_user)
    response = client.post(
        reverse("committee-edit", args=["DAG"]),
        {"name": "Design Advisory Group", "programme_name": "MHHS", "due_soon_days": 5},
    )
    assert response.status_code == 302
    assert Committee.objects.get(code="DAG").due_soon_days == 5

    haz = Person.objects.get(name="Haz Elmamoun")
    response = client.post(
        reverse("membership-create", args=["DAG"]),
        {
            "person": haz.pk,
            "role": "member",
            "constituency": "Large Supplier Representative",
            "start_date": "2023-04-01",
        },
    )
    assert response.status_code == 302
    seat = Membership.objects.get(committee__code="DAG", person=haz)
    assert seat.constituency == "Large Supplier Representative"
    # An end before the start is refused with a clear error and nothing changes.
    response = client.post(
        reverse("membership-edit", args=["DAG", seat.pk]),
        {
            "role": "member",
            "constituency": "x",
            "start_date": "2023-04-01",
            "end_date": "2023-01-01",
        },
    )
    assert response.status_code == 200
    seat.refresh_from_db()
    assert seat.end_date is None
    assert seat.constituency == "Large Supplier Representative"

    client.post(reverse("membership-end", args=["DAG", seat.pk]))
    seat.refresh_from_db()
    assert seat.end_date is not None
    page = client.get(reverse("committee-edit", args=["DAG"])).content.decode()
    assert "Haz Elmamoun" in page
    assert "Large Supplier Representative" in page

    response = client.post(
        reverse("committee-create"),
        {"code": "DRG", "name": "Design Resolution Group", "due_soon_days": 2},
    )
    assert response.status_code == 302
    assert Committee.objects.get(code="DRG").due_soon_days == 2


def test_pmo_home_counts_people_without_an_email(client, seed, pmo_user):
    expected = Person.objects.filter(is_active=True, email="").count()
    assert expected >= 1  # Haz Elmamoun at least
    client.force_login(pmo_user)
    page = client.get(reverse("home")).content.decode()
    noun = "person" if expected == 1 else "people"
    assert f"{expected} {noun} without an email" in page
    assert "/people/?flag=no-email" in page


def test_login_create_refuses_a_person_without_email(seed):
    haz = Person.objects.get(name="Haz Elmamoun")
    with pytest.raises(ValidationError):
        services.person_login_create(person=haz, acting_user=SYSTEM)
    assert get_user_model().objects.filter(person=haz).count() == 0


def test_membership_dates(seed, pmo_user):
    haz = Person.objects.get(name="Haz Elmamoun")
    with pytest.raises(ValidationError):
        services.membership_create(
            committee=seed.committee,
            person=haz,
            start_date=dt.date(2023, 5, 1),
            end_date=dt.date(2023, 4, 1),
            acting_user=pmo_user,
        )


def test_the_pmo_neither_seats_themself_nor_makes_administrators(seed):
    """Separation of duties: a PMO who could seat themself as chair, or make another PMO
    login they control, could decide the committee's decisions."""
    pmo = get_user_model().objects.get(username="pmo")
    own = Person.objects.get(user=pmo)
    with pytest.raises(PermissionDenied):
        services.membership_create(
            committee=seed.committee, person=own, role=Membership.Role.CHAIR, acting_user=pmo
        )
    nina = services.person_create(
        name="Nina Newcomer", email="nina@example.org", organisation=None, acting_user=pmo
    )
    with pytest.raises(PermissionDenied):
        services.person_invite(person=nina, role="PMO", acting_user=pmo)
    assert not get_user_model().objects.filter(email="nina@example.org").exists()
    seat = services.membership_create(
        committee=seed.committee, person=nina, role=Membership.Role.CHAIR, acting_user=pmo
    )
    assert seat.role == Membership.Role.CHAIR  # seating someone else is the PMO's job
