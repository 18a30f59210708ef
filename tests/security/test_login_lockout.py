"""Staff login lockout (security.md §9 test 6): username + client IP, 5 failures in
15 minutes lock the pair for 15 minutes; same reply for unknown users; a forged
X-Forwarded-For changes nothing; every block is logged without the secrets."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from portal.auth_views import LOGIN_PER_IP

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PASSWORD = "alice-password-2026"  # noqa: S105 - test account
LOCKED = "登录失败次数过多，请 15 分钟后再试"


@pytest.fixture
def alice(staff_user):
    staff_user.set_password(PASSWORD)
    staff_user.save(update_fields=["password"])
    return staff_user


def _login(client, username, password, ip="198.51.100.10", **extra):
    return client.post(
        reverse("portal:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        **extra,
    )


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_lock_the_pair_for_fifteen_minutes(client, alice):
    with time_machine.travel(START, tick=False) as traveller:
        replies = [_login(client, "alice", "wrong") for _ in range(5)]
        assert [r.status_code for r in replies] == [200, 200, 200, 200, 429]
        assert LOCKED not in replies[3].content.decode()
        assert LOCKED in replies[4].content.decode()
        assert int(replies[4]["Retry-After"]) == 15 * 60

        right = _login(client, "alice", PASSWORD)
        assert right.status_code == 429
        assert LOCKED in right.content.decode()
        assert not _logged_in(client)
        # the typed user name is kept, the password never comes back
        assert 'value="alice"' in right.content.decode()
        assert PASSWORD not in right.content.decode()

        traveller.shift(timedelta(minutes=14))
        assert _login(client, "alice", PASSWORD).status_code == 429
        traveller.shift(timedelta(minutes=1))
        ok = _login(client, "alice", PASSWORD)
        assert ok.status_code == 302
        assert _logged_in(client)


def test_unknown_user_gets_the_same_replies(client, alice):
    known = [_login(client, "alice", "wrong") for _ in range(5)]
    unknown = [_login(client, "nobody-here", "wrong") for _ in range(5)]
    assert [r.status_code for r in unknown] == [r.status_code for r in known]

    def errors(response):
        form = response.context["form"]
        return response.context.get("locked_message") or form.non_field_errors()

    assert [str(errors(r)) for r in unknown] == [str(errors(r)) for r in known]


def test_success_clears_the_failures(client, alice):
    for _ in range(4):
        _login(client, "alice", "wrong")
    assert _login(client, "alice", PASSWORD).status_code == 302
    client.logout()
    replies = [_login(client, "alice", "wrong").status_code for _ in range(4)]
    assert replies == [200, 200, 200, 200]


def test_user_name_variants_share_one_counter(client, alice):
    for name in ["alice", "ALICE", " Alice ", "ａｌｉｃｅ"]:  # full-width too
        _login(client, name, "wrong")
    assert _login(client, "Alice", "wrong").status_code == 429


def test_other_addresses_are_not_locked_out(client, alice):
    for _ in range(5):
        _login(client, "alice", "wrong", ip="203.0.113.66")
    assert _login(client, "alice", PASSWORD, ip="198.51.100.77").status_code == 302


def test_forged_forwarded_for_is_ignored_without_a_proxy(client, alice, settings):
    settings.BEHIND_PROXY = False
    for n in range(5):
        _login(client, "alice", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert (
        _login(client, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="10.0.0.200").status_code
        == 429
    )


def test_forged_forwarded_for_is_ignored_behind_a_proxy(client, alice, settings):
    """Behind nginx only the last hop (appended by nginx) counts."""
    settings.BEHIND_PROXY = True
    for n in range(5):
        _login(
            client,
            "alice",
            "wrong",
            ip="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.66",
        )
    locked = _login(
        client,
        "alice",
        PASSWORD,
        ip="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.0.0.99, 203.0.113.66",
    )
    assert locked.status_code == 429
    other = _login(
        client,
        "alice",
        PASSWORD,
        ip="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.5",
    )
    assert other.status_code == 302


def test_password_spraying_from_one_address_is_stopped(client, alice):
    for n in range(LOGIN_PER_IP.max_hits):
        _login(client, f"user{n}", "Winter2026!")
    assert _login(client, "alice", PASSWORD).status_code == 429
    assert _login(client, "alice", PASSWORD, ip="198.51.100.11").status_code == 302


def test_missing_password_is_not_counted(client, alice):
    for _ in range(10):
        reply = _login(client, "alice", "")
        assert reply.status_code == 200
        assert reply.context["form"].errors["password"]
    assert _login(client, "alice", PASSWORD).status_code == 302


def test_blocks_are_logged_without_user_name_or_password(client, alice, caplog):
    caplog.set_level(logging.INFO, logger="portal.security")
    for _ in range(6):
        _login(client, "alice", "hunter2-secret")
    messages = [r.getMessage() for r in caplog.records if r.name == "portal.security"]
    blocks = [m for m in messages if "rate limit block" in m]
    assert len(blocks) == 2  # the 5th attempt starts the lock, the 6th is refused
    assert all("scope=login-user-ip" in m for m in blocks)
    for message in messages:
        assert "alice" not in message
        assert "hunter2" not in message
        assert "198.51.100.10" not in message


def test_admin_login_goes_through_the_same_lockout(client, alice):
    page = client.get("/admin/login/?next=/admin/")
    assert page.status_code == 200
    assert "工作人员登录" in page.content.decode()
    for _ in range(5):
        client.post(
            "/admin/login/?next=/admin/",
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR="198.51.100.10",
        )
    assert _login(client, "alice", PASSWORD).status_code == 429


def test_login_page_keeps_the_site_identity(client, db):
    page = client.get(reverse("portal:login"))
    assert page.context["site"].site_code  # SiteIdentity, not Django's RequestSite
    assert "no-store" in page["Cache-Control"]
