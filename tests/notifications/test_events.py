"""Event notifications (notifications.receivers, .batching): who is told, one email per
batch window, exactly once, with the batch window of 10 minutes (NOTIFICATIONS_BATCH_MINUTES).

On the seed's dates: DAG028 was held on 13 September 2023; DAG-DEC68 is proposed; Rob Short
(the demo ``member``) owns DAG28-01; the demo ``chair`` chairs DAG.
"""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail

from actions.services import (
    action_close,
    action_closure_decline,
    action_create,
    action_update,
    action_update_post,
)
from changerequests.services import change_request_update, ia_response_record
from core.actors import SYSTEM
from decisions.services import decision_approve, decision_create
from meetings.models import Organisation
from notifications.batching import notifications_flush
from notifications.models import Delivery, EmailStatus, Kind, Notification
from notifications.services import notification_preferences_set
from tests.conftest import london
from tests.fixtures import _login, run_concurrently
from tests.notifications.helpers import login, seed_at, to

pytestmark = pytest.mark.django_db


def _flush(*at):
    return notifications_flush(acting_user=SYSTEM, now=london(*at))


def test_the_chair_gets_one_email_per_batch_window_however_many_decisions_are_proposed():
    seed = seed_at()
    pmo = login("pmo")
    mail.outbox.clear()
    with time_machine.travel(london(2023, 9, 13, 14, 0), tick=False):
        for text in ("Approve the IR5 scope", "Adopt the design baseline", "Defer DES-196"):
            decision_create(meeting=seed.dag028, text=text, acting_user=pmo)
    assert _flush(2023, 9, 13, 14, 9) == []  # the window (10 minutes) has not passed
    assert mail.outbox == []
    _flush(2023, 9, 13, 14, 11)
    chair_mail = [m for m in mail.outbox if to(m) == "chair@example.org"]
    assert len(chair_mail) == 1
    body = chair_mail[0].body
    assert all(ref in body for ref in ("DAG-DEC69", "DAG-DEC70", "DAG-DEC71"))
    assert body.count("awaits your decision") == 3
    assert chair_mail[0].extra_headers["List-Unsubscribe"].startswith("<http")
    html = chair_mail[0].alternatives[0][0]
    assert '<meta name="viewport"' in html
    # Again: nothing (each notification emailed once); a later burst is the next email.
    _flush(2023, 9, 13, 14, 30)
    assert len([m for m in mail.outbox if to(m) == "chair@example.org"]) == 1
    with time_machine.travel(london(2023, 9, 13, 15, 0), tick=False):
        decision_create(meeting=seed.dag028, text="Note the RAID log", acting_user=pmo)
    _flush(2023, 9, 13, 15, 11)
    chair_mail = [m for m in mail.outbox if to(m) == "chair@example.org"]
    assert len(chair_mail) == 2
    assert "DAG-DEC72" in chair_mail[1].body
    assert "DAG-DEC69" not in chair_mail[1].body
    # The PMO who proposed them is not told of their own change.
    assert not Notification.objects.filter(recipient__user=pmo).exists()


def test_the_owner_of_a_newly_assigned_action_gets_one_email():
    seed = seed_at()
    pmo = login("pmo")
    mail.outbox.clear()
    Notification.objects.all().delete()  # the seed's own assignment (by the system)
    with time_machine.travel(london(2023, 9, 14, 9, 0), tick=False):
        action = action_create(
            meeting=seed.dag028,
            description="Rob Short to circulate the MPAN explainer",
            owners=["Programme (Rob Short)"],
            due_date=london(2023, 10, 11).date(),
            acting_user=pmo,
        )
        # Re-assigned to the chair: the chair is told; Rob is not told twice.
        action_update(action=action, owners=["Chair (Demo Chair)"], acting_user=pmo)
    _flush(2023, 9, 14, 9, 11)
    _flush(2023, 9, 14, 9, 12)  # a retry sends nothing again
    assert sorted(to(m) for m in mail.outbox) == ["chair@example.org", "member@example.org"]
    rob = next(m for m in mail.outbox if to(m) == "member@example.org")
    assert action.ref in rob.subject
    assert "was assigned to you (due 11/10/2023)" in rob.body
    assert Notification.objects.filter(email_status=EmailStatus.SENT).count() == 2


