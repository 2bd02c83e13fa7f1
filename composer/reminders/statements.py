"""The run's own statements on the reminder log and the actions, written by hand.

Each email costs two statements (:mod:`.claims`: its actions' statuses; its begin, which
records the emails before it), or on PostgreSQL one doing both (:func:`begin_if_owed`):
thousands a run at 300,000 actions. Building one through the ORM took about 0.5 ms of
CPU, several times what the database spends running it, so they are written here, naming
their rows by primary key.

On PostgreSQL a list of primary keys is one array parameter (``pk = ANY(%s::bigint[])``),
so each statement has one text whatever the number of rows, and runs prepared
(``core.api.db.prepared_statements``; not with ``API_PREPARED_STATEMENTS=False``, nor while
queries are logged): PostgreSQL parses and plans it once per connection instead of once per
email, and psycopg binds the parameters without writing them into the text. Elsewhere
(SQLite) the list is spelled out, ``pk IN (%s, %s, ...)``. The one place that chooses is
:func:`_pk_in`. The claims themselves go in one ``INSERT ... SELECT FROM unnest(...)`` on
PostgreSQL, an array per column (:func:`insert_claims`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from actions.models import Action, ReminderLog
from composer.reminders.rules import ReminderKey, Status
from core.api.db import prepared_statements


def _pk_in(column: str, ids: Sequence[int], field: Any) -> tuple[str, list[Any]]:
    """``column`` is one of ``ids``: the condition and its parameters. One array parameter
    on PostgreSQL (the statement's text does not change with the count), else a list."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::{field.cast_db_type(connection)}[])", [_ints(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


# PostgreSQL arrays of the per-email statements are passed as the array's text, cast in the
# SQL (``%s::bigint[]``): psycopg writes a Python list element by element in Python, which
# cost more than the rest of binding a statement.


def _ints(values: Iterable[int]) -> str:
    """``{1,2,3}``: an array of integers as PostgreSQL reads it."""
    return "{" + ",".join(str(int(value)) for value in values) + "}"


def _flags(values: Iterable[bool]) -> str:
    """``{t,f}``: an array of booleans."""
    return "{" + ",".join("t" if value else "f" for value in values) + "}"


def _texts(values: Iterable[str]) -> str:
    """``{"a","b"}``: an array of texts, each quoted (backslashes and quotes escaped)."""
    quoted = (str(v).replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return "{" + ",".join(f'"{v}"' for v in quoted) + "}"


def _run(sql: str, params: list[Any], *, fetch: bool = False) -> Any:
    """Run ``sql``, prepared on PostgreSQL: its rows with ``fetch``, else the rows it changed."""
    with prepared_statements(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if fetch else cursor.rowcount


def action_statuses(action_ids: list[int]) -> dict[int, str]:
    """Action id -> status, for ``action_ids`` (one SELECT by primary key)."""
    if not action_ids:
        return {}
    meta = Action._meta
    quote = connection.ops.quote_name
    match, params = _pk_in(quote(meta.pk.column), action_ids, meta.pk)
    sql = (
        f"SELECT {quote(meta.pk.column)}, {quote(meta.get_field('status').column)} "  # noqa: S608
        f"FROM {quote(meta.db_table)} WHERE {match}"
    )
    return dict(_run(sql, params, fetch=True))


def move_rows(
    row_ids: list[int],
    *,
    run_id: uuid.UUID,
    status: str,
    values: dict[str, Any],
    attempt: bool = False,
) -> int:
    """Set ``values`` (field name -> value; with ``attempt``, one more attempt) on the log
    rows ``row_ids`` that are still this run's and ``status``; the rows updated. One UPDATE,
    naming its rows by primary key, the run and status checked in a CASE (so that
    PostgreSQL plans on the primary key, ``claims._still_ours``)."""
    if not row_ids:
        return 0
    meta = ReminderLog._meta
    quote = connection.ops.quote_name
    sets, params = [], []
    for name, value in values.items():
        field = meta.get_field(name)
        sets.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    if attempt:
        attempts = quote(meta.get_field("attempts").column)
        sets.append(f"{attempts} = {attempts} + 1")
    run_field = meta.get_field("run_id")
    match, ids = _pk_in(quote(meta.pk.column), row_ids, meta.pk)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} "  # noqa: S608 (names from the model)
        f"WHERE {match} "
        f"AND CASE WHEN {quote(run_field.column)} = %s "
        f"AND {quote(meta.get_field('status').column)} = %s THEN 1 ELSE 0 END = 1"
    )
    params += [*ids, run_field.get_db_prep_value(run_id, connection), str(status)]
    return _run(sql, params)


def _begin_and_record_sets() -> str:
    """The SET of :func:`begin_recording` and :func:`begin_if_owed`: a ``sending`` row
    becomes ``sent`` (``sent_at`` now), a ``claimed`` row ``sending`` (``attempt_at`` now,
    one more attempt), each SET reading the row's old status. Its parameters:
    :func:`_begin_and_record_params`."""
    meta = ReminderLog._meta
    quote = connection.ops.quote_name
    status = quote(meta.get_field("status").column)
    sent_at, attempt_at = (quote(meta.get_field(f).column) for f in ("sent_at", "attempt_at"))
    attempts = quote(meta.get_field("attempts").column)
    return (
        f"{status} = CASE WHEN {status} = %s THEN %s ELSE %s END, "
        f"{sent_at} = CASE WHEN {status} = %s THEN %s ELSE {sent_at} END, "
        f"{attempt_at} = CASE WHEN {status} = %s THEN %s ELSE {attempt_at} END, "
        f"{attempts} = CASE WHEN {status} = %s THEN {attempts} + 1 ELSE {attempts} END"
    )


def _begin_and_record_params(now: Any) -> list[Any]:
    """The parameters of :func:`_begin_and_record_sets`, in order (``now``: the database's
    form of the time the rows move)."""
    sending, sent, claimed = str(Status.SENDING), str(Status.SENT), str(Status.CLAIMED)
    return [sending, sent, sending, sending, now, claimed, now, claimed]


def begin_recording(begin_ids: list[int], sent_ids: list[int], *, run_id: uuid.UUID) -> int:
    """One UPDATE: rows ``sent_ids`` ``sending`` → ``sent`` (``sent_at`` now) and rows
    ``begin_ids`` ``claimed`` → ``sending`` (``attempt_at`` now, one more attempt), each only
    while still this run's and in that status; the rows begun (read back by RETURNING).

    Each SET reads the row as it was, so its old status tells which move it makes; the WHERE
    names the rows by primary key with the other checks in a CASE, as :func:`move_rows` does."""
    meta = ReminderLog._meta
    quote = connection.ops.quote_name
    status, pk = quote(meta.get_field("status").column), quote(meta.pk.column)
    run_field = meta.get_field("run_id")
    now = meta.get_field("sent_at").get_db_prep_save(timezone.now(), connection)
    either_in, either_ids = _pk_in(pk, [*sent_ids, *begin_ids], meta.pk)
    sent_in, sent_params = _pk_in(pk, sent_ids, meta.pk)
    begin_in, begin_params = _pk_in(pk, begin_ids, meta.pk)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608 (names from the model)
        f"{_begin_and_record_sets()} "
        f"WHERE {either_in} "
        f"AND CASE WHEN {quote(run_field.column)} = %s "
        f"AND (({sent_in} AND {status} = %s) OR ({begin_in} AND {status} = %s)) "
        f"THEN 1 ELSE 0 END = 1 RETURNING {status}"
    )
    sending, claimed = str(Status.SENDING), str(Status.CLAIMED)
    params = [
        *_begin_and_record_params(now),
        *either_ids,
        run_field.get_db_prep_value(run_id, connection),
        *sent_params,
        sending,
        *begin_params,
        claimed,
    ]
    return sum(1 for (new,) in _run(sql, params, fetch=True) if new == sending)


