"""No notification, in the app or by email, names a record its recipient may not open.

Two committees (``tests.fixtures.build_two_committees``): DAG030 is Restricted, DAG031
Confidential (Gail Guest invited), TMAG001 Restricted. Every email these runs send is also
checked by ``conftest._no_email_names_a_hidden_record``; here the runs cover each kind.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from composer import headline_report
from core.actors import SYSTEM
from decisions.services import decision_create
from meetings.agenda_services import agenda_publish
from meetings.models import Meeting
from meetings.services import agenda_item_create, meeting_update
from notifications.batching import notifications_flush
from notifications.digest import notifications_digest_send
from notifications.escalation import escalations_run
from notifications.models import Kind, Notification
from tests.conftest import london
from tests.fixtures import build_two_committees
from tests.notifications.conftest import hidden_refs
from tests.notifications.helpers import to

pytestmark = pytest.mark.django_db


def _told(kind: str) -> set[str]:
    return set(
        Notification.objects.filter(kind=kind).values_list("recipient__user__username", flat=True)
    )


def test_every_kind_reaches_only_those_who_may_open_it(django_capture_on_commit_callbacks):
    with time_machine.travel(london(2023, 12, 7, 9), tick=False):
        two = build_two_committees()
        users = two.users
        pmo = users["pmo"]
        Notification.objects.all().delete()
        # The headline report of the Confidential DAG031: the committee's members are told
        # only if they may open it (chair, secretariat), not the members and observer.
        with django_capture_on_commit_callbacks(execute=True):
            headline_report.headline_report_issue(meeting=two.dag031, acting_user=pmo)
        assert _told(Kind.REPORT_ISSUED) == {"chair", "secretary"}
        # Its agenda published: its participants (Gail Guest, invited) may open it.
        agenda_item_create(meeting=two.dag031, title="Opening", acting_user=pmo)
        agenda_publish(meeting=two.dag031, acting_user=pmo)
        # And the committee's seat holders who may open it: the chair and the secretariat
        # (not the members and the observer).
        assert _told(Kind.AGENDA_PUBLISHED) == {"guest", "chair", "secretary"}
        # A proposed TMAG decision: TMAG's chair (Dana Dual), not DAG's chair.
        decision_create(meeting=two.tmag001, text="Adopt the rehearsal window", acting_user=pmo)
        assert _told(Kind.DECISION_AWAITING) == {"dual"}
        # The Restricted DAG030's report: every current DAG seat holder may open it...
        with django_capture_on_commit_callbacks(execute=True):
            headline_report.headline_report_issue(meeting=two.dag030, acting_user=pmo)
        dag030_told = set(
            Notification.objects.filter(
                record_id=two.dag030.pk, kind=Kind.REPORT_ISSUED
            ).values_list("recipient__user__username", flat=True)
        )
        assert {"member", "observer", "dual", "chair", "secretary"} <= dag030_told
        assert "tmag" not in dag030_told
        assert "outsider" not in dag030_told
        # ...but it is made Confidential before the batch goes: its email names it only to
        # those who may open it now.
        meeting_update(
            meeting=two.dag030, classification=Meeting.Classification.CONFIDENTIAL, acting_user=pmo
        )
    mail.outbox.clear()
    notifications_flush(acting_user=SYSTEM, now=london(2023, 12, 7, 10))
    escalations_run(today=dt.date(2024, 1, 31), acting_user=SYSTEM)
    notifications_digest_send(today=dt.date(2024, 1, 31), acting_user=SYSTEM)
    assert mail.outbox, "the runs sent emails"
    for message in mail.outbox:
        assert hidden_refs(message) == [], (message.to, message.subject)
    member_mail = [m for m in mail.outbox if to(m) == "member@example.org"]
    assert all("DAG030" not in m.body for m in member_mail)
    chair_mail = " ".join(m.body for m in mail.outbox if to(m) == "chair@example.org")
    assert "DAG030" in chair_mail
    assert "DAG031" in chair_mail
    # The secretariat's escalation lists the Confidential DAG31-01 (theirs to open); the
    # TMAG-only member is escalated nothing of DAG.
    secretary = " ".join(m.body for m in mail.outbox if to(m) == "secretary@example.org")
    assert "DAG31-01" in secretary
    assert all(to(m) != "tmag@example.org" or "DAG" not in m.body for m in mail.outbox)


def test_a_seat_ended_since_hides_the_notifications_text_and_opening_it_still_clears_it(
    client,
):
    two = build_two_committees()
    pmo, dual = two.users["pmo"], two.users["dual"]
    decision_create(meeting=two.tmag001, text="SECRET-DECISION-TEXT of TMAG", acting_user=pmo)
    told = Notification.objects.get(
        recipient__user=dual, kind=Kind.DECISION_AWAITING, text__contains="SECRET-DECISION"
    )
    client.force_login(dual)
    assert "SECRET-DECISION-TEXT" in client.get("/notifications/").content.decode()
    # Dana's TMAG seat ends today: the Restricted TMAG001 and its decision are hidden now.
    seat = dual.person.memberships.get(committee=two.tmag)
    seat.end_date = timezone.localdate()
    seat.save()
    client.force_login(dual)  # a fresh request reads the seats again
    page = client.get("/notifications/").content.decode()
    assert "SECRET-DECISION-TEXT" not in page
    assert told.record_ref not in page
    assert "A record you may no longer open." in page
    assert client.get(f"/notifications/{told.pk}/open/").status_code == 403
    told.refresh_from_db()
    assert told.read_at is not None
