"""The browser side: the bell and its count, the list, opening one (read, then its record),
the settings page (with opting back in after an unsubscribe), the escalation rule page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from actions.services import action_create
from composer.reminders import reminders_unsubscribe_token
from meetings.models import Person
from notifications.models import Delivery, Kind, Notification, NotificationPreference
from tests.notifications.helpers import login, seed_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed():
    return seed_at()


def test_the_bell_counts_unread_and_opening_one_marks_it_read_and_goes_to_the_record(
    client, seed, django_assert_max_num_queries
):
    member = login("member")
    (told,) = Notification.objects.filter(recipient=member.person)
    client.force_login(member)
    # Fixed: session and user (2), the list (1), the bell's count (1), the header's roles.
    with django_assert_max_num_queries(8):
        page = client.get(reverse("notification-list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'aria-label="Notifications, 1 unread"' in html
    assert "DAG28-01" in html
    opened = client.get(reverse("notification-open", args=[told.pk]))
    assert opened.status_code == 302
    assert opened["Location"] == reverse("action-detail", args=["DAG28-01"])
    told.refresh_from_db()
    assert told.read_at is not None
    assert "unread" not in client.get(reverse("notification-list")).content.decode()
    # Someone else's notification: 404.
    client.force_login(login("chair"))
    assert client.get(reverse("notification-open", args=[told.pk])).status_code == 404


def test_mark_all_read(client, seed):
    member = login("member")
    client.force_login(member)
    client.post(reverse("notification-list"))
    assert not Notification.objects.filter(recipient=member.person, read_at__isnull=True).exists()


def test_settings_page_sets_preferences_and_opts_back_in_after_an_unsubscribe(client, seed):
    member = login("member")
    token = reminders_unsubscribe_token(person_id=member.person.pk)
    client.post(reverse("reminders-unsubscribe", args=[token]))  # the email's one-click link
    assert Person.objects.get(pk=member.person.pk).reminders_opt_out is True
    client.force_login(member)
    page = client.get(reverse("notification-settings"))
    assert page.status_code == 200
    assert "You unsubscribed" in page.content.decode()
    data = dict.fromkeys(Kind.values, Delivery.IMMEDIATELY)
    data[Kind.REPORT_ISSUED] = Delivery.DIGEST
    data["emails_on"] = "on"
    saved = client.post(reverse("notification-settings"), data)
    assert saved.status_code == 302
    assert Person.objects.get(pk=member.person.pk).reminders_opt_out is False
    assert (
        NotificationPreference.objects.get(person=member.person, kind=Kind.REPORT_ISSUED).delivery
        == Delivery.DIGEST
    )
    bad = client.post(reverse("notification-settings"), {**data, Kind.ESCALATION: "hourly"})
    assert bad.status_code == 400


def test_opted_out_people_get_the_notification_in_the_app_but_no_email(seed):
    member, pmo = login("member"), login("pmo")
    Person.objects.filter(pk=member.person.pk).update(reminders_opt_out=True)
    mail.outbox.clear()
    action_create(
        meeting=seed.dag028, description="x", owners=["Programme (Rob Short)"], acting_user=pmo
    )
    from core.actors import SYSTEM
    from notifications.batching import notifications_flush
    from tests.conftest import london

    notifications_flush(acting_user=SYSTEM, now=london(2030, 1, 1))
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=member.person).count() == 2


def test_escalation_rule_page_is_the_pmos_and_linked_from_the_committee(client, seed):
    url = reverse("escalation-rule", args=["DAG"])
    client.force_login(login("chair"))
    assert client.get(url).status_code == 403
    assert client.post(url, {"secretariat_after_days": 1, "chair_after_days": 2}).status_code == 403
    client.force_login(login("pmo"))
    committee_page = client.get(reverse("committee-edit", args=["DAG"])).content.decode()
    assert url in committee_page
    assert client.get(url).status_code == 200
    saved = client.post(url, {"secretariat_after_days": 5, "chair_after_days": 10})
    assert saved.status_code == 302
    rule = seed.committee.escalation_rule
    assert (rule.secretariat_after_days, rule.chair_after_days) == (5, 10)
    refused = client.post(url, {"secretariat_after_days": 10, "chair_after_days": 5})
    assert refused.status_code == 400
    assert "no sooner than" in refused.content.decode()
