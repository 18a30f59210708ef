"""Delete rate-limit counters whose window has ended (run daily; see docs/deploy.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from portal import ratelimit


class Command(BaseCommand):
    help = "删除已过期的访问频率计数（portal.ratelimit）。"

    def handle(self, *args, **options) -> None:
        deleted = ratelimit.purge_expired()
        self.stdout.write(f"purged {deleted} expired rate-limit counters")
