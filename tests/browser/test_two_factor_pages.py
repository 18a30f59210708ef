"""The second sign-in step in a real browser (issue 11 §3): an approver enrols by the
key the page shows, notes the recovery codes, signs in again with a code; every page
passes axe with labelled fields, and the QR code loads under the CSP (the page
fixture fails on any console error, CSP violations included)."""

from __future__ import annotations

import base64

import pytest
from playwright.sync_api import expect

from tests.browser import site_tour
from tests.browser.test_accessibility import FORM_FIELDS_JS, serious_violations
from tests.twofactor import totp_code

pytestmark = pytest.mark.browser


def _clean(page, name: str) -> None:
    violations = serious_violations(page)
    assert not violations, (name, violations)
    fields = page.evaluate(FORM_FIELDS_JS)["problems"]
    assert not fields, (name, fields)


def _password(page, username: str) -> None:
    site_tour.open_page(page, "/staff/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(site_tour.STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_an_approver_enrols_and_signs_in_with_a_code(page):
    site_tour.build_world()  # dora is the education bureau's 审核人
    _password(page, "dora")
    expect(page.get_by_role("heading", name="绑定验证器")).to_be_visible()
    qr = page.get_by_role(
        "img", name="绑定验证器的二维码（无法扫描时请手动输入下方密钥）"
    )
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    _clean(page, "enrol")
    secret = page.locator("figcaption code").inner_text()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()

    page.get_by_label("验证码").fill("000000")
    page.get_by_role("button", name="完成绑定").click()
    expect(page.locator("#error-summary")).to_contain_text("验证码不正确")
    _clean(page, "enrol, wrong code")
    page.get_by_label("验证码").fill(totp_code(key))
    page.get_by_role("button", name="完成绑定").click()
    expect(page.locator("ol.recovery-codes li")).to_have_count(10)
    _clean(page, "recovery codes")
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url("**/staff/")

    page.get_by_role("button", name="退出").first.click()
    _password(page, "dora")
    expect(page.get_by_role("heading", name="两步验证")).to_be_visible()
    _clean(page, "verify")
    page.get_by_label("验证码").fill(totp_code(key, drift=1))
    page.get_by_role("button", name="验证").click()
    page.wait_for_url("**/staff/")
