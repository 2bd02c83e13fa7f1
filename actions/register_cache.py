"""What the action register keeps in the cache, and when it is thrown away.

Two reads of the register grow with the number of actions however they are written: the
filters' owner choices (which organisations, roles and people own an action the reader
may see) and the unfiltered total ("300,000 actions"). Both change only when actions are
created or deleted, owners change, or what decides visibility or a name changes; not when
an action is updated, closed or reopened, the writes people make all day. So both are
computed once and cached (Django's cache: Redis in production, so every process shares
them) under a **version** that any such write replaces (:func:`register_cache_bump`,
connected to ``post_save``/``post_delete`` of those models in ``ActionsConfig.ready``).
Nothing is ever served from an older version; the time limit is a backstop for writes
that send no signal (``bulk_create``, ``QuerySet.update``, raw SQL: the bench data
generator bumps the version itself).

Why a cached count and not an estimate: an estimate (PostgreSQL's ``reltuples``) knows the
table, not what one reader may see, and would make the figure differ between SQLite and
PostgreSQL. Only the unfiltered total is cached, per reader class: everyone who sees every
meeting shares one figure, anyone else (whose own actions count too, ``core.visibility``)
has their own. A count with a filter is run each time, since closing an action changes it
and closing is not a write that replaces the version; it stops at :data:`COUNT_CAP` rows
("more than 3,000"), so a broad filter costs what a narrow one does.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet

from core.visibility import sees_all_meetings

VERSION_KEY = "actions:register:version"
# A backstop only (see the module's docstring): writes replace the version at once.
TIMEOUT = 15 * 60


def register_cache_bump() -> None:
    """Replace the register cache's version: nothing cached before is read again. Now (for
    the rest of this transaction) and again when it commits (a reader that recomputed
    from the data before the commit cached it under the version the commit replaces)."""
    cache.set(VERSION_KEY, time.time_ns(), None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, time.time_ns(), None))


def _version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def register_cached(part: str, key: Iterable[Any], compute: Callable[[], Any]) -> Any:
    """``compute()``, cached under the current version for ``part`` and ``key`` (any
    values; hashed)."""
    digest = hashlib.sha256(repr(tuple(key)).encode()).hexdigest()[:32]
    name = f"actions:register:{part}:{_version()}:{digest}"
    value = cache.get(name)
    if value is None:
        value = compute()
        cache.set(name, value, TIMEOUT)
    return value


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
    reader = "all" if sees_all_meetings(user) else f"u{user.pk}"
    return register_cached("count", [reader], queryset.count), False


def on_write(*, instance: Any = None, created: bool = True, **_: Any) -> None:
    """``post_save``/``post_delete`` receiver: an action's own updates (``created`` False)
    change neither the choices nor the total; anything else bumps the version."""
    from .models import Action  # a receiver module the models' app imports at ready()

    if isinstance(instance, Action) and not created:
        return
    register_cache_bump()
