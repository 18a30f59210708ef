"""File every published annual report that has no entry in the 政府信息公开目录 yet
(reports published before the portal made one at publication). Idempotent: run it
after every upgrade (docs/deploy.md §1.4); a report already filed is skipped. A report
whose text holds personal data nobody let through is named and left unfiled."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from disclosure import services
from disclosure.models import AnnualReport
from portal.timeutil import local_now


class Command(BaseCommand):
    help = (
        "把尚未登记到政府信息公开目录的已发布年报登记到目录（索引号相同），可重复运行。"
    )

    def handle(self, *args, **options):
        filed = refused = 0
        reports = (
            AnnualReport.objects.published()
            .filter(notice__isnull=True)
            .select_related("agency")
            .order_by("year", "agency_id")
        )
        for report in reports:
            try:
                services.report_catalog_entry(report=report, by=None, now=local_now())
            except ValidationError as exc:
                refused += 1
                self.stderr.write(f"{report.title}：未登记——{'；'.join(exc.messages)}")
            else:
                filed += 1
        self.stdout.write(f"登记到目录 {filed} 份年报；未能登记 {refused} 份。")
        if refused:
            raise SystemExit(1)
