"""portal.ratelimit: shared counters in PostgreSQL (security.md §7, §9 test 32)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from portal import ratelimit
from portal.models import RateLimitBucket

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LIMIT = ratelimit.Limit("test-scope", max_hits=3, window_seconds=15 * 60)


def test_hits_are_counted_and_block_at_the_limit():
    with time_machine.travel(START, tick=False):
        assert ratelimit.hits(LIMIT, "203.0.113.1") == 0
        assert [ratelimit.record_hit(LIMIT, "203.0.113.1") for _ in range(4)] == [
            1,
            2,
            3,
            4,
        ]
        assert ratelimit.is_blocked(LIMIT, "203.0.113.1")
        assert ratelimit.retry_after(LIMIT, "203.0.113.1") == 15 * 60
        assert not ratelimit.is_blocked(LIMIT, "203.0.113.2")
        assert not ratelimit.is_blocked(
            ratelimit.Limit("other-scope", 3, 900), "203.0.113.1"
        )


def test_window_runs_out_and_counting_starts_again():
    with time_machine.travel(START, tick=False) as traveller:
        ratelimit.record_hit(LIMIT, "a")
        ratelimit.record_hit(LIMIT, "a")
        traveller.shift(timedelta(minutes=15))
        assert ratelimit.hits(LIMIT, "a") == 0
        assert ratelimit.record_hit(LIMIT, "a") == 1


def test_block_lasts_a_full_window_from_the_hit_that_reached_the_limit():
    with time_machine.travel(START, tick=False) as traveller:
        ratelimit.record_hit(LIMIT, "a")  # 09:00 opens the window
        traveller.shift(timedelta(minutes=10))
        ratelimit.record_hit(LIMIT, "a")
        traveller.shift(timedelta(minutes=4))
        assert ratelimit.record_hit(LIMIT, "a") == 3  # 09:14 reaches the limit
        traveller.shift(
            timedelta(minutes=6)
        )  # 09:20: past the first window, still locked
        assert ratelimit.is_blocked(LIMIT, "a")
        assert ratelimit.retry_after(LIMIT, "a") == 9 * 60
        traveller.shift(timedelta(minutes=9))  # 09:29
        assert not ratelimit.is_blocked(LIMIT, "a")
        assert ratelimit.retry_after(LIMIT, "a") == 0


def test_keys_are_digests_not_the_identity():
    ratelimit.record_hit(LIMIT, "110105194912310021|198.51.100.7")
    keys = list(RateLimitBucket.objects.values_list("key", flat=True))
    assert len(keys) == 1
    assert keys[0].startswith("test-scope:")
    assert "198.51.100.7" not in keys[0]
    assert "110105" not in keys[0]


def test_undo_and_reset():
    for _ in range(3):
        ratelimit.record_hit(LIMIT, "a")
    ratelimit.undo_hit(LIMIT, "a")
    assert ratelimit.hits(LIMIT, "a") == 2
    ratelimit.reset(LIMIT, "a")
    assert ratelimit.hits(LIMIT, "a") == 0
    ratelimit.undo_hit(LIMIT, "never-seen")  # harmless
    assert ratelimit.hits(LIMIT, "never-seen") == 0


def test_purge_expired_keeps_live_counters():
    with time_machine.travel(START, tick=False) as traveller:
        ratelimit.record_hit(LIMIT, "old")
        traveller.shift(timedelta(hours=23))
        ratelimit.record_hit(LIMIT, "recent")
        traveller.shift(timedelta(hours=2))
        assert ratelimit.purge_expired() == 1
        assert ratelimit.hits(LIMIT, "recent") == 0  # its 15-minute window ended too
        assert RateLimitBucket.objects.count() == 1


@pytest.mark.parametrize(
    ("scope", "max_hits", "window"),
    [
        ("", 1, 60),
        ("a:b", 1, 60),
        ("x" * 51, 1, 60),
        ("ok", 0, 60),
        ("ok", 1, 0),
        ("ok", 1, 86401),
    ],
)
def test_invalid_limits_are_refused(scope, max_hits, window):
    with pytest.raises(ValueError, match="must"):
        ratelimit.Limit(scope, max_hits, window)


def test_parallel_hits_from_many_connections_never_lose_a_count():
    """Eight threads, each with its own PostgreSQL connection (as eight workers would
    have), hit one counter 25 times each: every hit gets its own number."""
    limit = ratelimit.Limit("test-parallel", max_hits=1000, window_seconds=3600)
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8, timeout=30)

    def worker() -> None:
        try:
            barrier.wait()
            got = [ratelimit.record_hit(limit, "198.51.100.99") for _ in range(25)]
            with lock:
                results.extend(got)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    def cleanup() -> None:
        try:
            ratelimit.reset(limit, "198.51.100.99")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    cleaner = threading.Thread(target=cleanup)
    cleaner.start()
    cleaner.join(timeout=30)
    assert errors == []
    assert sorted(results) == list(range(1, 201))


# --- client_ip ---------------------------------------------------------------------


def test_client_ip_ignores_forwarded_for_unless_behind_proxy(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="198.51.100.5", HTTP_X_FORWARDED_FOR="10.0.0.1"
    )
    settings.BEHIND_PROXY = False
    assert ratelimit.client_ip(request) == "198.51.100.5"


def test_client_ip_behind_proxy_takes_the_last_hop(settings):
    settings.BEHIND_PROXY = True
    request = RequestFactory().get(
        "/",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.1, 198.51.100.5",
    )
    assert ratelimit.client_ip(request) == "198.51.100.5"
    garbage = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, not-an-ip"
    )
    assert ratelimit.client_ip(garbage) == "127.0.0.1"
    missing = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")
    assert ratelimit.client_ip(missing) == "127.0.0.1"


def test_client_ip_direct_connection_cannot_forge_forwarded_for(settings):
    """Issue 11 §1.9: anyone reaching gunicorn directly (not from a trusted proxy)
    is counted under their own address, whatever X-Forwarded-For says."""
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    for forged in ("203.0.113.9", "10.0.0.1, 203.0.113.9", "127.0.0.1"):
        request = RequestFactory().get(
            "/", REMOTE_ADDR="198.51.100.77", HTTP_X_FORWARDED_FOR=forged
        )
        assert ratelimit.client_ip(request) == "198.51.100.77", forged


def test_client_ip_takes_the_right_most_untrusted_hop(settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.1.0.0/16"]
    # client → CDN-less load balancer 10.1.2.3 → nginx on loopback
    request = RequestFactory().get(
        "/",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.5, 10.1.2.3",
    )
    assert ratelimit.client_ip(request) == "198.51.100.5"
    # a trusted hop cannot be impersonated from the left: the walk stops at the
    # first untrusted address from the right
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.1.9.9", HTTP_X_FORWARDED_FOR="10.1.0.1, 203.0.113.4"
    )
    assert ratelimit.client_ip(request) == "203.0.113.4"
    # only proxies all the way: the left-most trusted one is the best we know
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.0.1"
    )
    assert ratelimit.client_ip(request) == "10.1.0.1"


# --- the decorator ------------------------------------------------------------------

FORM_LIMIT = ratelimit.Limit("test-form", max_hits=2, window_seconds=600)


@ratelimit.rate_limit(FORM_LIMIT)
def _form_view(request):
    return HttpResponse("accepted")


def _post(ip: str = "198.51.100.8"):
    request = RequestFactory().post("/ysq/apply/", {"x": "1"}, REMOTE_ADDR=ip)
    return _form_view(request)


def test_decorator_blocks_past_the_limit_with_a_chinese_429(caplog):
    caplog.set_level(logging.WARNING, logger="portal.security")
    with time_machine.travel(START, tick=False):
        assert [_post().status_code for _ in range(2)] == [200, 200]
        blocked = _post()
        assert blocked.status_code == 429
        text = blocked.content.decode()
        assert "访问过于频繁" in text
        assert "请 10 分钟后再试" in text
        assert int(blocked["Retry-After"]) == 600
        assert "no-store" in blocked["Cache-Control"]
        assert _post("198.51.100.9").status_code == 200  # another client is unaffected
    blocks = [r for r in caplog.records if "rate limit block" in r.getMessage()]
    assert len(blocks) == 1
    assert "scope=test-form" in blocks[0].getMessage()
    assert "198.51.100.8" not in blocks[0].getMessage()


def test_decorator_ignores_other_methods_and_empty_keys():
    get_view = ratelimit.rate_limit(FORM_LIMIT)(lambda request: HttpResponse("ok"))
    for _ in range(5):
        assert (
            get_view(RequestFactory().get("/", REMOTE_ADDR="198.51.100.8")).status_code
            == 200
        )
    keyless = ratelimit.rate_limit(FORM_LIMIT, key=lambda request: None)(
        lambda request: HttpResponse("ok")
    )
    for _ in range(5):
        assert (
            keyless(RequestFactory().post("/", REMOTE_ADDR="198.51.100.8")).status_code
            == 200
        )
    assert RateLimitBucket.objects.count() == 0


def test_decorator_on_limit_lets_the_view_keep_what_was_typed():
    def keep_form(request, seconds):
        return HttpResponse(
            f"form again with {request.POST['x']} wait {seconds}", status=429
        )

    view = ratelimit.rate_limit(FORM_LIMIT, on_limit=keep_form)(
        lambda request: HttpResponse("ok")
    )
    with time_machine.travel(START, tick=False):
        for _ in range(2):
            view(
                RequestFactory().post(
                    "/", {"x": "我的申请内容"}, REMOTE_ADDR="198.51.100.3"
                )
            )
        blocked = view(
            RequestFactory().post(
                "/", {"x": "我的申请内容"}, REMOTE_ADDR="198.51.100.3"
            )
        )
    assert blocked.status_code == 429
    assert blocked.content.decode() == "form again with 我的申请内容 wait 600"


def test_purge_command():
    from io import StringIO

    from django.core.management import call_command

    with time_machine.travel(START, tick=False) as traveller:
        ratelimit.record_hit(LIMIT, "old")
        traveller.shift(timedelta(days=2))
        out = StringIO()
        call_command("purge_rate_limits", stdout=out)
    assert out.getvalue().strip() == "purged 1 expired rate-limit counters"
    assert RateLimitBucket.objects.count() == 0


def test_purge_command_can_lift_one_scope():
    from io import StringIO

    from django.core.management import call_command

    other = ratelimit.Limit("other-scope", 3, 900)
    for _ in range(3):
        ratelimit.record_hit(LIMIT, "a")
        ratelimit.record_hit(other, "a")
    out = StringIO()
    call_command("purge_rate_limits", "--scope", "test-scope", stdout=out)
    assert out.getvalue().strip() == "lifted 1 rate-limit counters in scope test-scope"
    assert not ratelimit.is_blocked(LIMIT, "a")
    assert ratelimit.is_blocked(other, "a")
