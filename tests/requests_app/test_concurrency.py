"""Concurrent submissions get distinct, gapless tracking numbers and nothing is lost
(security.md §6). bench/submissions.py runs the same with 300 submissions."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from requests_app import services
from requests_app.models import InfoRequest
from tests.factories import AgencyFactory

N = 50


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_submissions_get_distinct_gapless_numbers():
    agency = AgencyFactory(name="并发测试局")
    now = datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(N)

    def submit(i: int) -> None:
        try:
            start.wait()
            sub = services.request_submit_online(
                agency=agency, now=now, applicant_type="citizen", applicant_kind="natural",
                applicant_name=f"并发{i}", id_type="passport", id_number=f"E{i:08d}", phone="13812341234",
                description=f"并发提交第{i}件申请的内容描述",
            )
            with lock:
                results.append(sub.info_request.tracking_no)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == len(set(results)) == N
    assert sorted(results) == [f"YSQ-2026-{i:06d}" for i in range(1, N + 1)]
    assert InfoRequest.objects.count() == N
    assert sorted(InfoRequest.objects.values_list("tracking_no", flat=True)) == sorted(results)
