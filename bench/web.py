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

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from common import FIELDS, LEAVES_PER_FIELD, national_criteria, on_fresh_database, workdir

BASE_DIR = Path(__file__).resolve().parent.parent
PROVINCES, DISTRICTS, NEW_DISTRICTS, TIED_DISTRICTS = 63, 705, 5, 65
YEAR, DECISION = 2024, "456/QĐ-BNV"
SECONDS = int(os.environ.get("BENCH_WEB_SECONDS", "10"))
WARM_UP_SECONDS = 2
# Two cores: the page is CPU-bound Python, so one process per core, and as many
# connections as processes: more would only queue, and add the wait to the latency.
WORKERS = 2
GUNICORN_OPTIONS = ["--workers", str(WORKERS), "--worker-class", "sync", "--timeout", "60", "--graceful-timeout", "5"]
WRK_THREADS, WRK_CONNECTIONS = 1, 2
# wrk calls done() once at the end: its figures as one JSON line, latencies in microseconds.
WRK_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '\\n{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, '
    .. '"status": %d, "p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write, errors.timeout,
    errors.status, latency:percentile(50), latency:percentile(99)))
end
"""


def _district_name(n: int) -> str:
    return f"Huyện Mẫu {n:03}"


def _points(n: int, leaf: int, year: int) -> Decimal:
    """Unit n's points on a leaf (of 2.5), such that its index for the year is a level of
    40.00 to 97.99 spread by a prime modulus: the level's cents shared out over the leaves,
    a few cents moved from every odd leaf to the even one before it."""
    n %= DISTRICTS - TIED_DISTRICTS  # the last units repeat the first ones' scores: ties
    level_cents = 4000 + (n * 7919 + year * 31) % 1009 * 5800 // 1009
    leaves = FIELDS * LEAVES_PER_FIELD
    cents = level_cents // leaves + (leaf < level_cents % leaves)
    moved = (n + leaf // 2 + year) % 6
    return Decimal(cents + (moved if leaf % 2 == 0 else -moved)) / 100


def _ranking_create() -> str:
    """The published 705-unit ranking and its published previous round (5 units are new
    this year); returns the ranking's URL. Through the services, as the admin does."""
    from scoring import services
    from scoring.models import DEFAULT_BAND_SCHEME, BandScheme, Index
    from units.models import Unit
    from units.services import UnitRow, units_upsert

    units_upsert(
        rows=[UnitRow(code=f"{p:02}", name=f"Tỉnh Mẫu {p:02}", kind="province") for p in range(1, PROVINCES + 1)]
        + [
            UnitRow(code=f"{n:03}", name=_district_name(n), kind="district", parent_code=f"{n % PROVINCES + 1:02}")
            for n in range(1, DISTRICTS + 1)
        ]
    )
    districts = list(Unit.objects.filter(kind="district").order_by("code"))
    criteria = national_criteria()
    leaves = [spec.code for spec in criteria if "." in spec.code]
    for year, participants, decision in (
        (YEAR - 1, districts[:-NEW_DISTRICTS], ("123/QĐ-BNV", date(YEAR, 3, 20))),
        (YEAR, districts, (DECISION, date(YEAR + 1, 4, 10))),
    ):
        framework = services.framework_create(
            index=Index.objects.get(slug="cchc"),
            year=year,
            scope="VN",
            block="district",
            name=f"Chỉ số CCHC cấp huyện năm {year}",
            criteria=criteria,
            band_scheme=BandScheme.objects.get(name=DEFAULT_BAND_SCHEME),
            participants=participants,
        )
        entries = [
            services.ScoreEntry(unit.code, code, _points(int(unit.code), i, year))
            for unit in participants
            for i, code in enumerate(leaves)
        ]
        services.scores_set(framework=framework, entries=entries)  # stores the cells, recomputes the results
        services.framework_publish(framework=framework, decision_number=decision[0], decision_date=decision[1])
    # The planner's statistics, as autovacuum would have them a minute after the writes.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return framework.get_absolute_url()


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


