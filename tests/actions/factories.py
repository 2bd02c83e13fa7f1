"""factory_boy factories for actions, owners, updates and reviews."""

from __future__ import annotations

import datetime as dt

import factory

from actions.models import Action, ActionOwner, ActionReview, ActionUpdate, action_ref_sort_key
from core import refs
from meetings.models import Meeting
from tests.meetings.factories import MeetingFactory, OrganisationFactory, PersonFactory, UserFactory


class ActionFactory(factory.django.DjangoModelFactory):
    """An open action with a consistent ref and, by default, one lead owner."""

    class Meta:
        model = Action
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    committee = factory.SelfAttribute("meeting.committee")
    seq = factory.Sequence(lambda n: n + 1)
    ref = factory.LazyAttribute(
        lambda o: refs.action_ref(o.committee.code, o.meeting.number, o.meeting.sub_number, o.seq)
    )
    ref_sort = factory.LazyAttribute(
        lambda o: action_ref_sort_key(
            o.committee.code, o.meeting.number, o.meeting.sub_number, o.seq
        )
    )
    description = factory.Sequence(lambda n: f"Programme to do thing {n}")
    due_date = dt.date(2023, 10, 11)
    status = Action.Status.OPEN

    @factory.post_generation
    def owner(self, create, extracted, **kwargs):
        if create and extracted is not False:
            ActionOwnerFactory(action=self, **({"person": extracted} if extracted else {}))
        if create:
            Meeting.objects.filter(pk=self.meeting_id, last_action_seq__lt=self.seq).update(
                last_action_seq=self.seq
            )


class ActionOwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionOwner

    action = factory.SubFactory(ActionFactory, owner=False)
    person = factory.SubFactory(PersonFactory)
    organisation = factory.LazyAttribute(lambda o: o.person.organisation or OrganisationFactory())
    is_lead = True


class ActionUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionUpdate

    action = factory.SubFactory(ActionFactory)
    author = factory.SubFactory(UserFactory)
    text = "Progress made."


class ActionReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionReview

    action = factory.SubFactory(ActionFactory)
    meeting = factory.SubFactory(
        MeetingFactory, committee=factory.SelfAttribute("..action.committee")
    )
    outcome = ActionReview.Outcome.KEPT_OPEN
