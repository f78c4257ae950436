"""Benchmark: storing and recomputing a national-scale framework.

10,040 communes × 40 leaf criteria (8 fields of 5) = 401,600 score cells. Times, in one run:
  baseline   reading the 401,600 stored cells back (values_list), the least any recompute must do
  recompute  framework_results_recompute: totals, indexes, ranks, bands, deltas, one bulk upsert
  scores_set the service that validates and stores all cells, then recomputes
and prints each as a ratio to the baseline. Runs on a throw-away database: a temporary SQLite
file, or the PostgreSQL server of BENCH_DATABASE_URL (a database named cchc_bench is created).

    make bench                         # SQLite
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench make bench
"""

import os
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
workdir = tempfile.mkdtemp(prefix="cchc-bench-")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3"
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

UNITS, FIELDS, LEAVES_PER_FIELD = 10_040, 8, 5


def timed(label, function, results):
    start = time.perf_counter()
    value = function()
    results[label] = time.perf_counter() - start
    return value


def main():
    old_config = setup_databases(verbosity=0, interactive=False)  # a fresh test_* database
    try:
        run()
    finally:
        teardown_databases(old_config, verbosity=0)


def run():
    from scoring import services
    from scoring.models import DEFAULT_BAND_SCHEME, BandScheme, Index, Score
    from units.models import Unit
    from units.services import UnitRow, units_upsert

    call_command("migrate", verbosity=0)
    units_upsert(rows=[UnitRow(code=f"{10000 + n}", name=f"Xã Mẫu {n}", kind="commune") for n in range(UNITS)])
    criteria = []
    for field in range(1, FIELDS + 1):
        criteria.append(services.CriterionSpec(str(field), f"Lĩnh vực {field}", Decimal(LEAVES_PER_FIELD * 2.5)))
        criteria += [
            services.CriterionSpec(f"{field}.{leaf}", f"Tiêu chí {field}.{leaf}", Decimal("2.5"))
            for leaf in range(1, LEAVES_PER_FIELD + 1)
        ]
    framework = services.framework_create(
        index=Index.objects.get(slug="cchc"),
        year=2024,
        scope="VN",
        block="commune",
        name="Bench",
        criteria=criteria,
        band_scheme=BandScheme.objects.get(name=DEFAULT_BAND_SCHEME),
        participants=Unit.objects.all(),
    )
    leaves = [spec.code for spec in criteria if "." in spec.code]
    entries = [
        services.ScoreEntry(f"{10000 + n}", code, Decimal((n * 7 + i * 13) % 251) / 100)
        for n in range(UNITS)
        for i, code in enumerate(leaves)
    ]
    results = {}
    timed("scores_set", lambda: services.scores_set(framework=framework, entries=entries), results)
    cells = Score.objects.filter(criterion__framework=framework)
    columns = ("unit_id", "criterion__code", "points", "not_applicable")
    timed("baseline", lambda: len(list(cells.values_list(*columns))), results)
    timed("recompute", lambda: services.framework_results_recompute(framework=framework), results)

    print(f"database: {connection.vendor}; {UNITS:,} units × {len(leaves)} criteria = {len(entries):,} cells")
    for label in ("baseline", "recompute", "scores_set"):
        ratio = results[label] / results["baseline"]
        print(f"  {label:<11} {results[label]:7.2f} s   {ratio:5.1f}× baseline")
    print(
        f"  peak resident memory of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
