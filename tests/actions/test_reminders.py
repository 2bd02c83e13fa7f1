"""Reminder emails (composer.reminders): who gets what, when, exactly once, in fixed queries.

The records are the seed report imported (``composer.importer``); the expected values are
read from ``seeds/DAG028-headline-report.txt`` itself (refs, owners, due dates). The seed
gives nobody an email address, so these tests give each person one
(``<first>.<last>@example.org``). The seed's "Date of next DAG: 11 October 2023 10am" is the
planned meeting DAG029 the import records.
"""

from __future__ import annotations

import datetime as dt
import re
import smtplib
import threading
import uuid
from collections import defaultdict
from html import escape

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from actions.models import Action, ActionOwner, ReminderLog
from actions.services import action_close, action_create, action_update_post
from composer import reminders
from composer.email_links import email_link_read
from composer.importer import headline_report_import_file
from composer.tasks import reminders_send_task
from core.actors import SYSTEM
from meetings.models import Committee, Meeting, Membership, Organisation, Person
from meetings.services import meeting_create, person_reminders_opt_out_set
from tests.conftest import SEED_PATH, london
from tests.meetings.factories import link_login

Kind = ReminderLog.Kind
D = dt.date

_ROW = re.compile(
    r"\t(?P<ref>DAG(?P<meeting>\d+)-(?P<seq>\d\d))\t(?P<text>[^\t]+)\t(?P<owner>[^\t]+)\t"
    r"(?P<due>\d\d/\d\d/\d{4})\s*$"
)


def seed_rows() -> list[dict]:
    """The seed's action rows: ref, meeting number, seq, text, owner as written, due date."""
    rows = []
    for line in SEED_PATH.read_text(encoding="utf-8").splitlines():
        match = _ROW.search(line)
        if match:
            day, month, year = (int(p) for p in match["due"].split("/"))
            rows.append({**match.groupdict(), "due": D(year, month, day)})
    return rows


def email_for(name: str) -> str:
    return ".".join(name.lower().split()) + "@example.org"


@pytest.fixture
def seed(db):
    """The seed imported (DAG028, its actions, DAG27-08, the planned DAG029); emails given."""
    headline_report_import_file(path=SEED_PATH, acting_user=SYSTEM)
    committee = Committee.objects.get(code="DAG")
    assert Meeting.objects.get(ref="DAG029").local_start == london(2023, 10, 11)
    for person in Person.objects.all():
        person.email = email_for(person.name)
        person.save()
    # "Chair" owns DAG28-14 with no person named: it goes to the committee's chair.
    chair = Person.objects.create(name="Dag Chair", email="dag.chair@example.org")
    Membership.objects.create(committee=committee, person=chair, role=Membership.Role.CHAIR)
    actions = {a.ref: a for a in Action.objects.all()}
    assert set(actions) == {row["ref"] for row in seed_rows()}
    return {"actions": actions, "committee": committee}


def expected_by_person(*, due: D | None = None, exclude: set[str] = frozenset()) -> dict:
    """From the seed: person (by email) -> refs they own (due on ``due``, when given)."""
    found: dict[str, set[str]] = defaultdict(set)
    for row in seed_rows():
        if row["ref"] in exclude or (due is not None and row["due"] != due):
            continue
        person = re.search(r"\(([^()]+)\)", row["owner"])
        found["dag.chair@example.org" if person is None else email_for(person[1])].add(row["ref"])
    return dict(found)


def outbox_by_address() -> dict[str, list]:
    found = defaultdict(list)
    for message in mail.outbox:
        assert len(message.to) == 1
        found[re.search(r"<(.+)>", message.to[0])[1]].append(message)
    return dict(found)


def refs_in(message) -> set[str]:
    return set(re.findall(r"DAG\d+-\d\d", message.body))


# --- the seed's dates --------------------------------------------------------------------------


