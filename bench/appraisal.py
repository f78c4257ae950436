"""Benchmark: an appraiser walks a 40-criterion unit with the keyboard; the round's
dashboard for 170 units.

A draft commune framework of the benchmarks' 40 leaf criteria (8 fields of 5) takes 170
communes; its round is in appraisal, every unit self-assessed (every leaf at ⅘ of its
maximum, with an explanation) and submitted. The portal is served by Django's live-server
thread on 127.0.0.1 and Debian's headless Chromium (Playwright) signs in as the province
editor. Times, best of BENCH_RUNS (default 5), in one run:
  baseline  opening one unit's appraisal page (the navigation, to its load event)
  walk      on that page: focus the first box, press "=" in each of the 40 (it accepts the
            self score and moves to the next box), press Save and wait for the saved page;
            the appraisal is cleared between runs, so each run writes 40 criteria
The appraiser's own work is 41 keystrokes; the walk's time is what the portal adds to them.
Before any figure is printed the saved appraisal is checked: 40 criteria, each its self score.
Then the round's dashboard (assessments.selectors.round_overview) for the 170 units: its
query count (the same for 3 units: tests/staff/test_round_pages.py) and its time against
reading the 170 units' rows of the round (its baseline).

Runs on a throw-away database: a temporary SQLite file, or the PostgreSQL server of
BENCH_DATABASE_URL. Needs Debian's Chromium (CHROMIUM, default /usr/bin/chromium).

    make bench-appraisal
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench make bench-appraisal
"""

import os
import time
from datetime import timedelta

from common import national_criteria, on_fresh_database, report, seconds, workdir

# Playwright's synchronous API runs an event loop in this thread; the database calls
# between its steps are synchronous all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

UNITS = 170
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
WAIT_MS = 120_000


def round_in_appraisal():
    """The framework, its round in appraisal, every unit self-assessed and submitted; the editor."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from assessments import services as cycle
    from scoring import services
    from scoring.models import DEFAULT_BAND_SCHEME, BandScheme, Index
    from staff.models import StaffRole
    from units.models import Unit
    from units.services import UnitRow, units_upsert

    units_upsert(
        rows=[UnitRow(code="90", name="Tỉnh Mẫu", kind="province")]
        + [UnitRow(code=f"{90000 + n}", name=f"Xã Mẫu {n}", kind="commune", parent_code="90") for n in range(UNITS)]
    )
    framework = services.framework_create(
        index=Index.objects.get(slug="cchc"),
        year=2025,
        scope="90",
        block="commune",
        name="Bench appraisal",
        criteria=national_criteria(),
        band_scheme=BandScheme.objects.get(name=DEFAULT_BAND_SCHEME),
        participants=Unit.objects.filter(kind="commune", parent__code="90"),
    )
    now = timezone.now()
    round_ = cycle.round_open(
        framework=framework, deadlines=cycle.Deadlines(*(now + timedelta(days=d) for d in (1, 2, 3, 4)))
    )
    leaves = list(framework.criteria.filter(is_leaf=True).order_by("order", "code"))
    entries = [cycle.SelfEntry(leaf.code, leaf.max_points * 4 / 5, explanation="Báo cáo năm") for leaf in leaves]
    for unit in round_.units.select_related("round", "unit"):
        cycle.self_scores_set(unit=unit, entries=entries)
        cycle.unit_submit(unit=unit)
    round_ = cycle.round_phase_close(round=round_)
    editor = get_user_model().objects.create_user("bench-editor")
    StaffRole.objects.create(user=editor, role=StaffRole.Role.PROVINCE_EDITOR, unit=Unit.objects.get(code="90"))
    return framework, round_, leaves, editor


def served(function):
    """Run ``function(base_url)`` with the portal served on 127.0.0.1 by Django's
    live-server thread (static files from the finders), as over plain HTTP."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread
    from django.test.utils import override_settings

    plain_http = override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        ALLOWED_HOSTS=["127.0.0.1"],
        STATIC_ROOT=workdir,  # nothing collected: the finders serve
    )
    with plain_http:
        thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        try:
            return function(f"http://127.0.0.1:{thread.port}")
        finally:
            thread.terminate()


def walk(base_url, framework, round_, leaves, editor, unit_code, results):
    from django.db import connections
    from django.test import Client
    from django.urls import reverse
    from playwright.sync_api import expect, sync_playwright

    from assessments.models import CellAssessment

    client = Client()
    client.force_login(editor)
    url = base_url + reverse("staff:appraisal", args=[framework.slug, unit_code])
    cells = CellAssessment.objects.filter(round=round_, unit__code=unit_code)
    walks, loads = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(WAIT_MS)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])
        page = context.new_page()
        for _run in range(RUNS):
            cells.update(appraised_points=None, appraised_not_applicable=False, appraisal_comment="", appraised_at=None)
            start = time.perf_counter()
            page.goto(url, wait_until="load")
            loads.append(time.perf_counter() - start)
            boxes = page.locator("input.appraised")
            expect(boxes).to_have_count(len(leaves))
            start = time.perf_counter()
            boxes.first.focus()
            for _leaf in leaves:
                page.keyboard.press("=")
            with page.expect_navigation(wait_until="load"):
                page.locator("button[name=save]").click()
            walks.append(time.perf_counter() - start)
        browser.close()
        # Under Playwright's loop the database calls above had a connection of their own.
        connections.close_all()
    saved = {cell.criterion_id: (cell.appraised_points, cell.self_points) for cell in cells}
    if len(saved) != len(leaves) or any(appraised != own for appraised, own in saved.values()):
        raise SystemExit(f"the walk did not save the self scores as appraised: {saved}")
    results["baseline"], results["walk"] = min(loads), min(walks)


def dashboard(round_, results):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.models import AssessmentRound, UnitAssessment
    from assessments.selectors import round_overview

    round_ = AssessmentRound.objects.select_related("framework").get(pk=round_.pk)
    with CaptureQueriesContext(connection) as queries:
        overview = round_overview(round_)
    if len(overview) != UNITS:
        raise SystemExit(f"the dashboard lists {len(overview)} units, not {UNITS}")
    results["baseline"] = min(
        seconds(lambda: list(UnitAssessment.objects.filter(round=round_).select_related("unit"))) for _ in range(RUNS)
    )
    results["dashboard"] = min(seconds(lambda: round_overview(round_)) for _ in range(RUNS))
    return len(queries)


def run():
    framework, round_, leaves, editor = round_in_appraisal()
    unit_code = round_.units.order_by("unit__code").values_list("unit__code", flat=True).first()
    results = {}
    served(lambda base_url: walk(base_url, framework, round_, leaves, editor, unit_code, results))
    report(f"an appraiser's keyboard walk of {len(leaves)} criteria, best of {RUNS}", results, ["baseline", "walk"])
    print(f"  keystrokes: {len(leaves) + 1}; per criterion {results['walk'] / len(leaves) * 1000:.0f} ms")
    results = {}
    count = dashboard(round_, results)
    report(
        f"the round's dashboard of {UNITS} units ({count} queries), best of {RUNS}", results, ["baseline", "dashboard"]
    )


if __name__ == "__main__":
    on_fresh_database(run)
