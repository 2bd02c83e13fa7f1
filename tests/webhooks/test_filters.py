"""Which endpoints an event goes to: the kinds chosen, the committees chosen (change
requests belong to the programme and go to all), and the meetings' classification up to
the endpoint's ceiling: a Confidential meeting's records only where it is opted in."""

from __future__ import annotations

import json

import pytest

from actions.services import action_create, action_update_post
from changerequests.services import change_request_create, change_request_update
from core.actors import SYSTEM
from meetings import services as meeting_services
from meetings.models import Meeting
from tests.conftest import london
from webhooks.models import Delivery
from webhooks.services import endpoint_create


def _deliveries() -> set[tuple[str, str, str]]:
    return set(Delivery.objects.values_list("endpoint__name", "event", "ref"))


def test_committee_and_classification_decide_who_is_sent_what(
    seed, pmo, django_capture_on_commit_callbacks
):
    tmag = meeting_services.committee_create(
        code="TMAG", name="Transition Management Advisory Group", acting_user=SYSTEM
    )
    url = "https://example.org/hook"
    kinds = ["created", "updated"]
    endpoint_create(acting_user=pmo, name="All", url=url, kinds=kinds)
    endpoint_create(
        acting_user=pmo, name="Secret", url=url, kinds=kinds, max_classification="confidential"
    )
    endpoint_create(
        acting_user=pmo, name="Public only", url=url, kinds=kinds, max_classification="public"
    )
    endpoint_create(acting_user=pmo, name="TMAG", url=url, kinds=kinds, committees=[tmag])
    confidential = meeting_services.meeting_create(
        committee=seed.committee,
        start_at=london(2023, 12, 6),
        classification=Meeting.Classification.CONFIDENTIAL,
        status=Meeting.Status.HELD,
        acting_user=SYSTEM,
    )
    restricted = meeting_services.meeting_create(
        committee=seed.committee,
        start_at=london(2023, 11, 8),
        classification=Meeting.Classification.RESTRICTED,
        status=Meeting.Status.HELD,
        acting_user=SYSTEM,
    )
    with django_capture_on_commit_callbacks(execute=False):  # rows only; nothing is POSTed
        secret = action_create(
            meeting=confidential, description="Brief the SRO", owners=["Chair"], acting_user=pmo
        )
        kept = action_create(
            meeting=restricted, description="Share the options", owners=["Chair"], acting_user=pmo
        )
        action_update_post(action=seed.dag28_01, text="Sent", acting_user=pmo)
        change_request_update(change_request=seed.cr023, title="Interfaces", acting_user=pmo)
    assert _deliveries() == {
        ("Secret", "action.created", secret.ref),
        ("All", "action.created", kept.ref),
        ("Secret", "action.created", kept.ref),
        ("All", "action.update_posted", "DAG28-01"),
        ("Secret", "action.update_posted", "DAG28-01"),
        ("Public only", "action.update_posted", "DAG28-01"),
        # A CR is the programme's: every endpoint that takes updates, TMAG's too.
        ("All", "change_request.updated", "CR023"),
        ("Secret", "change_request.updated", "CR023"),
        ("Public only", "change_request.updated", "CR023"),
        ("TMAG", "change_request.updated", "CR023"),
    }


def test_a_change_rolled_back_leaves_no_delivery(seed, pmo):
    from django.db import transaction

    endpoint_create(acting_user=pmo, name="All", url="https://example.org/h", kinds=["updated"])

    def failing_request() -> None:
        with transaction.atomic():
            action_update_post(action=seed.dag28_01, text="Sent", acting_user=pmo)
            raise RuntimeError("the request failed after the update")

    with pytest.raises(RuntimeError):
        failing_request()
    assert not Delivery.objects.exists()


def test_with_no_endpoint_an_event_costs_no_query(seed, pmo, django_assert_num_queries):
    from core.events import Event
    from webhooks.services import deliveries_record

    event = Event("action.updated", seed.dag28_01, pmo, seed.dag28_01.created_at, {})
    deliveries_record(event=event)  # learns that none is active
    with django_assert_num_queries(0):
        assert deliveries_record(event=event) == []
    # Registering one is seen by the very next event.
    endpoint_create(acting_user=pmo, name="All", url="https://example.org/h", kinds=["updated"])
    assert [d.endpoint.name for d in deliveries_record(event=event)] == ["All"]


def test_decisions_reports_and_agendas_carry_their_own_pages(seed, pmo):
    from django.conf import settings
    from django.utils import timezone

    from core.events import Event
    from webhooks.services import deliveries_record

    endpoint_create(
        acting_user=pmo, name="All", url="https://example.org/h", kinds=["decided", "issued"]
    )
    now = timezone.now()
    decided = Event("decision.decided", seed.dec68, SYSTEM, now, {"status": "approved"})
    issued = Event("report.issued", seed.dag028, pmo, now, {"version": 2, "report_id": 7})
    published = Event("agenda.published", seed.dag029, pmo, now, {})
    payloads = [deliveries_record(event=e)[0].payload for e in (decided, issued, published)]
    site = settings.SITE_URL
    assert [(p["event"], p["kind"], p["record"]["type"], p["record"]["url"]) for p in payloads] == [
        ("decision.decided", "decided", "decision", f"{site}/decisions/DAG-DEC68/"),
        ("report.issued", "issued", "headline_report", f"{site}/meetings/DAG028/report/v2.pdf"),
        ("agenda.published", "issued", "agenda", f"{site}/meetings/DAG029/agenda-and-papers/"),
    ]
    assert payloads[0]["record"]["change_request"] == "CR023"
    assert payloads[0]["data"] == {"status": "approved"}
    assert payloads[0]["actor"] == "system"
    assert payloads[1]["data"] == {"version": 2}


def test_a_cr_decided_at_a_confidential_meeting_names_the_decision_only_where_opted_in(
    seed, pmo, django_capture_on_commit_callbacks
):
    from decisions.services import decision_approve, decision_create

    url = "https://example.org/hook"
    endpoint_create(acting_user=pmo, name="Public only", url=url, kinds=["decided"])
    endpoint_create(
        acting_user=pmo,
        name="Secret",
        url=url,
        kinds=["decided"],
        max_classification="confidential",
    )
    confidential = meeting_services.meeting_create(
        committee=seed.committee,
        start_at=london(2023, 12, 6),
        classification=Meeting.Classification.CONFIDENTIAL,
        status=Meeting.Status.HELD,
        acting_user=SYSTEM,
    )
    cr032 = change_request_create(number=32, title="Compressed payloads", acting_user=SYSTEM)
    decision = decision_create(
        meeting=confidential, text="Approve CR032", change_request=cr032, acting_user=SYSTEM
    )
    with django_capture_on_commit_callbacks(execute=False):
        decision_approve(decision=decision, acting_user=SYSTEM)
    crs = dict(Delivery.objects.filter(ref="CR032").values_list("endpoint__name", "payload"))
    assert set(crs) == {"Public only", "Secret"}  # a CR belongs to the programme
    assert decision.ref not in json.dumps(crs["Public only"])
    assert decision.ref in json.dumps(crs["Secret"])