def test_seed_2023_10_08_one_digest_per_owner_naming_all_their_actions(seed):
    action_close(action=seed["actions"]["DAG28-04"], closed_date=D(2023, 9, 15), acting_user=SYSTEM)

    run = reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8))

    by_address = outbox_by_address()
    due_on_meeting_day = expected_by_person(due=D(2023, 10, 11))
    assert set(due_on_meeting_day) <= set(by_address)
    for address, refs in due_on_meeting_day.items():
        messages = by_address[address]
        assert len(messages) == 1, address
        assert refs <= refs_in(messages[0])
        assert messages[0].subject.startswith("Before DAG029 on 11 October 2023")
    # Each owner's digest lists exactly their open actions (DAG28-04 is closed).
    open_refs = expected_by_person(exclude={"DAG28-04"})
    assert {a: refs_in(m[0]) for a, m in by_address.items()} == open_refs
    fraser = by_address["fraser.mathieson@example.org"][0]
    assert refs_in(fraser) == {"DAG28-03", "DAG28-05", "DAG28-08"}
    assert "3 due by the meeting" in fraser.body
    assert "http://testserver/actions/DAG28-05/" in fraser.body or (
        "/actions/DAG28-05/" in fraser.body
    )
    html, mimetype = fraser.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="' in html
    assert "DAG28-08</a>" in html
    assert fraser.extra_headers["List-Unsubscribe"].startswith("<http")
    assert fraser.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # DAG28-14 is owned by "Chair": it went to the committee's chair.
    assert refs_in(by_address["dag.chair@example.org"][0]) == {"DAG28-14"}
    # DAG27-08 (due 13/09/2023) is overdue; Matt McKeon's digest says so.
    assert "overdue by 25 days" in by_address["matt.mckeon@example.org"][0].body
    assert len(run.sent) == len(by_address)
    assert run.failed == []
    assert not ReminderLog.objects.filter(action__ref="DAG28-04").exists()


def test_second_run_the_same_day_sends_nothing(seed):
    first = reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8))
    logged = ReminderLog.objects.count()
    mail.outbox.clear()
    second = reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8))
    assert len(first.sent) == 10
    assert second.emails == []
    assert mail.outbox == []
    assert ReminderLog.objects.count() == logged
    assert set(ReminderLog.objects.values_list("status", flat=True)) == {"sent"}


def test_task_twice_the_second_is_a_no_op(seed):
    first = reminders_send_task.delay(today="2023-10-08").get()
    second = reminders_send_task.delay(today="2023-10-08").get()
    assert first["sent"] == 10
    assert first["failed"] == 0
    assert second == {**first, "sent": 0}
    assert len(mail.outbox) == 10


def test_seed_2023_10_12_the_open_ones_are_overdue(seed):
    action_close(action=seed["actions"]["DAG28-04"], closed_date=D(2023, 9, 15), acting_user=SYSTEM)
    action_close(
        action=seed["actions"]["DAG28-11"], closed_date=D(2023, 10, 10), acting_user=SYSTEM
    )
    reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8))
    mail.outbox.clear()

    reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 12))

    by_address = outbox_by_address()
    open_refs = {
        ref
        for refs in expected_by_person(exclude={"DAG28-04", "DAG28-11"}).values()
        for ref in refs
    }
    overdue = {ref for messages in by_address.values() for ref in refs_in(messages[0])}
    # DAG27-08 (due 13/09/2023) is in its fifth overdue week from 12/10 (14/09 + 4 weeks).
    assert overdue == open_refs
    paul = by_address["paul.pettitt@example.org"][0]
    assert refs_in(paul) == {"DAG28-12"}
    assert paul.subject == "Action reminder: 1 overdue"
    assert "overdue by 1 day" in paul.body
    # DAG28-05 was due 10/10/2023: overdue by 2 days, in the same email as Fraser's others.
    fraser = by_address["fraser.mathieson@example.org"]
    assert len(fraser) == 1
    assert fraser[0].subject == "Actions reminder: 3 overdue"
    assert "overdue by 2 days" in fraser[0].body
    logged = ReminderLog.objects.filter(kind=Kind.OVERDUE, action__ref="DAG28-05").get()
    assert logged.reminder_date == D(2023, 10, 11)


def test_overdue_repeats_weekly_until_closed(seed):
    rob = seed["actions"]["DAG28-01"]
    sent_on = []
    for offset in range(0, 22):
        today = D(2023, 10, 8) + dt.timedelta(days=offset)
        if today == D(2023, 10, 27):
            action_close(action=rob, closed_date=today, acting_user=SYSTEM)
        mail.outbox.clear()
        reminders.reminders_send(acting_user=SYSTEM, today=today)
        if "rob.short@example.org" in outbox_by_address():
            sent_on.append(today)
    # Due soon 8/10 (with the DAG029 digest), due today 11/10, then overdue 12/10, 19/10, 26/10
    # and, once closed on 27/10, nothing more.
    assert sent_on == [D(2023, 10, 8), D(2023, 10, 11), D(2023, 10, 12), D(2023, 10, 19),
                       D(2023, 10, 26)]  # fmt: skip
    kinds = list(
        ReminderLog.objects.filter(action=rob)
        .order_by("reminder_date")
        .values_list("kind", "reminder_date")
    )
    assert kinds == [
        (Kind.DUE_SOON, D(2023, 10, 11)),
        (Kind.DUE_TODAY, D(2023, 10, 11)),
        (Kind.OVERDUE, D(2023, 10, 12)),
        (Kind.OVERDUE, D(2023, 10, 19)),
        (Kind.OVERDUE, D(2023, 10, 26)),
    ]


