"""Browser tests: the portal served by pytest-django's ``live_server`` on 127.0.0.1,
the demo data, Debian's headless Chromium driven by Playwright.

One browser for the session, a fresh context and page per test. Every page records
its console errors, its uncaught JavaScript errors and every request to a host other
than 127.0.0.1 or localhost (which it aborts, so nothing leaves the machine); a test
that passes fails at teardown if any were recorded. ``browse`` opens and follows pages
and saves a full-page screenshot of each in ``tests/browser/screenshots/`` (git-ignored,
emptied at the start of a session).

Every wait is on a condition (a page loaded, an element shown, an event), never on
time, and its deadline is set here for all of them: half a minute for a wait, a
minute for a navigation; BROWSER_TIMEOUT=N (seconds) makes them N and 2N on a slower
machine still. On a busy two-core machine a page that loads plotly.js (4.8 MB to
parse) takes seconds to come: a deadline ends a test whose page never comes, it
does not time a slow one.
"""

import contextlib
import math
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connections
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Playwright,
    Request,
    Response,
    Route,
    expect,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

from scoring.demo import demo_load

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Playwright cannot download its own browsers here; Debian's Chromium, headless, as root.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SCREENSHOTS = Path(__file__).parent / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}


def _wait_ms() -> float:
    """BROWSER_TIMEOUT, in seconds (30 if unset), as Playwright counts: milliseconds."""
    raw = os.environ.get("BROWSER_TIMEOUT", "30")
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise pytest.UsageError(f"BROWSER_TIMEOUT is a number of seconds above 0, not {raw!r}")
    return seconds * 1000


WAIT_MS = _wait_ms()
NAVIGATION_MS = 2 * WAIT_MS

# pytest-django's live server listens on localhost by default; the checks below
# name 127.0.0.1, and Chromium would try ::1 first for localhost.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

_call_report = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep the call phase's report: the page's checks at teardown run only for a
    test whose body passed (a failed or pending test has already said what is wrong)."""
    report = yield
    if report.when == "call":
        item.stash[_call_report] = report
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's sync API, made to live with Django's synchronous database code.

    The API runs an event loop in this thread for as long as it is started. Django
    refuses synchronous database access from a thread with a running loop (the
    test data, the flush between tests): DJANGO_ALLOW_ASYNC_UNSAFE allows it, the
    documented way for Playwright with pytest-django. And Django's connections
    live in a Local that gives a thread with a running loop another set of
    connections: a second connection to the test database, without what the
    serialized rollback needs and never closed. So the thread keeps its own.

    ``expect`` has its own deadline (5 s unless told): the suite's, for the session.
    """
    own_connections = {alias: connections[alias] for alias in connections}
    expect.set_options(timeout=WAIT_MS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            for alias, connection in own_connections.items():
                connections[alias] = connection
            yield playwright
    expect.set_options(timeout=None)


@pytest.fixture(scope="session")
def browser(playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}: install it with `apt-get install chromium` "
            "(Debian), or set CHROMIUM to the path of a Chromium or Chrome executable.",
            pytrace=False,
        )
    SCREENSHOTS.mkdir(exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser) -> Iterator[Callable[..., BrowserContext]]:
    """Opens browser contexts (keyword arguments as ``Browser.new_context``'s) with the
    suite's deadlines, and closes them after the test."""
    contexts: list[BrowserContext] = []

    def new_context(**options) -> BrowserContext:
        context = browser.new_context(**options)
        context.set_default_navigation_timeout(NAVIGATION_MS)
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return context

    yield new_context
    for context in contexts:
        context.close()


@pytest.fixture
def portal(live_server, django_db_serialized_rollback) -> str:
    """The live server's URL, serving the demo (as `make run` does, without the
    official unit lists, whose 14,000 units take seconds to load). Each test
    gets a fresh copy: the live server needs committed data, so every test is
    transactional and the database is flushed after it; the serialized rollback
    brings back what the migrations wrote (the index, the band schemes)."""
    demo_load()
    return live_server.url


@pytest.fixture
def watched(new_context, portal) -> Iterator[tuple[Page, list[str]]]:
    """A page of a fresh browser context on the portal (relative URLs go to the
    live server), and the list of what went wrong on it: console errors,
    uncaught JavaScript errors, requests to another host (aborted)."""
    problems: list[str] = []

    def route(route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname in LOCAL_HOSTS:
            route.fallback()
        else:
            problems.append(f"request to another host: {request.method} {request.url}")
            route.abort("blockedbyclient")

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url") if message.location else ""
            problems.append(f"console error: {message.text}" + (f" ({where})" if where else ""))

    context = new_context(base_url=portal, viewport=VIEWPORT)
    context.route(re.compile(r"^https?://"), route)
    page = context.new_page()
    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"uncaught JavaScript error: {error}"))
    yield page, problems


@pytest.fixture
def page(request, watched) -> Iterator[Page]:
    """A watched page that fails the test at teardown if anything went wrong on it."""
    page, problems = watched
    yield page
    call = request.node.stash.get(_call_report, None)
    if call is not None and call.passed and problems:
        pytest.fail("The browser reported:\n" + "\n".join(f"  - {problem}" for problem in problems), pytrace=False)


class Browse:
    """Opens and follows pages of the portal, and photographs each one."""

    def __init__(self, page: Page, test_name: str):
        self.page = page
        self.test_name = _file_name(test_name)
        self.shots = 0

    def open(self, path: str) -> Page:
        """Go to ``path`` (relative to the portal), check that it answered 200, take a screenshot."""
        response = self.page.goto(path)
        _assert_ok(response, path)
        self.screenshot()
        return self.page

    def follow(self, target: Locator, url: str | re.Pattern[str]) -> Page:
        """Click ``target`` (a link or a button), wait for the page at ``url`` (a glob
        or a pattern), take a screenshot."""
        target.click()
        self.page.wait_for_url(url)
        self.screenshot()
        return self.page

    def screenshot(self, label: str = "") -> Path:
        """The whole page, as ``<test>-<n>-<label or path>.png``."""
        self.shots += 1
        location = urlsplit(self.page.url)
        if not label:
            label = location.path.strip("/").replace("/", "_") or "home"
            label += f"_{location.query}" if location.query else ""
        path = SCREENSHOTS / f"{self.test_name}-{self.shots:02d}-{_file_name(label)}.png"
        self.page.screenshot(path=path, full_page=True)
        return path


def _file_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "-", text).strip("-")


def _assert_ok(response: Response | None, path: str) -> None:
    assert response is not None, f"no response for {path}"
    assert response.status == 200, f"{path} answered {response.status}"


@pytest.fixture
def browse(request, page) -> Iterator[Browse]:
    """A ``Browse`` of the test's page; a test that did not pass leaves a screenshot
    of where it stopped."""
    browse = Browse(page, request.node.name)
    yield browse
    call = request.node.stash.get(_call_report, None)
    if call is not None and not call.passed:
        with contextlib.suppress(PlaywrightError):
            browse.screenshot("where-it-stopped")
