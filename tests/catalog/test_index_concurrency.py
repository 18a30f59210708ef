"""索引号 under concurrency: many staff publishing at the same moment (issue 5 §4:
100 parallel publications in one agency → distinct, gapless 索引号).

Real transactions and real threads (each with its own database connection: at most
40, as PostgreSQL allows 100 and other runs share the server), so the counter row
lock in ``issue_index_number`` is what keeps the numbers distinct and gapless. Then
the same through the admin's 发布 action: 100 requests at once against gunicorn with
production settings. ``serialized_rollback`` restores the seeded 主题分类/体裁/栏目
(and the role groups' permissions) after the flush.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.db import connections

from catalog import services
from catalog.models import IndexCounter, Notice, NoticeEvent
from portal import roles
from tests.factories import AgencyFactory, NoticeFactory, StaffFactory
from tests.security.live import (
    SITE_HOST,
    Gunicorn,
    collected_static,
    http_request,
    production_env,
    test_database_url,  # noqa: F401 - a fixture (the test database, for the server)
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TZ = ZoneInfo("Asia/Shanghai")
NOTICES = 100
THREADS = 40  # database connections; each thread publishes 2 or 3 of the 100


def _publish_concurrently(
    batches: list[list[Notice]], when: datetime
) -> list[BaseException]:
    barrier = threading.Barrier(len(batches))
    errors: list[BaseException] = []

    def work(batch: list[Notice]) -> None:
        try:
            barrier.wait(timeout=30)
            for notice in batch:
                services.notice_publish(notice=notice, by=None, now=when)
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return errors


def test_many_threads_publishing_in_one_agency_get_distinct_gapless_numbers():
    agency = AgencyFactory(name="天元区教育局", org_code="00001434-9")
    drafts = [
        NoticeFactory(owner_agency=agency, title=f"并发发布测试{i}")
        for i in range(NOTICES)
    ]
    batches = [drafts[i::THREADS] for i in range(THREADS)]

    errors = _publish_concurrently(batches, datetime(2024, 3, 1, 9, 0, tzinfo=TZ))

    assert errors == []
    numbers = list(
        Notice.objects.filter(owner_agency=agency).values_list(
            "index_number", flat=True
        )
    )
    assert len(numbers) == NOTICES
    assert sorted(numbers) == [
        f"00001434-9/2024-{n:05d}" for n in range(1, NOTICES + 1)
    ]
    assert IndexCounter.objects.get(agency=agency, year=2024).last == NOTICES
    assert not Notice.objects.filter(status=Notice.Status.DRAFT).exists()


def test_two_agencies_publishing_at_once_each_get_their_own_gapless_sequence():
    first = AgencyFactory(name="天元区教育局", org_code="00001434-9")
    second = AgencyFactory(name="天元区财政局", org_code="014416330")
    drafts = [
        NoticeFactory(owner_agency=first if i % 2 else second, title=f"两个机关并发{i}")
        for i in range(NOTICES)
    ]
    # every thread publishes for both agencies, interleaved
    batches = [drafts[i::THREADS] for i in range(THREADS)]

    errors = _publish_concurrently(batches, datetime(2025, 1, 1, 0, 5, tzinfo=TZ))

    assert errors == []
    half = NOTICES // 2
    for agency in (first, second):
        numbers = sorted(
            Notice.objects.filter(owner_agency=agency).values_list(
                "index_number", flat=True
            )
        )
        assert numbers == [
            f"{agency.org_code}/2025-{n:05d}" for n in range(1, half + 1)
        ]
    assert Notice.objects.values("index_number").distinct().count() == NOTICES


# --- the admin's 发布 action, 100 requests at once over HTTP ------------------------------------

ADMIN_REQUESTS = NOTICES
CALL_TIMEOUT = 90  # seconds per request: 100 requests queue behind 16 server threads
PASSWORD = "correct horse battery staple 2026"  # noqa: S105 - test account


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items() if v)


def _keep_cookies(jar: dict[str, str], response) -> None:
    for name, cookie in response.cookies().items():
        jar[name] = str(cookie["value"])


def _form_post(
    port: int, path: str, fields: list[tuple[str, str]], jar: dict[str, str]
):
    return http_request(
        port,
        "POST",
        path,
        body=urlencode(fields).encode(),
        timeout=CALL_TIMEOUT,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": _cookie_header(jar),
            "Origin": f"https://{SITE_HOST}",
            "Referer": f"https://{SITE_HOST}{path}",
        },
    )


def _csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@pytest.mark.fault
def test_one_agencys_staff_publish_100_notices_at_once_through_the_admin(
    test_database_url,  # noqa: F811 - the fixture imported above
    tmp_path_factory,
):
    """One 管理员 session (several browser tabs, several colleagues signed in as the
    same office: it makes no difference to the counter) fires 100 发布 actions at once,
    one notice each, at gunicorn (4 workers × 4 threads, production settings)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    agency = AgencyFactory(name="天元区教育局", org_code="00001434-9")
    hasher = (
        PBKDF2PasswordHasher()
    )  # cheap iterations here; the server rehashes once at login
    user = StaffFactory(username="publisher", agency=agency, roles=[roles.ADMIN])
    user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    drafts = [
        NoticeFactory(owner_agency=agency, title=f"后台并发发布{i}")
        for i in range(ADMIN_REQUESTS)
    ]
    env = production_env(
        test_database_url,
        STATIC_ROOT=str(collected_static(tmp_path_factory, test_database_url)),
        MEDIA_ROOT=str(tmp_path_factory.mktemp("admin-publish-media")),
        PORTAL_HTTPS="true",
        BEHIND_PROXY="true",
    )
    server = Gunicorn(
        env=env,
        log_path=tmp_path_factory.mktemp("admin-publish") / "gunicorn.log",
        workers=4,
        threads=4,
    ).start()
    statuses: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    try:
        jar: dict[str, str] = {}
        login_page = http_request(server.port, "GET", "/admin/login/")
        _keep_cookies(jar, login_page)
        signed_in = _form_post(
            server.port,
            "/admin/login/",
            [
                ("csrfmiddlewaretoken", _csrf_token(login_page.text)),
                ("username", "publisher"),
                ("password", PASSWORD),
                ("next", "/admin/catalog/notice/"),
            ],
            jar,
        )
        assert signed_in.status == 302, signed_in.text[:2000]
        _keep_cookies(jar, signed_in)
        changelist = http_request(
            server.port,
            "GET",
            "/admin/catalog/notice/",
            headers={"Cookie": _cookie_header(jar)},
        )
        assert changelist.status == 200
        assert "后台并发发布" in changelist.text
        _keep_cookies(jar, changelist)
        token = _csrf_token(changelist.text)
        barrier = threading.Barrier(ADMIN_REQUESTS)

        def publish(notice) -> None:
            try:
                barrier.wait(timeout=60)
                response = _form_post(
                    server.port,
                    "/admin/catalog/notice/",
                    [
                        ("csrfmiddlewaretoken", token),
                        ("action", "publish_selected"),
                        ("select_across", "0"),
                        ("index", "0"),
                        ("_selected_action", str(notice.pk)),
                    ],
                    dict(jar),
                )
                with lock:
                    statuses.append(response.status)
            except BaseException as exc:
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")

        threads = [
            threading.Thread(target=publish, args=(n,), daemon=True) for n in drafts
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 3 * CALL_TIMEOUT
        for thread in threads:
            thread.join(timeout=max(0.1, deadline - time.monotonic()))
        assert not any(thread.is_alive() for thread in threads)
    finally:
        server.stop()

    assert errors == [], errors[:5]
    assert statuses == [302] * ADMIN_REQUESTS, (
        sorted(set(statuses)),
        server.log_tail(),
    )
    published = Notice.objects.filter(owner_agency=agency)
    assert not published.exclude(status=Notice.Status.PUBLISHED).exists()
    year = published.first().published_at.astimezone(TZ).year
    numbers = sorted(published.values_list("index_number", flat=True))
    assert numbers == [
        f"00001434-9/{year}-{n:05d}" for n in range(1, ADMIN_REQUESTS + 1)
    ]
    assert IndexCounter.objects.get(agency=agency, year=year).last == ADMIN_REQUESTS
    assert (
        NoticeEvent.objects.filter(
            notice__owner_agency=agency, action=NoticeEvent.Action.PUBLISHED
        ).count()
        == ADMIN_REQUESTS
    )


def test_the_filter_tally_stays_exact_while_staff_publish_and_it_is_folded():
    """Publications append to catalog_facettally from many connections while two other
    connections fold it over and over: nothing is lost or counted twice."""
    from datetime import date

    from catalog.filters import _facet_sql, _tally_rows, compact_facet_tally

    agency = AgencyFactory(name="天元区财政局", org_code="00001435-7")
    drafts = [
        NoticeFactory(owner_agency=agency, title=f"折叠并发测试{i}") for i in range(60)
    ]
    stop = threading.Event()
    folds: list[int] = []
    fold_errors: list[BaseException] = []

    def fold() -> None:
        try:
            while not stop.is_set():
                compact_facet_tally()
                folds.append(1)
        except BaseException as exc:  # reported to the main thread
            fold_errors.append(exc)
        finally:
            connections.close_all()

    folders = [threading.Thread(target=fold) for _ in range(2)]
    for thread in folders:
        thread.start()
    try:
        errors = _publish_concurrently(
            [drafts[i::12] for i in range(12)], datetime(2024, 5, 6, 9, 0, tzinfo=TZ)
        )
    finally:
        stop.set()
        for thread in folders:
            thread.join(timeout=60)

    assert errors == []
    assert fold_errors == []
    assert len(folds) >= 2
    day = date(2024, 6, 1)
    sql, params = _facet_sql(Notice.objects.listed(), day)
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, params)
        grouped = set(cursor.fetchall())
    assert ("year", "2024", None, None, None, None, None, 60) in grouped
    assert set(_tally_rows(day)) == grouped
