"""Benchmark: the README's backup and restore on a realistic database.

The demo plus the 705-unit ranking of ``make bench-web`` (two published rounds of 40
criteria: 56,000 score cells), on a throw-away database (SQLite, or PostgreSQL with
BENCH_DATABASE_URL). Times, rows and sizes of:
  dumpdata   the portable dump (natural keys, the README's exclusions, JSON lines, gzip)
  loaddata   flush, then loaddata of that dump into the same database
  pg_dump    (PostgreSQL) --format=custom
  pg_restore (PostgreSQL) into a new database, --single-transaction

    .venv/bin/python bench/backup.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench .venv/bin/python bench/backup.py
"""

import collections
import gzip
import json
import subprocess
from pathlib import Path

from common import on_fresh_database, peak_memory, ranking_create, seconds, workdir

EXCLUDE = ["contenttypes", "auth.permission", "sessions", "axes", "django_tasks_database", "cchc_portal.dataversion"]


def _url(settings_dict, name):
    return f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/{name}"


def run():
    from django.core.management import call_command
    from django.db import connection

    from scoring.demo import demo_load

    demo_load()
    ranking_create()
    path = Path(workdir) / "cchc.jsonl.gz"
    options = {"natural_foreign": True, "natural_primary": True, "exclude": EXCLUDE, "format": "jsonl"}
    dumped = seconds(lambda: call_command("dumpdata", output=str(path), verbosity=0, **options))
    with gzip.open(path) as lines:
        models = [json.loads(line)["model"] for line in lines]
    with gzip.open(path) as file:
        unpacked = len(file.read())
    rows = collections.Counter(models)
    loaded = seconds(
        lambda: (
            call_command("flush", interactive=False, verbosity=0),
            call_command("loaddata", str(path), verbosity=0),
        )
    )
    print(f"database: {connection.vendor}")
    print(f"  rows dumped: {sum(rows.values()):,} ({', '.join(f'{m} {n:,}' for m, n in rows.most_common(5))}, …)")
    print(f"  dumpdata  {dumped:6.2f} s   {path.stat().st_size / 2**20:6.1f} MiB gzip ({unpacked / 2**20:.1f} MiB)")
    print(f"  flush + loaddata {loaded:6.2f} s")
    if connection.vendor == "postgresql":
        own = connection.settings_dict
        dump = Path(workdir) / "cchc.dump"
        command = ["pg_dump", "--format=custom", f"--file={dump}", _url(own, own["NAME"])]
        print(f"  pg_dump   {seconds(lambda: subprocess.run(command, check=True)):6.2f} s", end="")  # noqa: S603
        print(f"   {dump.stat().st_size / 2**20:6.1f} MiB")
        restored = own["NAME"] + "_restored"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}"')
            cursor.execute(f'CREATE DATABASE "{restored}"')
        restore = ["pg_restore", "--exit-on-error", "--single-transaction", "--no-owner", "-d", _url(own, restored)]
        print(f"  pg_restore {seconds(lambda: subprocess.run([*restore, str(dump)], check=True)):5.2f} s")  # noqa: S603
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE "{restored}" WITH (FORCE)')
    print(f"  peak resident memory of the process: {peak_memory():,.0f} MiB")


if __name__ == "__main__":
    on_fresh_database(run)
