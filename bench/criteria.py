"""Benchmark: creating a framework from a criteria file of 50, 500 and 5,000 criteria.

Each size is a CSV of top-level criteria of 9 sub-criteria each (1 point a leaf), imported
end to end with `manage.py import_framework` (read, check the tree, write it), and, as the
baseline, only read and checked (`criteria_from_file`). The writes must grow linearly:
the time per criterion of the largest size stays that of 500 (the smallest's is mostly
the command's own start). FRAMEWORK_MAX_CRITERIA is raised for the run (a real framework
has under 200); BENCH_CRITERIA_SIZES=50,500,5000,16000 adds a size.

    python bench/criteria.py                      # SQLite
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench python bench/criteria.py
"""

import os
from functools import partial

os.environ["FRAMEWORK_MAX_CRITERIA"] = "100000"

from common import on_fresh_database, seconds, workdir

SIZES = tuple(int(size) for size in os.environ.get("BENCH_CRITERIA_SIZES", "50,500,5000").split(","))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))


def criteria_csv(path: str, size: int) -> str:
    lines = ["Mã tiêu chí;Tiêu chí;Điểm tối đa"]
    for field in range(1, size // 10 + 1):
        lines.append(f"{field};Lĩnh vực {field};9")
        lines += [f"{field}.{leaf};Tiêu chí {field}.{leaf};1" for leaf in range(1, 10)]
    with open(path, "w", encoding="utf-8") as stream:
        stream.write("\n".join(lines) + "\n")
    return path


def run():
    from django.core.management import call_command
    from django.db import connection

    from scoring.models import Criterion
    from scoring.spreadsheets.imports import criteria_from_file

    print(f"database: {connection.vendor}; creating a framework from a criteria file (best of {REPEATS})")
    print(f"  {'criteria':>8} {'read':>9} {'import':>9} {'per criterion':>14} {'× read':>7}")
    per_criterion = {}
    year = 2000
    for size in SIZES:
        path = criteria_csv(f"{workdir}/criteria-{size}.csv", size)
        read = min(seconds(partial(criteria_from_file, path)) for _ in range(REPEATS))
        imports = []
        for _ in range(REPEATS):
            year += 1
            options = {"index": "cchc", "year": year, "scope": "70", "block": "district", "verbosity": 0}
            imports.append(seconds(partial(call_command, "import_framework", path, **options)))
        best = min(imports)
        per_criterion[size] = best / size
        print(f"  {size:>8,} {read:>8.3f}s {best:>8.3f}s {best / size * 1000:>11.3f} ms {best / read:>6.1f}×")
    if Criterion.objects.count() != REPEATS * sum(SIZES):
        raise SystemExit("the imports did not store every criterion")
    # Against the second size: the smallest's time is mostly the command's own start.
    base = SIZES[1] if len(SIZES) > 2 else SIZES[0]
    growth = per_criterion[SIZES[-1]] / per_criterion[base]
    print(f"  time per criterion, {SIZES[-1]:,} against {base:,}: {growth:.2f}×")


if __name__ == "__main__":
    on_fresh_database(run)
