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

import csv
import os
from collections import defaultdict
from functools import partial
from statistics import median

from common import UNITS, national_criteria, on_fresh_database, peak_memory, report, seconds, workdir

REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))


def _framework(scope, criteria):
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
        participants=Unit.objects.all(),
    )


def _points(unit: int, leaf: int) -> float:
    return ((unit * 7 + leaf * 13) % 251) / 100


def _files(leaves):
    import openpyxl

    wide, long = f"{workdir}/national.xlsx", f"{workdir}/national.csv"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Điểm")
    sheet.append(["BẢNG ĐIỂM CHỈ SỐ CCHC CẤP XÃ NĂM 2024"])
    sheet.append(["STT", "Mã đơn vị", "Tên đơn vị", *leaves, "Ghi chú"])
    for n in range(UNITS):
        sheet.append([n + 1, f"{10000 + n}", f"Xã Mẫu {n}", *(_points(n, i) for i in range(len(leaves))), None])
    book.save(wide)
    with open(long, "w", newline="", encoding="utf-8-sig") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(["Mã đơn vị", "Mã tiêu chí", "Điểm"])
        for n in range(UNITS):
            writer.writerows(
                (f"{10000 + n}", code, f"{_points(n, i):.2f}".replace(".", ",")) for i, code in enumerate(leaves)
            )
    return wide, long


def run():
    import pandas as pd
    from django.core.management import call_command

    from scoring.models import Score
    from units.services import UnitRow, units_upsert

    units_upsert(rows=[UnitRow(code=f"{10000 + n}", name=f"Xã Mẫu {n}", kind="commune") for n in range(UNITS)])
    criteria = national_criteria()
    leaves = [spec.code for spec in criteria if "." in spec.code]
    wide, long = _files(leaves)
    memory = {"set-up": peak_memory()}
    times = defaultdict(list)
    for repeat in range(REPEATS):  # the machine is noisy: the medians of several runs
        wide_slug, long_slug = _framework(f"W{repeat}", criteria).slug, _framework(f"L{repeat}", criteria).slug
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
