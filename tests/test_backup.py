"""Backup and restore (README, "Backup and restore"): a restored database serves
the same public pages and downloads, byte for byte, as the one backed up.

Two paths, each as the README gives it:
- portable: ``dumpdata`` with natural keys and without the tables that migrations
  or the running site fill (content types, permissions, sessions, login
  attempts, queued tasks, the data version), then ``flush`` and ``loaddata``, on
  the same database engine or the other one (SQLite ↔ PostgreSQL);
- PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore`` into a new database,
  or over the current one to go back to an older backup, then the data version
  bumped so that no cache or browser keeps a page of the newer data.

Every test here commits its data (the dump tools and other processes read it),
so they are transactional; the serialized rollback brings back afterwards what
the migrations wrote (the index, the band schemes).
"""

import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client

from cchc_portal import caching
from cchc_portal.caching import data_version
from scoring import services
from scoring.demo import demo_load
from scoring.models import Framework, ImportJob, Result, Revision, Score
from staff.models import StaffRole
from tests.factories import UnitFactory, make_framework, publish, score
from units.models import Unit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_dump and pg_restore need PostgreSQL: run with DATABASE_URL=postgres://…",
)

# What the portable dump leaves out, as the README gives it: rows that `migrate`
# makes (content types, permissions: natural keys refer to them instead), and rows
# of the running site that must not come back on another one (sessions, login
# attempts and lockouts, queued background tasks, the public pages' data version).
DUMP_EXCLUDE = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "django_tasks_database",
    "cchc_portal.dataversion",
]
PASSWORD = "an editor's long passphrase"


def portal_data() -> dict:
    """Every kind of row the pages show or staff keep: the demo (computed and
    published-mode rounds, sample data), the official 2025 units of two provinces
    (renamed, merged, a code reused), two national rounds across the
    reorganisation, a published framework corrected later (so a correction and
    the figures it replaced show), a draft, a staff user with a role, an admin log
    entry and an upload waiting for confirmation (binary data)."""
    demo_load()
    call_command("load_units", official=2025, province=["01", "19"], verbosity=0)
    before, after = date(2024, 12, 31), date(2025, 12, 31)
    for year, day, indexes in (
        (2024, before, {"01": "90.00", "19": "85.50", "06": "80.00"}),
        (2025, after, {"01": "91.25", "19": "88.00"}),
    ):
        units = Unit.objects.valid_on(day).filter(code__in=indexes)
        framework = make_framework(year=year, units=units, scope="VN", block="province", mode="published")
        rows = [services.PublishedResultRow(code, Decimal(index)) for code, index in indexes.items()]
        services.published_results_set(framework=framework, rows=rows)
        publish(framework, decision=f"{year}/QĐ-BNV", day=f"{year + 1}-03-20")
    districts = [UnitFactory(name=name) for name in ("Huyện Đồng Phú", "Huyện Bù Đăng", "Huyện Lộc Ninh")]
    corrected = make_framework(year=2023, units=districts, rows=(("1", "60"), ("2", "40")), scope="80")
    services.scores_set(
        framework=corrected,
        entries=[
            score(unit, code, value)
            for unit, values in zip(districts, ("55 30", "50 31", "41 20"), strict=True)
            for code, value in zip(("1", "2"), values.split(), strict=True)
        ],
    )
    publish(corrected, decision="77/QĐ-UBND", day="2024-02-15")
    services.scores_set(
        framework=corrected, entries=[score(districts[2], "1", "59.5")], reason="Đính chính số liệu tiêu chí 1"
    )
    draft = make_framework(year=2024, units=districts, scope="80")
    services.scores_set(framework=draft, entries=[score(unit, "1", "70") for unit in districts])
    editor = User.objects.create_user("bientap", password=PASSWORD, is_staff=True)
    StaffRole.objects.create(user=editor, role=StaffRole.Role.ADMINISTRATOR)
    LogEntry.objects.log_actions(user_id=editor.pk, queryset=[corrected], action_flag=CHANGE, change_message="[]")
    ImportJob.objects.create(
        kind=ImportJob.Kind.SCORES,
        framework=draft,
        file_name="diem.csv",
        data=b"\xef\xbb\xbfunit_code;1\n",
        user=editor,
    )
    return {"corrected": corrected, "draft": draft, "districts": districts}


