"""The open-data licence of the published figures (``OPEN_DATA_LICENCE`` and
``OPEN_DATA_LICENCE_URL``; CC BY 4.0 by default), stated in the footer, the
downloads and the API: a ``Link: <url>; rel="license"`` header on each file and
document (RFC 8288), a row of the XLSX's second sheet, a key of the JSON."""

from django.conf import settings


def licence() -> dict[str, str]:
    return {"name": settings.OPEN_DATA_LICENCE, "url": settings.OPEN_DATA_LICENCE_URL}


def link_header(response):
    """``response`` with the licence's Link header."""
    response["Link"] = f'<{settings.OPEN_DATA_LICENCE_URL}>; rel="license"'
    return response


def context(request) -> dict:
    """The licence, for the footer of every page (a context processor)."""
    return {"licence": licence()}
