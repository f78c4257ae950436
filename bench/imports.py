"""Benchmark: importing the national wide file and the same data as a long CSV.

10,040 communes × 40 leaf criteria (8 fields of 5) = 401,600 score cells. Times, in one run:
  baseline    pandas.read_excel(engine="calamine") parsing the xlsx, nothing else
  wide xlsx   import_scores of that file end to end into an empty framework: read, check every
              cell, write every cell and its audit row, recompute the 10,040 results
  re-import   the same file again: read and check, compare with what is stored, write nothing
  long csv    import_scores of the same data as a long CSV (401,600 rows) into another framework
Each is run BENCH_REPEATS times (default 3, into fresh frameworks), and the medians are
printed, each as a ratio to the baseline's, with the peak resident memory. Targets (issue 4):
wide xlsx ≤ 10 s and ≤ 10× baseline; long csv ≤ 8 s; peak ≤ 1 GB.

    make bench-import                  # SQLite
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench make bench-import
"""

import os
from collections import defaultdict
from functools import partial
from statistics import median

from common import (
    UNITS,
    national_criteria,
    national_csv,
    national_framework,
    national_units_create,
    national_xlsx,
    on_fresh_database,
    peak_memory,
    report,
    seconds,
    workdir,
)

REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))


def run():
    import pandas as pd
    from django.core.management import call_command

    from scoring.models import Score

    national_units_create()
    criteria = national_criteria()
    leaves = [spec.code for spec in criteria if "." in spec.code]
    wide, long = national_xlsx(f"{workdir}/national.xlsx", leaves), national_csv(f"{workdir}/national.csv", leaves)
    memory = {"set-up": peak_memory()}
    times = defaultdict(list)
    for repeat in range(REPEATS):  # the machine is noisy: the medians of several runs
        wide_slug, long_slug = (national_framework(f"{kind}{repeat}", criteria).slug for kind in "WL")
        times["baseline"].append(seconds(partial(pd.read_excel, wide, header=None, engine="calamine")))
        times["wide xlsx"].append(seconds(partial(call_command, "import_scores", wide, framework=wide_slug)))
        memory["wide xlsx"] = peak_memory()
        times["re-import"].append(seconds(partial(call_command, "import_scores", wide, framework=wide_slug)))
        times["long csv"].append(seconds(partial(call_command, "import_scores", long, framework=long_slug)))
        memory["long csv"] = peak_memory()
    if Score.objects.count() != 2 * REPEATS * UNITS * len(leaves):
        raise SystemExit("the imports did not store every cell")

    report(
        f"{UNITS:,} units × {len(leaves)} criteria = {UNITS * len(leaves):,} cells; median of {REPEATS} runs",
        {label: median(values) for label, values in times.items()},
        ("baseline", "wide xlsx", "re-import", "long csv"),
    )
    print(
        "  every run: "
        + "; ".join(f"{label} " + ", ".join(f"{value:.2f}" for value in values) for label, values in times.items())
    )
    print("  peak resident memory after: " + ", ".join(f"{label} {value:,.0f} MiB" for label, value in memory.items()))


if __name__ == "__main__":
    on_fresh_database(run)