def test_closed_dag28_04_is_never_reminded(seed):
    action_close(action=seed["actions"]["DAG28-04"], closed_date=D(2023, 9, 14), acting_user=SYSTEM)
    for offset in range(0, 40):
        today = D(2023, 9, 12) + dt.timedelta(days=offset)
        reminders.reminders_send(acting_user=SYSTEM, today=today)
    assert all("DAG28-04" not in m.body for m in mail.outbox)
    assert not ReminderLog.objects.filter(action__ref="DAG28-04").exists()
    # Open, it would have been reminded 3 days before its due date of 15/09/2023.
    assert ReminderLog.objects.filter(action__ref="DAG28-06").exists()


def test_an_open_dag28_04_is_reminded_three_days_before_15_september(seed):
    run = reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 9, 12))
    assert [(e.email, e.reminders) for e in run.sent] == [
        ("berlinda.kugara@example.org", {Kind.DUE_SOON: ["DAG28-04"]}),
        ("matt.mckeon@example.org", {Kind.DUE_SOON: ["DAG27-08"]}),
    ]
    # 4 days before: nothing.
    assert reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 9, 11)).emails == []


def test_dates_are_europe_london_a_run_at_0030_bst_counts_the_new_day(seed):
    # 00:30 BST on 8 October 2023 is 23:30 UTC on 7 October.
    with time_machine.travel(dt.datetime(2023, 10, 7, 23, 30, tzinfo=dt.UTC), tick=False):
        run = reminders.reminders_send(acting_user=SYSTEM)
    assert run.today == D(2023, 10, 8)
    assert len(run.sent) == 10
    mail.outbox.clear()
    # 23:59 BST on 7 October: only DAG28-05 (due 10/10/2023) is three days away; DAG28-04
    # (open here) and DAG27-08 are in an overdue week that started that day.
    ReminderLog.objects.all().delete()
    with time_machine.travel(dt.datetime(2023, 10, 7, 22, 59, tzinfo=dt.UTC), tick=False):
        run = reminders.reminders_send(acting_user=SYSTEM)
    assert run.today == D(2023, 10, 7)
    assert [(e.name, e.reminders) for e in run.sent] == [
        ("Berlinda Kugara", {Kind.OVERDUE: ["DAG28-04"]}),
        ("Fraser Mathieson", {Kind.DUE_SOON: ["DAG28-05"]}),
        ("Matt McKeon", {Kind.OVERDUE: ["DAG27-08"]}),
    ]


def test_overdue_week_start_is_due_plus_one_then_weekly():
    due = D(2023, 10, 11)
    assert reminders.overdue_week_start(due_date=due, today=D(2023, 10, 12)) == D(2023, 10, 12)
    assert reminders.overdue_week_start(due_date=due, today=D(2023, 10, 18)) == D(2023, 10, 12)
    assert reminders.overdue_week_start(due_date=due, today=D(2023, 10, 19)) == D(2023, 10, 19)


