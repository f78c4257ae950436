"""SQL the ORM does not write for both databases: each function's SQLite and
PostgreSQL forms side by side, or one statement both run."""

from django.db import connection
from django.db.models import DecimalField, F, Func, TextField
from django.db.models.functions import Cast

from scoring.models import Result


class _JsonObjectText(Func):
    """The text at ``key`` of a JSON object column. Django's key lookups read a
    key of digits ("1", a field code) as an array index."""

    output_field = TextField()

    def __init__(self, column: str, key: str):
        self.key = key
        super().__init__(F(column))

    def as_sql(self, compiler, connection, **extra_context):  # SQLite: a JSON path with the key quoted
        sql, params = compiler.compile(self.source_expressions[0])
        return f"JSON_EXTRACT({sql}, %s)", [*params, '$."{}"'.format(self.key.replace('"', ""))]

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} ->> %s)", [*params, self.key]


def field_points(code: str) -> Cast:
    """A result's points on the field ``code`` (its ``field_points`` JSON), as a
    number the database can sum and sort."""
    return Cast(_JsonObjectText("field_points", code), DecimalField(max_digits=12, decimal_places=2))


def _result_table() -> tuple[str, str]:
    """The quoted name of the results' table and of its ``index`` column (a reserved word)."""
    quote = connection.ops.quote_name
    return quote(Result._meta.db_table), quote("index")


def ranks_refresh(framework_id: int) -> list[int]:
    """Rank a framework's results by index in the database, as
    ``engine.competition_ranks`` does (1, 2, 2, 4; tied when another result has
    the same index), and set the rank's change since the previous result. Only
    the rows whose rank or tie differs are written, in one UPDATE over a window
    query; results without an index are left alone (their caller clears their
    rank). Returns the ids of the rows written. The same statement on both
    databases (SQLite has UPDATE … FROM since 3.33 and RETURNING since 3.35)."""
    table, index = _result_table()
    # Names come from the model, quoted; the framework is a parameter.
    sql = f"""
        UPDATE {table} SET rank = ranked.new_rank, tied = ranked.same > 1,
            delta_rank = (SELECT earlier.rank FROM {table} AS earlier WHERE earlier.id = {table}.previous_id)
                - ranked.new_rank
        FROM (
            SELECT id, RANK() OVER (ORDER BY {index} DESC) AS new_rank, COUNT(*) OVER (PARTITION BY {index}) AS same
            FROM {table} WHERE framework_id = %s AND {index} IS NOT NULL
        ) AS ranked
        WHERE {table}.id = ranked.id
            AND (COALESCE({table}.rank, 0) <> ranked.new_rank OR {table}.tied <> (ranked.same > 1))
        RETURNING {table}.id
    """  # nosec B608 # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [framework_id])
        return [row[0] for row in cursor.fetchall()]


def rank_deltas_refresh(framework_id: int, previous_framework_id: int) -> int:
    """Set the rank's change of a framework's results whose previous result is
    in ``previous_framework_id``, where it differs from what is stored (after
    that framework's ranks moved). Returns the number of rows written."""
    table, _index = _result_table()
    earlier_rank = f"(SELECT earlier.rank FROM {table} AS earlier WHERE earlier.id = {table}.previous_id)"  # nosec B608 # noqa: S608
    # No rank change is this far from 0 (a rank is at most RANK_MAX), so it stands for none.
    sql = f"""
        UPDATE {table} SET delta_rank = {earlier_rank} - rank
        WHERE framework_id = %s AND previous_id IN (SELECT id FROM {table} WHERE framework_id = %s)
            AND COALESCE(delta_rank, -1000000) <> COALESCE({earlier_rank} - rank, -1000000)
    """  # nosec B608 # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [framework_id, previous_framework_id])
        return cursor.rowcount
