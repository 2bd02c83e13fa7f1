"""Database session settings of the API's hot reads: prepared statements on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection


@contextmanager
def prepared_statements() -> Iterator[None]:
    """On PostgreSQL, prepare the queries run inside (bound server-side, plan kept).

    Planning the action list's page query (five joins and the owners subquery) costs
    PostgreSQL more than running it; a prepared statement is planned once per connection
    and then reused, so under load (``CONN_MAX_AGE``: workers keep their connection) the
    database spends much less CPU per request (BENCHMARKS.md). Only the hot,
    fixed-shape reads of the API opt in, instead of switching every query of the app to
    server-side binding (``OPTIONS["server_side_binding"]``), which changes how some
    queries are typed. psycopg prepares a statement from its second run and keeps up to
    100 per connection. The setting ``API_PREPARED_STATEMENTS=False`` turns it off (a
    connection pooler in transaction mode, such as PgBouncer's, cannot keep them).
    Nor does it prepare while queries are logged (``DEBUG``, a test capturing them): psycopg
    keeps no SQL text for a prepared run, so the log would show none. Elsewhere (SQLite) it
    does nothing.
    """
    if (
        connection.vendor != "postgresql"
        or connection.queries_logged
        or not settings.API_PREPARED_STATEMENTS
    ):
        yield
        return
    # Imported here: the PostgreSQL backend needs psycopg, which a SQLite install may lack.
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = connection.connection
    factory, threshold = raw.cursor_factory, raw.prepare_threshold
    raw.cursor_factory, raw.prepare_threshold = ServerBindingCursor, 1
    try:
        yield
    finally:
        raw.cursor_factory, raw.prepare_threshold = factory, threshold