def test_an_overdue_email_is_exactly_the_text_and_html_the_templates_lay_out(
    seed, settings, pmo_user
):
    # Paul Pettitt owns DAG28-11 and DAG28-12 (due 11/10/2023); with DAG28-11 closed, on 12/10
    # DAG28-12 is overdue by one day and the DAG029 digest (11/10) is past, so his email has
    # one section and one row.
    action_close(
        action=seed["actions"]["DAG28-11"], closed_date=D(2023, 10, 10), acting_user=pmo_user
    )
    row = next(r for r in seed_rows() if r["ref"] == "DAG28-12")
    assert row["due"] == D(2023, 10, 11)
    reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 12))
    message = outbox_by_address()["paul.pettitt@example.org"][0]
    paul = Person.objects.get(name="Paul Pettitt")
    site = settings.SITE_URL.rstrip("/")
    token = reminders.reminders_unsubscribe_token(person_id=paul.pk)
    unsubscribe = site + reverse("reminders-unsubscribe", kwargs={"token": token})
    action_url = f"{site}/actions/DAG28-12/"
    # The one-click links (composer.email_links) name Paul, DAG28-12 and one purpose each.
    links = dict(re.findall(rf"  ([A-Z][a-z ,]+): ({site}/act/[^/\s]+/)\n", message.body))
    assert list(links) == ["Done, please close", "Need more time", "Add a note"]
    for url, purpose in zip(links.values(), ("close", "redate", "note"), strict=True):
        link = email_link_read(token=url.rsplit("/", 2)[1])
        assert (link.person, link.action.ref, link.purpose) == (paul, "DAG28-12", purpose)
    close_url, redate_url, note_url = links.values()
    assert message.subject == "Action reminder: 1 overdue"
    assert message.to == ["Paul Pettitt <paul.pettitt@example.org>"]
    assert message.body == (
        "Dear Paul Pettitt,\n"
        "\n"
        "Overdue:\n"
        "\n"
        f"- DAG28-12: {row['text']}\n"
        "  Due Wed 11 Oct 2023 (overdue by 1 day)\n"
        f"  {action_url}\n"
        f"  Done, please close: {close_url}\n"
        f"  Need more time: {redate_url}\n"
        f"  Add a note: {note_url}\n"
        "\n"
        "To post progress or propose closure, open the action's page, or use the links under "
        "each action (each works once, without signing in, for 14 days).\n"
        "\n"
        "--\n"
        f"Sent by the governance tracker ({site}).\n"
        f"Stop these reminder emails: {unsubscribe}\n"
        "\n"
    )
    html, _ = message.alternatives[0]
    assert (
        '<tbody>\n<tr style="border-bottom: 1px solid #d6dbe3; vertical-align: top;">'
        f'<td style="white-space: nowrap;"><a href="{action_url}">DAG28-12</a></td>'
        f"<td><bdi>{escape(row['text'])}</bdi>"
        f'<br><span style="font-size: 13px;"><a href="{close_url}">Done, please close</a> · '
        f'<a href="{redate_url}">Need more time</a> · <a href="{note_url}">Add a note</a>'
        "</span></td>"
        '<td style="white-space: nowrap;">Wed 11 Oct 2023<br>'
        '<span style="color: #b00020;">overdue by 1 day</span></td></tr>\n</tbody>'
    ) in html
    assert f'<a href="{unsubscribe}">Stop these reminder emails</a>' in html


def test_the_html_part_escapes_what_people_typed_and_the_text_part_keeps_it(seed):
    typed = 'Check <b>bold</b> & "quotes" in the <script>plan</script>'
    Action.objects.filter(ref="DAG28-05").update(description=typed)
    Person.objects.filter(name="Fraser Mathieson").update(name="Fraser <Mathieson> & Co")
    reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8))
    (message,) = [m for m in mail.outbox if "<fraser.mathieson@example.org>" in m.to[0]]
    assert message.to == ['"Fraser <Mathieson> & Co" <fraser.mathieson@example.org>']
    html, _ = message.alternatives[0]
    assert (
        "<td><bdi>Check &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot; in the "
        "&lt;script&gt;plan&lt;/script&gt;</bdi><br>"
    ) in html
    assert "<script>" not in html
    # What people typed sits in <bdi>: a name in Arabic or Hebrew cannot reorder the text
    # around it.
    assert "<p>Dear <bdi>Fraser &lt;Mathieson&gt; &amp; Co</bdi>,</p>" in html
    assert f"- DAG28-05: {typed}\n" in message.body
    assert "Dear Fraser <Mathieson> & Co,\n" in message.body


# --- who gets what -----------------------------------------------------------------------------


def test_nothing_for_people_without_email_or_opted_out(seed):
    Person.objects.filter(name="Rob Short").update(email="")
    Person.objects.filter(name="Fraser Mathieson").update(reminders_opt_out=True)
    run = reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8))
    names = {e.name for e in run.sent}
    assert len(names) == 8
    assert not names & {"Rob Short", "Fraser Mathieson"}
    assert not ReminderLog.objects.filter(person__name__in=["Rob Short", "Fraser Mathieson"])


def test_owners_without_a_person_go_to_the_seat_holders(committee):
    meeting = meeting_create(
        committee=committee, number=28, start_at=london(2023, 9, 13), acting_user=SYSTEM
    )
    supplier = Organisation.objects.create(name="Big Energy")
    lsr = Person.objects.create(name="Haz Elmamoun", email="haz@example.org")
    member = Person.objects.create(name="Ann Big", email="ann@example.org", organisation=supplier)
    observer = Person.objects.create(name="Obi Big", email="obi@example.org", organisation=supplier)
    former = Person.objects.create(name="Old Big", email="old@example.org", organisation=supplier)
    Membership.objects.create(
        committee=committee, person=lsr, constituency="Large Supplier Representative"
    )
    Membership.objects.create(committee=committee, person=member)
    Membership.objects.create(committee=committee, person=observer, role=Membership.Role.OBSERVER)
    Membership.objects.create(committee=committee, person=former, end_date=D(2023, 9, 30))
    for seq, owner in enumerate(["Large Supplier Representative", "Big Energy", "Chair"], 1):
        action_create(
            meeting=meeting,
            seq=seq,
            description=f"a{seq}",
            owners=[owner],
            due_date=D(2023, 10, 11),
            acting_user=SYSTEM,
        )
    run = reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8))
    # Nobody holds the chair's seat, so DAG28-03 goes to nobody. An organisation named
    # alone (DAG28-02, "Big Energy") is nobody's seat: Ann, of Big Energy, is not its owner
    # (she may not update it, and it is not in her "My actions"), so it reminds no one.
    assert sorted((e.email, e.reminders[Kind.DUE_SOON]) for e in run.sent) == [
        ("haz@example.org", ["DAG28-01"]),
    ]


