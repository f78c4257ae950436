"""A request body larger than any form or upload of the portal is refused before
anything reads it: without this, Django would write a multi-gigabyte upload to a
temporary file (the CSRF check reads the form first) before a view could refuse it.
A reverse proxy should refuse it earlier still (nginx: client_max_body_size)."""

from django.conf import settings
from django.shortcuts import render
from django.utils.formats import number_format


def request_body_limit() -> int:
    """The largest body accepted: the largest import file, and room for the form around it."""
    return settings.IMPORT_MAX_BYTES + 2**20


class RequestSizeLimitMiddleware:
    """Answers 413 to a request whose Content-Length is over ``request_body_limit``.
    (Django reads no body without a Content-Length, so a chunked one is not read at all.)"""

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
        return self.get_response(request)
