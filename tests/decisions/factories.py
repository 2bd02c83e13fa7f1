"""factory_boy factories for decisions."""

from __future__ import annotations

import factory

from core import refs
from decisions.models import Decision
from meetings.models import Committee
from tests.meetings.factories import MeetingFactory


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    committee = factory.SelfAttribute("meeting.committee")
    seq = factory.Sequence(lambda n: n + 1)
    ref = factory.LazyAttribute(lambda o: refs.decision_ref(o.committee.code, o.seq))
    text = factory.Sequence(lambda n: f"The SRO approved item {n}")
    status = Decision.Status.PROPOSED

    @factory.post_generation
    def bump_counter(self, create, extracted, **kwargs):
        if create:
            Committee.objects.filter(pk=self.committee_id, last_decision_seq__lt=self.seq).update(
                last_decision_seq=self.seq
            )
