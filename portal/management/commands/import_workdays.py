"""Add or replace one year's holiday schedule from a file (docs/workdays-format.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.calendar_file import ScheduleFileError, parse_schedule
from portal.calendar_services import calendar_import_year


def decode_lines(data: bytes, path: Path) -> str:
    """The file as text, each line decoded on its own so an undecodable one is named by
    its true number (all of them listed; the file is then refused whole)."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    lines, bad = [], []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            bad.append(
                f"第 {number} 行：不是 UTF-8 编码（可能是 GBK），请将文件另存为 UTF-8"
            )
    if bad:
        raise CommandError(
            f"{path} 有 {len(bad)} 处错误，未导入任何内容：\n" + "\n".join(bad)
        )
    return "\n".join(lines)


class Command(BaseCommand):
    help = "从按国务院办公厅通知录入的文件导入（新增或替换）一年的节假日安排。格式见 docs/workdays-format.md。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="节假日安排文件（UTF-8 文本）")
        parser.add_argument(
            "--dry-run", action="store_true", help="只列出将要发生的变化，不写入数据库"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{path}") from exc
        except IsADirectoryError as exc:
            raise CommandError(f"{path} 是目录，不是文件") from exc
        except OSError as exc:
            raise CommandError(f"无法读取 {path}：{exc.strerror}") from exc
        text = decode_lines(data, path)
        try:
            schedule = parse_schedule(text)
        except ScheduleFileError as exc:
            raise CommandError(
                f"{path} 有 {len(exc.problems)} 处错误，未导入任何内容：\n"
                + "\n".join(exc.problems)
            ) from exc

        result = calendar_import_year(
            schedule=schedule, by=None, dry_run=options["dry_run"]
        )
        labels = {"rest": "放假", "work": "上班"}
        for d, kind, name in result.added:
            self.stdout.write(f"+ {d} {labels[kind]} {name}")
        for d, (old_kind, old_name), (kind, name) in result.changed:
            self.stdout.write(
                f"~ {d} {labels[old_kind]} {old_name} → {labels[kind]} {name}"
            )
        for d, kind, name in result.removed:
            self.stdout.write(f"- {d} {labels[kind]} {name}")
        if options["dry_run"]:
            self.stdout.write(f"试运行，未写入。{result.summary()}。")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已导入 {result.summary()}（依据：{schedule.source}）。"
                )
            )
