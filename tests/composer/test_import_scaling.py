"""Issue #18: the import's cost grows with the report's rows, by a small fixed number of
queries per row.

The import records a report's new actions, decisions and discussion items in batches
(``actions.bulk``, ``decisions.bulk``, ``composer.discussion.discussion_items_create_many``):
what is left per row is an action's ``action.created`` event (its owners' notifications), a
decision's CR and events, and the areas and CRs of the report (one per eight and sixteen
rows). Measured on SQLite: the seed 889 queries first (2,031 when every record was written
one by one, about 55 queries an action row), 126 again; 5.0 queries for each action row
more (with its share of decisions, discussion, areas and CRs), 2.8 again.
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
    # 2,300 when each record was written through its service one by one.
    with django_assert_max_num_queries(1000):
        headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    with django_assert_max_num_queries(130):
        again = headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    assert again.count_create == again.count_update == 0


def test_each_row_more_costs_a_few_queries_first_and_again(db):
    small, large = large_report_text(96, number=30), large_report_text(384, number=31)

    def imported(text: str) -> Callable[[], Any]:
        return lambda: headline_report_import(text=text, acting_user=SYSTEM)

    first = (queries_of(imported(small)), queries_of(imported(large)))
    again = (queries_of(imported(small)), queries_of(imported(large)))
    assert Action.objects.filter(meeting__ref="DAG031").count() == 384
    more_rows = 384 - 96
    assert first[1] - first[0] <= 6 * more_rows, first  # 5.0 a row measured
    assert again[1] - again[0] <= 3.5 * more_rows, again  # 2.8 a row measured
    assert first[1] <= 8 * 384, first  # about 55 a row when written one by one
