"""Escalation of overdue actions (notifications.escalation, .digest) on the seed's dates.

DAG28-01 and DAG28-02 are due 11/10/2023. With DAG's rule of 7 days to the secretariat and
14 to the chair, "overdue more than 7 days" first holds on 19 October (day 7 + 1 after the
due date) and "more than 14 days" on 26 October: worked out by hand from the seed's date.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from actions.services import action_create
from composer import reminders
from core.actors import SYSTEM
from meetings.models import Membership
from notifications.digest import notifications_digest_send
from notifications.escalation import escalations_run
from notifications.models import Delivery, EmailStatus, EscalationLog, Kind, Notification
from notifications.services import escalation_rule_set, notification_preferences_set
from tests.conftest import london
from tests.fixtures import _login, run_concurrently
from tests.notifications.helpers import login, seed_at, to

D = dt.date


def _seed_with_secretary():
    seed = seed_at()
    _login(
        "secretary", "Sam Secretary", "Programme", [(seed.committee, Membership.Role.SECRETARIAT)]
    )
    escalation_rule_set(
        committee=seed.committee,
        secretariat_after_days=7,
        chair_after_days=14,
        acting_user=login("pmo"),
    )
    Notification.objects.all().delete()
    mail.outbox.clear()
    return seed


def _day(day: D) -> tuple[int, list[str]]:
    """Escalate and send the digest on ``day``; (new occasions, addresses emailed)."""
    count = escalations_run(today=day, acting_user=SYSTEM)
    before = len(mail.outbox)
    notifications_digest_send(today=day, acting_user=SYSTEM)
    return count, sorted(to(m) for m in mail.outbox[before:])


@pytest.mark.django_db
def test_secretariat_on_day_n_plus_1_and_chair_on_day_m_plus_1_once_each():
    _seed_with_secretary()
    assert _day(D(2023, 10, 18)) == (0, [])  # overdue by 7 days: not more than 7
    assert _day(D(2023, 10, 19)) == (2, ["secretary@example.org"])
    (email,) = [m for m in mail.outbox if to(m) == "secretary@example.org"]
    assert "DAG: overdue more than 7 days: 2" in email.body
    assert "DAG28-01" in email.body
    assert "DAG28-02" in email.body
    assert "8 days overdue" in email.body
    assert _day(D(2023, 10, 19)) == (0, [])  # a retry the same day
    assert _day(D(2023, 10, 20)) == (0, [])  # the next day: each occasion once
    assert _day(D(2023, 10, 25)) == (0, [])
    assert _day(D(2023, 10, 26)) == (2, ["chair@example.org"])
    chair_email = mail.outbox[-1]
    assert "DAG: overdue more than 14 days: 2" in chair_email.body
    assert _day(D(2023, 10, 27)) == (0, [])
    assert EscalationLog.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_escalate_each_occasion_once():
    _seed_with_secretary()
    counts = run_concurrently(
        2, lambda i: escalations_run(today=D(2023, 10, 26), acting_user=SYSTEM)
    )
    assert [c for c in counts if isinstance(c, Exception)] == []
    # Both levels are owed on day M+1 (the secretariat's never ran): 2 actions x 2 people.
    assert sum(counts) == 4
    assert Notification.objects.filter(kind=Kind.ESCALATION).count() == 4
    sent = run_concurrently(
        2, lambda i: notifications_digest_send(today=D(2023, 10, 26), acting_user=SYSTEM)
    )
    assert [r for r in sent if isinstance(r, Exception)] == []
    assert sorted(to(m) for m in mail.outbox) == ["chair@example.org", "secretary@example.org"]


@pytest.mark.django_db
def test_digest_items_ride_in_the_reminder_email_and_are_not_sent_again():
    seed = _seed_with_secretary()
    member, pmo = login("member"), login("pmo")
    notification_preferences_set(
        person=member.person,
        deliveries={Kind.ACTION_ASSIGNED: Delivery.DIGEST},
        emails_on=True,
        acting_user=member,
    )
    with time_machine.travel(london(2023, 10, 7, 12), tick=False):
        action = action_create(
            meeting=seed.dag028,
            description="Rob Short to share the explainer",
            owners=["Programme (Rob Short)"],
            due_date=D(2023, 10, 11),
            acting_user=pmo,
        )
    with time_machine.travel(london(2023, 10, 8, 7), tick=False):  # the day's own: not carried
        today_s = action_create(
            meeting=seed.dag028,
            description="Rob Short to book the DRG slot",
            owners=["Programme (Rob Short)"],
            acting_user=pmo,
        )
    # 8 October: DAG029 (11 October) is within 3 days, so Rob's reminder digest goes, and
    # carries the day before's "daily digest" notification.
    with time_machine.travel(london(2023, 10, 8, 8), tick=False):
        run = reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8))
    rob = [m for m in mail.outbox if to(m) == "member@example.org"]
    assert len(rob) == 1
    assert len(run.sent) >= 1
    assert "An action assigned to you" in rob[0].body
    assert action.ref in rob[0].body
    assert "An action assigned to you" in rob[0].alternatives[0][0]
    assert rob[0].body.count("was assigned to you") == 1  # (it lists DAG28-04 as an action)
    before = len(mail.outbox)
    with time_machine.travel(london(2023, 10, 8, 8, 30), tick=False):
        notifications_digest_send(today=D(2023, 10, 8), acting_user=SYSTEM)
        notifications_digest_send(today=D(2023, 10, 8), acting_user=SYSTEM)  # a retry
    (own,) = mail.outbox[before:]  # only what the reminder email did not carry
    assert today_s.ref in own.body
    assert action.ref not in own.body
    assert own.subject == "Your daily digest: 1 notification"
    assert (
        not Notification.objects.filter(recipient=member.person)
        .exclude(email_status=EmailStatus.SENT)
        .exists()
    )


@pytest.mark.django_db
def test_a_level_set_to_0_is_off_and_the_rule_is_the_pmos():
    seed = _seed_with_secretary()
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        escalation_rule_set(
            committee=seed.committee,
            secretariat_after_days=1,
            chair_after_days=2,
            acting_user=login("chair"),
        )
    with pytest.raises(ValidationError):
        escalation_rule_set(
            committee=seed.committee,
            secretariat_after_days=9,
            chair_after_days=2,
            acting_user=login("pmo"),
        )
    escalation_rule_set(
        committee=seed.committee,
        secretariat_after_days=7,
        chair_after_days=0,
        acting_user=login("pmo"),
    )
    assert _day(D(2023, 12, 1)) == (2, ["secretary@example.org"])
