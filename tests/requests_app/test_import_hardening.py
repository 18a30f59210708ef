"""import_requests under bad input: every bad line is a line error with its true
number, the run reaches the end of the file (security.md §8, issue 11 §2.1–§2.3)."""

from __future__ import annotations

import json

import pytest
import time_machine

from requests_app.models import InfoRequest
from tests.requests_app.conftest import at
from tests.requests_app.test_commands import GOOD, run

pytestmark = pytest.mark.django_db


def line(n: int, **extra) -> str:
    return json.dumps(
        {**GOOD[0], "tracking_no": f"TY-2024-{n:04d}", **extra}, ensure_ascii=False
    )


def import_bytes(tmp_path, lines: list[bytes]) -> str:
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    with time_machine.travel(at("2026-03-02"), tick=False):
        return run("import_requests", str(path))


def imported() -> list[str]:
    return sorted(InfoRequest.objects.values_list("tracking_no", flat=True))


def test_nul_surrogate_and_deep_nesting_are_line_errors(agency, tmp_path):
    out = import_bytes(
        tmp_path,
        [
            line(1).encode(),
            line(2, description="学校\u0000收费").encode(),  # json.dumps writes \u0000
            line(3, description="x").replace('"x"', '"\\ud800"').encode(),
            ("[" * 5000 + "]" * 5000).encode(),
            line(5).encode(),
        ],
    )
    assert "第 2 行：字段 description 含有空字符" in out
    assert "第 3 行：字段 description 含有不成对的代理字符" in out
    assert "第 4 行：嵌套过深" in out
    assert "跳过 3 行" in out
    assert imported() == ["TY-2024-0001", "TY-2024-0005"]


def test_a_gbk_line_is_reported_with_its_true_number_and_skipped(agency, tmp_path):
    # long lines so a chunked reader would report the wrong line
    lines = [line(n, description="甲" * 1500).encode() for n in range(1, 9)]
    lines[5] = line(6, description="乙" * 1500).encode("gbk")
    out = import_bytes(tmp_path, lines)
    assert "第 6 行：不是 UTF-8 编码的文本" in out
    assert "第 5 行" not in out
    assert "跳过 1 行" in out
    assert imported() == [f"TY-2024-{n:04d}" for n in (1, 2, 3, 4, 5, 7, 8)]


def test_unknown_keys_are_refused(agency, tmp_path):
    out = import_bytes(tmp_path, [line(1, applicant_name="王小明").encode()])
    assert "第 1 行：未知字段 applicant_name（允许的字段：tracking_no、" in out
    assert imported() == []


def test_a_tracking_number_repeated_in_the_file_names_both_lines(agency, tmp_path):
    out = import_bytes(
        tmp_path,
        [line(1).encode(), line(2).encode(), line(1, outcome="部分公开").encode()],
    )
    assert "第 3 行：tracking_no“TY-2024-0001”与第 1 行重复" in out
    assert InfoRequest.objects.get(tracking_no="TY-2024-0001").outcome == "disclosed"
    assert imported() == ["TY-2024-0001", "TY-2024-0002"]


def test_imported_numbers_never_push_the_online_counter_out_of_range(agency, tmp_path):
    from requests_app import services
    from requests_app.models import TrackingCounter

    out = import_bytes(
        tmp_path,
        [
            line(1, tracking_no="YSQ-2026-2147483647").encode(),
            line(2, tracking_no="YSQ-2025-99999999999").encode(),
            line(3, tracking_no="YSQ-2025-000040").encode(),
            line(4, tracking_no="YSQ-2025-1000000").encode(),
        ],
    )
    assert "第 1 行：申请编号 YSQ-2026-2147483647 的序号超出本系统的编号范围" in out
    assert "第 2 行：申请编号 YSQ-2025-99999999999 的序号超出" in out
    assert "第 4 行：申请编号 YSQ-2025-1000000 的序号超出" in out
    assert imported() == ["YSQ-2025-000040"]
    assert not TrackingCounter.objects.filter(year=2026).exists()
    assert TrackingCounter.objects.get(year=2025).last == 40
    # online numbering goes on
    with time_machine.travel(at("2026-03-02"), tick=False):
        submission = services.request_submit_online(
            agency=agency,
            now=at("2026-03-02"),
            applicant_type="citizen",
            applicant_kind="natural",
            applicant_name="王小明",
            id_type="resident_id",
            id_number="11010519491231002X",
            phone="13812341234",
            address="天元区",
            description="学校收费标准",
            provide_forms=["paper"],
            delivery_methods=["post"],
        )
    assert submission.info_request.tracking_no == "YSQ-2026-000001"