def insert_claims(keys: list[ReminderKey], *, run_id: uuid.UUID) -> None:
    """Insert ``keys`` as ``claimed`` by ``run_id`` (attempts 0), leaving keys that exist.

    What ``bulk_create(..., ignore_conflicts=True)`` writes, as one statement on PostgreSQL:
    ``INSERT ... SELECT ... FROM unnest(...) ON CONFLICT DO NOTHING``, the keys' columns as
    one array each and the rest the same for every row (compiling 12,669 rows through the
    ORM cost more than inserting them). Elsewhere, the ORM's ``bulk_create``."""
    if connection.vendor != "postgresql":
        ReminderLog.objects.bulk_create(
            [
                ReminderLog(**key._asdict(), status=Status.CLAIMED, run_id=run_id, attempts=0)
                for key in keys
            ],
            ignore_conflicts=True,
        )
        return
    if not keys:
        return
    meta = ReminderLog._meta
    quote = connection.ops.quote_name
    # The row every key shares, as the ORM would save it (created_at now, the defaults).
    shared = ReminderLog(status=Status.CLAIMED, run_id=run_id, attempts=0)
    key_fields = {meta.get_field(name).attname: i for i, name in enumerate(ReminderKey._fields)}
    columns, selected, arrays, constants = [], [], [], []
    for field in meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(quote(field.column))
        cast = field.cast_db_type(connection)
        if field.attname in key_fields:
            # The keys' own values (ints, text, dates) are what the driver sends as they are.
            index = key_fields[field.attname]
            arrays.append((f"%s::{cast}[]", [key[index] for key in keys]))
            selected.append(f"k{len(arrays)}")
        else:
            value = field.pre_save(shared, add=True)
            constants.append(field.get_db_prep_save(value, connection))
            selected.append(f"%s::{cast}")
    names = ", ".join(f"k{i + 1}" for i in range(len(arrays)))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 (the model's)
        f"SELECT {', '.join(selected)} "
        f"FROM unnest({', '.join(cast for cast, _ in arrays)}) AS keys ({names}) "
        "ON CONFLICT DO NOTHING"
    )
    _run(sql, [*constants, *(values for _, values in arrays)])


