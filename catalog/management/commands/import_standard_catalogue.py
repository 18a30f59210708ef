"""Load a 基层政务公开标准目录 file (CSV or JSONL; docs/compliance.md §3)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.standard_catalogue import format_of, load_catalogue


class Command(BaseCommand):
    help = "导入基层政务公开标准目录（CSV 或 JSONL）。有问题的行逐行报告并跳过，其余照常导入；重复导入只更新。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="标准目录文件（.csv 或 .jsonl，UTF-8）")
        parser.add_argument(
            "--dry-run", action="store_true", help="只检查并报告，不写入数据库"
        )

    def handle(self, *args, file: str, dry_run: bool, **options):
        path = Path(file)
        try:
            fmt = format_of(path.name)
            data = path.read_bytes()
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"无法读取文件 {file}：{exc.strerror}") from None
        result = load_catalogue(data, fmt=fmt, dry_run=dry_run)
        for message in result.errors:
            self.stderr.write(message)
        verb = "检查通过" if dry_run else "已导入"
        self.stdout.write(
            f"{verb} {result.loaded} 条（新增 {result.created}，更新 {result.updated}，"
            f"未变 {result.unchanged}），有问题 {len(result.errors)} 处。"
        )
        if result.errors and not result.loaded:
            raise CommandError("没有可导入的行")