def test_a_declined_closure_tells_its_proposer_the_reason_and_a_confirmed_one_too():
    seed = seed_at()
    member, pmo = login("member"), login("pmo")
    Notification.objects.all().delete()
    action_update_post(
        action=seed.dag28_01, text="Presented to DRG", proposes_closure=True, acting_user=member
    )
    action_closure_decline(
        action=seed.dag28_01, note="DRG asked for the v2 slides", acting_user=pmo
    )
    action_update_post(
        action=seed.dag28_01, text="v2 presented", proposes_closure=True, acting_user=member
    )
    action_close(action=seed.dag28_01, acting_user=pmo)
    told = list(Notification.objects.order_by("created_at", "pk"))
    assert [(n.recipient.name, n.kind) for n in told] == [
        ("Rob Short", Kind.CLOSURE_DECLINED),
        ("Rob Short", Kind.CLOSURE_CONFIRMED),
    ]
    assert "Reason: DRG asked for the v2 slides" in told[0].text
    # The PMO closing an action nobody proposed tells nobody.
    action_close(action=seed.dag28_02, acting_user=pmo)
    assert Notification.objects.count() == 2


def test_preferences_never_and_digest_keep_it_out_of_the_batch_email():
    seed = seed_at()
    member, pmo = login("member"), login("pmo")
    notification_preferences_set(
        person=member.person,
        deliveries={Kind.ACTION_ASSIGNED: Delivery.NEVER},
        emails_on=True,
        acting_user=member,
    )
    Notification.objects.all().delete()
    mail.outbox.clear()
    with time_machine.travel(london(2023, 9, 14, 9, 0), tick=False):
        action_create(
            meeting=seed.dag028, description="x", owners=["Programme (Rob Short)"], acting_user=pmo
        )
    _flush(2023, 9, 14, 10, 0)
    assert mail.outbox == []
    (told,) = Notification.objects.all()
    assert (told.delivery, told.email_status) == (Delivery.NEVER, EmailStatus.NONE)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_flushes_send_once():
    seed = seed_at()
    pmo = login("pmo")
    mail.outbox.clear()
    with time_machine.travel(london(2023, 9, 13, 14, 0), tick=False):
        for i in range(3):
            decision_create(meeting=seed.dag028, text=f"Decision {i}", acting_user=pmo)
    results = run_concurrently(2, lambda i: _flush(2023, 9, 13, 14, 11))
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(p for r in results for p in r) == sorted(
        set(Notification.objects.values_list("recipient_id", flat=True))
    )
    assert sorted(to(m) for m in mail.outbox) == ["chair@example.org", "member@example.org"]
    assert not Notification.objects.exclude(email_status=EmailStatus.SENT).exists()


def test_a_decision_on_a_cr_tells_the_raiser_and_the_respondents_people():
    seed = seed_at()
    pmo, chair = login("pmo"), login("chair")
    _login("ellie", "Ellie Elexon", "Elexon", [])
    _login("rita", "Rita Recco", "RECCo", [])
    change_request_update(
        change_request=seed.cr023,
        raiser=Organisation.objects.get(name="Elexon"),
        acting_user=pmo,
    )
    ia_response_record(
        change_request=seed.cr023,
        organisation=Organisation.objects.get(name="RECCo"),
        position="support",
        acting_user=pmo,
    )
    Notification.objects.all().delete()
    decision_approve(decision=seed.dec68, acting_user=chair)
    told = {
        n.recipient.user.username: n.text for n in Notification.objects.filter(kind=Kind.CR_DECIDED)
    }
    assert set(told) == {"ellie", "rita"}
    assert told["rita"].startswith("CR023 (")
    assert told["rita"].endswith("was decided: approved.")
