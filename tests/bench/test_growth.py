"""The growth table's code keeps working: one role at a tiny size, and the deep-page rule."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from bench.generate import BenchSizes, generate
from bench.harness import Result, Stats
from bench.measure_growth import PAGES, deep_path, growth
from bench.measure_load import reminder_floor
from bench.table import growth_table

TINY = BenchSizes(
    committees=2,
    meetings=6,
    actions=300,
    people=30,
    organisations=10,
    decisions=20,
    change_requests=5,
)


def test_deep_page_follows_the_last_link_else_the_page_count():
    last = '<a class="button" href="?after=X&amp;sort=ref" rel="last">Last</a>'
    assert deep_path("/actions/?sort=ref", last) == "/actions/?after=X&sort=ref"
    counted = "<span>Page 1 of 7 · 330 in all</span>"
    assert deep_path("/actions/?status=open", counted) == "/actions/?status=open&page=7"
    assert deep_path("/actions/", "Page 1 of 9,000") == "/actions/?page=2000"
    assert deep_path("/meetings/", "Page 1 of 1") is None
    assert deep_path("/meetings/", "<p>no pages</p>") is None


@pytest.mark.django_db
def test_growth_cells_for_one_role_at_a_tiny_size(django_user_model):
    from rest_framework.authtoken.models import Token

    from bench.measures import Context

    generated = generate(TINY, today=dt.date(2024, 3, 13))
    pmo = django_user_model.objects.get(username=generated.pmo_username)
    ctx = Context(
        db="test",
        today=generated.today,
        repeats=2,
        pmo=pmo,
        member=pmo,
        token=Token.objects.create(user=pmo).key,
        small=True,
    )
    results = growth(ctx, roles=("Chair",))
    by_key = {r.key: r for r in results}
    # One first-page cell per page, a deep cell per paginated page, and the reminder run.
    assert len(results) == len(PAGES) + sum(p.paginated for p in PAGES) + 1
    run = by_key["growth:reminders:whole:System"]
    assert run.status == "ok", run.note
    assert run.unit == "ms"
    assert run.extra["growth"]["page"] == "Reminder run (locmem email)"
    assert run.extra["emails"] > 0
    # The floor is in the cell's unit too: the raw query timed here, in ms, is of its order
    # (it was once left in seconds under "ms", a ratio a thousand times too high).
    started = time.perf_counter()
    reminder_floor(ctx.today)
    floor_ms = (time.perf_counter() - started) * 1000
    assert floor_ms / 20 < run.floor.median < floor_ms * 20
    for page in PAGES:
        first = by_key[f"growth:{page.key}:first:Chair"]
        assert first.status == "ok", first.note
        assert first.value.n >= 2
        assert first.queries > 0
        assert first.extra["growth"] == {
            "page": page.title,
            "position": "first",
            "role": "Chair",
            "actions": 300,
        }
    # 300 actions are six register pages of 50 (the deep page is the last), and the API's
    # deep page is the last 50 actions the chair sees.
    register = by_key["growth:register:deep:Chair"]
    assert register.status == "ok", register.note
    # The register's own rel="last" link (keyset pages: the last page's cursor).
    assert register.extra["path"] == "/actions/?cursor=last"
    api_deep = by_key["growth:api:deep:Chair"]
    assert api_deep.status == "ok", api_deep.note
    assert "cursor=" in api_deep.extra["path"]
    # A full page of what the chair sees: the rows' query, then their owners'.
    assert api_deep.queries == by_key["growth:api:first:Chair"].queries
    table = growth_table(results)
    assert "Growth, test" in table
    assert "300 actions" in table


def test_growth_table_puts_sizes_side_by_side():
    def cell(actions: int, median: float) -> Result:
        return Result(
            key="growth:register:first:PMO",
            title="Action register, first page, PMO",
            db="PostgreSQL",
            value=Stats(median, median - 1, median + 1, 5),
            queries=6,
            extra={
                "growth": {
                    "page": "Action register",
                    "position": "first",
                    "role": "PMO",
                    "actions": actions,
                }
            },
        )

    table = growth_table([cell(1_000, 20.0), cell(10_000, 40.0)], markdown=True)
    assert "| page | position | role | 1,000 actions | 10,000 actions |" in table
    assert (
        "| Action register | first | PMO | 20.0 ms (19.0–21.0), 6 q | 40.0 ms (39.0–41.0), 6 q |"
        in table
    )
