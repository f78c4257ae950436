"""Shared set-up of the benchmarks: Django on a throw-away database (a temporary
SQLite file, or the PostgreSQL server of BENCH_DATABASE_URL), and timing."""

import os
import resource
import sys
import tempfile
import time
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
        print(f"  {label:<14} {results[label]:7.2f} s   {ratio:5.1f}× baseline")
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
