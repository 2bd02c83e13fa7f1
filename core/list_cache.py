"""Figures of the records' lists kept in the cache, and when they are thrown away.

Some reads of a list grow with the records however they are written: the action
register's filter choices and total, the decision register's count per committee. They
change only when a record is created or deleted, or when what decides visibility or a
name changes (a meeting, a seat, a participation, a person, an organisation); not when a
record is updated, the writes people make all day. So they are computed once and cached
(Django's cache: Redis in production, so every process shares them) under one
**version** that any such write replaces (:func:`list_cache_bump`). Nothing is ever
served from an older version; the time limit is a backstop for writes that send no
signal (``bulk_create``, ``QuerySet.update``, raw SQL: the bench data generator bumps the
version itself).

Each app connects its own models (``ready()``): the meetings app its committees,
meetings, seats, participations, people and organisations (:func:`on_any_write`); the
actions and decisions apps their records, created or deleted (:func:`on_created_or_deleted`)
and the actions app its owners.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction

from core.visibility import sees_all_meetings

VERSION_KEY = "records:lists:version"
# A backstop only (see the module's docstring): writes replace the version at once.
TIMEOUT = 15 * 60


def list_cache_bump() -> None:
    """Replace the version: nothing cached before is read again. Now (for the rest of this
    transaction) and again when it commits (a reader that recomputed from the data before
    the commit cached it under the version the commit replaces)."""
    cache.set(VERSION_KEY, time.time_ns(), None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, time.time_ns(), None))


def _version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def list_cached(part: str, key: Iterable[Any], compute: Callable[[], Any]) -> Any:
    """``compute()``, cached under the current version for ``part`` (e.g.
    ``actions:choices``) and ``key`` (any values; hashed)."""
    digest = hashlib.sha256(repr(tuple(key)).encode()).hexdigest()[:32]
    name = f"records:lists:{part}:{_version()}:{digest}"
    value = cache.get(name)
    if value is None:
        value = compute()
        cache.set(name, value, TIMEOUT)
    return value


def list_reader_class(user: Any) -> str:
    """The key of what ``user`` sees in a list's cached figures: everyone who sees every
    meeting shares one (``all``); anyone else, whose own seats and owned records count too
    (``core.visibility``), has their own."""
    return "all" if sees_all_meetings(user) else f"u{user.pk}"


def on_any_write(**_: Any) -> None:
    """``post_save``/``post_delete`` receiver: any write bumps the version."""
    list_cache_bump()


def on_created_or_deleted(*, created: bool = True, **_: Any) -> None:
    """``post_save``/``post_delete`` receiver for a record whose updates change no cached
    figure (an action's or decision's committee and meeting are fixed at creation): a
    creation or deletion bumps the version, an update does not."""
    if created:
        list_cache_bump()
