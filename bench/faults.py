"""Load and faults: the ranking page under sustained load, PostgreSQL restarted under
load, a national import killed halfway. PostgreSQL only, loopback only, about 3 minutes.

On the PostgreSQL server of BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/cchc_faults; it must be on this machine) the test
runner's database of that name, test_cchc_faults, is created (replacing one left by an
interrupted run) and dropped at the end. It holds the 705-unit published ranking of
bench/web.py and, for (c), 10,040 communes with an empty draft commune framework. One
gunicorn (2 sync workers, as bench/web.py) serves it on 127.0.0.1 with
PUBLIC_CACHE_SECONDS=0, so that every request of the ranking page reads the database:
the page cache would otherwise answer through an outage and hide it.

(a) Sustained load. wrk (1 thread, 2 connections) for BENCH_FAULTS_BASELINE_SECONDS
    (default 20) on /bench/minimal/, the same server's least costly answer (the
    baseline), then BENCH_FAULTS_SECONDS (default 60) on the ranking page, each after a
    2 s warm-up: requests per second, p50 and p99, and their ratios to the baseline's.
    Passes if wrk saw no error (non-2xx/3xx answer, socket error, time-out).
(b) PostgreSQL restarted under load. With wrk on the ranking page and a probe (one
    client sending the same request back to back, recording when each answer came and
    what it was), a score correction of the ranking is committed after 5 s and, once the
    checksum is taken, PostgreSQL is restarted (pg_ctlcluster … restart, a fast shutdown:
    open sessions are ended). The portal answers 500 while it is down, and the
    workers reconnect by themselves (CONN_MAX_AGE=60 with CONN_HEALTH_CHECKS=True in
    cchc_portal/settings.py). The error window is the probe's first failing answer to
    its first good one after it, to within one request's time; the failed requests are
    wrk's and the probe's. Passes if PostgreSQL did restart (its start time moved), the
    first good answer comes at most 30 s after the restart command returned and every
    answer in the 5 s after it is good, gunicorn's workers are the same processes, and
    the database's checksum is unchanged.
(c) An import killed halfway. `manage.py import_scores` of the national long CSV (10,040
    communes × 40 criteria = 401,600 cells, bench/imports.py's data) runs in its own
    process, named in pg_stat_activity by PGAPPNAME. Once pg_stat_progress_copy shows
    its COPY into scoring_score (the cells, in the import's one transaction, after its
    Revision row, with the table's foreign keys dropped for the load: see
    scoring/services/bulk.py) past half of the cells, the process is killed with
    SIGKILL: no handler, no rollback of its own. PostgreSQL sees the connection end and
    rolls the transaction back. Passes if the session was active, in a transaction that
    had written (it had a transaction id), in that COPY, short of its end; the database's
    checksum (foreign keys included) is the same as before the import; and the same
    import run again stores all 401,600 cells and 10,040 results.

The checksum: every table of the database, its row count and an MD5 of all its rows
(as text, sorted), the constraints and indexes, and the SHA-256 of the ranking's CSV
export. Sequences are left out: the killed import took a Revision id, which a rollback
never gives back.

Restarting PostgreSQL ends every session of that server, other users' too (other
databases, test runs, workers): fine on a development machine, not on a shared
server. The restart command is BENCH_PG_RESTART (a shell command) or, by default,
`pg_ctlcluster --skip-systemctl-redirect VERSION CLUSTER restart` of the cluster
listening on the URL's port (needs root or the postgres user).

Prints the figures and a table of the checks, and exits 1 if any fails. Servers, the
import process, wrk and the temporary files are removed at the end, on an error and on
Ctrl-C. Figures depend on what else the machine runs: a CPU-bound neighbour on two cores
shows in the requests per second.

    make bench-faults
    BENCH_FAULTS_SECONDS=20 BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_faults make bench-faults
"""

import hashlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cchc_faults"
os.environ["BENCH_DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL

from common import (  # noqa: E402 - common reads BENCH_DATABASE_URL when imported
    BASE_DIR,
    UNITS,
    WORKERS,
    WRK_CONNECTIONS,
    WRK_THREADS,
    Measure,
    collectstatic,
    http_get,
    national_criteria,
    national_csv,
    national_framework,
    national_units_create,
    on_fresh_database,
    pages_check,
    ranking_create,
    server_environment,
    serving,
    workdir,
    wrk_result,
    wrk_start,
)
from django.db import connection  # noqa: E402

LOAD_SECONDS = int(os.environ.get("BENCH_FAULTS_SECONDS", "60"))
BASELINE_SECONDS = int(os.environ.get("BENCH_FAULTS_BASELINE_SECONDS", "20"))
WARM_UP_SECONDS = 2
RESTART_AFTER_SECONDS = 5  # of good answers under load before PostgreSQL is restarted
RECOVERY_LIMIT_SECONDS = 30  # from the restart command's return to the first good answer
STEADY_SECONDS = 5  # of good answers after the first one: the recovery holds
PROBE_TIMEOUT_SECONDS = 10
IMPORT_APPLICATION_NAME = "cchc-faults-import"
KILL_AT_SHARE = 0.5  # of the cells the COPY has stored
IMPORT_START_LIMIT_SECONDS = 180  # reading and checking the file, before the COPY starts
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Check:
    label: str
    passed: bool
    detail: str


@dataclass
class Results:
    """The checks, tabled at the end; the figures are printed as they come (the run is long)."""

    checks: list[Check] = field(default_factory=list)

    def check(self, label: str, passed: bool, detail: str) -> None:
        self.checks.append(Check(label, passed, detail))

    def say(self, line: str) -> None:
        print(line, flush=True)


# The data, and how to know it has not changed.


def database_checksum(ranking) -> dict[str, str]:
    """Each table's row count and the MD5 of its rows (as text, sorted); the MD5 of
    the constraints' and indexes' definitions; the SHA-256 of the ranking's CSV
    export. Sequences are left out: a rolled-back insert does not give its id back."""
    from public.downloads import results_csv

    checksum = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        for (table,) in cursor.fetchall():
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "  # noqa: S608
                f"FROM {quote(table)} AS t"
            )
            count, digest = cursor.fetchone()
            checksum[table] = f"{count} rows, md5 {digest}"
        cursor.execute(
            "SELECT md5(string_agg(definition, E'\\n' ORDER BY definition)) FROM ("
            "SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS definition "
            "FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
            "UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public') AS definitions"
        )
        checksum["(constraints and indexes)"] = f"md5 {cursor.fetchone()[0]}"
    checksum["(ranking CSV export)"] = f"sha256 {hashlib.sha256(results_csv(ranking)).hexdigest()}"
    return checksum


def checksum_digest(checksum: dict[str, str]) -> str:
    """One short digest of a whole checksum, to print."""
    return hashlib.sha256(repr(sorted(checksum.items())).encode()).hexdigest()[:16]


def checksum_difference(before: dict[str, str], after: dict[str, str]) -> str:
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    return "; ".join(f"{name}: {before.get(name)} → {after.get(name)}" for name in changed)


