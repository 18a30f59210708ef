"""Create the demo administrator (only with DEBUG on) and print how to log in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
PASSWORD = "tianyuan-demo-2026"  # noqa: S105 - development only, refused when DEBUG is off;
# it satisfies AUTH_PASSWORD_VALIDATORS (tests/security/test_password_change.py)


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
        self.stdout.write("")
        self.stdout.write("  门户首页：  http://127.0.0.1:8000/")
        self.stdout.write("  工作人员登录：http://127.0.0.1:8000/staff/login/")
        self.stdout.write(
            f"  管理员：    用户名 {USERNAME}  密码 {PASSWORD}（管理后台 /admin/）"
        )
        self.stdout.write(
            "  部门账号：  jiaoyu（教育局承办人）、jiaoyu_sh（教育局审核人）、caizheng、zhengfu，密码 demo-pass-2026"
        )
        self.stdout.write("")
