"""Issue #18: the import's cost grows with the report's rows, no faster.

The seed's query counts are pinned (measured when the records were first read once per
import: 2,031 for the first import, 126 for the same report again); a generated report of
four times the rows (``large_report``) costs at most four times the queries, first and again.
The writes go through the apps' services one record at a time, so the first import's count
is mostly theirs (refs, checks, history).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection

from actions.models import Action
from composer.importer import headline_report_import
from core.actors import SYSTEM
from tests.composer.large_report import large_report_text
from tests.conftest import SEED_PATH

SEED_TEXT = SEED_PATH.read_text(encoding="utf-8")


def queries_of(work: Callable[[], Any]) -> int:
    """How many queries ``work`` runs (counted as they run: no log to overflow)."""
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        work()
    return count


def test_importing_the_seed_costs_a_pinned_number_of_queries(db, django_assert_max_num_queries):
    # 2040 before the search index; each record written adds its document's upsert (about
    # 100), and each open action's owners their "assigned to you" notifications (about 110).
    with django_assert_max_num_queries(2300):
        headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    with django_assert_max_num_queries(130):
        again = headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    assert again.count_create == again.count_update == 0


def test_four_times_the_rows_cost_at_most_four_times_the_queries(db):
    small, large = large_report_text(24, number=30), large_report_text(96, number=31)

    def imported(text: str) -> Callable[[], Any]:
        return lambda: headline_report_import(text=text, acting_user=SYSTEM)

    first = (queries_of(imported(small)), queries_of(imported(large)))
    again = (queries_of(imported(small)), queries_of(imported(large)))
    assert Action.objects.filter(meeting__ref="DAG031").count() == 96
    assert first[1] <= 4 * first[0], first
    assert again[1] <= 4 * again[0], again