def public_urls() -> list[str]:
    """The public pages and downloads: home and search, every published ranking
    (page, CSV, XLSX, JSON; one sorted, filtered and searched, one in English),
    unit profiles (also a code's former holder) with their downloads, a compare
    page with its downloads, the JSON API, and a draft's URLs (404 for all)."""
    urls = ["/", "/en/", "/units/?q=dong+phu", "/api/frameworks/"]
    for slug in Framework.objects.published().order_by("slug").values_list("slug", flat=True):
        urls += [f"/rankings/{slug}/", f"/api/frameworks/{slug}/results/"]
        urls += [f"/rankings/{slug}/?format={kind}" for kind in ("csv", "xlsx")]
    busy = Framework.objects.published().filter(mode=Framework.Mode.COMPUTED).order_by("-year", "slug").first()
    parent = busy.participants.exclude(parent=None).values_list("parent__code", flat=True).first()
    for query in ("sort=-index", "sort=unit", "sort=-delta_rank", f"parent={parent}", "q=huyen", "sort=field-1"):
        urls += [f"/rankings/{busy.slug}/?{query}", f"/rankings/{busy.slug}/?{query}&format=csv"]
    urls += [f"/en/rankings/{busy.slug}/", f"/en/rankings/{busy.slug}/?format=xlsx"]
    codes = sorted(set(Result.objects.published().values_list("unit__code", flat=True)))
    for code in [*codes[:6], "01", "19"]:
        urls += [f"/units/{code}/", f"/units/{code}/?format=csv", f"/units/{code}/?format=xlsx"]
        urls += [f"/api/units/{code}/results/"]
    urls += ["/units/19/?on=2024-12-31", "/units/06/?on=2024-12-31&format=xlsx"]
    compared = ",".join(codes[:3])
    urls += [f"/compare/?units={compared}", f"/compare/?units={compared}&format=csv"]
    urls += [f"/compare/?units={compared}&format=xlsx", "/compare/?units=01,19"]
    draft = Framework.objects.filter(publication=None).order_by("slug").first()
    urls += [f"/rankings/{draft.slug}/", f"/api/frameworks/{draft.slug}/results/"]
    return urls


def responses(urls: list[str]) -> dict[str, tuple]:
    """Each URL's status, content type, file name and body, rendered afresh."""
    cache.clear()
    client = Client()
    return {url: _response(client.get(url)) for url in urls}


def _response(response) -> tuple:
    return (response.status_code, response.get("Content-Type"), response.get("Content-Disposition"), response.content)


def assert_same(restored: dict, original: dict) -> None:
    assert list(restored) == list(original)
    different = [url for url in original if restored[url] != original[url]]
    assert not different, f"{len(different)} of {len(original)} differ after the restore: {different}"
    statuses = {response[0] for response in original.values()}
    assert statuses == {200, 404}  # the draft's two URLs are the 404s
    assert sum(response[0] == 404 for response in original.values()) == 2


def dump(path: Path) -> None:
    """The README's dumpdata."""
    call_command(
        "dumpdata",
        natural_foreign=True,
        natural_primary=True,
        exclude=DUMP_EXCLUDE,
        format="jsonl",
        output=str(path),
        verbosity=0,
    )


def restore(path: Path) -> None:
    """The README's restore into this (migrated) database: flush, then loaddata."""
    call_command("flush", interactive=False, verbosity=0)
    call_command("loaddata", str(path), verbosity=0)


def new_rows_can_be_written(districts: list[Unit]) -> None:
    """After a restore, every kind of row can be added: on PostgreSQL the id
    sequences must have moved past the restored ids (a bulk score write, a
    participant link, a user, a role...)."""
    newcomer = UnitFactory(name="Huyện Mới Lập")
    framework = make_framework(year=2031, units=[*districts, newcomer], scope="80")
    services.scores_set(framework=framework, entries=[score(unit, "1", "66") for unit in [*districts, newcomer]])
    publish(framework, decision="1/QĐ-UBND", day="2032-01-10")
    services.scores_set(framework=framework, entries=[score(newcomer, "1", "67")], reason="Đính chính")
    user = User.objects.create_user("moi", password=PASSWORD)
    StaffRole.objects.create(user=user, role=StaffRole.Role.ADMINISTRATOR)
    assert framework.results.get(unit=newcomer).index == Decimal("67.00")


