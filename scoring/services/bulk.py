"""Writes of many rows without model instances: a national import stores
400,000 score cells and 10,000 results, and the ORM's ``bulk_create`` spends
~50 µs a row building and compiling them. The rows are tuples of database
values (JSON already serialised, datetimes adapted) in the order of the given
columns. Both functions run in the caller's transaction.

PostgreSQL (psycopg2): COPY, the bulk path its manual recommends; an upsert
copies into a temporary table and then runs one set-based INSERT … ON
CONFLICT. A large insert also swaps the per-row foreign-key checks for one
set-based check (``_foreign_keys_checked_once``). SQLite: the same statements
over rows sent as JSON (``_insert``).

Table and column names come from the models, quoted; values are always
parameters or COPY data."""

import csv
import gc
import io
import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model

# PostgreSQL checks a foreign key with a trigger call per inserted row (3.5 s for
# 400,000 score cells and their two keys), or, when the key is added back after a
# drop, with one anti-join over the whole table (0.13 s for 400,000 rows, about
# 26 times less a row). The swap is worth it for an insert of at least this many
# rows that is at least this share of the table afterwards (a margin below 1/26).
SET_BASED_CHECK_ROWS = 20_000
SET_BASED_CHECK_SHARE = 1 / 20


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector for a bulk job (a decorator or a
    ``with`` block). Building millions of tuples and dicts makes it scan every
    live object again and again: half the reading time of a national file.
    Reference counting still frees everything; the collector resumes after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def writing_alongside(write: Callable[[], None]):
    """Run ``write`` (database work, in this thread's connection and transaction)
    in another thread while the block computes without the database. The
    database does its part (PostgreSQL in its own process, SQLite in C) with
    Python's lock released, so most of the block's computing is hidden behind
    it. The block's end waits for ``write`` and raises its error, if any."""
    shared = connections[DEFAULT_DB_ALIAS]

    def run():
        connections[DEFAULT_DB_ALIAS] = shared  # ``connection`` is this one in the thread too
        try:
            write()
        finally:
            del connections[DEFAULT_DB_ALIAS]

    shared.inc_thread_sharing()
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            writing = pool.submit(run)
            try:
                yield
            finally:
                wait([writing])
            writing.result()
    finally:
        shared.dec_thread_sharing()


def rows_insert(model: type[Model], columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert ``rows`` into ``model``'s table."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(model._meta.db_table)
            with _foreign_keys_checked_once(cursor, model, len(rows)):
                _copy(cursor, model, table, columns, rows)
        else:
            _insert(cursor, model, columns, rows)


def rows_upsert(
    model: type[Model], columns: Sequence[str], rows: Sequence[tuple], *, conflict: Sequence[str], update: Sequence[str]
) -> None:
    """Insert ``rows`` into ``model``'s table; a row whose ``conflict`` columns
    (a unique constraint) match a stored row updates that row's ``update``
    columns instead."""
    if not rows:
        return
    quote = connection.ops.quote_name
    # Table and column names come from the models, quoted; the values are bound or copied.
    on_conflict = f"ON CONFLICT ({', '.join(map(quote, conflict))}) DO UPDATE SET " + ", ".join(  # nosec B608
        f"{quote(column)} = EXCLUDED.{quote(column)}" for column in update
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            table, names = quote(model._meta.db_table), ", ".join(map(quote, columns))
            stage = quote(f"stage_{model._meta.db_table}")
            # The stored table's column types, so COPY parses each value as the upsert will store it.
            cursor.execute(f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA")  # nosec B608 # noqa: S608
            _copy(cursor, model, stage, columns, rows)
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} {on_conflict}")  # nosec B608 # noqa: S608
            cursor.execute(f"DROP TABLE {stage}")
        else:
            _insert(cursor, model, columns, rows, on_conflict)


# SQLite reads this many rows from one JSON document (~3 MB).
JSON_BATCH = 50_000


def _insert(cursor, model: type[Model], columns: Sequence[str], rows: Sequence[tuple], suffix: str = "") -> None:
    """INSERT on the other backends. SQLite takes the rows as JSON documents that
    its json_each walks in C: a third of the time of binding each value from
    Python (``executemany``, the fallback elsewhere). A JSON string reads back
    as text, which the column's affinity stores as binding the same text
    would (a Decimal is bound as its text); true and false as 1 and 0."""
    quote = connection.ops.quote_name
    insert = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))})"
    if connection.vendor != "sqlite" or connection.Database.sqlite_version_info < (3, 38):  # no ->> before
        cursor.executemany(f"{insert} VALUES ({', '.join(['%s'] * len(columns))}) {suffix}", rows)
        return
    values = ", ".join(f"value ->> {position}" for position in range(len(columns)))
    # WHERE true: SQLite's parser needs it between a SELECT and ON CONFLICT.
    sql = f"{insert} SELECT {values} FROM json_each(%s) WHERE true {suffix}"  # nosec B608 # noqa: S608
    for start in range(0, len(rows), JSON_BATCH):
        cursor.execute(sql, [json.dumps(rows[start : start + JSON_BATCH], default=str)])


def _copy(cursor, model: type[Model], table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """COPY ``rows`` into ``table`` in CSV, which the csv module writes in C: an
    unquoted empty field is NULL, and the columns that cannot be NULL read it as
    the empty string instead."""
    required = {field.column for field in model._meta.concrete_fields if not field.null}
    quote = connection.ops.quote_name
    options = "FORMAT csv"
    if texts := [quote(column) for column in columns if column in required]:
        options += f", FORCE_NOT_NULL ({', '.join(texts)})"
    sql = f"COPY {table} ({', '.join(map(quote, columns))}) FROM STDIN WITH ({options})"
    cursor.cursor.copy_expert(sql, _CsvStream(rows))


class _CsvStream(io.TextIOBase):
    """The rows as CSV, written batch by batch as COPY reads them: PostgreSQL,
    in its own process, stores one batch while Python writes the next."""

    BATCH = 5000

    def __init__(self, rows: Sequence[tuple]):
        self.rows, self.start = rows, 0

    def read(self, size: int = -1) -> str:  # COPY takes batches of any length; "" ends it
        batch = self.rows[self.start : self.start + self.BATCH]
        self.start += self.BATCH
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(batch)
        return buffer.getvalue()


@contextmanager
def _foreign_keys_checked_once(cursor, model: type[Model], rows: int):
    """For a large insert, drop the table's foreign keys and add them back
    afterwards, as PostgreSQL's manual advises for bulk loading: adding a key
    checks every row with one anti-join instead of a trigger call per row
    (``SET_BASED_CHECK_ROWS``). The
    drop locks the table until the transaction ends, and a failure rolls the
    drop back with everything else."""
    table = connection.ops.quote_name(model._meta.db_table)
    if rows >= SET_BASED_CHECK_ROWS:  # the planner's estimate of the rows stored (-1: never counted)
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        stored = max(cursor.fetchone()[0], 0)
    if rows < SET_BASED_CHECK_ROWS or rows < SET_BASED_CHECK_SHARE * (stored + rows):
        yield
        return
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    keys = cursor.fetchall()
    # Checks the transaction deferred so far are run now: a table with pending
    # trigger events cannot be altered.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for name, _definition in keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    for name, definition in keys:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
