"""Benchmark: importing the national wide file and the same data as a long CSV.

10,040 communes × 40 leaf criteria (8 fields of 5) = 401,600 score cells. Times, in one run:
  baseline    pandas.read_excel(engine="calamine") parsing the xlsx, nothing else
  wide xlsx   import_scores of that file end to end into an empty framework: read, check every
              cell, write every cell and its audit row, recompute the 10,040 results
  re-import   the same file again: read and check, compare with what is stored, write nothing
  long csv    import_scores of the same data as a long CSV (401,600 rows) into another framework
and prints each as a ratio to the baseline, with the peak resident memory. Targets (issue 4):
wide xlsx ≤ 10 s and ≤ 10× baseline; long csv ≤ 8 s; peak ≤ 1 GB.

    make bench-import                  # SQLite
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench make bench-import
"""

import csv
import resource

from common import UNITS, national_criteria, on_fresh_database, report, timed, workdir


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
    wide_framework, long_framework = _framework("VN", criteria), _framework("99", criteria)
    wide, long = _files(leaves)
    memory = {}

    def peak(label):
        memory[label] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    results = {}
    peak("set-up")
    timed("baseline", lambda: pd.read_excel(wide, header=None, engine="calamine"), results)
    timed("wide xlsx", lambda: call_command("import_scores", wide, framework=wide_framework.slug), results)
    peak("wide xlsx")
    timed("re-import", lambda: call_command("import_scores", wide, framework=wide_framework.slug), results)
    timed("long csv", lambda: call_command("import_scores", long, framework=long_framework.slug), results)
    peak("long csv")
    if Score.objects.count() != 2 * UNITS * len(leaves):
        raise SystemExit("the imports did not store every cell")

    report(
        f"{UNITS:,} units × {len(leaves)} criteria = {UNITS * len(leaves):,} cells",
        results,
        ("baseline", "wide xlsx", "re-import", "long csv"),
    )
    print("  peak resident memory after: " + ", ".join(f"{label} {value:,.0f} MiB" for label, value in memory.items()))


if __name__ == "__main__":
    on_fresh_database(run)
