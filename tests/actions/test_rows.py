"""The action read model (``actions.rows``) and its table-row partial.

Known values from the seed report (seeds/DAG028-headline-report.txt): DAG028 met on
13 September 2023 and raised DAG28-01 to DAG28-15 in that order; DAG28-01 is Programme
(Rob Short)'s under "Minutes and Actions", due 11/10/2023; DAG28-04 is due 15/09/2023 and
DAG28-05 10/10/2023; DAG28-14 is owned by the Chair alone, under "DAG Terms of Reference";
DAG27-08 (Programme (Matt McKeon), due 13/09/2023) was raised at DAG027 and is reviewed at
DAG028.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from actions.models import Action
from actions.rows import ActionRow, action_rows
from actions.services import action_create
from actions.templatetags.action_rows import action_rows_html
from composer.importer import headline_report_import_file
from core.actors import SYSTEM
from meetings.models import Meeting
from tests.conftest import SEED_PATH

D = dt.date


@pytest.fixture(scope="module")
def seed_meeting(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        headline_report_import_file(path=SEED_PATH, acting_user=SYSTEM)
        yield Meeting.objects.get(ref="DAG028")
        transaction.set_rollback(True)


@pytest.fixture
def dag028(seed_meeting, db):
    return seed_meeting


def rows_of(meeting: Meeting, today: dt.date, **kwargs) -> list[ActionRow]:
    return action_rows(
        Action.objects.filter(meeting=meeting).order_by("seq"), today=today, **kwargs
    )


def test_rows_hold_what_the_seed_report_says(dag028):
    rows = rows_of(dag028, D(2023, 9, 20), area_titles=True)
    assert [row.ref for row in rows] == [f"DAG28-{n:02d}" for n in range(1, 16)]
    first = rows[0]
    assert first.owners == ("Programme (Rob Short)",)
    assert first.owners_text == "Programme (Rob Short)"
    assert first.due_date == D(2023, 10, 11)
    assert (first.due_iso, first.due_on) == ("2023-10-11", "11/10/2023")
    assert first.meeting_ref == "DAG028"
    assert first.raised_on == "13 Sep 2023"
    assert first.agenda_item_title == "Minutes and Actions"
    assert (first.status, first.status_label) == ("open", "Open")
    assert first.due_meeting_ref is None
    assert first.closed_on == ""
    chair = rows[13]
    assert (chair.ref, chair.owners, chair.agenda_item_title) == (
        "DAG28-14",
        ("Chair",),
        "DAG Terms of Reference",
    )


def test_links_and_ids_come_from_the_ref(dag028):
    row = rows_of(dag028, D(2023, 9, 20))[0]
    assert row.dom_id == "r-DAG28-01"
    assert row.url == "/actions/DAG28-01/"
    assert row.edit_url == "/actions/DAG28-01/edit/"
    assert row.update_url == "/actions/DAG28-01/updates/"
    assert row.meeting_url == "/meetings/DAG028/"


def test_overdue_is_decided_with_the_given_day(dag028):
    def overdue(today: dt.date) -> list[str]:
        return [row.ref for row in rows_of(dag028, today) if row.is_overdue]

    assert overdue(D(2023, 9, 15)) == []
    assert overdue(D(2023, 9, 16)) == ["DAG28-04"]
    assert overdue(D(2023, 10, 11)) == ["DAG28-04", "DAG28-05"]
    Action.objects.filter(ref="DAG28-04").update(
        status=Action.Status.CLOSED, closed_date=D(2023, 9, 20)
    )
    rows = rows_of(dag028, D(2023, 10, 11))
    assert [row.ref for row in rows if row.is_overdue] == ["DAG28-05"]
    assert rows[3].closed_on == "20/09/2023"


def test_two_queries_whatever_the_number_of_rows(dag028, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert len(rows_of(dag028, D(2023, 9, 20), area_titles=True)) == 15
    with django_assert_num_queries(2):
        assert len(rows_of(dag028, D(2023, 9, 20), record=True)) == 15
    with django_assert_num_queries(1):  # no owners to read for no rows
        assert action_rows(Action.objects.filter(ref="DAG99-01"), today=D(2023, 9, 20)) == []


def test_a_sliced_queryset_keeps_its_order(dag028):
    page = Action.objects.filter(meeting=dag028).order_by("-seq")[2:5]
    assert [row.ref for row in action_rows(page, today=D(2023, 9, 20))] == [
        "DAG28-13",
        "DAG28-12",
        "DAG28-11",
    ]


def test_owners_are_lead_first_and_the_record_columns_come_when_asked(dag028):
    action = action_create(
        meeting=dag028,
        description="Two owners",
        owners=["Programme (Rob Short)", "Chair"],
        acting_user=SYSTEM,
    )
    (row,) = action_rows(Action.objects.filter(pk=action.pk), today=D(2023, 9, 20), record=True)
    assert row.owners == ("Programme (Rob Short)", "Chair")
    assert row.owners_text == "Programme (Rob Short); Chair"
    assert [(o.is_lead, o.organisation, o.role, o.person) for o in row.owner_parts] == [
        (True, "Programme", "", "Rob Short"),
        (False, None, "Chair", None),
    ]
    assert (row.committee_code, row.committee_name) == ("DAG", "Design Advisory Group")
    assert row.closure_note == ""
    assert row.created_at_text is not None
    plain = action_rows(Action.objects.filter(pk=action.pk), today=D(2023, 9, 20))[0]
    assert (plain.agenda_item_title, plain.committee_code, plain.created_at_text) == (
        None,
        "",
        None,
    )


def test_the_partial_writes_the_table_row(dag028):
    rows = rows_of(dag028, D(2023, 10, 11))
    html = str(action_rows_html(rows[3:5], raised=True))
    assert html.startswith(
        '<tr id="r-DAG28-04" class="overdue"><td data-label="Ref">'
        '<a class="ref" href="/actions/DAG28-04/">DAG28-04</a>'
        '<br><span class="small muted">13 Sep 2023</span></td>'
    )
    # The seed gives Berlinda Kugara no email: the row marks that no reminder reaches her.
    assert (
        '<td data-label="Owner">Programme (Berlinda Kugara) <span class="badge badge-warn" '
        'title="Berlinda Kugara has no email: reminders cannot reach them">no email</span></td>'
    ) in html
    assert (
        '<td data-label="Due" class="nowrap"><time datetime="2023-09-15">15/09/2023</time>'
        '<br><span class="overdue-text small">Overdue</span></td>'
    ) in html
    assert '<td data-label="Status"><span class="badge badge-info">Open</span></td>' in html
    assert html.count("<tr ") == 2
    assert "actions-cell" not in html


def test_the_partial_offers_edit_and_marks_the_row_just_added(dag028):
    rows = rows_of(dag028, D(2023, 9, 20))
    html = str(
        action_rows_html(
            rows[:2], can_edit=True, just_added="r-DAG28-02", edit_query="?return_to=meeting"
        )
    )
    assert '<tr id="r-DAG28-01" class="">' in html
    assert '<tr id="r-DAG28-02" class="just-added" data-just-added>' in html
    assert (
        '<a class="button secondary small" href="/actions/DAG28-01/edit/?return_to=meeting" '
        'hx-get="/actions/DAG28-01/edit/?return_to=meeting" hx-target="#r-DAG28-01" '
        'hx-swap="outerHTML">Edit<span class="visually-hidden"> DAG28-01</span></a>'
    ) in html
    assert "13 Sep 2023" not in html  # the meeting page does not repeat its own date


def test_the_partial_escapes_typed_text_and_writes_a_dash_for_no_owner(dag028):
    action = action_create(
        meeting=dag028,
        description='<script>alert("x")</script> & more',
        owners=["Programme (Rob Short)"],
        acting_user=SYSTEM,
    )
    action.owners.all().delete()
    html = str(
        action_rows_html(action_rows(Action.objects.filter(pk=action.pk), today=D(2023, 9, 20)))
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more" in html
    assert '<td data-label="Owner">—</td>' in html
    assert '<td data-label="Due" class="nowrap">—</td>' in html
