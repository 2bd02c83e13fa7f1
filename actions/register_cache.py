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
PostgreSQL. A count with a filter is exact and run each time (the filter narrows it, and
the reader asked a question of it); only the unfiltered total is cached, per reader class:
everyone who sees every meeting shares one figure, anyone else (whose own actions count
too, ``core.visibility``) has their own.
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


def register_count(*, user: Any, filtered: bool, queryset: QuerySet) -> int:
    """How many actions the register lists: ``queryset.count()``, run each time when a
    filter narrows it (``filtered``), cached per reader class otherwise."""
    if filtered:
        return queryset.count()
    reader = "all" if sees_all_meetings(user) else f"u{user.pk}"
    return register_cached("count", [reader], queryset.count)


def on_write(*, instance: Any = None, created: bool = True, **_: Any) -> None:
    """``post_save``/``post_delete`` receiver: an action's own updates (``created`` False)
    change neither the choices nor the total; anything else bumps the version."""
    from .models import Action  # a receiver module the models' app imports at ready()

    if isinstance(instance, Action) and not created:
        return
    register_cache_bump()