def _server_environment(database_url: str, **extra: str) -> dict:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.web_settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": f"{workdir}/static",
    }
    environment.pop("PUBLIC_CACHE_SECONDS", None)  # the cached server runs with the default
    return environment | extra


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str) -> tuple[int, bytes]:
    """Status and body, redirects not followed."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        client.request("GET", path)
        response = client.getresponse()
        return response.status, response.read()
    finally:
        client.close()


def _stop(process: subprocess.Popen) -> None:
    """Stop gunicorn gracefully, or kill its process group (its workers) if it hangs."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def _gunicorn(environment: dict, label: str):
    """A gunicorn serving the portal on a free port of 127.0.0.1 while the block runs."""
    port = _free_port()
    log_path = Path(workdir) / f"gunicorn-{label}.log"
    command = [sys.executable, "-m", "gunicorn", *GUNICORN_OPTIONS, "--bind", f"127.0.0.1:{port}"]
    with open(log_path, "wb") as log:
        # A session of its own: Ctrl-C reaches only this script, which then stops the server.
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [*command, "cchc_portal.wsgi:application"],
            cwd=BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn ({label}) exited:\n{log_path.read_text()[-3000:]}")
            try:
                if _get(port, "/bench/minimal/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn ({label}) did not answer in 30 s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield port
    finally:
        _stop(process)


def _check_pages(port: int, ranking_url: str, names: list[str]) -> int:
    """Fail unless the pages measured are the right ones; returns the ranking page's size."""
    status, body = _get(port, "/bench/minimal/")
    if (status, body) != (200, b"ok"):
        raise SystemExit(f"/bench/minimal/ answered {status}: {body[:200]!r}")
    status, body = _get(port, ranking_url)
    if status != 200:
        raise SystemExit(f"{ranking_url} answered {status}: {body[:500]!r}")
    page = body.decode()
    from scoring.selectors import RANKING_PAGE_SIZE

    shown = sum(name in page for name in names)  # the first page of the ranking
    if shown != min(len(names), RANKING_PAGE_SIZE) or DECISION not in page:
        raise SystemExit(f"{ranking_url} lacks {DECISION} or shows {shown} units, not {RANKING_PAGE_SIZE}")
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page)
    if stylesheet is None or _get(port, stylesheet.group(1))[0] != 200:
        raise SystemExit("the stylesheet is not served: did collectstatic run?")
    return len(body)


@dataclass(frozen=True)
class Measure:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int


def _wrk(port: int, path: str, seconds: int) -> Measure:
    """wrk against ``path`` for ``seconds``; fails on non-2xx/3xx responses or socket errors."""
    script = Path(workdir) / "report.lua"
    script.write_text(WRK_REPORT)
    command = ["wrk", f"--threads={WRK_THREADS}", f"--connections={WRK_CONNECTIONS}", f"--duration={seconds}s"]
    # A slow answer is measured, not dropped: wrk's default timeout is 2 s.
    command += ["--timeout=30s", "--latency", f"--script={script}", f"http://127.0.0.1:{port}{path}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout  # noqa: S603
    figures = json.loads(output.strip().splitlines()[-1])
    errors = {kind: figures[kind] for kind in ("connect", "read", "write", "timeout", "status") if figures[kind]}
    if errors or not figures["requests"]:
        raise SystemExit(f"wrk {path}: {figures['requests']} requests, errors {errors} (status: non-2xx/3xx)\n{output}")
    return Measure(
        figures["requests"] / figures["duration_us"] * 1e6,
        figures["p50_us"] / 1000,
        figures["p99_us"] / 1000,
        figures["requests"],
    )


def _measure(port: int, path: str) -> Measure:
    _wrk(port, path, WARM_UP_SECONDS)  # every worker has loaded its code, templates, connections and cache
    return _wrk(port, path, SECONDS)


def run(database_url: str):
    from django.db import connection

    ranking_url = _ranking_create()
    names = [_district_name(n) for n in range(1, DISTRICTS + 1)]
    cached = _server_environment(database_url)
    uncached = _server_environment(database_url, PUBLIC_CACHE_SECONDS="0")
    collectstatic = [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"]
    subprocess.run(collectstatic, cwd=BASE_DIR, env=cached, check=True)  # noqa: S603
    connection.close()  # the servers alone use the database while they are measured

    results = {}
    with _gunicorn(cached, "cached") as port:
        page_bytes = _check_pages(port, ranking_url, names)
        results["baseline"] = _measure(port, "/bench/minimal/")
        results["ranking cached"] = _measure(port, ranking_url)
    with _gunicorn(uncached, "uncached") as port:
        _check_pages(port, ranking_url, names)
        results["ranking uncached"] = _measure(port, ranking_url)
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
