"""Benchmark: storing and recomputing a national-scale framework.

10,040 communes × 40 leaf criteria (8 fields of 5) = 401,600 score cells. Times, in one run:
  baseline   reading the 401,600 stored cells back (values_list), the least any recompute must do
  recompute  framework_results_recompute: totals, indexes, ranks, bands, deltas, one bulk upsert
  scores_set the service that validates and stores all cells, then recomputes
and prints each as a ratio to the baseline. Then a grid save of one cell (scores_edit, which
recomputes only what the cell can move: the unit's figures, then the block's ranks in the
database), best of five, against reading that unit's 40 cells plus one query ranking the
10,040 results (its baseline), and against the full recompute it replaces. Runs on a throw-away
database: a temporary SQLite file, or the PostgreSQL server of BENCH_DATABASE_URL (a database
named cchc_bench is created).

    make bench                         # SQLite
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench make bench
"""

from decimal import Decimal

from common import UNITS, national_criteria, on_fresh_database, report, seconds, timed


def run():
    from django.db.models import F, Window
    from django.db.models.functions import Rank

    from scoring import services
    from scoring.models import DEFAULT_BAND_SCHEME, BandScheme, Index, Result, Score
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

    unit = Unit.objects.get(code="15020")  # mid-table
    criterion = framework.criteria.get(code=leaves[0])
    ranking = (
        Result.objects.filter(framework=framework, index__isnull=False)
        .annotate(position=Window(Rank(), order_by=F("index").desc()))
        .values_list("unit_id", "position")
    )

    def unit_and_ranking_read():
        list(cells.filter(unit=unit).values_list(*columns))
        list(ranking.all())  # a new query each time: a QuerySet keeps its rows

    stored = Score.objects.get(criterion=criterion, unit=unit).points

    def cell_save():  # each save changes the cell, between 0.50 and 2.50, moving the unit's rank
        nonlocal stored
        value = Decimal("2.50") if stored == Decimal("0.50") else Decimal("0.50")
        services.scores_edit(framework=framework, edits=[services.ScoreEdit(criterion.pk, unit.pk, stored, value)])
        stored = value

    save = {
        "baseline": min(seconds(unit_and_ranking_read) for _ in range(5)),
        "cell save": min(seconds(cell_save) for _ in range(5)),
        "recompute": results["recompute"],
    }
    report(
        "one cell saved in a grid; baseline: that unit's cells and one ranking query",
        save,
        ("baseline", "cell save", "recompute"),
    )


if __name__ == "__main__":
    on_fresh_database(run)
