"""Create the demo administrator (only with DEBUG on) and print how to log in."""

from __future__ import annotations

import base64

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

USERNAME = "admin"
PASSWORD = "tianyuan-demo-2026"  # noqa: S105 - development only, refused when DEBUG is off;
# it satisfies AUTH_PASSWORD_VALIDATORS (tests/security/test_password_change.py)


# The demo's published TOTP key (20 bytes; base32 for authenticator apps). Demo
# approvers and the demo administrator get it, so a reviewer can pass the second
# factor (issue 11 §3) with any authenticator. Never used outside DEBUG.
DEMO_TOTP_KEY = b"xxgk-demo-totp-2026!"
DEMO_TOTP_SECRET = base64.b32encode(DEMO_TOTP_KEY).decode()


class Command(BaseCommand):
    help = "创建演示管理员账号（仅开发模式）并打印登录方式。"

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "生产环境不创建演示账号。请使用 python manage.py createsuperuser。"
            )
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=USERNAME,
            defaults={
                "is_staff": True,
                "is_superuser": True,
                "first_name": "系统管理员",
            },
        )
        if created or not user.check_password(PASSWORD):
            user.set_password(PASSWORD)
            user.save()
        enrolled = self._enrol_demo_second_factor()
        self.stdout.write("")
        self.stdout.write("  门户首页：  http://127.0.0.1:8000/")
        self.stdout.write("  工作人员登录：http://127.0.0.1:8000/staff/login/")
        self.stdout.write(
            f"  管理员：    用户名 {USERNAME}  密码 {PASSWORD}（管理后台 /admin/）"
        )
        self.stdout.write(
            "  部门账号：  jiaoyu（教育局承办人）、jiaoyu_sh（教育局审核人）、caizheng、zhengfu，密码 demo-pass-2026"
        )
        self.stdout.write(
            "  两步验证：  管理员和审核人（admin、jiaoyu_sh、zhengfu、*_sh）登录时还要输入验证码。"
        )
        self.stdout.write(
            f"              在手机验证器中手动添加密钥 {DEMO_TOTP_SECRET}"
            "（基于时间，30 秒，6 位），所有演示审核人共用此演示密钥"
            + (f"；本次为 {enrolled} 个账号绑定。" if enrolled else "。")
        )
        self.stdout.write("")

    def _enrol_demo_second_factor(self) -> int:
        from portal import roles, services
        from portal.timeutil import local_now

        users = (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(groups__name=roles.APPROVER))
        )
        now = local_now()
        return sum(
            services.staff_totp_enrol_demo(
                user=user, key_hex=DEMO_TOTP_KEY.hex(), now=now
            )
            for user in users.distinct()
        )