def begins_with_statuses() -> bool:
    """Whether an email's statuses are read by its begin's own statement
    (:func:`begin_if_owed`): on PostgreSQL, which can update in a ``WITH``; elsewhere a
    SELECT of their own comes first (:func:`action_statuses`)."""
    return connection.vendor == "postgresql"


def begin_if_owed(
    *,
    action_ids: list[int],
    checks: list[tuple[int, int, bool]],
    begin_ids: list[int],
    sent_ids: list[int],
    run_id: uuid.UUID,
    open_statuses: Sequence[str],
    chased_statuses: Sequence[str],
) -> tuple[dict[int, str], int]:
    """PostgreSQL: one statement that reads the statuses of ``action_ids`` and, as of that
    same read, begins the rows of ``begin_ids`` still owed and records ``sent_ids`` sent,
    as :func:`action_statuses` then :func:`begin_recording` would; the statuses and the
    rows begun.

    ``checks``: (log row, action, digest) for each action a row needs: a chased row its
    action in ``chased_statuses``, a digest any of its listed actions in
    ``open_statuses``. A row of ``begin_ids`` no check passes stays ``claimed`` (the caller
    releases it, having read the same statuses)."""
    meta, action_meta = ReminderLog._meta, Action._meta
    quote = connection.ops.quote_name
    status, pk = quote(meta.get_field("status").column), quote(meta.pk.column)
    run_field = meta.get_field("run_id")
    a_pk, a_status = quote(action_meta.pk.column), quote(action_meta.get_field("status").column)
    a_type = action_meta.pk.cast_db_type(connection)
    pk_type = meta.pk.cast_db_type(connection)
    now = meta.get_field("sent_at").get_db_prep_save(timezone.now(), connection)
    sql = (
        f"WITH statuses AS (SELECT {a_pk} AS id, {a_status} AS status "  # noqa: S608
        f"FROM {quote(action_meta.db_table)} WHERE {a_pk} = ANY(%s::{a_type}[])), "
        f"owed AS (SELECT checks.row_id FROM unnest(%s::{pk_type}[], %s::{a_type}[], "
        "%s::boolean[]) AS checks (row_id, action_id, digest) "
        "JOIN statuses ON statuses.id = checks.action_id WHERE statuses.status = "
        "ANY(CASE WHEN checks.digest THEN %s::text[] ELSE %s::text[] END)), "
        f"moved AS (UPDATE {quote(meta.db_table)} SET "
        f"{_begin_and_record_sets()} "
        f"WHERE {pk} = ANY(%s::{pk_type}[]) "
        f"AND CASE WHEN {quote(run_field.column)} = %s "
        f"AND (({pk} = ANY(%s::{pk_type}[]) AND {status} = %s) "
        f"OR ({pk} IN (SELECT row_id FROM owed) AND {status} = %s)) "
        f"THEN 1 ELSE 0 END = 1 RETURNING {status}) "
        f"SELECT id, status FROM statuses UNION ALL SELECT NULL, {status} FROM moved"
    )
    sending, claimed = str(Status.SENDING), str(Status.CLAIMED)
    params = [
        _ints(action_ids),
        _ints(row for row, _, _ in checks),
        _ints(action for _, action, _ in checks),
        _flags(digest for _, _, digest in checks),
        _texts(open_statuses),
        _texts(chased_statuses),
        *_begin_and_record_params(now),
        _ints([*sent_ids, *begin_ids]),
        run_field.get_db_prep_value(run_id, connection),
        _ints(sent_ids),
        sending,
        claimed,
    ]
    statuses: dict[int, str] = {}
    begun = 0
    for action_id, value in _run(sql, params, fetch=True):
        if action_id is not None:
            statuses[action_id] = value
        elif value == sending:
            begun += 1
    return statuses, begun
