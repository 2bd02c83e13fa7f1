"""What the action register keeps in the cache (``core.list_cache``: one version that any
write which could change a cached figure replaces).

Two reads of the register grow with the number of actions however they are written: the
filters' owner choices (which organisations, roles and people own an action the reader
may see) and the unfiltered total ("300,000 actions"). Both change only when actions are
created or deleted, owners change, or what decides visibility or a name changes; not when
an action is updated, closed or reopened. So both are cached (:func:`register_cached`).

Why a cached count and not an estimate: an estimate (PostgreSQL's ``reltuples``) knows the
table, not what one reader may see, and would make the figure differ between SQLite and
PostgreSQL. Only the unfiltered total is cached, per reader class: everyone who sees every
meeting shares one figure, anyone else (whose own actions count too, ``core.visibility``)
has their own. A count with a filter is run each time, since closing an action changes it
and closing is not a write that replaces the version; it stops at :data:`COUNT_CAP` rows
("more than 3,000"), so a broad filter costs what a narrow one does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet

from core.list_cache import list_cached, list_reader_class


def register_cached(part: str, key: Iterable[Any], compute: Callable[[], Any]) -> Any:
    """``compute()``, cached for the register's ``part`` and ``key`` (``core.list_cache``)."""
    return list_cached(f"actions:{part}", key, compute)


# A filter's count reads at most this many rows and one more: past it the register says
# "more than 3,000" (as many as one register PDF lists; a reader past it narrows the filter).
COUNT_CAP = 3000


def register_count(*, user: Any, filtered: bool, queryset: QuerySet) -> tuple[int, bool]:
    """How many actions the register lists, and whether there are more than that: with a
    filter (``filtered``), counted each time up to :data:`COUNT_CAP` (a bounded read
    however many actions there are; ``(COUNT_CAP, True)`` past it); without, the total,
    cached per reader class."""
    if filtered:
        count = queryset.order_by()[: COUNT_CAP + 1].count()
        return min(count, COUNT_CAP), count > COUNT_CAP
    return register_cached("count", [list_reader_class(user)], queryset.count), False
