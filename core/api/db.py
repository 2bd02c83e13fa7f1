"""Database helpers of the API's hot reads: prepared statements on PostgreSQL, compiled
page queries kept per connection, answers kept while the database is unchanged."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet


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


# How many compiled page queries each database connection keeps (the least recently used
# goes first): one per reader and list shape in use.
COMPILED_PAGES_KEPT = 128


def compiled_values(
    key: Hashable, build: Callable[[], QuerySet], *, server_values_only: bool = False
) -> list[dict[str, Any]]:
    """The rows of the ``.values()`` queryset ``build()`` makes, as ``.values()`` gives them,
    its SQL built and compiled by the ORM once per connection and ``key``.

    Building and compiling the action list's page query cost more CPU than PostgreSQL
    spent running it (BENCHMARKS.md), on every request, though the query is the same for
    the same reader, filters and ordering: so the ORM's own compiled SQL, with its
    parameters, is kept and run again (``core.auth.user_row_query`` does the same for the
    request's user). Nothing is written by hand: the rule (``core.visibility``) stays in
    the queryset. The caller's ``key`` must name everything the query is built from (the
    reader's identity and seats, the request's parameters, the date): a key never
    names two different queries. The default database only.

    ``server_values_only``: the caller vouches that no value of the query came from the
    request (no filter was given: the values are the reader's seats and ids, the time
    zone, the due-date order's default). On PostgreSQL they are then written into the SQL
    as literals, quoted by psycopg as its client-side binding (Django's default) quotes
    every query: a statement without parameters, prepared once
    (:func:`prepared_statements`), is planned once per connection. With parameters,
    PostgreSQL planned a reader's page afresh on every run (a custom plan: its estimate of
    the generic one, blind to the values, came out dearer), and a forced generic plan
    lost the due-date order's index, whose default became a parameter.
    """
    kept: OrderedDict[Hashable, Any] = connection.__dict__.setdefault(
        "_dag_compiled_pages", OrderedDict()
    )
    entry = kept.get(key)
    if entry is None:
        queryset = build()
        query = queryset.query
        compiler = query.get_compiler(queryset.db)
        names = list(query.selected or ()) or [
            *query.extra_select,
            *query.values_select,
            *query.annotation_select,
        ]
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            sql, params = None, ()
        if sql is not None and server_values_only and connection.vendor == "postgresql":
            sql, params = connection.ops.compose_sql(sql, params), None
        entry = kept[key] = (compiler, sql, params if params is None else tuple(params), names)
        while len(kept) > COMPILED_PAGES_KEPT:
            kept.popitem(last=False)
    else:
        kept.move_to_end(key)
    compiler, sql, params, names = entry
    if sql is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    return [dict(zip(names, row, strict=True)) for row in compiler.results_iter(results=[fetched])]


def database_snapshot() -> str | None:
    """PostgreSQL's current snapshot as text (``xmin:xmax:in-progress ids``, after the
    database's server and name), or None where it cannot name the data a read sees: on
    another database, on a hot standby, or inside a transaction block (whose own
    uncommitted writes the snapshot does not show: a transaction's own id is not in its
    snapshot, so its second write leaves the text unchanged), whether opened by
    ``atomic``, with autocommit off, or by a ``BEGIN`` sent as SQL.

    In autocommit each statement reads the data of the snapshot it takes. Every
    transaction that writes is given an id; ``xmax`` is one past the latest id to have
    ended, and the in-progress ids listed are those below it. A transaction ending either
    raises ``xmax`` (its id was the highest yet) or leaves the list (it was below), so two
    equal snapshots were taken with no write committed or rolled back between them, in any
    table: a read run under the first sees what it would see under the second."""
    if (
        connection.vendor != "postgresql"
        or connection.in_atomic_block
        or not connection.get_autocommit()
    ):
        return None
    # A block Django does not know of (a ``BEGIN`` sent as SQL): the server says so.
    connection.ensure_connection()
    # Imported here, as above: a SQLite install may lack psycopg.
    from psycopg.pq import TransactionStatus

    if connection.connection.info.transaction_status != TransactionStatus.IDLE:
        return None
    # On a hot standby (a read replica) the snapshot's text lists no in-progress ids (the
    # standby keeps them apart): a commit replayed there can leave it unchanged. None there.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_snapshot()::text"
            " || ' ' || pg_postmaster_start_time()::text END"
        )
        (snapshot,) = cursor.fetchone()
    if snapshot is None:
        return None
    # Transaction ids count across the server's databases: the database is named too. They
    # count again from a backup restored, or on a replica promoted, at the same address, and
    # the answers kept outlive a connection: the server's start time is named too.
    where = connection.settings_dict
    return f"{where['HOST']}:{where['PORT']}/{where['NAME']}@{snapshot}"


# How many answers each connection keeps at most, whatever their rows (kept_while_unchanged).
KEPT_ANSWERS_MAX = 128
# Where a connection keeps them (an attribute of Django's connection object).
KEPT_ANSWERS_ATTR = "_dag_kept_answers"


def kept_while_unchanged(
    key: Hashable, compute: Callable[[], Any], *, rows: Callable[[Any], int] = lambda _: 1
) -> Any:
    """``compute()``, kept per connection for ``key`` and given again while the database
    has not changed (:func:`database_snapshot`); computed every time where no snapshot
    is read (SQLite, a transaction block) or ``API_KEPT_ANSWER_ROWS`` is 0.

    The caller's ``key`` must name everything ``compute`` reads that is not in the
    database: the reader, the request's parameters and origin, the date. Anything it
    reads from the database (rows, the reader's roles and seats, visibility) is covered by
    the snapshot: any committed write anywhere makes the next call compute again. The
    snapshot is read before ``compute`` runs, so an answer computed after a write that
    committed between the two is kept under a snapshot that cannot come back. What is
    kept is given as it is: the caller must not change it.

    ``rows(value)`` counts an answer's rows: the answers kept on a connection hold at most
    ``API_KEPT_ANSWER_ROWS`` rows together, and are at most :data:`KEPT_ANSWERS_MAX`
    (each key holds a query string: many empty answers would otherwise add up), the least
    recently used going first (an answer larger than that is not kept), so what a worker
    keeps stays small.
    """
    budget = settings.API_KEPT_ANSWER_ROWS
    snapshot = database_snapshot() if budget else None
    if snapshot is None:
        return compute()
    kept: OrderedDict[Hashable, tuple[str, int, Any]] = connection.__dict__.setdefault(
        KEPT_ANSWERS_ATTR, OrderedDict()
    )
    entry = kept.get(key)
    if entry is not None and entry[0] == snapshot:
        kept.move_to_end(key)
        return entry[2]
    value = compute()
    size = max(1, rows(value))
    kept.pop(key, None)
    if size <= budget:
        kept[key] = (snapshot, size, value)
        total = sum(kept_size for _, kept_size, _ in kept.values())
        while total > budget or len(kept) > KEPT_ANSWERS_MAX:
            _, (_, dropped, _) = kept.popitem(last=False)
            total -= dropped
    return value
