"""Benchmark: loading the official unit lists (``load_units``).

Times, in one run on a fresh database:
  baseline        the least any loader must do: read the 2024 list from the
                  packaged dataset and insert its 10,794 units with one plain
                  bulk_create (no parents, no checks); they are deleted untimed
  load 2024       load_units --official 2024 on the empty database
  reload 2024     the same again: nothing to change
  load 2025       load_units --official 2025 after 2024: 3,355 new units,
                  10,794 closed, 10,665 lineage links
and prints each as a ratio to the baseline. Target (issue 3): the 2024 list in
under 10 s.

    make bench                         # SQLite
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench make bench
"""

import io

from common import on_fresh_database, report, timed


def run():
    from django.core.management import call_command

    from units.models import Unit
    from units.official import official_list

    def baseline():
        rows = official_list(2024).rows
        Unit.objects.bulk_create(
            [Unit(code=row.code, name=row.name, short_name=row.short_name, kind=row.kind) for row in rows],
            batch_size=1000,
        )

    def load(year):
        return lambda: call_command("load_units", official=year, stdout=io.StringIO())

    results = {}
    timed("baseline", baseline, results)
    Unit.objects.all().delete()
    timed("load 2024", load(2024), results)
    timed("reload 2024", load(2024), results)
    timed("load 2025", load(2025), results)
    report(f"{Unit.objects.count():,} units", results, ("baseline", "load 2024", "reload 2024", "load 2025"))


if __name__ == "__main__":
    on_fresh_database(run)