def scalar(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


# (a) Sustained load.


def load(port: int, path: str, seconds: int) -> Measure:
    """wrk's figures on ``path`` for ``seconds`` after a warm-up (which must be clean)."""
    warm_up = wrk_result(wrk_start(port, path, WARM_UP_SECONDS), timeout=WARM_UP_SECONDS + 60)
    if warm_up.errors:
        raise SystemExit(f"wrk {path}: errors in the warm-up already: {warm_up.errors}")
    return wrk_result(wrk_start(port, path, seconds), timeout=seconds + 60)


def sustained_load(results: Results, port: int, ranking_url: str) -> None:
    baseline = load(port, "/bench/minimal/", BASELINE_SECONDS)
    ranking = load(port, ranking_url, LOAD_SECONDS)
    for label, seconds, measure in (
        ("baseline /bench/minimal/", BASELINE_SECONDS, baseline),
        ("ranking page (uncached)", LOAD_SECONDS, ranking),
    ):
        results.say(
            f"(a) {label:<25} {seconds:3} s  {measure.requests_per_second:8,.1f} req/s   "
            f"p50 {measure.p50_ms:7.2f} ms   p99 {measure.p99_ms:7.2f} ms   "
            f"{measure.requests:,} requests, errors {measure.errors or 'none'}"
        )
    results.say(
        f"(a) ranking / baseline: {ranking.requests_per_second / baseline.requests_per_second:.1%} of its req/s, "
        f"p50 {ranking.p50_ms / baseline.p50_ms:,.0f}×, p99 {ranking.p99_ms / baseline.p99_ms:,.0f}×"
    )
    results.check(
        "(a) baseline: no errors",
        not baseline.errors and baseline.requests > 0,
        f"{baseline.requests:,} requests, errors {baseline.errors or 'none'}",
    )
    results.check(
        f"(a) ranking page: {LOAD_SECONDS} s of load, no errors",
        not ranking.errors and ranking.requests > 0,
        f"{ranking.requests:,} requests, errors {ranking.errors or 'none'}; {ranking.requests_per_second:,.1f} req/s "
        f"({ranking.requests_per_second / baseline.requests_per_second:.1%} of the baseline's), "
        f"p50 {ranking.p50_ms:.1f} ms, p99 {ranking.p99_ms:.1f} ms",
    )


# (b) PostgreSQL restarted under load.


@dataclass(frozen=True)
class Answer:
    sent: float  # time.monotonic()
    received: float
    status: int | None  # None: no HTTP answer
    error: str = ""

    @property
    def good(self) -> bool:
        return self.status == 200


class Probe(threading.Thread):
    """One client sending ``path`` back to back until stopped, each answer recorded."""

    def __init__(self, port: int, path: str):
        super().__init__(daemon=True)
        self.port, self.path = port, path
        self.answers: list[Answer] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            sent = time.monotonic()
            try:
                status, _body = http_get(self.port, self.path, timeout=PROBE_TIMEOUT_SECONDS)
                self.answers.append(Answer(sent, time.monotonic(), status))
            except OSError as error:
                self.answers.append(Answer(sent, time.monotonic(), None, type(error).__name__))
                time.sleep(0.01)  # a refused connection would otherwise spin

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=PROBE_TIMEOUT_SECONDS + 5)


def restart_command() -> list[str]:
    """BENCH_PG_RESTART, or pg_ctlcluster's restart of the cluster on the URL's port."""
    if command := os.environ.get("BENCH_PG_RESTART"):
        return shlex.split(command)
    port = str(connection.settings_dict.get("PORT") or 5432)
    if shutil.which("pg_lsclusters") is None:
        raise SystemExit("pg_lsclusters not found: set BENCH_PG_RESTART to a command that restarts PostgreSQL")
    listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout  # noqa: S607
    for line in listing.splitlines():
        version, cluster, cluster_port, *_rest = line.split()
        if cluster_port == port:
            return ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart"]
    raise SystemExit(f"no PostgreSQL cluster of pg_lsclusters listens on port {port}: set BENCH_PG_RESTART")


def _error_causes(log_text: str) -> str:
    """The database errors of the server's log (Django's, which name psycopg2's as
    their cause), by message, most frequent first."""
    causes: dict[str, int] = {}
    for line in log_text.splitlines():
        if line.startswith("django.db.utils."):
            cause = line.split(":", 1)[-1].split(" failed: ")[-1].strip()[:60]
            causes[cause] = causes.get(cause, 0) + 1
    return "; ".join(f"{count}× {cause}" for cause, count in sorted(causes.items(), key=lambda item: -item[1])[:4])