def test_dumpdata_flush_loaddata_gives_byte_identical_pages_and_downloads(tmp_path):
    data = portal_data()
    urls = public_urls()
    original = responses(urls)
    assert responses(urls) == original  # the pages are deterministic in the first place
    counts = {model: model.objects.count() for model in (Unit, Framework, Score, Result, Revision, User, LogEntry)}
    path = tmp_path / "cchc.jsonl.gz"  # compressed and one object per line, as the README has it
    dump(path)

    restore(path)

    assert_same(responses(urls), original)
    assert {model: model.objects.count() for model in counts} == counts
    # users come back with their passwords and roles; the upload with its bytes
    assert User.objects.get(username="bientap").check_password(PASSWORD)
    assert StaffRole.objects.get(user__username="bientap").role == StaffRole.Role.ADMINISTRATOR
    assert bytes(ImportJob.objects.get().data) == b"\xef\xbb\xbfunit_code;1\n"
    assert LogEntry.objects.get().get_edited_object() == data["corrected"]
    # the correction keeps the figures it replaced
    assert Revision.objects.get(framework=data["corrected"], reason__startswith="Đính chính").results_before
    new_rows_can_be_written(data["districts"])


def test_loaddata_changes_no_row_and_recomputes_nothing(tmp_path):
    """loaddata saves raw: no ``save()`` logic or signal rewrites a row (auto_now
    times, stored results), so a second dump is the first one."""
    portal_data()
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    dump(first)
    time.sleep(1)  # a time stamped at load would differ
    restore(first)
    dump(second)
    assert _whole_milliseconds(second.read_bytes()) == _whole_milliseconds(first.read_bytes())


def _whole_milliseconds(dump: bytes) -> bytes:
    """dumpdata writes times to the millisecond (Django's JSON encoder): a time
    stamped at 12:00:00.000123 is written "12:00:00.000Z", reloads as 12:00:00
    and is written "12:00:00Z" next time, a change of the text, not of the
    time written (about one time stamp in a thousand: a flaky test before)."""
    return re.sub(rb'(T\d\d:\d\d:\d\d)\.000Z"', rb'\1Z"', dump)


def test_loaddata_of_an_older_backup_is_what_the_pages_show_at_once(tmp_path):
    """Restoring a backup moves the data version forward (loaddata's saves signal
    it), so no cached page and no browser's copy of the newer data is served: the
    pages are the older ones, and a conditional request for a newer page is not
    answered "not modified"."""
    data = portal_data()
    urls = public_urls()
    older = responses(urls)
    path = tmp_path / "older.jsonl"
    dump(path)
    services.scores_set(framework=data["corrected"], entries=[score(data["districts"][0], "1", "20")], reason="Sai")
    newer_page = f"/rankings/{data['corrected'].slug}/"
    client = Client()
    newer = client.get(newer_page)  # now in the page cache
    assert newer.content != older[newer_page][3]

    restore(path)

    again = client.get(newer_page, HTTP_IF_MODIFIED_SINCE=newer["Last-Modified"])
    assert again.status_code == 200 and again.content == older[newer_page][3]
    client.get(newer_page, HTTP_IF_NONE_MATCH=newer["ETag"])
    assert {url: _response(client.get(url)) for url in urls} == older  # the cache, warm, agrees


# -- other processes, other databases --------------------------------------------------------------

BASE_DIR = Path(settings.BASE_DIR)
RENDER = """
import base64, json, sys
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment(debug=False)
from django.conf import settings
settings.LANGUAGE_CODE = "vi"
from django.test import Client
client = Client()
out = {}
for url in json.load(sys.stdin):
    response = client.get(url)
    out[url] = [response.status_code, response.get("Content-Type"), response.get("Content-Disposition"),
                base64.b64encode(response.content).decode()]
json.dump(out, sys.stdout)
"""


def run(args: list[str], database_url: str, stdin: str = "") -> str:
    """A command in a process of its own on another database, as an operator runs it."""
    environment = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "cchc_portal.settings"}
    done = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        args, input=stdin, capture_output=True, text=True, cwd=BASE_DIR, env=environment, check=False, timeout=600
    )
    assert done.returncode == 0, f"{args}: {done.stderr}"
    return done.stdout


def manage(database_url: str, *arguments: str) -> str:
    return run([sys.executable, "manage.py", *arguments], database_url)


def responses_from(database_url: str, urls: list[str]) -> dict[str, tuple]:
    """The pages as a server on ``database_url`` renders them (a fresh process:
    nothing cached)."""
    out = json.loads(run([sys.executable, "-c", RENDER], database_url, stdin=json.dumps(urls)))
    return {url: (status, kind, name, base64.b64decode(body)) for url, (status, kind, name, body) in out.items()}


def postgresql_url(name: str) -> str:
    own = connection.settings_dict
    user = own["USER"] or "postgres"
    password = f":{own['PASSWORD']}" if own["PASSWORD"] else ""
    return f"postgres://{user}{password}@{own['HOST'] or '127.0.0.1'}:{own['PORT'] or 5432}/{name}"


