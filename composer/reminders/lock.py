"""One reminder scanner at a time.

On PostgreSQL a session advisory lock, elsewhere a Redis lock when ``REDIS_URL`` is set; a run
that finds the lock taken does nothing. (On SQLite without Redis, development only, the unique
key of the reminder log alone keeps sends exactly once.) The lock keeps two runs from reading
and composing the same candidates at once; exactly once is the claims' job, not the lock's.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

LOCK_NAME = "actions.reminders_send"
# A stable 63-bit key for pg_try_advisory_lock, derived from the lock's name.
PG_LOCK_KEY = zlib.crc32(LOCK_NAME.encode()) | (0x5DA6 << 32)


@contextmanager
def scanner_lock() -> Iterator[bool]:
    """Hold the one-scanner lock while the block runs; yields False when another run has it."""
    if connection.vendor == "postgresql":
        with _advisory_lock() as acquired:
            yield acquired
    elif settings.REDIS_URL:
        with _redis_lock() as acquired:
            yield acquired
    else:
        yield True


@contextmanager
def _advisory_lock() -> Iterator[bool]:
    """A PostgreSQL session advisory lock (released by the session's end if not before)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [PG_LOCK_KEY])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [PG_LOCK_KEY])


@contextmanager
def _redis_lock() -> Iterator[bool]:
    """A Redis lock that expires after the task's hard time limit (a killed worker's lock
    does not keep every later run out)."""
    lock = redis.Redis.from_url(settings.REDIS_URL).lock(
        f"dag:{LOCK_NAME}", timeout=settings.CELERY_TASK_TIME_LIMIT + 60, blocking=False
    )
    acquired = lock.acquire()
    try:
        yield acquired
    finally:
        if acquired:
            try:
                lock.release()
            except redis.exceptions.LockError:
                logger.warning("Reminder lock expired before the run finished")
