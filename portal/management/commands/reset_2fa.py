"""An administrator's reset of a staff account's second factor (lost phone)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal import services
from portal.timeutil import local_now


class Command(BaseCommand):
    help = "重置工作人员账号的两步验证（删除验证器和恢复码，下次登录时重新绑定）。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为 {username} 的账号。")
        services.staff_second_factor_reset(user=user, by=None, now=local_now())
        self.stdout.write(
            f"已重置 {username} 的两步验证；该账号下次登录时重新绑定验证器。"
        )
