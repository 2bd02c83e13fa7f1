"""The benchmark code keeps working: the generator at a tiny size, the floor, one harness pass.

Benchmarks never fail on a time; these tests check what the figures rest on: the generator
makes what its flags ask for with consistent refs and counters, the floor fetches the same
rows as the API, and the harness turns samples into the table.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count, Max

from actions.models import Action, ActionOwner
from bench import floors
from bench.generate import BenchSizes, generate
from bench.harness import NotAvailableError, Result, Stats, guarded, percentile
from bench.table import markdown_table, text_table
from changerequests.models import ChangeRequest, ImpactAssessmentResponse
from core.actors import SYSTEM
from decisions.models import Decision
from meetings.models import Committee, Meeting, Organisation, Person, RefCounter

TINY = BenchSizes(
    committees=2,
    meetings=6,
    actions=300,
    people=30,
    organisations=10,
    decisions=20,
    change_requests=5,
)
TODAY = dt.date(2024, 3, 13)


@pytest.fixture
def generated(db):
    return generate(TINY, today=TODAY)


def test_generator_makes_what_the_flags_ask(generated):
    assert Committee.objects.count() == 2
    assert Meeting.objects.count() == 6
    assert Action.objects.count() == 300
    assert Person.objects.count() == 30
    assert Organisation.objects.count() == 10
    assert Decision.objects.count() == 20
    assert ChangeRequest.objects.count() == 5
    # 5 to 15 IA responses per CR, never more than there are organisations.
    per_cr = ImpactAssessmentResponse.objects.values("change_request").annotate(n=Count("id"))
    assert sorted(r["n"] >= 5 for r in per_cr) == [True] * 5
    assert all(r["n"] <= 10 for r in per_cr)
    # 5% of 300 actions are open; every action has exactly one lead owner.
    assert Action.objects.open().count() == 15
    assert ActionOwner.objects.filter(is_lead=True).count() == 300
    assert generated.counts["actions"] == 300
    assert generated.counts["meetings"] == 6


def test_generated_refs_and_counters_are_consistent(generated):
    # Worked out by hand: committee 1 is DRG, its first meeting DRG001, first action DRG1-01.
    drg = Committee.objects.get(code="DRG")
    first = Meeting.objects.filter(committee=drg).order_by("start_at").first()
    assert first.ref == "DRG001"
    assert Action.objects.filter(meeting=first, seq=1).get().ref == "DRG1-01"
    # Three meetings each: two held before TODAY, one planned after it.
    meetings = list(Meeting.objects.filter(committee=drg).order_by("start_at"))
    assert [m.status for m in meetings] == ["report_issued", "held", "planned"]
    assert meetings[-1].date > TODAY > meetings[-2].date
    # The first committee meets again in two days: inside its due-soon window (digests).
    assert meetings[-1].date == dt.date(2024, 3, 15)
    assert not Action.objects.filter(meeting=meetings[-1]).exists()
    for c in Committee.objects.all():
        assert (
            c.last_meeting_number
            == Meeting.objects.filter(committee=c).aggregate(m=Max("number"))["m"]
        )
        assert c.last_decision_seq == Decision.objects.filter(committee=c).count()
    for m in Meeting.objects.exclude(status="planned"):
        assert m.last_action_seq == Action.objects.filter(meeting=m).aggregate(s=Max("seq"))["s"]
    assert RefCounter.objects.get(key="CR").last_value == 5
    # The services carry on from the generated counters: the next numbers follow on.
    from actions.services import action_create
    from decisions.services import decision_create

    held = meetings[1]
    action = action_create(
        meeting=held, description="Programme to follow up", owners=["Chair"], acting_user=SYSTEM
    )
    assert action.seq == held.last_action_seq + 1
    decision = decision_create(meeting=held, text="The SRO approved the change", acting_user=SYSTEM)
    assert decision.ref == f"DRG-DEC{drg.last_decision_seq + 1}"


def test_open_actions_are_spread_around_today(generated):
    open_actions = Action.objects.open()
    overdue = open_actions.filter(due_date__lt=TODAY).count()
    later = open_actions.filter(due_date__gt=TODAY + dt.timedelta(days=3)).count()
    assert overdue > later > 0
    assert not Action.objects.filter(status="closed", closed_date__gt=TODAY).exists()


def test_generator_refuses_a_second_run_into_one_database(generated):
    with pytest.raises(ValueError, match="already exist"):
        generate(TINY, today=TODAY)


def test_floor_rows_are_the_api_rows(generated, client):
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    pmo = get_user_model().objects.get(username=generated.pmo_username)
    token = Token.objects.create(user=pmo)
    floor_pages = {}
    for order in ("id", "ref"):
        response = client.get(
            f"/api/v1/actions/?page_size=40&ordering={order}",
            headers={"authorization": f"Token {token.key}"},
        )
        assert response.status_code == 200
        api_rows = response.json()["results"]
        floor_rows = floor_pages[order] = floors.action_page_rows(floors.Page(40, order=order))
        assert len(floor_rows) == len(api_rows) == 40
        for api, floor in zip(api_rows, floor_rows, strict=True):
            assert floor["ref"] == api["ref"]
            assert floor["description"] == api["description"]
            assert floor["committee"]["code"] == api["committee"]["code"]
            assert floor["closed_date"] == api["closed_date"]
            assert floor["meeting"] == api["meeting"]["ref"]
            assert floor["area"] == (api["agenda_item"] or {}).get("title")
            assert floor["due_date"] == api["due_date"]
            assert floor["status"] == api["status"]
            assert [floors.owner_display(o) for o in floor["owners"]] == [
                o["display"] for o in api["owners"]
            ]
    # Both shapes of the floor give the same rows (two queries where one would read the
    # owners table whole, on PostgreSQL).
    for order in ("id", "ref"):
        page = floors.Page(40, order=order)
        for shape in ("one", "two"):
            floors._SHAPES[(connection.vendor, page)] = shape
            assert floors.floor_shape(page) == shape
            try:
                assert floors.action_page_rows(page) == floor_pages[order]
            finally:
                floors._SHAPES.clear()
    if connection.vendor == "postgresql":
        # Prepared, as the API's reads are: PostgreSQL keeps the floor's statements.
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
            statements = [row[0] for row in cursor.fetchall()]
        assert any("FROM actions_action a" in sql for sql in statements)
        assert any("FROM actions_actionowner o" in sql for sql in statements)
    # The ref order really is committee code, meeting number, then seq: of the two generated
    # committees (DRG, PSG) DRG comes first, and its first meeting's first action.
    assert floors.action_page_rows(floors.Page(2, order="ref"))[0]["ref"] == "DRG1-01"


def test_one_harness_pass_fills_a_row(generated, django_user_model):
    from bench import measures

    pmo = django_user_model.objects.get(username=generated.pmo_username)
    from rest_framework.authtoken.models import Token

    ctx = measures.Context(
        db="test",
        today=TODAY,
        repeats=3,
        pmo=pmo,
        member=pmo,
        token=Token.objects.create(user=pmo).key,
        small=True,
    )
    results = measures.api_list(ctx)
    by_key = {r.key: r for r in results}
    row = by_key["api_list_50_id"]
    assert row.status == "ok", row.note
    assert row.value.n == 3
    assert row.floor.n == 3
    assert row.ratio > 0
    assert row.queries >= 2
    assert "not the floor's" not in row.note  # the API's rows are the floor's rows
    # The floor's plans are recorded: its page query and its owners query.
    # (One query where its plan reads no growing table whole, else two: tiny tables are
    # read whole on PostgreSQL.)
    assert row.note.startswith(("floor: one query; plans: one: ", "floor: two queries; plans: "))
    assert set(row.extra["floor_plans"]) in ({"one"}, {"page", "owners"})
    counts = by_key["api_list_queries"].extra["counts"]
    assert set(counts) >= {10, 50, 200, 500}
    table = text_table(results)
    assert "API action list, 50 rows" in table


def test_percentiles_by_hand():
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 50) == 5.5
    assert percentile(values, 10) == pytest.approx(1.9)
    assert percentile(values, 90) == pytest.approx(9.1)
    stats = Stats.of([3.0, 1.0, 2.0])
    assert (stats.median, stats.n) == (2.0, 3)


def test_table_says_missed_and_not_available_plainly():
    missed = Result(
        key="k",
        title="Reminder run",
        db="PostgreSQL",
        unit="s",
        value=Stats(4.7, 4.5, 5.0, 5),
        floor=Stats(0.05, 0.04, 0.06, 5),
        target="< 2 s",
        met=False,
    )

    def missing(result: Result) -> None:
        raise NotAvailableError("composer.reminders is not in this tree")

    absent = guarded(Result(key="r", title="Register PDF", db="SQLite"), missing)
    table = text_table([missed, absent])
    assert "MISSED" in table
    assert "94.00×" in table
    assert "not available" in table
    assert "composer.reminders is not in this tree" in markdown_table([absent])


def test_register_floor_is_the_paths_own_html(generated, monkeypatch, tmp_path):
    """The register PDF's floor lays out what the path lays out: the parts of its template
    with the same rows, then the page-numbers document."""
    from actions import register_pdf
    from bench.measure_report import register_pdf_floor_files

    monkeypatch.setattr(register_pdf, "REGISTER_PDF_PART_ROWS", 100)
    register_pdf_floor_files(250, pages=7, folder=tmp_path)
    files = sorted(p.name for p in tmp_path.glob("*.html"))
    assert files == ["000-part.html", "001-part.html", "002-part.html", "999-numbers.html"]
    first = (tmp_path / "000-part.html").read_text(encoding="utf-8")
    refs = [a.ref for a in Action.objects.order_by("ref_sort", "pk")[:3]]
    assert all(ref in first for ref in refs)
    (tmp_path / "one").mkdir()
    register_pdf_floor_files(50, pages=1, folder=tmp_path / "one")  # one part: one document
    assert [p.name for p in (tmp_path / "one").glob("*.html")] == ["0-document.html"]
