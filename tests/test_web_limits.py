"""The web's limits on PostgreSQL (cchc_portal/wsgi.py): a statement past the timeout is
cancelled and answered 503, and nothing is JIT-compiled."""

import copy

import pytest
from django.db import OperationalError, connection, connections

from cchc_portal.middleware import _is_connection_error, web_database_options

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement_timeout and jit are PostgreSQL's"
)


@needs_postgresql
@pytest.mark.django_db
def test_a_web_connection_cancels_a_statement_past_the_limit_and_never_compiles():
    settings_dict = copy.deepcopy(connection.settings_dict)
    web_database_options(settings_dict, 1)
    web = connections["default"].__class__(settings_dict)  # a connection of its own, as a worker opens
    try:
        with web.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone() == ("1s",)
            cursor.execute("SHOW jit")
            assert cursor.fetchone() == ("off",)
            with pytest.raises(OperationalError) as error:
                cursor.execute("SELECT pg_sleep(30)")
        assert error.value.__cause__.pgcode == "57014"  # query_canceled, after one second
        assert _is_connection_error(error.value)  # so the middleware answers 503, not 500
    finally:
        web.close()


def test_only_postgresql_connections_get_the_limits_and_zero_means_none():
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    web_database_options(sqlite, 20)
    assert "OPTIONS" not in sqlite
    postgresql = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"options": "-c search_path=cchc"}}
    web_database_options(postgresql, 0)
    assert postgresql["OPTIONS"] == {"options": "-c search_path=cchc"}
    web_database_options(postgresql, 20)
    assert postgresql["OPTIONS"] == {"options": "-c search_path=cchc -c statement_timeout=20000 -c jit=off"}
