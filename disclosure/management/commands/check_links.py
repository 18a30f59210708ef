"""Check the external links in published notices and store the results
(``disclosure.ExternalLink``); failing ones become ``external_link_broken`` findings
of the compliance monitor. Run it from a timer (e.g. nightly); it never follows a
redirect loop, waits at most ``--timeout`` seconds per request, runs at most
``--concurrency`` requests at once and spaces requests to one host by
``--per-host-interval`` seconds."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from catalog.models import Notice
from disclosure import services
from disclosure.compliance import external_links, local_hosts
from disclosure.linkcheck import check_urls
from portal.timeutil import local_now


class Command(BaseCommand):
    help = "检查已发布信息正文中的外部链接是否可以打开，结果供合规检查使用。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--concurrency", type=int, default=4, help="同时检查的链接数"
        )
        parser.add_argument(
            "--timeout", type=float, default=10.0, help="每个请求的超时秒数"
        )
        parser.add_argument(
            "--per-host-interval",
            type=float,
            default=1.0,
            help="同一网站两次请求之间至少间隔的秒数",
        )

    def handle(self, *args, concurrency, timeout, per_host_interval, **options):
        if not 1 <= concurrency <= 32:
            raise CommandError("--concurrency 必须在 1 到 32 之间", returncode=2)
        if not 0 < timeout <= 120:
            raise CommandError("--timeout 必须大于 0 且不超过 120 秒", returncode=2)
        if per_host_interval < 0:
            raise CommandError("--per-host-interval 不能为负数", returncode=2)
        hosts = local_hosts()
        found: list[tuple[int, str]] = []
        for pk, body in (
            Notice.objects.listed()
            .filter(Q(body__icontains="http://") | Q(body__icontains="https://"))
            .values_list("pk", "body")
            .iterator()
        ):
            for url in dict.fromkeys(external_links(body, hosts)):
                found.append((pk, url))
        checked = check_urls(
            [u for _pk, u in found],
            concurrency=concurrency,
            timeout=timeout,
            per_host_interval=per_host_interval,
        )
        now = local_now()
        results = [
            {
                "notice_id": pk,
                "url": url,
                "host": checked[url].host,
                "ok": checked[url].ok,
                "status_code": checked[url].status_code,
                "error": checked[url].error,
            }
            for pk, url in found
        ]
        services.external_links_forget(keep_notice_ids={pk for pk, _u in found})
        services.external_links_record(results=results, now=now)
        bad = [r for r in checked.values() if not r.ok]
        self.stdout.write(
            f"检查外部链接 {len(checked)} 个（出现在 {len({pk for pk, _ in found})} 条信息中），"
            f"打不开 {len(bad)} 个。"
        )
        for r in bad:
            self.stdout.write(f"  {r.url}：{r.error}")
