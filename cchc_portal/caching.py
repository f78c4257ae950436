"""The public pages' caching, keyed by one data version.

The version moves only when something public changes: a publication, a
correction or any other write to a published framework, a withdrawal, the units
and their lineage. The writers that know what is public call
``data_version_bump``, which moves it once their transaction commits: the
scoring services for a published framework, the units services, the admin for
what it writes itself. A draft's or a framework in review's writes leave it
alone, so they neither throw the cached pages away nor tell the public when
staff are at work. A public page then costs one query to know whether what a
visitor or the cache holds is current:

- its ETag is a keyed hash of the version, the language, the path and the query
  parameters the page reads, and Last-Modified is the version's time, so a
  conditional request gets a 304 without the results being read;
- its rendered response is cached (Django's cache: local memory by default,
  Redis through CACHE_URL) under the same hash for PUBLIC_CACHE_SECONDS; a
  new version simply misses, so publishing or correcting needs no purge.

Signed-in users (staff may see drafts) get fresh, private, uncached pages.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, get_conditional_response, patch_cache_control
from django.utils.crypto import salted_hmac
from django.utils.http import http_date, urlencode
from django.utils.translation import get_language

from cchc_portal.models import DataVersion

# A query parameter longer than this is cut before it reaches a cache key.
PARAMETER_MAX_LENGTH = 100


def data_version() -> int:
    """The data version: microseconds since 1970 of the last public change. One query,
    written in SQL (the ORM's query building would cost a cached page a third
    of its time), at most once per PUBLIC_VERSION_SECONDS in a process: a page
    served from the cache then touches no database at all, and a change shows
    at most that long after its commit."""
    global _memo
    now = time.monotonic()
    expires, version = _memo
    if now < expires:
        return version
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL)
        row = cursor.fetchone()
    version = row[0] if row else 0
    _memo = (now + settings.PUBLIC_VERSION_SECONDS, version)
    return version


_memo: tuple[float, int] = (0.0, 0)  # (monotonic time it expires, version)
_VERSION_SQL = f"SELECT version FROM {DataVersion._meta.db_table} WHERE id = 1"  # nosec B608 # noqa: S608 (no input)


def _bump() -> None:
    global _memo
    _memo = (0.0, 0)  # this process sees its own change at once
    now = int(timezone.now().timestamp() * 1_000_000)
    if not DataVersion.objects.filter(pk=1).update(version=Greatest(F("version") + 1, Value(now))):
        DataVersion.objects.get_or_create(pk=1, defaults={"version": now})


def data_version_bump() -> None:
    """Bump the data version when the current transaction commits (at once
    outside a transaction), once per atomic block however many changes it makes
    (a bulk import's thousands of saves make one update). A rolled-back
    transaction bumps nothing. Call it for a change the public sees, never for
    a draft's: no signal calls it, the writer that knows says so."""
    level = set(connection.savepoint_ids)
    if any(callback is _bump and savepoints == level for savepoints, callback, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_bump)


def _headers(response: HttpResponse, etag: str, last_modified: float) -> HttpResponse:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
    return response


def public_path(request: HttpRequest) -> str:
    """The path and query of the current page as its own links repeat it: on a
    public page only the parameters it reads, cut as the cache key cuts them. A
    cached page is shared by every query with the same key, so it must not
    carry one visitor's junk parameters (or a megabyte of them) to the next."""
    params = getattr(request, "public_params", None)
    if params is None:  # not a public page: staff pages keep their whole query
        return request.get_full_path()
    kept = [(name, value[:PARAMETER_MAX_LENGTH]) for name in params for value in request.GET.getlist(name)]
    return request.path + ("?" + urlencode(kept) if kept else "")


def public_page(*, params: Sequence[str] = ()) -> Callable:
    """Decorate a public view: ETag / Last-Modified from the data version, 304
    for a current conditional request, and the response cached. ``params``: the
    query parameters the view reads; the others do not reach the key, so junk
    parameters cannot fill the cache. Only 200 responses are cached."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            request.public_params = params  # what the page's links may keep (``public_path``)
            if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
                response = view(request, *args, **kwargs)
                # A signed-in user's page may show drafts: no browser or proxy keeps
                # it (no-store), as the staff pages' never_cache says.
                add_never_cache_headers(response)
                return response
            version = data_version()
            query = [(name, [value[:PARAMETER_MAX_LENGTH] for value in request.GET.getlist(name)]) for name in params]
            material = repr((version, get_language(), request.path, query))
            digest = salted_hmac("cchc_portal.caching.public_page", material).hexdigest()[:40]
            etag, last_modified = f'"{digest}"', version // 1_000_000
            not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
            if not_modified is not None:
                return _headers(not_modified, etag, last_modified)
            key, seconds = f"public-page:{digest}", settings.PUBLIC_CACHE_SECONDS
            cached = cache.get(key) if seconds else None
            if cached is not None:
                content, headers = cached
                response = HttpResponse(content)
                for name, value in headers:
                    response[name] = value
                return _headers(response, etag, last_modified)
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            if seconds:
                headers = [(name, value) for name, value in response.items() if name.lower() != "vary"]
                cache.set(key, (response.content, headers), seconds)
            return _headers(response, etag, last_modified)

        return wrapped

    return decorate
