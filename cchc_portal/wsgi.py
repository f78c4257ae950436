"""WSGI entry point: ``gunicorn cchc_portal.wsgi`` (and ``runserver``, which loads it too).
Web requests' PostgreSQL connections get the web's limits (``web_database_options``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")

application = get_wsgi_application()


def _web_databases() -> None:
    from django.conf import settings
    from django.db import connections

    from cchc_portal.middleware import web_database_options

    for alias in connections:
        web_database_options(connections[alias].settings_dict, settings.WEB_STATEMENT_TIMEOUT_SECONDS)


_web_databases()
