"""What an inspector would find, for timers and scripts (docs/compliance.md §5).

    python manage.py site_check --format json [--today YYYY-MM-DD] [--agency NAME]

Exit code 2 on bad input (a clear Chinese message on stderr).
"""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from disclosure.compliance import site_report
from portal.models import Agency
from portal.timeutil import local_today


class Command(BaseCommand):
    help = (
        "检查政务公开合规情况：各机关应填栏目是否更新、公开是否超过 20 个工作日、"
        "政策文件是否同步解读、文件有效性、年度报告、依申请公开、链接和基层目录，"
        "并按国办秘函〔2019〕19号的方法评分。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument("--today", help="按哪一天检查，格式 YYYY-MM-DD；默认今天")
        parser.add_argument("--agency", help="只检查这个机关（名称或简称）")

    def _fail(self, message: str) -> None:
        raise CommandError(message, returncode=2)

    def handle(self, *args, format="text", today=None, agency=None, **options):
        as_of = local_today()
        if today is not None:
            try:
                as_of = date.fromisoformat(today.strip())
            except ValueError:
                self._fail(
                    f"--today 日期“{today}”无效：请写成 YYYY-MM-DD，例如 2026-10-09"
                )
            if not 2008 <= as_of.year <= 2100:
                self._fail(
                    f"--today 日期“{today}”超出范围：只能检查 2008 年"
                    "（《政府信息公开条例》施行）至 2100 年之间的日期"
                )
        target = None
        if agency is not None:
            target = (
                Agency.objects.filter(name=agency.strip()).first()
                or Agency.objects.filter(short_name=agency.strip()).first()
            )
            if target is None:
                self._fail(f"--agency 找不到名为“{agency}”的机关")
        report = site_report(today=as_of, agencies=[target] if target else None)
        if format == "json":
            self.stdout.write(
                json.dumps(report.as_json(), ensure_ascii=False, indent=2)
            )
        else:
            self.stdout.write(render_text(report))


def render_text(report) -> str:
    lines = [f"政务公开合规检查（截至 {report.as_of:%Y-%m-%d}）", ""]
    for card in report.agencies:
        lines.append(
            f"{card.agency}：{card.score} 分，{card.verdict}，问题 {card.findings} 个"
        )
        for f in report.findings_of(card.agency):
            mark = {"veto": "否决", "error": "扣分", "warning": "提示"}[f.severity]
            lines.append(f"  [{mark}] {f.label}：{f.message}  {f.url}")
        lines.append("")
    return "\n".join(lines)
