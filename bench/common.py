"""Shared set-up of the benchmarks: Django on a throw-away database (a temporary
SQLite file, or the PostgreSQL server of BENCH_DATABASE_URL), and timing; the
national file of the imports (bench/imports.py, bench/faults.py); the 705-unit
ranking served by gunicorn and measured by wrk (bench/web.py, bench/faults.py)."""

import http.client
import json
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
workdir = tempfile.mkdtemp(prefix="cchc-bench-")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3"
# As in production: with DEBUG on, Django would also keep (and format) every query it runs.
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "benchmarks-only")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402


def seconds(function) -> float:
    """How long ``function()`` takes."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def peak_memory() -> float:
    """The process's peak resident memory so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label, function, results):
    """Record how long ``function()`` takes as ``results[label]``."""
    results[label] = seconds(function)


def on_fresh_database(run):
    """Run ``run()`` on a fresh, migrated test_* database, dropped afterwards."""
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        call_command("migrate", verbosity=0)
        run()
    finally:
        teardown_databases(old_config, verbosity=0)


def report(title, results, labels):
    print(f"database: {connection.vendor}; {title}")
    for label in labels:
        ratio = results[label] / results["baseline"]
        print(f"  {label:<14} {results[label]:8.3f} s   {ratio:5.1f}× baseline")
    print(
        f"  peak resident memory of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
    )


UNITS, FIELDS, LEAVES_PER_FIELD = 10_040, 8, 5


def national_criteria():
    """The benchmarks' criteria: 8 fields of 5 leaves of 2.5 points (40 leaves, 100 points)."""
    from decimal import Decimal

    from scoring.services import CriterionSpec

    criteria = []
    for field in range(1, FIELDS + 1):
        criteria.append(CriterionSpec(str(field), f"Lĩnh vực {field}", Decimal(LEAVES_PER_FIELD * 2.5)))
        criteria += [
            CriterionSpec(f"{field}.{leaf}", f"Tiêu chí {field}.{leaf}", Decimal("2.5"))
            for leaf in range(1, LEAVES_PER_FIELD + 1)
        ]
    return criteria


# The national file: 10,040 communes × 40 leaves = 401,600 score cells.


def national_framework(scope: str, criteria):
    """A draft commune framework of the national criteria, every commune taking part."""
    from scoring import services
    from scoring.models import DEFAULT_BAND_SCHEME, BandScheme, Index
    from units.models import Unit

    return services.framework_create(
        index=Index.objects.get(slug="cchc"),
        year=2024,
        scope=scope,
        block="commune",
        name=f"Bench {scope}",
        criteria=criteria,
        band_scheme=BandScheme.objects.get(name=DEFAULT_BAND_SCHEME),
        participants=Unit.objects.filter(kind="commune"),
    )


def national_units_create() -> None:
    from units.services import UnitRow, units_upsert

    units_upsert(rows=[UnitRow(code=f"{10000 + n}", name=f"Xã Mẫu {n}", kind="commune") for n in range(UNITS)])


def _national_points(unit: int, leaf: int) -> float:
    return ((unit * 7 + leaf * 13) % 251) / 100


