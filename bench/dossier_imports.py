"""Benchmark: importing 36 months of dossier statistics of 3,321 communes.

119,556 rows (3,321 communes, as many as the country has after the 2025
reorganisation, × 36 months), twelve counts each, as a provincial CSV writes them:
semicolons, Vietnamese headers, thousands dots ("12.345"). Times, best of
BENCH_RUNS (default 3), in one run:
  baseline   reading the file's rows (``scoring.spreadsheets.reader.grid``), nothing else
  read       reading and checking every row (``dossiers.spreadsheets.statistics_from_file``):
             units by code as they stood on each period's last day, periods, counts, parts
  import     read, then write every record (``statistics_import``) into an empty table
  re-import  the same file again: read, compare with what is stored, write nothing

    python bench/dossier_imports.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench python bench/dossier_imports.py
"""

import csv
import os

from common import on_fresh_database, report, seconds, workdir

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
COMMUNES, MONTHS = 3_321, 36
HEADERS = ["Mã đơn vị", "Tên đơn vị", "Kỳ", "Tiếp nhận", "Trước hạn", "Đúng hạn", "Trễ hạn", "Đang giải quyết"]
HEADERS += ["Quá hạn", "Trực tuyến một phần", "Trực tuyến toàn trình", "Thanh toán trực tuyến", "Bưu chính công ích"]
HEADERS += ["Liên thông", "Thư xin lỗi"]


def dotted(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def statistics_csv(path: str) -> str:
    with open(path, "w", newline="", encoding="utf-8-sig") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(HEADERS)
        for month in range(MONTHS):
            period = f"{month % 12 + 1}/{2022 + month // 12}"
            for n in range(COMMUNES):
                received = 800 + (n * 37 + month * 11) % 1_700
                late = (n + month) % 7
                early = received // 3
                on_time = received - early - late - 20
                unit = [f"{20000 + n}", f"Xã Mẫu {n}", period]
                resolved = [dotted(received), dotted(early), dotted(on_time), late, 20, late % 3]
                online = [dotted(received // 4), dotted(received // 5), received // 6, received // 9, 3, late]
                writer.writerow([*unit, *resolved, *online])
    return path


def run():
    from dossiers.models import DossierStatistics
    from dossiers.services import statistics_import
    from dossiers.spreadsheets import statistics_from_file
    from scoring.spreadsheets.reader import grid
    from units.services import UnitRow, units_upsert

    units_upsert(rows=[UnitRow(code=f"{20000 + n}", name=f"Xã Mẫu {n}", kind="commune") for n in range(COMMUNES)])
    path = statistics_csv(os.path.join(workdir, "thong-ke.csv"))
    size = os.path.getsize(path)

    def first_import():
        DossierStatistics.objects.all().delete()
        result = statistics_import(rows=statistics_from_file(path), source="bench")
        if result.created != COMMUNES * MONTHS:
            raise SystemExit(f"{result.created} records created, not {COMMUNES * MONTHS}")

    def re_import():
        result = statistics_import(rows=statistics_from_file(path), source="bench")
        if result.unchanged != COMMUNES * MONTHS:
            raise SystemExit("the same file again changed something")

    results = {
        "baseline": min(seconds(lambda: grid(path)) for _ in range(RUNS)),
        "read": min(seconds(lambda: statistics_from_file(path)) for _ in range(RUNS)),
        "import": min(seconds(first_import) for _ in range(RUNS)),
        "re-import": min(seconds(re_import) for _ in range(RUNS)),
    }
    rows = COMMUNES * MONTHS
    title = f"{COMMUNES:,} communes × {MONTHS} months = {rows:,} rows ({size / 2**20:.1f} MiB), best of {RUNS}"
    report(title, results, ("baseline", "read", "import", "re-import"))


if __name__ == "__main__":
    on_fresh_database(run)
