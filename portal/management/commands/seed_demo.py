"""Build the demo district: every installed app with a ``demo`` module adds its part."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_APPS = ("portal", "catalog", "requests_app", "disclosure")  # dependency order


class Command(BaseCommand):
    help = "加载演示数据（一个区人民政府、部门、街道乡镇、政府信息、申请和年报）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="仅当数据库中还没有机关时加载"
        )
        parser.add_argument(
            "--notices", type=int, default=1200, help="生成的政府信息条数（默认 1200）"
        )

    def handle(self, *args, **options):
        from portal.models import Agency

        if options["if_empty"] and Agency.objects.exists():
            self.stdout.write("数据库已有数据，跳过演示数据。")
            return
        context: dict = {"notices": options["notices"]}
        for app in DEMO_APPS:
            if find_spec(f"{app}.demo") is None:
                continue
            self.stdout.write(f"==> {app}")
            with transaction.atomic():
                context.update(
                    import_module(f"{app}.demo").build(self.stdout, **context) or {}
                )
        self.stdout.write(self.style.SUCCESS("演示数据已加载。"))