def test_proposed_closure_is_listed_in_the_digest_but_not_chased(seed, member_user):
    fraser = Person.objects.get(name="Fraser Mathieson")
    link_login(fraser, member_user)
    action_update_post(
        action=seed["actions"]["DAG28-05"],
        text="Done: engaged the code bodies.",
        acting_user=member_user,
        proposes_closure=True,
    )
    run = reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8))
    email = next(e for e in run.sent if e.name == "Fraser Mathieson")
    assert email.reminders == {
        Kind.MEETING_DIGEST: ["DAG029"],
        Kind.DUE_SOON: ["DAG28-03", "DAG28-08"],
    }
    body = next(m.body for m in mail.outbox if "fraser" in m.to[0])
    assert "DAG28-05" in body
    assert "closure proposed" in body
    # The day after the meeting nothing chases DAG28-05, while the other two are overdue.
    mail.outbox.clear()
    run = reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 12))
    email = next(e for e in run.sent if e.name == "Fraser Mathieson")
    assert email.reminders == {Kind.OVERDUE: ["DAG28-03", "DAG28-08"]}


def test_due_soon_days_is_set_per_committee(seed):
    Committee.objects.filter(pk=seed["committee"].pk).update(due_soon_days=5)
    # Five days before 11/10.
    run = reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 6))
    assert len(run.sent) == 10
    assert {e.name: e.reminders.get(Kind.MEETING_DIGEST) for e in run.sent}["Rob Short"] == [
        "DAG029"
    ]


# --- failures and retries ----------------------------------------------------------------------


class RefusingBackend(locmem.EmailBackend):
    """The locmem backend, but the server refuses the addresses in ``refused``."""

    refused: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            if any(address in message.to[0] for address in self.refused):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"mailbox full")})
        return super().send_messages(messages)


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = "tests.actions.test_reminders.RefusingBackend"
    RefusingBackend.refused = {"fraser.mathieson@example.org"}
    yield RefusingBackend.refused
    RefusingBackend.refused = set()


def test_a_failed_send_is_retried_without_duplicating_the_others(seed, refusing):
    first = reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8))
    assert [e.name for e in first.failed] == ["Fraser Mathieson"]
    assert "SMTPRecipientsRefused" in first.failed[0].error
    assert len(first.sent) == 9
    assert len(mail.outbox) == 9
    failed = ReminderLog.objects.filter(status="failed")
    assert set(failed.values_list("person__name", flat=True)) == {"Fraser Mathieson"}
    assert failed.count() == 4  # the digest and three due-soon reminders

    refusing.clear()
    mail.outbox.clear()
    second = reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8))
    assert [e.name for e in second.sent] == ["Fraser Mathieson"]
    assert second.failed == []
    assert [m.to[0] for m in mail.outbox] == ["Fraser Mathieson <fraser.mathieson@example.org>"]
    assert refs_in(mail.outbox[0]) == {"DAG28-03", "DAG28-05", "DAG28-08"}
    assert set(ReminderLog.objects.values_list("status", flat=True)) == {"sent"}
    assert set(failed.model.objects.filter(person__name="Fraser Mathieson").values_list(
        "attempts", flat=True)) == {2}  # fmt: skip


def test_the_task_retries_a_failed_send_once_it_goes_through(seed, refusing, monkeypatch):
    # The server refuses Fraser's address on the first attempt only.
    original = RefusingBackend.send_messages

    def once(self, messages):
        try:
            return original(self, messages)
        except smtplib.SMTPRecipientsRefused:
            refusing.clear()
            raise

    monkeypatch.setattr(RefusingBackend, "send_messages", once)
    result = reminders_send_task.delay(today="2023-10-08").get()
    assert result["sent"] == 1
    assert result["failed"] == 0
    assert (
        sorted(m.to[0] for m in mail.outbox).count(
            "Fraser Mathieson <fraser.mathieson@example.org>"
        )
        == 1
    )
    assert len(mail.outbox) == 10


