"""Delete rate-limit counters: the expired ones (run daily; see docs/deploy.md), or
every counter of one scope, which lifts all current blocks in it (an administrator's
override, security.md §7: "Admins can lift a limit")."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from portal import ratelimit
from portal.models import RateLimitBucket


class Command(BaseCommand):
    help = (
        "删除已过期的访问频率计数；--scope 删除某一类的全部计数（解除该类全部限制）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scope",
            help="例如 login-user-ip（登录锁定）、login-ip、ysq-lookup-ip、ysq-lookup-ip-day、ysq-lookup-ip-case、ysq-submit-ip",
        )

    def handle(self, *args, **options) -> None:
        scope = options["scope"]
        if scope:
            deleted, _ = RateLimitBucket.objects.filter(
                key__startswith=f"{scope}:"
            ).delete()
            self.stdout.write(f"lifted {deleted} rate-limit counters in scope {scope}")
            return
        deleted = ratelimit.purge_expired()
        self.stdout.write(f"purged {deleted} expired rate-limit counters")
