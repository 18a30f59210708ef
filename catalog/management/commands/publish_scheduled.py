"""Publish the drafts whose 定时发布 time has come (``catalog.services.notice_publish_due``).

    python manage.py publish_scheduled

Safe to run every minute from cron or a systemd timer (docs/deploy.md): idempotent (a
published notice is no longer due) and safe to run twice at once (each notice is
taken with ``SELECT … FOR UPDATE SKIP LOCKED``). A notice that fails its checks now
(personal data, 保密审查, the scheduler no longer works for its agency) stays a draft,
its schedule is dropped, and an event and a line here say why.

Each run also folds the filter-value tally (``catalog.filters.compact_facet_tally``:
the rows the database appends on every publication become one row per value), which a
catalog page read on a replica cannot do.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from catalog.filters import compact_facet_tally
from catalog.services import notice_publish_due
from portal import timeutil


class Command(BaseCommand):
    help = "发布定时发布时间已到的政府信息（可每分钟运行一次）。"

    def handle(self, *args, **options):
        results = notice_publish_due(now=timeutil.local_now())
        refused = 0
        for notice, reason in results:
            if reason is None:
                at = timezone.localtime(notice.published_at)
                self.stdout.write(
                    f"已发布：{notice.title}（{notice.index_number}，{at:%Y-%m-%d %H:%M}）"
                )
            else:
                refused += 1
                self.stderr.write(f"未能发布：{notice.title}（#{notice.pk}）：{reason}")
        if results and options["verbosity"] >= 1:
            self.stdout.write(
                f"定时发布：发布 {len(results) - refused} 条，未能发布 {refused} 条。"
            )
        compact_facet_tally()
        return None
