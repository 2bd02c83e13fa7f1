"""factory_boy factories for change requests, IA responses, releases and DINs."""

from __future__ import annotations

import factory

from changerequests.models import (
    ChangeRequest,
    DesignIssueNotification,
    ImpactAssessmentResponse,
    Release,
)
from core import refs
from tests.meetings.factories import OrganisationFactory


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Release
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"IR{n + 1}")


class ChangeRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChangeRequest

    number = factory.Sequence(lambda n: n + 1)
    ref = factory.LazyAttribute(lambda o: refs.change_request_ref(o.number))
    title = factory.Sequence(lambda n: f"Change {n}")
    raiser = factory.SubFactory(OrganisationFactory)
    status = ChangeRequest.Status.AWAITING_DECISION


class ImpactAssessmentResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImpactAssessmentResponse

    change_request = factory.SubFactory(ChangeRequestFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    position = ImpactAssessmentResponse.Position.SUPPORT


class DesignIssueNotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DesignIssueNotification

    number = factory.Sequence(lambda n: n + 600)
    ref = factory.LazyAttribute(lambda o: refs.din_ref(o.number))
    title = factory.Sequence(lambda n: f"DIN {n}")