def postgresql_restart(results: Results, server, ranking_url: str, ranking, command: list[str]) -> None:
    from scoring.services import ScoreEntry, scores_set

    workers = server.workers()
    log_size = server.log_path.stat().st_size
    probe = Probe(server.port, ranking_url)
    limit = RESTART_AFTER_SECONDS + 60 + RECOVERY_LIMIT_SECONDS + STEADY_SECONDS  # restart ≤ 60 s
    wrk = wrk_start(server.port, ranking_url, limit)
    probe.start()
    try:
        time.sleep(RESTART_AFTER_SECONDS)
        # A write committed just before the restart: something recent to lose.
        changed = scores_set(
            framework=ranking,
            entries=[ScoreEntry("001", "1.1", Decimal(0))],
            reason="bench/faults.py: committed just before PostgreSQL's restart",
        )
        committed = time.monotonic()
        before = database_checksum(ranking)
        started_before = scalar("SELECT pg_postmaster_start_time()")
        connection.close()  # the restart ends this session too: the next query opens a new one
        restart_start = time.monotonic()
        restart = subprocess.run(command, capture_output=True, text=True, timeout=60)  # noqa: S603
        restart_end = time.monotonic()
        if restart.returncode:
            raise SystemExit(f"{shlex.join(command)} failed ({restart.returncode}): {restart.stderr}")
        # Wait for the first good answer after a failing one, then STEADY_SECONDS more.
        recovered = None
        while time.monotonic() < restart_end + RECOVERY_LIMIT_SECONDS + STEADY_SECONDS:
            answers = list(probe.answers)
            failing = [i for i, answer in enumerate(answers) if not answer.good]
            if failing:
                recovered = next((a for a in answers[failing[0] :] if a.good), None)
            elif not recovered and answers and answers[-1].sent > restart_end:  # no request failed at all
                recovered = answers[-1]
            if recovered and time.monotonic() > recovered.received + STEADY_SECONDS:
                break
            time.sleep(0.05)
    finally:
        probe.stop()
        if wrk.poll() is None:
            wrk.send_signal(signal.SIGINT)  # stops it with its figures so far
    measure = wrk_result(wrk, timeout=30)

    answers = probe.answers
    before_restart = [a for a in answers if a.received < restart_start]
    failing = [a for a in answers if not a.good]
    first_failing = failing[0] if failing else None
    window = recovered.received - first_failing.received if recovered and first_failing else 0.0
    relapses = [a for a in answers if recovered and a.sent > recovered.received and not a.good]
    statuses: dict[str, int] = {}
    for answer in failing:
        key = str(answer.status) if answer.status else answer.error
        statuses[key] = statuses.get(key, 0) + 1
    server_log = server.log_path.read_text(errors="replace")[log_size:]

    after = database_checksum(ranking)
    started_after = scalar("SELECT pg_postmaster_start_time()")
    results.say(
        f"(b) restart: {shlex.join(command)} took {restart_end - restart_start:.2f} s, "
        f"{RESTART_AFTER_SECONDS} s into the load; PostgreSQL started at {started_before:%H:%M:%S.%f} → "
        f"{started_after:%H:%M:%S.%f}"
    )
    if first_failing:
        results.say(
            f"(b) probe: first failing answer {first_failing.received - restart_start:+.3f} s from the restart "
            f"command, first good one after it {recovered.received - restart_start:+.3f} s"
            if recovered
            else f"(b) probe: first failing answer {first_failing.received - restart_start:+.3f} s, never a good one"
        )
    results.say(
        f"(b) error window {window:.3f} s; failed requests: probe {len(failing)} of {len(answers)} "
        f"({statuses or 'none'}), wrk {measure.failed:,} of {measure.requests:,} ({measure.errors or 'none'})"
    )
    results.say(f"(b) the server's log: {_error_causes(server_log) or 'no database errors'}")
    results.check(
        "(b) PostgreSQL restarted",
        started_after != started_before and all(a.good for a in before_restart) and bool(before_restart),
        f"start time {'moved' if started_after != started_before else 'unchanged'}; "
        f"{sum(a.good for a in before_restart)} of {len(before_restart)} answers good before the restart",
    )
    results.check(
        f"(b) recovered by itself within {RECOVERY_LIMIT_SECONDS} s, no gunicorn restart",
        recovered is not None
        and recovered.received <= restart_end + RECOVERY_LIMIT_SECONDS
        and not relapses
        and server.process.poll() is None
        and server.workers() == workers,
        f"error window {window:.2f} s, {len(failing) + measure.failed:,} requests failed "
        f"(probe {len(failing)}, wrk {measure.failed:,}); {len(relapses)} failures after the recovery; "
        f"workers {sorted(workers)} → {sorted(server.workers())}",
    )
    results.check(
        "(b) data unchanged by the restart",
        before == after and changed == 1,
        (
            f"checksum {checksum_digest(before)} = {checksum_digest(after)}, with a score correction "
            f"committed {restart_start - committed:.1f} s before the restart"
        )
        if before == after
        else checksum_difference(before, after),
    )


