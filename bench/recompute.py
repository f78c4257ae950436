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

from decimal import Decimal

from common import UNITS, national_criteria, on_fresh_database, report, timed


def run():
    from scoring import services
    from scoring.models import DEFAULT_BAND_SCHEME, BandScheme, Index, Score
    from units.models import Unit
    from units.services import UnitRow, units_upsert

    units_upsert(rows=[UnitRow(code=f"{10000 + n}", name=f"Xã Mẫu {n}", kind="commune") for n in range(UNITS)])
    criteria = national_criteria()
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

    title = f"{UNITS:,} units × {len(leaves)} criteria = {len(entries):,} cells"
    report(title, results, ("baseline", "recompute", "scores_set"))


if __name__ == "__main__":
    on_fresh_database(run)
