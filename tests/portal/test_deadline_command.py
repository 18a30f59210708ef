"""python manage.py deadline --from YYYY-MM-DD --workdays N [--explain]."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.portal.calendar_data import REFERENCE_DEADLINES

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _deadline(*args: str) -> list[str]:
    out = StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.parametrize(
    ("received", "n", "expected", "why"),
    REFERENCE_DEADLINES,
    ids=[f"{r[0]}+{r[1]}" for r in REFERENCE_DEADLINES],
)
def test_reference_deadlines(received, n, expected, why):
    assert _deadline("--from", received, "--workdays", str(n)) == [expected]


def test_explain_lists_each_day_with_number_or_reason():
    lines = _deadline("--from", "2026-01-29", "--workdays", "20", "--explain")
    assert lines[0] == "收到日期 2026-01-29 周四（当日不计入）"
    assert lines[1] == "2026-01-30 周五 第 1 个工作日"
    assert "2026-01-31 周六 跳过：周六" in lines
    assert "2026-02-01 周日 跳过：周日" in lines
    assert "2026-02-14 周六 第 12 个工作日（调休上班）" in lines
    assert "2026-02-15 周日 跳过：春节" in lines
    assert "2026-02-23 周一 跳过：春节" in lines
    assert "2026-02-28 周六 第 17 个工作日（调休上班）" in lines
    assert lines[-2] == "2026-03-04 周三 第 20 个工作日"
    assert lines[-1] == "2026-03-04"
    assert sum("个工作日" in line for line in lines[1:-1]) == 20
    assert len(lines) == 1 + 34 + 1  # receipt line, 01-30 … 03-04 (34 days), result


def test_a_deadline_reaching_into_a_year_without_schedule_is_provisional():
    assert _deadline("--from", "2026-12-20", "--workdays", "20") == [
        "2027-01-18 provisional"
    ]
    lines = _deadline("--from", "2026-12-20", "--workdays", "20", "--explain")
    assert "2027-01-01 周五 跳过：元旦（预计）" in lines
    assert "2026-12-31 周四 第 9 个工作日" in lines
    assert (
        lines[-2]
        == "注：2027 年尚无官方节假日安排，结果为预计，以国务院办公厅公布的节假日安排为准。"
    )
    assert lines[-1] == "2027-01-18 provisional"


def test_the_command_reads_the_database_table():
    from portal.models import WorkCalendarDay

    # An admin adds a (made-up) extra rest day on 2026-03-05.
    WorkCalendarDay.objects.create(date="2026-03-05", kind="rest", name="测试假日")
    assert _deadline("--from", "2026-03-02", "--workdays", "7") == ["2026-03-12"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workdays", "20"], "请用 --from 给出收到日期"),
        (["--from", "2026-01-29"], "请用 --workdays 给出工作日数"),
        (["--from", "2026/01/29", "--workdays", "20"], "格式不对，应为 YYYY-MM-DD"),
        (["--from", "29.1.2026", "--workdays", "20"], "格式不对"),
        (["--from", "2026-02-30", "--workdays", "20"], "不是有效日期"),
        (["--from", "2026-01-29", "--workdays", "0"], "应为 1 到 365 之间的整数"),
        (["--from", "2026-01-29", "--workdays", "-3"], "应为 1 到 365 之间的整数"),
        (["--from", "2026-01-29", "--workdays", "二十"], "应为 1 到 365 之间的整数"),
        (["--from", "2026-01-29", "--workdays", "366"], "应为 1 到 365 之间的整数"),
        (["--from", "2150-01-01", "--workdays", "3"], "无法推算 2150 年的节假日"),
    ],
)
def test_bad_arguments_give_a_chinese_command_error(args, message):
    with pytest.raises(CommandError, match=message):
        _deadline(*args)


def test_from_a_shell_a_missing_value_is_explained_in_chinese_without_traceback():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings_test"}
    done = subprocess.run(
        [sys.executable, "manage.py", "deadline", "--workdays", "20", "--from"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "参数错误" in done.stderr
    assert "缺少参数值" in done.stderr
    assert "Traceback" not in done.stderr
