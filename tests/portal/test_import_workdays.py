"""import_workdays: file format, add/replace a year, change log, signal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from chinese_calendar.constants import holidays, workdays
from django.core.management import CommandError, call_command

from portal.calendar_file import ScheduleFileError, parse_schedule
from portal.models import WorkCalendarChange, WorkCalendarDay, WorkCalendarYear
from portal.signals import work_calendar_changed
from portal.workdays import add_working_days, load_calendar

SAMPLE_2026 = Path(__file__).resolve().parent.parent / "data" / "workdays-2026.txt"

# Invented for the tests (not the real 2027 notice, which is not yet published).
TEST_2027 = """\
# 测试数据，非真实通知
年份：2027
依据：测试用2027年安排
元旦 放假 2026-12-31 至 2027-01-03
元旦 上班 2026-12-27
春节 放假 2027-02-05 至 2027-02-12
春节 上班 2027-02-20, 2027-02-13
清明节 放假 2027-04-03 至 2027-04-05
"""


def _run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_workdays", *args, stdout=out)
    return out.getvalue()


def _write(tmp_path, text: str, name: str = "schedule.txt") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- The file format (pure) ------------------------------------------------------------


def test_sample_2026_file_matches_the_official_data():
    schedule = parse_schedule(SAMPLE_2026.read_text(encoding="utf-8"))
    assert schedule.year == 2026
    assert "2026年部分节假日安排" in schedule.source
    expected = {(d, "rest") for d in holidays if d.year == 2026} | {
        (d, "work") for d in workdays if d.year == 2026
    }
    assert {(d, kind) for d, kind, _ in schedule.entries} == expected
    assert (date(2026, 2, 14), "work", "春节") in schedule.entries
    assert (date(2026, 10, 7), "rest", "国庆节") in schedule.entries


def test_format_accepts_english_keywords_full_width_digits_and_separators():
    schedule = parse_schedule(
        "year: 2027\nsource: test\n春节 rest ２０２７-02-05~2027-02-06，2027-02-08\n春节 work 2027-02-20\n"
    )
    assert schedule.entries == (
        (date(2027, 2, 5), "rest", "春节"),
        (date(2027, 2, 6), "rest", "春节"),
        (date(2027, 2, 8), "rest", "春节"),
        (date(2027, 2, 20), "work", "春节"),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("依据：x\n元旦 放假 2027-01-01\n", "缺少“年份：YYYY”一行"),
        ("年份：2027\n元旦 放假 2027-01-01\n", "缺少“依据：…”一行"),
        ("年份：20x7\n依据：x\n元旦 放假 2027-01-01\n", "第 1 行：年份应为"),
        (
            "年份：2027\n年份：2027\n依据：x\n元旦 放假 2027-01-01\n",
            "第 2 行：“年份”重复出现",
        ),
        ("年份：2027\n依据：x\n", "没有任何放假或上班日期"),
        (
            "年份：2027\n依据：x\n元旦 休假 2027-01-01\n",
            "第 3 行：第二项应为“放假”或“上班”",
        ),
        (
            "年份：2027\n依据：x\n元旦 放假\n",
            "第 3 行：应为“节日名称 放假|上班 日期…”三部分",
        ),
        (
            "年份：2027\n依据：x\n春节 放假 2027-02-30\n",
            "第 3 行：2027-02-30 不是有效日期",
        ),
        ("年份：2027\n依据：x\n春节 放假 2027年2月5日\n", "第 3 行：无法识别"),
        (
            "年份：2027\n依据：x\n春节 放假 2027-02-10 至 2027-02-05\n",
            "结束日期早于开始日期",
        ),
        ("年份：2027\n依据：x\n春节 放假 2027-01-01 至 2027-03-01\n", "超过 31 天"),
        (
            "年份：2027\n依据：x\n春节 放假 2027-02-05\n春节 上班 2027-02-05\n",
            "第 4 行：2027-02-05 已在第 3 行出现",
        ),
        ("年份：2027\n依据：x\n国庆节 放假 2026-10-01\n", "不属于 2027 年的安排"),
        ("年份：2027\n依据：x\n元旦 放假 2027-12-31\n", "不属于 2027 年的安排"),
        (
            "年份：2027\n依据：x\n春节 上班 2027-02-09\n",
            "2027-02-09 是周二，调休上班日应为周六或周日",
        ),
        (
            "年份：2027\n依据：x\n" + "很" * 21 + " 放假 2027-02-05\n",
            "节日名称不能超过 20 个字",
        ),
    ],
)
def test_format_errors_name_the_line(text, message):
    with pytest.raises(ScheduleFileError) as info:
        parse_schedule(text)
    assert any(message in problem for problem in info.value.problems), (
        info.value.problems
    )


def test_all_problems_are_reported_in_line_order():
    with pytest.raises(ScheduleFileError) as info:
        parse_schedule(
            "年份：2027\n依据：x\n春节 上班 2027-02-09\n春节 放假 2027-02-30\nfoo bar baz\n"
        )
    assert [p.split("：")[0] for p in info.value.problems] == [
        "第 3 行",
        "第 4 行",
        "第 5 行",
    ]


# --- The command (database) ----------------------------------------------------------------


@pytest.mark.django_db
def test_reimporting_the_2026_sample_changes_nothing(
    signals, django_capture_on_commit_callbacks
):
    before = set(WorkCalendarDay.objects.values_list("date", "kind", "name"))
    with django_capture_on_commit_callbacks(execute=True):
        out = _run(str(SAMPLE_2026))
    assert "新增 0 天，修改 0 天，删除 0 天" in out.splitlines()[-1]
    assert set(WorkCalendarDay.objects.values_list("date", "kind", "name")) == before
    assert WorkCalendarYear.objects.get(year=2026).source.startswith(
        "国务院办公厅关于2026年"
    )
    # the day rows now cite the file they were confirmed by
    assert WorkCalendarDay.objects.get(date=date(2026, 2, 14)).source.startswith(
        "国务院办公厅关于2026年"
    )
    assert WorkCalendarChange.objects.filter(action="import", year=2026).count() == 1
    assert signals == []  # no working day moved


@pytest.mark.django_db
def test_importing_a_new_year_adds_days_marks_it_official_logs_and_signals(
    tmp_path, signals, django_capture_on_commit_callbacks
):
    assert add_working_days(date(2027, 1, 29), 7, load_calendar()).provisional is True
    with django_capture_on_commit_callbacks(execute=True):
        out = _run(_write(tmp_path, TEST_2027))
    assert "+ 2027-02-13 上班 春节" in out
    assert out.splitlines()[-1].startswith(
        "已导入 2027 年节假日安排：新增 18 天，修改 0 天，删除 0 天"
    )
    assert WorkCalendarYear.objects.get(year=2027).source == "测试用2027年安排"
    assert WorkCalendarDay.objects.filter(date__year=2027).count() == 16
    assert WorkCalendarDay.objects.get(date=date(2026, 12, 31)).kind == "rest"
    assert (
        WorkCalendarChange.objects.filter(action="add", changed_by=None).count() == 18
    )
    assert WorkCalendarChange.objects.filter(action="import", year=2027).count() == 1
    assert signals == [
        {
            "sender": WorkCalendarDay,
            "signal": work_calendar_changed,
            "years": [2026, 2027],
            "by": None,
        }
    ]

    deadline = add_working_days(date(2027, 2, 1), 7, load_calendar())
    assert deadline.provisional is False
    # 2-2…2-4 count (1–3), 2-5…2-12 break, 2-13 (Sat) 上班 (4), then 2-15…2-17 (5–7)
    assert deadline.due_date == date(2027, 2, 17)


@pytest.mark.django_db
def test_replacing_a_year_adds_changes_and_removes(
    tmp_path, signals, django_capture_on_commit_callbacks
):
    _run(_write(tmp_path, TEST_2027))
    revised = TEST_2027.replace(
        "春节 上班 2027-02-20, 2027-02-13", "春节 上班 2027-02-13"
    ).replace(
        "清明节 放假 2027-04-03 至 2027-04-05",
        "清明 放假 2027-04-03 至 2027-04-05\n劳动节 放假 2027-05-01 至 2027-05-05",
    )
    with django_capture_on_commit_callbacks(execute=True):
        out = _run(_write(tmp_path, revised, "revised.txt"))
    assert "- 2027-02-20 上班 春节" in out
    assert "~ 2027-04-05 放假 清明节 → 放假 清明" in out
    assert "新增 5 天，修改 3 天，删除 1 天" in out.splitlines()[-1]
    assert not WorkCalendarDay.objects.filter(date=date(2027, 2, 20)).exists()
    assert (
        WorkCalendarChange.objects.filter(
            action="delete", date=date(2027, 2, 20)
        ).count()
        == 1
    )
    assert (
        WorkCalendarChange.objects.filter(action="change", date=date(2027, 4, 5))
        .get()
        .detail
        == "导入：放假（清明节） → 放假（清明）"
    )
    assert signals[-1]["years"] == [2027]


@pytest.mark.django_db
def test_replacing_a_year_keeps_next_years_december_new_year_days(tmp_path):
    _run(_write(tmp_path, TEST_2027))
    _run(str(SAMPLE_2026))  # 2026-12-31 and 12-27 come from the 2027 notice
    assert set(
        WorkCalendarDay.objects.filter(date__month=12, date__year=2026).values_list(
            "date", flat=True
        )
    ) == {
        date(2026, 12, 27),
        date(2026, 12, 31),
    }


@pytest.mark.django_db
def test_replacing_a_year_removes_its_own_december_new_year_days(tmp_path):
    _run(_write(tmp_path, TEST_2027))
    _run(_write(tmp_path, TEST_2027.replace("元旦 上班 2026-12-27\n", ""), "again.txt"))
    assert not WorkCalendarDay.objects.filter(date=date(2026, 12, 27)).exists()


@pytest.mark.django_db
def test_dry_run_writes_nothing(tmp_path, signals, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        out = _run(_write(tmp_path, TEST_2027), "--dry-run")
    assert (
        out.splitlines()[-1]
        == "试运行，未写入。2027 年节假日安排：新增 18 天，修改 0 天，删除 0 天。"
    )
    assert not WorkCalendarYear.objects.filter(year=2027).exists()
    assert not WorkCalendarDay.objects.filter(date__year=2027).exists()
    assert not WorkCalendarChange.objects.filter(year=2027).exists()
    assert signals == []


@pytest.mark.django_db
def test_a_bad_file_is_rejected_whole(tmp_path, signals):
    days, changes = WorkCalendarDay.objects.count(), WorkCalendarChange.objects.count()
    bad = TEST_2027 + "春节 上班 2027-02-16\n劳动节 放假 2027-05-32\n"
    with pytest.raises(CommandError) as info:
        _run(_write(tmp_path, bad))
    message = str(info.value)
    assert "有 2 处错误，未导入任何内容" in message
    assert "第 9 行：2027-02-16 是周二，调休上班日应为周六或周日" in message
    assert "第 10 行：2027-05-32 不是有效日期" in message
    assert (WorkCalendarDay.objects.count(), WorkCalendarChange.objects.count()) == (
        days,
        changes,
    )
    assert signals == []


@pytest.mark.django_db
def test_missing_or_unreadable_files_give_chinese_errors(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        _run(str(tmp_path / "nope.txt"))
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("年份：2027\n依据：测试\n".encode("gbk"))
    with pytest.raises(CommandError, match="不是 UTF-8 编码"):
        _run(str(gbk))
    with pytest.raises(CommandError, match="是目录"):
        _run(str(tmp_path))


@pytest.mark.django_db
def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_text(TEST_2027, encoding="utf-8-sig")
    assert "新增 18 天" in _run(str(path))