def test_a_failed_due_today_reminder_is_not_sent_late_as_due_today(seed, refusing):
    reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 11))
    refusing.clear()
    mail.outbox.clear()
    run = reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 12))
    fraser = next(e for e in run.sent if e.name == "Fraser Mathieson")
    assert fraser.reminders == {Kind.OVERDUE: ["DAG28-03", "DAG28-05", "DAG28-08"]}
    assert ReminderLog.objects.filter(status="failed", kind=Kind.DUE_TODAY).count() == 2


# --- concurrency and locking -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(committee):
    meeting = meeting_create(
        committee=committee, number=28, start_at=london(2023, 9, 13), acting_user=SYSTEM
    )
    for seq in range(1, 13):
        action_create(
            meeting=meeting,
            seq=seq,
            description=f"a{seq}",
            owners=[f"Programme (Person {seq % 5})"],
            due_date=D(2023, 10, 11),
            acting_user=SYSTEM,
        )
    Person.objects.update(email="p@example.org")
    barrier = threading.Barrier(2)
    results = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8)))
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [r for r in results if isinstance(r, Exception)]
    assert sum(len(r.sent) for r in results) == 5
    assert len(mail.outbox) == 5
    assert ReminderLog.objects.filter(status="sent").count() == 12


# --- dry run and the command -------------------------------------------------------------------


def test_dry_run_writes_and_sends_nothing(seed):
    run = reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8), dry_run=True)
    assert len(run.emails) == 10
    assert run.dry_run
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_send_reminders_command_prints_what_it_sent(seed, capsys):
    call_command("send_reminders", "--today", "2023-10-08", "--dry-run")
    out = capsys.readouterr().out
    assert "Would send 10 emails" in out
    assert "Rob Short <rob.short@example.org>: meeting digest DAG029; due soon DAG28-01" in out
    assert mail.outbox == []
    call_command("send_reminders", "--today", "2023-10-08")
    out = capsys.readouterr().out
    assert "Sent 10 emails for 2023-10-08" in out
    assert "Fraser Mathieson <fraser.mathieson@example.org>: meeting digest DAG029; due soon " \
        "DAG28-03, DAG28-05, DAG28-08" in out  # fmt: skip
    call_command("send_reminders", "--today", "2023-10-08")
    assert "Sent 0 emails" in capsys.readouterr().out


def test_send_reminders_command_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", "08/10/2023")


def test_send_reminders_command_refuses_a_date_at_the_end_of_the_calendar(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="outside the dates reminders can be run for"):
        call_command("send_reminders", "--today", "9999-12-30")
    assert not ReminderLog.objects.exists()


# --- unsubscribe -------------------------------------------------------------------------------


def test_unsubscribe_link_confirms_then_opts_out(seed, client):
    reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8))
    message = next(m for m in mail.outbox if "rob.short" in m.to[0])
    url = (
        message.extra_headers["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:8000")
    )
    assert url in message.body
    page = client.get(url)
    assert page.status_code == 200
    assert b"Stop reminder emails" in page.content
    rob = Person.objects.get(name="Rob Short")
    assert rob.reminders_opt_out is False
    # The one-click POST of RFC 8058 carries no CSRF token.
    response = client.post(url, {"List-Unsubscribe": "One-Click"}, enforce_csrf_checks=True)
    assert response.status_code == 200
    rob.refresh_from_db()
    assert rob.reminders_opt_out is True
    ReminderLog.objects.all().delete()
    mail.outbox.clear()
    reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8))
    assert not [m for m in mail.outbox if "rob.short" in m.to[0]]
    client.post(url, {"resubscribe": "1"})
    rob.refresh_from_db()
    assert rob.reminders_opt_out is False


def test_unsubscribe_with_a_forged_token_is_404(seed, client):
    token = reminders.reminders_unsubscribe_token(person_id=1)
    forged = token.split(":")[0] + ":" + "x" * 20
    assert client.get(reverse("reminders-unsubscribe", args=[forged])).status_code == 404
    assert client.post(reverse("reminders-unsubscribe", args=["2"])).status_code == 404


def test_the_opt_out_is_the_persons_own_or_the_pmos_to_change(seed, member_user, pmo_user):
    rob = Person.objects.get(name="Rob Short")
    fraser = Person.objects.get(name="Fraser Mathieson")
    link_login(fraser, member_user)
    with pytest.raises(PermissionDenied):
        person_reminders_opt_out_set(person=rob, opt_out=True, acting_user=member_user)
    rob.refresh_from_db()
    assert rob.reminders_opt_out is False
    fraser = person_reminders_opt_out_set(person=fraser, opt_out=True, acting_user=member_user)
    assert fraser.reminders_opt_out is True
    rob = person_reminders_opt_out_set(person=rob, opt_out=True, acting_user=pmo_user)
    assert Person.objects.get(pk=rob.pk).reminders_opt_out is True
    assert rob.history.first().history_user == pmo_user
    rob = person_reminders_opt_out_set(person=rob, opt_out=False, acting_user=SYSTEM)
    assert Person.objects.get(pk=rob.pk).reminders_opt_out is False
    latest = rob.history.first()
    assert (latest.reminders_opt_out, latest.history_user) == (False, None)


