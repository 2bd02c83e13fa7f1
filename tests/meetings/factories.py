"""factory_boy factories for users and the meetings app's records."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core import refs
from meetings.models import (
    AgendaItem,
    Committee,
    DiscussionItem,
    HeadlineReport,
    Meeting,
    Membership,
    Organisation,
    Person,
)

LONDON = ZoneInfo("Europe/London")


# The seat each old role group stands for: a user made with one of these roles holds that
# seat on every committee of the test, as the migration that made roles seats gave them
# (meetings/migrations/0006); see ``legacy_seats_on_new_committees`` in tests/conftest.py.
# A user made with the "Observer" role holds no seat: the tests written for that role
# are about a reader of Public meetings only, which is a login with no seat now (an
# observer's seat reads the committee's Restricted meetings; tests/access tests that).
LEGACY_ROLE_SEATS = {"Chair": "chair", "Member": "member"}


def legacy_seat_users() -> list:
    """The users made with a Chair, Member or Observer role, with the seat role of each."""
    return [
        (user, LEGACY_ROLE_SEATS[group.name])
        for group in Group.objects.filter(name__in=LEGACY_ROLE_SEATS)
        for user in group.user_set.all()
    ]


def give_legacy_seats(committee: Committee) -> None:
    """Seat every legacy-role user (a person made for them if need be) on ``committee``."""
    for user, role in legacy_seat_users():
        person = Person.objects.filter(user=user).first() or PersonFactory(
            user=user, name=user.username, email=user.email, organisation=None
        )
        Membership.objects.get_or_create(committee=committee, person=person, role=role)


class UserFactory(factory.django.DjangoModelFactory):
    """A login; ``role="PMO"`` puts it in that group; ``person=True`` links a Person.

    ``role="Chair"`` (``"Member"``, ``"Observer"``) gives the user that seat on every
    committee of the test (and a person named as the user, if it has none): roles are
    seats on committees (``core.roles``).
    """

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("pw")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            group, _ = Group.objects.get_or_create(name=extracted)
            self.groups.add(group)

    @factory.post_generation
    def person(self, create, extracted, **kwargs):
        if create and extracted:
            organisation = extracted if isinstance(extracted, Organisation) else None
            PersonFactory(
                user=self, name=self.username, email=self.email, organisation=organisation
            )

    @factory.post_generation
    def seats(self, create, extracted, **kwargs):
        if not create or not self.groups.filter(name__in=LEGACY_ROLE_SEATS).exists():
            return
        for committee in Committee.objects.all():
            give_legacy_seats(committee)


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: "C" + "".join(chr(65 + int(d)) for d in f"{n:03d}"))
    name = factory.LazyAttribute(lambda o: f"{o.code} Committee")
    programme_name = "MHHS"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda o: f"{o.name.lower().replace(' ', '.')}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    committee = factory.SubFactory(CommitteeFactory)
    person = factory.SubFactory(PersonFactory)
    role = Membership.Role.MEMBER


class MeetingFactory(factory.django.DjangoModelFactory):
    """A meeting with a consistent ref (bypasses the counter; ref tests use the services)."""

    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    committee = factory.SubFactory(CommitteeFactory)
    number = factory.Sequence(lambda n: n + 1)
    sub_number = 0
    ref = factory.LazyAttribute(
        lambda o: refs.meeting_ref(o.committee.code, o.number, o.sub_number)
    )
    start_at = factory.Sequence(
        lambda n: dt.datetime(2023, 1, 11, 10, tzinfo=LONDON) + dt.timedelta(days=28 * n)
    )
    end_at = factory.LazyAttribute(lambda o: o.start_at + dt.timedelta(hours=3))
    venue = "Virtual – MS Teams"
    status = Meeting.Status.HELD

    @factory.post_generation
    def bump_counter(self, create, extracted, **kwargs):
        if create:
            Committee.objects.filter(
                pk=self.committee_id, last_meeting_number__lt=self.number
            ).update(last_meeting_number=self.number)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    order = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Agenda item {n}")


class DiscussionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscussionItem

    meeting = factory.SubFactory(MeetingFactory)
    agenda_item = factory.SubFactory(AgendaItemFactory, meeting=factory.SelfAttribute("..meeting"))
    order = factory.Sequence(lambda n: n)
    text = "The DAG discussed the item."


class HeadlineReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HeadlineReport

    meeting = factory.SubFactory(MeetingFactory)
    version = factory.Sequence(lambda n: n + 1)
    status = HeadlineReport.Status.PENDING


def link_login(person: Person, user) -> Person:
    """Make ``person`` the register's person of ``user``: the person the factory made for a
    legacy-role user is dropped (with its seats) and its seats go to ``person``."""
    Person.objects.filter(user=user).exclude(pk=person.pk).delete()
    person.user = user
    person.save()
    for committee in Committee.objects.all():
        give_legacy_seats(committee)
    for attr in ("_dag_access", "person"):
        user.__dict__.pop(attr, None)
    return person
