"""索引号 under concurrency: many staff publishing at the same moment.

Real transactions and real threads (each with its own database connection), so the
counter row lock in ``issue_index_number`` is what keeps the numbers distinct and
gapless. ``serialized_rollback`` restores the seeded 主题分类/体裁/栏目 after the flush.
"""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connections

from catalog import services
from catalog.models import IndexCounter, Notice
from tests.factories import AgencyFactory, NoticeFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TZ = ZoneInfo("Asia/Shanghai")
THREADS = 20
PER_THREAD = 5


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
        for i in range(THREADS * PER_THREAD)
    ]
    batches = [drafts[i::THREADS] for i in range(THREADS)]

    errors = _publish_concurrently(batches, datetime(2024, 3, 1, 9, 0, tzinfo=TZ))

    assert errors == []
    numbers = list(
        Notice.objects.filter(owner_agency=agency).values_list(
            "index_number", flat=True
        )
    )
    assert len(numbers) == THREADS * PER_THREAD
    assert sorted(numbers) == [
        f"00001434-9/2024-{n:05d}" for n in range(1, THREADS * PER_THREAD + 1)
    ]
    assert (
        IndexCounter.objects.get(agency=agency, year=2024).last == THREADS * PER_THREAD
    )
    assert not Notice.objects.filter(status=Notice.Status.DRAFT).exists()


def test_two_agencies_publishing_at_once_each_get_their_own_gapless_sequence():
    first = AgencyFactory(name="天元区教育局", org_code="00001434-9")
    second = AgencyFactory(name="天元区财政局", org_code="014416330")
    drafts = [
        NoticeFactory(owner_agency=first if i % 2 else second, title=f"两个机关并发{i}")
        for i in range(THREADS * PER_THREAD)
    ]
    # every thread publishes for both agencies, interleaved
    batches = [drafts[i::THREADS] for i in range(THREADS)]

    errors = _publish_concurrently(batches, datetime(2025, 1, 1, 0, 5, tzinfo=TZ))

    assert errors == []
    half = THREADS * PER_THREAD // 2
    for agency in (first, second):
        numbers = sorted(
            Notice.objects.filter(owner_agency=agency).values_list(
                "index_number", flat=True
            )
        )
        assert numbers == [
            f"{agency.org_code}/2025-{n:05d}" for n in range(1, half + 1)
        ]
    assert (
        Notice.objects.values("index_number").distinct().count() == THREADS * PER_THREAD
    )