def test_only_the_system_or_the_pmo_runs_the_reminders(seed, member_user, pmo_user):
    with pytest.raises(PermissionDenied):
        reminders.reminders_send(acting_user=member_user, today=D(2023, 10, 8))
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()
    run = reminders.reminders_send(acting_user=pmo_user, today=D(2023, 10, 8), dry_run=True)
    assert len(run.emails) == 10


# --- the schedule ------------------------------------------------------------------------------


def test_the_default_beat_schedule_is_daily_at_0800_london(db):
    task = PeriodicTask.objects.get(task="actions.reminders_send")
    assert task.enabled
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == (
        "0",
        "8",
        "Europe/London",
    )
    assert task.crontab.day_of_week == task.crontab.day_of_month == "*"


def test_the_pmo_edits_the_schedule_in_the_admin(admin_client):
    task = PeriodicTask.objects.get(task="actions.reminders_send")
    listing = admin_client.get("/admin/django_celery_beat/periodictask/")
    assert listing.status_code == 200
    assert "Reminder emails (daily)" in listing.content.decode()
    page = admin_client.get(f"/admin/django_celery_beat/periodictask/{task.pk}/change/")
    assert page.status_code == 200
    assert 'name="enabled"' in page.content.decode()


def test_the_task_is_registered_under_its_stable_name():
    from dag.celery import app

    assert app.tasks["actions.reminders_send"].run.__name__ == "reminders_send_task"
    assert reminders_send_task.name == "actions.reminders_send"


# --- queries -----------------------------------------------------------------------------------


def _bulk_scenario(committee, *, people: int, open_actions: int, closed_actions: int) -> None:
    """Open actions spread over due soon, due today and overdue, closed ones, all with an
    owner; DAG900 planned three days ahead so every owner also gets a meeting digest.

    The closed actions are made by doubling a first batch in SQL (INSERT ... SELECT over the
    model's own columns), so 100,000 rows take a second rather than a minute.
    """
    organisation = Organisation.objects.create(name="Programme")
    persons = Person.objects.bulk_create(
        Person(name=f"P{i}", email=f"p{i}@example.org", organisation=organisation)
        for i in range(people)
    )
    meeting = Meeting.objects.create(
        committee=committee, number=1, ref="DAG001", start_at=london(2023, 1, 11)
    )
    Meeting.objects.create(
        committee=committee, number=900, ref="DAG900", start_at=london(2023, 10, 11)
    )
    doublings = 0
    first_closed = closed_actions
    while first_closed > 1500 and first_closed % 2 == 0:
        first_closed //= 2
        doublings += 1
    actions = Action.objects.bulk_create(
        Action(
            committee=committee,
            meeting=meeting,
            seq=i + 1,
            ref=f"DAG1-{i + 1:02d}",
            description="Programme to do a thing",
            due_date=D(2023, 10, 11) - dt.timedelta(days=i % 40),
            status=Action.Status.OPEN if i < open_actions else Action.Status.CLOSED,
            closed_date=None if i < open_actions else D(2023, 1, 1),
        )
        for i in range(open_actions + first_closed)
    )
    ActionOwner.objects.bulk_create(
        ActionOwner(action=action, organisation=organisation, person=persons[i % people])
        for i, action in enumerate(actions)
    )
    for _ in range(doublings):
        _double_closed_actions(Action.objects.filter(status=Action.Status.CLOSED).count())
    assert Action.objects.count() == open_actions + closed_actions


def _double_closed_actions(count: int) -> None:
    """Copy every closed action (and its owners) with ``seq`` moved up by ``count``."""
    top = Action.objects.order_by("-seq").values_list("seq", flat=True)[0]
    if connection.vendor == "postgresql":
        # Statistics for the rows this test's transaction just wrote (ANALYZE counts its own
        # transaction's rows): with those autovacuum took of the tables nearly empty, earlier
        # in the suite, the planner joined 48,000 actions by nested loops for half an hour.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE actions_action, actions_actionowner")
    quote = connection.ops.quote_name
    fields = [f.column for f in Action._meta.concrete_fields if not f.primary_key]
    exprs = {"seq": "seq + %s", "ref": "'DAG1-' || CAST(seq + %s AS TEXT)"}
    select = ", ".join(exprs.get(c, quote(c)) for c in fields)
    owner_fields = [f.column for f in ActionOwner._meta.concrete_fields if not f.primary_key]
    owner_select = ", ".join("n.id" if c == "action_id" else f"o.{quote(c)}" for c in owner_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO actions_action ({', '.join(map(quote, fields))}) "  # noqa: S608
            f"SELECT {select} FROM actions_action WHERE status = 'closed'",
            [count, count],
        )
        cursor.execute(
            f"INSERT INTO actions_actionowner ({', '.join(map(quote, owner_fields))}) "  # noqa: S608
            f"SELECT {owner_select} FROM actions_action n "
            "JOIN actions_action t ON t.meeting_id = n.meeting_id AND t.seq = n.seq - %s "
            "JOIN actions_actionowner o ON o.action_id = t.id "
            "WHERE n.status = 'closed' AND n.seq > %s",
            [count, top],
        )


