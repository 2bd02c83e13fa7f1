"""Cheap commits for a run's log writes, still safe against a killed process.

A run commits once per email (:mod:`.claims`: its begin, which records the one before), each
on its own, so a process killed part-way leaves only the emails in flight in doubt. By
default each of those commits waits for the disk (an fsync), a few milliseconds apiece,
thousands per run. What the crash rule needs is that a commit the run has seen return
survives the *run's* death (a SIGKILL, the worker's hard time limit, an out-of-memory kill):
the next run must find the rows the dead one wrote. It does not need each commit on the
platter before the next email begins. So while the run writes the log
(:func:`quick_commits`):

- **PostgreSQL**: ``SET synchronous_commit TO OFF`` for the run's session, ``RESET`` after.
  A commit returns once it is in the server's WAL buffers, which the server flushes within
  a fraction of a second (three ``wal_writer_delay``). A killed *client* loses nothing: the
  commit belongs to the server. Only a crash of the database server or its machine in
  that fraction of a second may lose the last records (never a torn database).
- **SQLite** (the project's connections are in WAL mode, ``dag.settings.base``):
  ``PRAGMA synchronous = NORMAL`` for the run's connection, the previous level restored
  after. A commit is written to the WAL file (in the OS's page cache) before it returns,
  and the WAL is synced at checkpoints, so a killed process loses nothing; only a power
  cut or an OS crash may roll back the last commits, and WAL keeps the file consistent
  even then. Outside WAL (a database someone switched back to a rollback journal) the
  level is left alone, since NORMAL there risks a corrupt file on a power cut.

What a lost tail would cost, after a power cut or server crash in that fraction of a
second: a ``sent`` record lost leaves its rows ``sending`` (in doubt, not resent, shown in
the log), a ``sending`` record lost leaves them ``claimed`` (released and sent again by the
next run: the one case an email could go twice). The crash test
(``tests/hardening/test_reminder_crash.py``) kills the run's process, which these settings
do not weaken.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

logger = logging.getLogger(__name__)


@contextmanager
def quick_commits() -> Iterator[None]:
    """Commits that do not wait for the disk on the default connection while the block runs
    (two or three queries: set, restore, and on SQLite reading the mode first; none inside
    a transaction)."""
    restore = _relax()
    try:
        yield
    finally:
        if restore:
            try:
                with connection.cursor() as cursor:
                    cursor.execute(restore)
            except Exception:
                # A broken connection is closed by its owner; the setting dies with it.
                logger.warning("Restoring commit durability failed", exc_info=True)


def _relax() -> str:
    """Relax the connection's commits; the statement that restores them ('' for none).

    Inside a transaction (a caller's ``atomic``; a test's) the run's writes commit with it,
    not one by one, so there is nothing to relax (and SQLite refuses to change the level)."""
    if connection.in_atomic_block:
        return ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit TO OFF")
            return "RESET synchronous_commit"
        if connection.vendor == "sqlite":
            cursor.execute("SELECT * FROM pragma_journal_mode(), pragma_synchronous()")
            mode, level = cursor.fetchone()
            if str(mode).lower() != "wal" or int(level) <= 1:
                return ""
            cursor.execute("PRAGMA synchronous = NORMAL")
            return f"PRAGMA synchronous = {int(level)}"
    return ""