def national_xlsx(path: str, leaves: list[str]) -> str:
    """The national file as the scoring template has it: a row per commune, a column per leaf."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Điểm")
    sheet.append(["BẢNG ĐIỂM CHỈ SỐ CCHC CẤP XÃ NĂM 2024"])
    sheet.append(["STT", "Mã đơn vị", "Tên đơn vị", *leaves, "Ghi chú"])
    for n in range(UNITS):
        points = (_national_points(n, i) for i in range(len(leaves)))
        sheet.append([n + 1, f"{10000 + n}", f"Xã Mẫu {n}", *points, None])
    book.save(path)
    return path


def national_csv(path: str, leaves: list[str]) -> str:
    """The same cells as a long CSV: a row per cell, decimal commas, semicolons."""
    import csv

    with open(path, "w", newline="", encoding="utf-8-sig") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(["Mã đơn vị", "Mã tiêu chí", "Điểm"])
        for n in range(UNITS):
            writer.writerows(
                (f"{10000 + n}", code, f"{_national_points(n, i):.2f}".replace(".", ","))
                for i, code in enumerate(leaves)
            )
    return path


# The 705-unit ranking, served by gunicorn on 127.0.0.1 and measured by wrk.

BASE_DIR = Path(__file__).resolve().parent.parent
PROVINCES, DISTRICTS, NEW_DISTRICTS, TIED_DISTRICTS = 63, 705, 5, 65
YEAR, DECISION = 2024, "456/QĐ-BNV"
# Two cores: the page is CPU-bound Python, so one process per core, and as many
# connections as processes: more would only queue, and add the wait to the latency.
WORKERS = 2
GUNICORN_OPTIONS = ["--workers", str(WORKERS), "--worker-class", "sync", "--timeout", "60", "--graceful-timeout", "5"]
WRK_THREADS, WRK_CONNECTIONS = 1, 2
# wrk calls done() once at the end (also when stopped with SIGINT): its figures as
# one JSON line, latencies in microseconds.
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
WRK_ERRORS = ("connect", "read", "write", "timeout", "status")


def district_name(n: int) -> str:
    return f"Huyện Mẫu {n:03}"


def _ranking_points(n: int, leaf: int, year: int) -> Decimal:
    """Unit n's points on a leaf (of 2.5), such that its index for the year is a level of
    40.00 to 97.99 spread by a prime modulus: the level's cents shared out over the leaves,
    a few cents moved from every odd leaf to the even one before it."""
    n %= DISTRICTS - TIED_DISTRICTS  # the last units repeat the first ones' scores: ties
    level_cents = 4000 + (n * 7919 + year * 31) % 1009 * 5800 // 1009
    leaves = FIELDS * LEAVES_PER_FIELD
    cents = level_cents // leaves + (leaf < level_cents % leaves)
    moved = (n + leaf // 2 + year) % 6
    return Decimal(cents + (moved if leaf % 2 == 0 else -moved)) / 100


def ranking_create():
    """The published 705-unit ranking and its published previous round (5 units are new
    this year); returns the ranking's framework. Through the services, as the admin does."""
    from scoring import services
    from scoring.models import DEFAULT_BAND_SCHEME, BandScheme, Index
    from units.models import Unit
    from units.services import UnitRow, units_upsert

    units_upsert(
        rows=[UnitRow(code=f"{p:02}", name=f"Tỉnh Mẫu {p:02}", kind="province") for p in range(1, PROVINCES + 1)]
        + [
            UnitRow(code=f"{n:03}", name=district_name(n), kind="district", parent_code=f"{n % PROVINCES + 1:02}")
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
            services.ScoreEntry(unit.code, code, _ranking_points(int(unit.code), i, year))
            for unit in participants
            for i, code in enumerate(leaves)
        ]
        services.scores_set(framework=framework, entries=entries)  # stores the cells, recomputes the results
        services.framework_publish(framework=framework, decision_number=decision[0], decision_date=decision[1])
    # The planner's statistics, as autovacuum would have them a minute after the writes.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return framework


def server_environment(database_url: str, **extra: str) -> dict:
    """The environment of a production-like server (DEBUG off, static files by
    WhiteNoise from the STATIC_ROOT of collectstatic) of bench/web_settings.py;
    the page cache has its default unless ``extra`` sets PUBLIC_CACHE_SECONDS."""
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
    environment.pop("PUBLIC_CACHE_SECONDS", None)
    return environment | extra


def collectstatic(environment: dict) -> None:
    command = [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"]
    subprocess.run(command, cwd=BASE_DIR, env=environment, check=True)  # noqa: S603


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    """Status and body, redirects not followed."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
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


@dataclass(frozen=True)
class Server:
    port: int
    process: subprocess.Popen
    log_path: Path

    def workers(self) -> set[int]:
        """The process ids of gunicorn's workers (its children)."""
        children = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process has gone
                continue
            if int(fields[1]) == self.process.pid:
                children.add(int(stat.parent.name))
        return children


@contextmanager
def serving(environment: dict, label: str):
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
                if http_get(port, "/bench/minimal/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn ({label}) did not answer in 30 s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield Server(port, process, log_path)
    finally:
        _stop(process)


def pages_check(port: int, ranking_url: str) -> int:
    """Fail unless the pages measured are the right ones; returns the ranking page's size."""
    status, body = http_get(port, "/bench/minimal/")
    if (status, body) != (200, b"ok"):
        raise SystemExit(f"/bench/minimal/ answered {status}: {body[:200]!r}")
    status, body = http_get(port, ranking_url)
    if status != 200:
        raise SystemExit(f"{ranking_url} answered {status}: {body[:500]!r}")
    page = body.decode()
    from scoring.selectors import RANKING_PAGE_SIZE

    shown = sum(district_name(n) in page for n in range(1, DISTRICTS + 1))  # the first page of the ranking
    if shown != min(DISTRICTS, RANKING_PAGE_SIZE) or DECISION not in page:
        raise SystemExit(f"{ranking_url} lacks {DECISION} or shows {shown} units, not {RANKING_PAGE_SIZE}")
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page)
    if stylesheet is None or http_get(port, stylesheet.group(1))[0] != 200:
        raise SystemExit("the stylesheet is not served: did collectstatic run?")
    return len(body)


@dataclass(frozen=True)
class Measure:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: dict[str, int]  # wrk's errors by kind ("status": non-2xx/3xx answers), those that occurred

    @property
    def failed(self) -> int:
        return sum(self.errors.values())


def wrk_start(port: int, path: str, seconds: float) -> subprocess.Popen:
    """wrk against ``path`` for at most ``seconds``, in the background: ``wrk_result``
    waits for it; SIGINT stops it early, with its figures so far."""
    script = Path(workdir) / "report.lua"
    script.write_text(WRK_REPORT)
    command = ["wrk", f"--threads={WRK_THREADS}", f"--connections={WRK_CONNECTIONS}", f"--duration={seconds}s"]
    # A slow answer is measured, not dropped: wrk's default timeout is 2 s.
    command += ["--timeout=30s", "--latency", f"--script={script}", f"http://127.0.0.1:{port}{path}"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603


def wrk_result(process: subprocess.Popen, timeout: float) -> Measure:
    try:
        output, errors = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    if process.returncode:
        raise SystemExit(f"wrk failed ({process.returncode}): {errors}")
    figures = json.loads(output.strip().splitlines()[-1])
    return Measure(
        figures["requests"] / figures["duration_us"] * 1e6,
        figures["p50_us"] / 1000,
        figures["p99_us"] / 1000,
        figures["requests"],
        {kind: figures[kind] for kind in WRK_ERRORS if figures[kind]},
    )


def wrk(port: int, path: str, seconds: int) -> Measure:
    """wrk against ``path`` for ``seconds``; fails on non-2xx/3xx responses or socket errors."""
    process = wrk_start(port, path, seconds)
    try:
        measure = wrk_result(process, timeout=seconds + 60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if measure.errors or not measure.requests:
        raise SystemExit(f"wrk {path}: {measure.requests} requests, errors {measure.errors} (status: non-2xx/3xx)")
    return measure


def wrk_measure(port: int, path: str, seconds: int, warm_up: int = 2) -> Measure:
    wrk(port, path, warm_up)  # every worker has loaded its code, templates, connections and cache
    return wrk(port, path, seconds)
