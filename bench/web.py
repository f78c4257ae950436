"""Benchmark: the public ranking page of a 705-unit block, served by gunicorn, measured by wrk.

One published framework ranks 705 district-level units (40 leaf criteria in 8 fields, scores
with ties) and has a published previous round, so the page shows deltas. The portal is served
as in production (DEBUG off, static files by WhiteNoise after collectstatic) by gunicorn on
127.0.0.1, and wrk measures, in one run, each for BENCH_WEB_SECONDS (default 10) after a 2 s
warm-up:
  baseline          /bench/minimal/, a view returning "ok" through the same server and middleware
                    (bench/web_settings.py, bench/web_urls.py)
  ranking cached    the ranking page with the public page cache on (PUBLIC_CACHE_SECONDS unset)
  ranking uncached  the same page from a server started with PUBLIC_CACHE_SECONDS=0
and prints requests per second, p50 and p99 latency, each server's throughput as a ratio to the
baseline's. Targets: cached ≥ 50% of the baseline's requests per second; uncached p50 ≤ 30 ms.
Before measuring, every URL must answer 200 and the ranking must name all 705 units; wrk's
non-2xx/3xx responses or socket errors fail the run. The servers are stopped and the temporary
files removed at the end, on an error and on Ctrl-C.

The servers read a real database: a temporary SQLite file, or on the PostgreSQL server of
BENCH_DATABASE_URL a database named after it with "_web" appended (created, then dropped).

    make bench-web                     # SQLite
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_webbench make bench-web
"""

import os
import shutil
import signal
import sys
from urllib.parse import urlsplit

from common import (
    DISTRICTS,
    FIELDS,
    LEAVES_PER_FIELD,
    WORKERS,
    WRK_CONNECTIONS,
    WRK_THREADS,
    Measure,
    collectstatic,
    on_fresh_database,
    pages_check,
    ranking_create,
    server_environment,
    serving,
    workdir,
    wrk_measure,
)

SECONDS = int(os.environ.get("BENCH_WEB_SECONDS", "10"))
WARM_UP_SECONDS = 2


def _served_database() -> str:
    """Make the fresh database one the servers can open too (the test runner's SQLite
    database is in memory) and return its DATABASE_URL."""
    from django.db import connection

    if connection.vendor == "sqlite":
        name = f"{workdir}/web.sqlite3"
        url = f"sqlite:///{name}"
    else:
        name = f"{connection.settings_dict['NAME']}_web"
        url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
    connection.settings_dict["TEST"]["NAME"] = name
    return url


def run(database_url: str):
    from django.db import connection

    ranking_url = ranking_create().get_absolute_url()
    cached = server_environment(database_url)  # the page cache has its default
    uncached = server_environment(database_url, PUBLIC_CACHE_SECONDS="0")
    collectstatic(cached)
    connection.close()  # the servers alone use the database while they are measured

    results = {}
    with serving(cached, "cached") as server:
        page_bytes = pages_check(server.port, ranking_url)
        results["baseline"] = wrk_measure(server.port, "/bench/minimal/", SECONDS, WARM_UP_SECONDS)
        results["ranking cached"] = wrk_measure(server.port, ranking_url, SECONDS, WARM_UP_SECONDS)
    with serving(uncached, "uncached") as server:
        pages_check(server.port, ranking_url)
        results["ranking uncached"] = wrk_measure(server.port, ranking_url, SECONDS, WARM_UP_SECONDS)
    _report(results, page_bytes)


def _report(results: dict[str, Measure], page_bytes: int) -> None:
    import gunicorn
    from django.db import connection

    print(
        f"database: {connection.vendor}; ranking of {DISTRICTS} district-level units × "
        f"{FIELDS * LEAVES_PER_FIELD} criteria in {FIELDS} fields, with deltas ({page_bytes / 1024:,.0f} KiB page)"
    )
    print(
        f"  gunicorn {gunicorn.__version__}: {WORKERS} sync workers; wrk: {WRK_THREADS} thread, "
        f"{WRK_CONNECTIONS} connections, {SECONDS} s each after a {WARM_UP_SECONDS} s warm-up"
    )
    baseline = results["baseline"].requests_per_second
    for label, measure in results.items():
        print(
            f"  {label:<17} {measure.requests_per_second:8,.0f} req/s   p50 {measure.p50_ms:6.1f} ms   "
            f"p99 {measure.p99_ms:6.1f} ms   {measure.requests_per_second / baseline:7.1%} of baseline   "
            f"({measure.requests:,} requests)"
        )
    cached, uncached = results["ranking cached"], results["ranking uncached"]
    share, p50 = cached.requests_per_second / baseline, uncached.p50_ms
    print(f"  target: cached ≥ 50% of the baseline's req/s: {share:.1%}, {'met' if share >= 0.5 else 'missed'}")
    print(f"  target: uncached p50 ≤ 30 ms: {p50:.1f} ms, {'met' if p50 <= 30 else 'missed'}")
    if cached.requests_per_second < 3 * uncached.requests_per_second:
        print("  note: cached is under 3× uncached: is the page cache (PUBLIC_CACHE_SECONDS) in place?")


def main():
    # make or a supervisor stops us with SIGTERM: unwind, so that the servers are stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        if shutil.which("wrk") is None:
            raise SystemExit("wrk not found: install it (apt-get install -y wrk)")
        database_url = _served_database()
        on_fresh_database(lambda: run(database_url))
    except KeyboardInterrupt:
        raise SystemExit("interrupted: the servers are stopped") from None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