def _count_run_queries() -> tuple[int, reminders.ReminderRun]:
    with CaptureQueriesContext(connection) as queries:
        run = reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 8))
    run.queries = queries.captured_queries
    return len(queries), run


# Each person's email is begun, sent and recorded on its own (composer.reminders.claims):
# their actions' statuses read again (1), their rows moved to sending in the statement that
# records the previous email sent (1), one statement of both on PostgreSQL; the last email's
# record is one more for the run. The claims themselves are taken for everyone at once.
PER_PERSON_QUERIES = 1 if connection.vendor == "postgresql" else 2
LAST_RECORD = 1


def test_the_run_costs_the_same_queries_per_owner_for_5_or_140_owners(committee):
    _bulk_scenario(committee, people=5, open_actions=40, closed_actions=10)
    small, run = _count_run_queries()
    assert len(run.sent) == 5
    small_claims = ReminderLog.objects.count()
    ReminderLog.objects.all().delete()
    Action.objects.all().delete()
    Person.objects.all().delete()
    Meeting.objects.all().delete()
    Organisation.objects.all().delete()
    mail.outbox.clear()
    _bulk_scenario(committee, people=140, open_actions=400, closed_actions=100)
    large, run = _count_run_queries()
    assert len(run.sent) == 140
    assert len(mail.outbox) == 140
    assert ReminderLog.objects.count() > 10 * small_claims
    assert large - small == (140 - 5) * PER_PERSON_QUERIES


def test_the_run_over_100000_actions_costs_queries_by_owner_not_by_action(committee):
    # About 4,000 open actions (due soon, today or overdue) for 1,400 owners among 100,000.
    _bulk_scenario(committee, people=1400, open_actions=4000, closed_actions=96000)
    count, run = _count_run_queries()
    assert len(run.sent) == 1400
    assert len(mail.outbox) == 1400
    claims = ReminderLog.objects.count()
    assert claims == 1400 + 4000  # a digest per owner and one reminder per open action
    # Fixed whatever the number of owners and actions: the lock (2, PostgreSQL's advisory
    # lock), releasing a stopped run's claims (1), committees, meetings and candidate owners
    # (3), the log's rows in the window (1), the named actions as rows and their owners' names
    # (2, actions.rows), claiming everything owed (4: a transaction, savepoints here, the
    # insert and the read back), the other apps' digest sections for the run's people (1,
    # composer.digest_sections), the impact assessments awaiting an answer (1; none here);
    # then a fixed number per owner emailed, none per action, and the last record. (Outside a
    # transaction the run also sets its commits not to wait for the disk, and restores them
    # after: 2 more on PostgreSQL, 3 on SQLite, composer.reminders.commits; inside this test's
    # transaction the writes commit together and there is nothing to relax.)
    lock = 2 if connection.vendor == "postgresql" else 0
    assert count == lock + 1 + 3 + 1 + 2 + 4 + 1 + 1 + 1400 * PER_PERSON_QUERIES + LAST_RECORD


def test_a_bulk_insert_is_one_statement_up_to_the_databases_parameter_limit(
    committee, django_assert_num_queries
):
    # 5,400 log rows of 11 columns: 59,400 parameters, 60 INSERTs with Django 5.2's assumed
    # 999 on SQLite; one with the limit read from the library (250,000 on Debian).
    person = Person.objects.create(name="P", email="p@example.org")
    meeting = Meeting.objects.create(
        committee=committee, number=1, ref="DAG001", start_at=london(2023, 1, 11)
    )
    run_id = uuid.uuid4()
    rows = [
        ReminderLog(
            person=person,
            meeting=meeting,
            kind=ReminderLog.Kind.MEETING_DIGEST,
            reminder_date=D(2023, 1, 1) + dt.timedelta(days=i),
            run_id=run_id,
        )
        for i in range(5400)
    ]
    with django_assert_num_queries(1):
        ReminderLog.objects.bulk_create(rows)
    assert ReminderLog.objects.count() == 5400