# (c) An import killed halfway.


def _import_command(path: str, slug: str) -> list[str]:
    return [sys.executable, "manage.py", "import_scores", path, "--framework", slug]


def _import_backend() -> tuple | None:
    """The import's session: pid, state, transaction id, query, the COPY into
    scoring_score's progress (rows so far), and how long its transaction and its
    query have run (seconds); None if it has no session."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT activity.pid, activity.state, activity.backend_xid::text, left(activity.query, 40), "
            "copy.tuples_processed, extract(epoch FROM now() - activity.xact_start), "
            "extract(epoch FROM now() - activity.query_start) "
            "FROM pg_stat_activity AS activity LEFT JOIN pg_stat_progress_copy AS copy "
            "ON copy.pid = activity.pid AND copy.relid = 'scoring_score'::regclass "
            "WHERE activity.application_name = %s",
            [IMPORT_APPLICATION_NAME],
        )
        return cursor.fetchone()


def import_interrupted(results: Results, ranking, framework, path: str, environment: dict) -> None:
    from scoring.models import Result, Revision, Score

    cells = UNITS * len([spec for spec in national_criteria() if "." in spec.code])
    before = database_checksum(ranking)
    environment = environment | {"DJANGO_SETTINGS_MODULE": "cchc_portal.settings", "PGAPPNAME": IMPORT_APPLICATION_NAME}
    started = time.monotonic()
    # A session of its own: Ctrl-C reaches only this script, which then kills it.
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        _import_command(path, framework.slug),
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    seen, killed_at = None, None
    try:
        while time.monotonic() < started + IMPORT_START_LIMIT_SECONDS and process.poll() is None:
            seen = _import_backend() or seen
            if seen and seen[4] is not None and seen[4] >= KILL_AT_SHARE * cells:
                process.kill()  # SIGKILL
                killed_at = time.monotonic() - started
                break
            time.sleep(0.002)
    finally:
        if process.poll() is None:
            process.kill()
        output = process.communicate(timeout=30)[0].decode(errors="replace")
    right_after = _import_backend()  # its session, still there for a moment: the COPY had gone further
    deadline = time.monotonic() + 30
    while _import_backend() and time.monotonic() < deadline:  # PostgreSQL rolls back as the session ends
        time.sleep(0.05)

    if killed_at is None:
        results.check(
            "(c) import killed mid-COPY",
            False,
            f"the import {'ended' if process.returncode is not None else 'did not reach the COPY'} first "
            f"(exit {process.returncode}; last seen {seen}): {output[-500:]}",
        )
        return
    pid, state, xid, query, rows, transaction_seconds, query_seconds = seen
    further = f", {right_after[4]:,} read by its session just after the kill" if right_after and right_after[4] else ""
    results.say(
        f"(c) import killed (SIGKILL) {killed_at:.2f} s after its start, in its COPY into scoring_score at "
        f"{rows:,} of {cells:,} cells ({rows / cells:.0%}){further}; session {pid} {state}, "
        f"transaction {xid} open for {transaction_seconds:.2f} s, its COPY for {query_seconds:.2f} s: {query!r}…"
    )
    after = database_checksum(ranking)
    results.check(
        "(c) import killed mid-COPY",
        state == "active" and xid is not None and query.startswith('COPY "scoring_score"') and 0 < rows < cells,
        f"at {rows:,} of {cells:,} cells ({rows / cells:.0%}), in transaction {xid}",
    )
    results.check(
        "(c) database as before the import",
        before == after and not _import_backend(),
        f"checksum {checksum_digest(before)} = {checksum_digest(after)}"
        if before == after
        else checksum_difference(before, after),
    )

    started = time.monotonic()
    rerun = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        _import_command(path, framework.slug),
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    rerun_seconds = time.monotonic() - started
    stored = Score.objects.filter(criterion__framework=framework).count()
    computed = Result.objects.filter(framework=framework).count()
    revisions = Revision.objects.filter(framework=framework).count()
    results.say(f"(c) rerun: exit {rerun.returncode} in {rerun_seconds:.1f} s: {rerun.stdout.strip()[-200:]}")
    results.check(
        "(c) rerun of the import succeeds",
        rerun.returncode == 0 and stored == cells and computed == UNITS and revisions == 1,
        f"exit {rerun.returncode} in {rerun_seconds:.1f} s; {stored:,} cells, {computed:,} results, "
        f"{revisions} revision{'' if rerun.returncode == 0 else ': ' + rerun.stderr[-300:]}",
    )


# The run.


def run(results: Results, command: list[str]) -> None:
    import gunicorn

    database_url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{connection.settings_dict['NAME']}").geturl()
    set_up = time.monotonic()
    ranking = ranking_create()
    ranking_url = ranking.get_absolute_url()
    national_units_create()
    criteria = national_criteria()
    framework = national_framework("FAULTS", criteria)
    path = national_csv(f"{workdir}/national.csv", [spec.code for spec in criteria if "." in spec.code])
    environment = server_environment(database_url, PUBLIC_CACHE_SECONDS="0")
    collectstatic(environment)
    connection.close()
    results.say(
        f"PostgreSQL {scalar('SHOW server_version')}, database {connection.settings_dict['NAME']}, "
        f"set up in {time.monotonic() - set_up:.0f} s; gunicorn {gunicorn.__version__}, {WORKERS} sync workers, "
        f"PUBLIC_CACHE_SECONDS=0 (every ranking page reads the database); wrk {WRK_THREADS} thread, "
        f"{WRK_CONNECTIONS} connections; load average {os.getloadavg()[0]:.2f}"
    )
    connection.close()
    with serving(environment, "faults") as server:
        pages_check(server.port, ranking_url)
        sustained_load(results, server.port, ranking_url)
        postgresql_restart(results, server, ranking_url, ranking, command)
    import_interrupted(results, ranking, framework, path, environment)
    connection.close()


def summary(results: Results) -> None:
    print()
    width = max(len(check.label) for check in results.checks)
    print(f"{'check':<{width}}  result  figures")
    for check in results.checks:
        print(f"{check.label:<{width}}  {'pass' if check.passed else 'FAIL':<6}  {check.detail}")


def main():
    # make or a supervisor stops us with SIGTERM: unwind, so that the servers are stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = time.monotonic()
    results = Results()
    try:
        if connection.vendor != "postgresql":
            raise SystemExit("bench/faults.py needs PostgreSQL: BENCH_DATABASE_URL=postgres://…")
        if (connection.settings_dict.get("HOST") or "localhost") not in LOOPBACK:
            raise SystemExit(f"PostgreSQL must be on this machine (loopback), not {connection.settings_dict['HOST']}")
        if shutil.which("wrk") is None:
            raise SystemExit("wrk not found: install it (apt-get install -y wrk)")
        command = restart_command()
        on_fresh_database(lambda: run(results, command))
    except KeyboardInterrupt:
        raise SystemExit("interrupted: the servers are stopped") from None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    summary(results)
    failed = [check.label for check in results.checks if not check.passed]
    passed, elapsed = len(results.checks) - len(failed), time.monotonic() - started
    print(f"\n{passed} of {len(results.checks)} checks passed in {elapsed:.0f} s")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
