"""SQL the ORM does not write for both databases: each function's SQLite and
PostgreSQL forms side by side."""

from django.db.models import DecimalField, F, Func, TextField
from django.db.models.functions import Cast


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
