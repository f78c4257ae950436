"""Middleware of the portal's own.

- A request body larger than any form or upload of the portal is refused before
  anything reads it: without this, Django would write a multi-gigabyte upload to a
  temporary file (the CSRF check reads the form first) before a view could refuse it.
  A reverse proxy should refuse it earlier still (nginx: client_max_body_size).
- A NUL character in the path or the query string is a bad request: no code, name or
  search of the portal holds one, and PostgreSQL refuses it in a query (a 500 otherwise).
- While the database cannot be reached (a restart, a failover), a view's connection
  error is a 503 with Retry-After, not a 500: the portal recovers by itself
  (CONN_HEALTH_CHECKS opens a new connection for the next request).
"""

import logging
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.formats import number_format

logger = logging.getLogger(__name__)
# Seconds a client is asked to wait while the database is unavailable.
RETRY_AFTER = 5


def request_body_limit() -> int:
    """The largest body accepted: the largest import file, and room for the form around it."""
    return settings.IMPORT_MAX_BYTES + 2**20


class RequestLimitsMiddleware:
    """Answers 413 to a request whose Content-Length is over ``request_body_limit`` (Django
    reads no body without a Content-Length, so a chunked one is not read at all), and 400 to
    one with a NUL in its path or query string."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = request_body_limit()
        if length > limit:
            context = {"limit_mb": number_format(limit / 2**20, 0)}
            return render(request, "request_too_large.html", context, status=413)
        if "\x00" in request.path or b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
            return HttpResponse(render_to_string("400.html"), status=400)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Answers 503 (Retry-After) when a view fails because the database cannot be reached
    or cancelled a statement that ran past the web's limit (cchc_portal/wsgi.py). Other
    database errors, bugs among them, stay 500s."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, InterfaceError | OperationalError) or not _is_connection_error(exception):
            return None
        logger.warning("database unavailable: %s %s: %s", request.method, request.path, exception)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response


_BUSY_CODES = {"57P01", "57P02", "57P03", "57014"}


def _is_connection_error(exception) -> bool:
    """A lost, refused or busy connection, as opposed to an error of the query itself:
    psycopg2's errors without a server code (connection refused, server closed the
    connection) or of class 08 (connection), 57P01-57P03 (shutting down, starting) and
    57014 (a statement cancelled at the web's statement_timeout); SQLite's "database is
    locked"."""
    if isinstance(exception, InterfaceError):  # the connection was already closed
        return True
    cause = exception.__cause__ or exception
    if hasattr(cause, "pgcode"):
        return cause.pgcode is None or cause.pgcode.startswith("08") or cause.pgcode in _BUSY_CODES
    return "database is locked" in str(cause)


def web_database_options(settings_dict: dict, seconds: int) -> None:
    """Add the web's limits to a PostgreSQL connection's settings, before it connects
    (libpq's ``options``: set once for the session, at no cost per request). Its
    statements end after ``seconds`` (0: never), so a request that would hold a
    backend longer is cancelled and answered 503 rather than outliving its worker;
    and they are never JIT-compiled, since no cancel interrupts a compile. Only the
    web's connections get them (``cchc_portal/wsgi.py``): commands and the background
    worker may run a national import longer."""
    if seconds and settings_dict["ENGINE"] == "django.db.backends.postgresql":
        options = settings_dict.setdefault("OPTIONS", {})
        limits = f"-c statement_timeout={seconds * 1000} -c jit=off"
        options["options"] = f"{options.get('options', '')} {limits}".strip()
