"""Benchmark: a national ranking's results document, whole and in pages.

A published framework of 10,040 communes × 40 leaf criteria (the benchmarks' national
file). Times, best of BENCH_RUNS (default 3), of the document as the API builds it
(``public.documents.framework_results_document``, then ``json.dumps``), in one run:
  baseline  reading the 10,040 stored results (values_list), the least any document must do
  whole     the whole document, as /api/frameworks/<slug>/results/ and export_results give it
  page      one page of 500 (?page=11&page_size=500), what a client walking the pages asks
and the size of each. Runs on a throw-away database: a temporary SQLite file, or the
PostgreSQL server of BENCH_DATABASE_URL.

    python bench/api_pages.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench python bench/api_pages.py
"""

import json
import os
from decimal import Decimal

from common import (
    UNITS,
    national_criteria,
    national_framework,
    national_units_create,
    on_fresh_database,
    report,
    seconds,
)

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PAGE_SIZE = 500


def run():
    from datetime import date

    from public.documents import framework_results_document
    from scoring import services
    from scoring.models import Framework, Result

    national_units_create()
    criteria = national_criteria()
    framework = national_framework("VN", criteria)
    leaves = [spec.code for spec in criteria if "." in spec.code]
    entries = [
        services.ScoreEntry(f"{10000 + n}", code, Decimal((n * 7 + i * 13) % 251) / 100)
        for n in range(UNITS)
        for i, code in enumerate(leaves)
    ]
    services.scores_set(framework=framework, entries=entries)
    services.framework_publish(framework=framework, decision_number="1/QĐ-BNV", decision_date=date(2025, 3, 1))
    framework = Framework.objects.select_related("index", "publication").get(pk=framework.pk)
    sizes = {}

    def document(**paging) -> str:
        return json.dumps(framework_results_document(framework, **paging), ensure_ascii=False)

    def whole():
        sizes["whole"] = len(document().encode())

    def page():
        text = document(page=11, page_size=PAGE_SIZE)
        if len(json.loads(text)["results"]) != PAGE_SIZE:
            raise SystemExit("the page does not hold its 500 results")
        sizes["page"] = len(text.encode())

    stored = Result.objects.filter(framework=framework).values_list("unit_id", "index", "rank", "band", "field_points")
    results = {
        "baseline": min(seconds(lambda: len(list(stored.all()))) for _ in range(RUNS)),
        "whole": min(seconds(whole) for _ in range(RUNS)),
        "page": min(seconds(page) for _ in range(RUNS)),
    }
    report(f"the results document of {UNITS:,} units, best of {RUNS}", results, ("baseline", "whole", "page"))
    print(f"  sizes: whole {sizes['whole'] / 2**20:.1f} MiB, a page of {PAGE_SIZE} {sizes['page'] / 2**10:.0f} KiB")


if __name__ == "__main__":
    on_fresh_database(run)
