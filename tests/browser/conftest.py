"""Real-browser tests: Playwright for Python driving Debian's chromium against
pytest-django's live server (a thread of this process, on the test database).

Every page opened through the ``page`` fixture is watched:

* a request to any host other than the live server is blocked and fails the test
  (the portal must not load anything from another host);
* a console error (a Content-Security-Policy violation, a script error) fails the test;
* when the test fails, a screenshot of the page is saved under ``artifacts/browser/``
  (git-ignored; CI keeps it as an artifact). Journeys also save their final page there
  with :func:`snap`.

``scripts/test`` installs chromium with apt-get when it is missing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine

# Playwright's sync API runs an event loop in this thread; the ORM calls a test makes
# to set up data run outside of it, but Django cannot tell, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
TIMEOUT_MS = 30_000  # the machine may be busy: generous, but bounded


# The site tour (site_tour.build_world) builds its data relative to "today": its tests
# run at this pinned, ticking moment, so they give the same result on any day of the
# year. A Wednesday well inside an officially published calendar year (the seeded
# calendar covers 2004–2026), away from holidays; ``tour_clock`` checks that every
# deadline the tour can make falls in official years.
TOUR_NOW = dt.datetime(2026, 6, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def tour_clock(transactional_db):
    """Pin the clock (ticking) for the test and for the live server: time-machine
    patches the clock of the whole process, and the live server is a thread of it."""
    from portal.workdays import add_working_days, load_calendar

    with time_machine.travel(TOUR_NOW, tick=True):
        cal = load_calendar()
        earliest = TOUR_NOW.date() - dt.timedelta(days=120)  # the tour's oldest case
        # 20 working days to reply plus 20 more of an extension, from either end
        for start in (earliest, TOUR_NOW.date()):
            assert not add_working_days(start, 40, cal).provisional, start
        yield TOUR_NOW


def _safe_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])[:120]


def snap(page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/browser/ and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{_safe_name(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser(django_db_setup):
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run scripts/test (it installs Debian's chromium)"
        )
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Once Playwright's sync API has started, the rest of the session runs in another
    # contextvars context, where Django's connections (an asgiref Local) are new objects.
    # Carry over what setup_databases stored on them: the serialized seed data that
    # serialized_rollback restores after each flush (lost when other database tests ran
    # before the first browser test, as in the full suite).
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as pw:
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        yield browser
        browser.close()


class PageWatch:
    """What a page did that a test may want to assert on."""

    def __init__(self, origin: str):
        self.origin = origin
        self.foreign_requests: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.responses: list[tuple[str, int]] = []
        self.error_documents: set[str] = (
            set()
        )  # pages answered with 4xx/5xx (the test sees them)
        self.failed_resources: list[
            str
        ] = []  # a stylesheet, script, image … that failed


def _on_response(watch: PageWatch, response) -> None:
    status = response.status
    watch.responses.append((response.url, status))
    if status >= 400:
        if response.request.resource_type == "document":
            watch.error_documents.add(response.url)
        else:
            watch.failed_resources.append(f"{status} {response.url}")


def _on_console(watch: PageWatch, msg) -> None:
    if msg.type != "error":
        return
    # Chromium logs "Failed to load resource … status of 404" for an error page too; the
    # test asserts on that page itself, so only failed sub-resources count (above).
    if (
        msg.text.startswith("Failed to load resource")
        and (msg.location or {}).get("url") in watch.error_documents
    ):
        return
    watch.console_errors.append(msg.text)


def _new_page(browser, live_server, request, **context_options):
    origin = live_server.url
    watch = PageWatch(origin)
    options = {"base_url": origin, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
    options.update(context_options)
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    host = urlsplit(origin).netloc

    def route(route):
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != host:
            watch.foreign_requests.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.on("response", lambda response: _on_response(watch, response))
    page.on("console", lambda msg: _on_console(watch, msg))
    page.on("pageerror", lambda exc: watch.page_errors.append(str(exc)))
    page.watch = watch
    return context, page


def _finish(context, page, request):
    node = request.node
    failed = any(
        getattr(node, f"rep_{when}", None) and getattr(node, f"rep_{when}").failed
        for when in ("setup", "call")
    )
    if failed:
        with contextlib.suppress(Exception):  # best effort: the test already failed
            snap(page, node.nodeid + "-failed")
    watch = page.watch
    context.close()
    if not failed:
        assert not watch.foreign_requests, (
            f"requests to another host: {watch.foreign_requests}"
        )
        assert not watch.page_errors, f"script errors: {watch.page_errors}"
        assert not watch.failed_resources, (
            f"sub-resources that failed to load: {watch.failed_resources}"
        )
        assert not watch.console_errors, (
            f"console errors (CSP?): {watch.console_errors}"
        )


@pytest.fixture
def page(
    browser, live_server, request, transactional_db, django_db_serialized_rollback
):
    """A fresh browser page (desktop size) on the live server."""
    context, page = _new_page(
        browser, live_server, request, viewport={"width": 1280, "height": 900}
    )
    yield page
    _finish(context, page, request)


@pytest.fixture
def phone_page(
    browser, live_server, request, transactional_db, django_db_serialized_rollback
):
    """A fresh browser page the size of a phone (touch, 390 × 844)."""
    context, page = _new_page(
        browser,
        live_server,
        request,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield page
    _finish(context, page, request)


@pytest.fixture
def nojs_page(
    browser, live_server, request, transactional_db, django_db_serialized_rollback
):
    """A page with JavaScript switched off: every feature must still work."""
    context, page = _new_page(browser, live_server, request, java_script_enabled=False)
    yield page
    _finish(context, page, request)
