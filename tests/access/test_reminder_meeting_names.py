"""A reminder email names a meeting only to a recipient who may open it: the digest before
a meeting the actions fall due by says "a meeting" and its date to anyone else (the scene of
tests/access/test_rule.py: DAG032, planned for 10 January 2024, made Confidential here, so
DAG's chair opens it and Rob Short, a DAG member, does not)."""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr

from composer.reminders import reminders_send
from core.actors import SYSTEM
from meetings.models import Meeting, Person


def _bodies(message) -> str:
    return message.subject + message.body + message.alternatives[0][0]


def test_a_digest_names_its_meeting_only_to_recipients_who_may_open_it(two, mailoutbox):
    Meeting.objects.filter(pk=two.dag032.pk).update(
        classification=Meeting.Classification.CONFIDENTIAL
    )
    for person in Person.objects.filter(user__isnull=False):
        person.email = person.email or f"{person.user.username}@example.org"
        person.save()
    for day in range(1, 10):
        reminders_send(today=dt.date(2024, 1, day), acting_user=SYSTEM)
    digests = {parseaddr(m.to[0])[1]: m for m in mailoutbox if "10 January 2024" in m.subject}
    assert {"chair@example.org", "member@example.org"} <= set(digests), sorted(digests)
    chair, member = digests["chair@example.org"], digests["member@example.org"]
    assert chair.subject.startswith("Before DAG032 on 10 January 2024")
    assert "DAG032" in _bodies(chair)
    assert member.subject.startswith("Before a meeting on 10 January 2024")
    assert "DAG032" not in _bodies(member)
    assert "Before a meeting (Design Advisory Group) on Wednesday 10 January 2024" in member.body


def test_a_public_meetings_digest_names_it_to_everyone(two, mailoutbox):
    for person in Person.objects.filter(user__isnull=False):
        person.email = person.email or f"{person.user.username}@example.org"
        person.save()
    for day in range(1, 10):
        reminders_send(today=dt.date(2024, 1, day), acting_user=SYSTEM)
    digests = [m for m in mailoutbox if "10 January 2024" in m.subject]
    assert digests
    assert all(m.subject.startswith("Before DAG032 on") for m in digests)
