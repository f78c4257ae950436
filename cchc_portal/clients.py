"""The client's address, as the portal's one home for it (django-axes' login
throttling reads it through ``AXES_CLIENT_IP_CALLABLE``).

Directly on the internet (``TRUSTED_PROXY_COUNT`` 0, the default) the client is the
connecting address; an ``X-Forwarded-For`` it sends is its own words and is ignored,
or anyone could be anyone. Behind N reverse proxies each proxy appends the address it
was reached from, so the N-th address from the right is the one the outermost proxy
saw: the client. Whatever stands to its left was sent by the client and is ignored
too. A header with fewer addresses than there are proxies, or no address where the
client's should be, did not come through them all: the connecting address stands
instead (it is never a client's choice).
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request``: ``REMOTE_ADDR`` directly,
    the ``TRUSTED_PROXY_COUNT``-th address from the right of ``X-Forwarded-For``
    behind that many proxies. Always a valid IPv4 or IPv6 address, or None when the
    server gave none (django-axes stores it in a ``GenericIPAddressField``)."""
    connecting = _valid(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return connecting
    # Several X-Forwarded-For headers arrive joined with commas, in order.
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies:
        return connecting
    return _valid(forwarded[-proxies]) or connecting


def _valid(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