@pytest.fixture
def other_database(tmp_path):
    """A new, empty database of the other engine than the tests run on (a
    PostgreSQL one on the server of the tests' own when they run on SQLite, and
    the server at 127.0.0.1:5432 is tried otherwise), as a URL; dropped after."""
    if connection.vendor == "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"cchc_backup_test_{os.getpid()}"
    url = os.environ.get("BACKUP_TEST_POSTGRESQL", "postgres://postgres@127.0.0.1:5432/postgres")
    admin = ["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c"]
    if not shutil.which("psql") or subprocess.run([*admin, "SELECT 1"], capture_output=True, check=False).returncode:  # noqa: S603
        pytest.skip("no PostgreSQL server to restore into (BACKUP_TEST_POSTGRESQL)")
    subprocess.run([*admin, f'DROP DATABASE IF EXISTS "{name}"'], check=True)  # noqa: S603
    subprocess.run([*admin, f'CREATE DATABASE "{name}"'], check=True)  # noqa: S603
    yield url.rsplit("/", 1)[0] + "/" + name
    subprocess.run([*admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)  # noqa: S603


def test_dumpdata_restores_on_the_other_database_engine(tmp_path, other_database):
    """SQLite → PostgreSQL (or back): migrate, flush, loaddata in the new database;
    its pages are the same bytes as this database's."""
    portal_data()
    urls = public_urls()
    original = responses(urls)
    path = tmp_path / "cchc.jsonl.gz"
    dump(path)

    manage(other_database, "migrate", "--no-input", "-v", "0")
    manage(other_database, "flush", "--no-input", "-v", "0")
    manage(other_database, "loaddata", str(path), "-v", "0")

    assert_same(responses_from(other_database, urls), original)


# -- pg_dump / pg_restore --------------------------------------------------------------------------


def pg_dump(path: Path) -> None:
    """The README's pg_dump of this (test) database."""
    run(["pg_dump", "--format=custom", f"--file={path}", postgresql_url(connection.settings_dict["NAME"])], "")


@pytest.fixture
def new_postgresql_database():
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield postgresql_url(name)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@needs_postgresql
def test_pg_dump_and_pg_restore_into_a_new_database_give_byte_identical_pages(tmp_path, new_postgresql_database):
    portal_data()
    urls = public_urls()
    original = responses(urls)
    path = tmp_path / "cchc.dump"
    pg_dump(path)

    run(
        [
            "pg_restore",
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "-d",
            new_postgresql_database,
            str(path),
        ],
        "",
    )
    manage(new_postgresql_database, "migrate", "--check")  # the schema is the code's
    bump = "from cchc_portal.caching import data_version_bump; data_version_bump()"
    manage(new_postgresql_database, "shell", "-c", bump)

    assert_same(responses_from(new_postgresql_database, urls), original)


@needs_postgresql
def test_pg_restore_of_an_older_backup_over_the_database_then_a_bump_shows_the_older_pages(tmp_path):
    """Going back to an older backup in place (``pg_restore --clean``) brings back
    the older data version too. A page of the newer data may be cached under it
    (a process trusts the version it read for PUBLIC_VERSION_SECONDS, so one that
    had not seen the change yet cached the newer page under the older version),
    and browsers hold the newer Last-Modified. The README's bump after the
    restore makes both go."""
    data = portal_data()
    urls = public_urls()
    older = responses(urls)
    older_version = data_version()
    path = tmp_path / "older.dump"
    pg_dump(path)
    services.scores_set(framework=data["corrected"], entries=[score(data["districts"][0], "1", "20")], reason="Sai")
    page = f"/rankings/{data['corrected'].slug}/"
    client = Client()
    newer = client.get(page)
    assert newer.content != older[page][3]
    cache.clear()
    caching._memo = (time.monotonic() + 60, older_version)  # a process that has not read the change yet
    assert client.get(page).content == newer.content  # now cached under the older version
    connection.close()

    command = ["pg_restore", "--clean", "--if-exists", "--exit-on-error", "--single-transaction", "--no-owner"]
    run([*command, "-d", postgresql_url(connection.settings_dict["NAME"]), str(path)], "")
    caching._memo = (0.0, 0)  # a second later, every process reads the restored version

    assert data_version() == older_version
    assert client.get(page).content == newer.content  # the hazard: the newer page, from the cache
    time.sleep(1.01)  # HTTP dates count seconds: a real restore comes later than the newer page's second
    call_command("refresh_public_pages", stdout=io.StringIO())
    assert data_version() > older_version
    again = client.get(page, HTTP_IF_MODIFIED_SINCE=newer["Last-Modified"])
    assert again.status_code == 200 and again.content == older[page][3]
    assert {url: _response(client.get(url)) for url in urls} == older
