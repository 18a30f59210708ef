"""Print or write one agency's annual report.

    python manage.py annual_report --agency 天元区教育局 --year 2025 --format json
    python manage.py annual_report --agency 天元区教育局 --year 2025 --format xlsx --output 2025.xlsx
    python manage.py annual_report --agency 天元区教育局 --year 2025 --format json --published

Without ``--published`` the numbers are computed from the live data (the draft as it
would be published now, with its manual cells); with it, the latest published
snapshot is printed unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from disclosure.content import live_content, version_content
from disclosure.models import AnnualReport, AnnualReportVersion
from disclosure.xlsx import workbook_bytes
from portal.models import Agency


class Command(BaseCommand):
    help = "输出某机关某年度的政府信息公开工作年度报告（JSON 或 XLSX）。"

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="机关名称（全称或简称）")
        parser.add_argument(
            "--year", required=True, type=int, help="报告年度，例如 2025"
        )
        parser.add_argument(
            "--format", choices=["json", "xlsx"], default="json", help="输出格式"
        )
        parser.add_argument(
            "--published",
            action="store_true",
            help="输出最新已发布版本（否则按当前数据计算）",
        )
        parser.add_argument(
            "--output", help="输出文件；JSON 默认打印到标准输出，XLSX 必须指定"
        )

    def handle(self, *args, **options):
        name = options["agency"].strip()
        agency = (
            Agency.objects.filter(name=name).first()
            or Agency.objects.filter(short_name=name).first()
        )
        if agency is None:
            raise CommandError(f"没有名为“{name}”的机关")
        year = options["year"]
        report = (
            AnnualReport.objects.select_related("agency")
            .filter(agency=agency, year=year)
            .first()
        )
        if options["published"]:
            if report is None or report.current_version == 0:
                raise CommandError(f"{agency.name}{year}年年报尚未发布")
            version = AnnualReportVersion.objects.get(
                report=report, number=report.current_version
            )
            content = version_content(version, report)
        else:
            # a year without a report yet: compute it as a fresh draft would be (not saved)
            content = live_content(report or AnnualReport(agency=agency, year=year))
        if options["format"] == "xlsx":
            if not options["output"]:
                raise CommandError("XLSX 格式请用 --output 指定输出文件")
            if content.is_legacy:
                raise CommandError("历史年报只有原文，没有统计表")
            Path(options["output"]).write_bytes(workbook_bytes(content))
            self.stdout.write(f"已写入 {options['output']}")
            return
        text = json.dumps(content.to_json(), ensure_ascii=False, indent=2)
        if options["output"]:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"已写入 {options['output']}")
        else:
            self.stdout.write(text)
