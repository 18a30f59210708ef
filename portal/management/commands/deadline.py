"""Print the deadline N working days after a receipt date, optionally day by day."""

from __future__ import annotations

import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from portal.workdays import (
    PROVISIONAL_NOTE,
    WEEKDAY_NAMES,
    add_working_days,
    load_calendar,
)

MAX_WORKDAYS = 365
USAGE = "用法：python manage.py deadline --from YYYY-MM-DD --workdays N [--explain]"

# argparse's own messages, in Chinese (they appear only when run from a shell).
_ARGPARSE_MESSAGES = (
    ("expected one argument", "缺少参数值"),
    ("unrecognized arguments", "无法识别的参数"),
    ("the following arguments are required", "缺少必需的参数"),
)


class Command(BaseCommand):
    help = "计算期限：收到日期之后第 N 个工作日（收到当日不计入）。最后一行为 YYYY-MM-DD，预计结果后加 provisional。"

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        original_error = parser.error

        def error(message: str):
            for english, chinese in _ARGPARSE_MESSAGES:
                message = message.replace(english, chinese)
            original_error(f"参数错误：{message}。{USAGE}")

        parser.error = error
        return parser

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="start",
            metavar="YYYY-MM-DD",
            help="收到申请（或补正材料）的日期，当日不计入",
        )
        parser.add_argument(
            "--workdays", metavar="N", help=f"工作日数，1–{MAX_WORKDAYS}"
        )
        parser.add_argument(
            "--explain", action="store_true", help="先逐日列出计数和跳过的原因"
        )

    def handle(self, *args, **options):
        start = _parse_start(options["start"])
        n = _parse_workdays(options["workdays"])
        cal = load_calendar()
        try:
            deadline = add_working_days(start, n, cal)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["explain"]:
            self.stdout.write(
                f"收到日期 {start} {WEEKDAY_NAMES[start.weekday()]}（当日不计入）"
            )
            for status, number in deadline.numbered_days():
                if number is None:
                    what = f"跳过：{status.reason}"
                else:
                    what = f"第 {number} 个工作日" + (
                        f"（{status.reason}）" if status.reason else ""
                    )
                mark = "（预计）" if status.provisional else ""
                self.stdout.write(f"{status.date} {status.weekday_name} {what}{mark}")
            if deadline.provisional:
                years = sorted({s.date.year for s in deadline.days if s.provisional})
                missing = "、".join(str(y) for y in years)
                self.stdout.write(
                    f"注：{missing} 年尚无官方节假日安排，结果为{PROVISIONAL_NOTE}。"
                )
        self.stdout.write(
            f"{deadline.due_date.isoformat()}{' provisional' if deadline.provisional else ''}"
        )


def _parse_start(raw: str | None) -> date:
    if not raw:
        raise CommandError(f"请用 --from 给出收到日期。{USAGE}")
    value = raw.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise CommandError(f"收到日期“{raw}”格式不对，应为 YYYY-MM-DD，例如 2026-01-29")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"收到日期“{raw}”不是有效日期") from exc


def _parse_workdays(raw: str | None) -> int:
    if raw is None or raw == "":
        raise CommandError(f"请用 --workdays 给出工作日数。{USAGE}")
    value = raw.strip()
    if not re.fullmatch(r"\d+", value) or not 1 <= int(value) <= MAX_WORKDAYS:
        raise CommandError(f"工作日数“{raw}”无效，应为 1 到 {MAX_WORKDAYS} 之间的整数")
    return int(value)
