"""Helpers shared by the staff journeys: more browser windows (one per person) and
logging in through the real login form.

``with more_windows(browser, live_server, request) as open_window:`` gives each further
person (applicant, approver, reviewer …) a browser window of their own.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.browser.conftest import _new_page, snap
from tests.twofactor import totp_code

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "correct-horse-battery"  # noqa: S105 - tests.factories.UserFactory

# Playwright's assertions wait 5 s by default; a page of the busy shared machine may take
# longer. Still bounded, and only ever waiting (never sleeping) for what the user sees.
expect.set_options(timeout=20_000)


def at(*args: int) -> datetime:
    """An aware moment in Asia/Shanghai."""
    return datetime(*args, tzinfo=SHANGHAI)


@contextmanager
def more_windows(browser, live_server, request) -> Iterator[Callable[[str], Page]]:
    """``open_window(name)``: a separate browser (own cookies) for one more person,
    watched like the ``page`` fixture: foreign requests, console and script errors fail
    the test, and each window saves a screenshot when the test fails inside the block."""
    opened: list[tuple[str, Any, Page]] = []

    def open_window(name: str) -> Page:
        context, window = _new_page(
            browser, live_server, request, viewport={"width": 1280, "height": 900}
        )
        opened.append((name, context, window))
        return window

    try:
        yield open_window
    except BaseException:
        for name, context, window in opened:
            with suppress(Exception):  # best effort: the test already failed
                snap(window, f"{request.node.nodeid}-{name}-failed")
            context.close()
        raise
    problems = []
    for name, context, window in opened:
        watch = window.watch
        context.close()
        if watch.foreign_requests or watch.page_errors or watch.console_errors:
            problems.append(
                (name, watch.foreign_requests, watch.page_errors, watch.console_errors)
            )
    assert not problems, (
        f"foreign requests / script errors / console errors: {problems}"
    )


def log_in(
    page: Page, username: str, password: str = PASSWORD, totp_key: str | None = None
) -> str | None:
    """Fill the staff login form the page shows (after a redirect to it) and submit;
    then pass the second factor where the account needs one (issue 11 §3): a first
    sign-in enrols through the real page (reads the key it shows, as a person types it
    into an authenticator, and continues past the recovery codes); later ones type the
    code for ``totp_key``. Returns the key (hex) learned at enrolment, if any."""
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作人员登录")).to_have_count(0)
    title = page.locator("h1").first.inner_text()
    learned = None
    if title == "绑定验证器":
        secret = page.locator("figcaption code").inner_text()
        learned = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
        page.get_by_label("验证码").fill(totp_code(learned))
        page.get_by_role("button", name="完成绑定").click()
        expect(page.locator("ol.recovery-codes li")).to_have_count(10)
        page.get_by_role("link", name="我已保存，继续").click()
    elif title == "两步验证":
        assert totp_key, f"{username} needs a second factor: pass totp_key"
        page.get_by_label("验证码").fill(totp_code(totp_key))
        page.get_by_role("button", name="验证").click()
    expect(page.get_by_role("heading", name="两步验证")).to_have_count(0)
    expect(page.get_by_role("heading", name="绑定验证器")).to_have_count(0)
    return learned


def open_action(page: Page, title: str) -> None:
    """Unfold one action of the staff case page (a <details> whose summary is ``title``)."""
    page.locator("details.action > summary", has_text=title).click()


def expect_message(page: Page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)
