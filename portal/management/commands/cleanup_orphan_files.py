"""List (default) or remove stored files that no database row refers to.

A process killed between writing a file and committing its row (a worker restarted
mid-upload, an import stopped with kill -9) leaves such an orphan; temporary
``.part`` files of ``portal.filestore`` can remain the same way. The command looks at
every ``FileField`` of every model (no app is named here), so it covers notice
attachments (``catalog/``) and request files (``requests/``); everything else under
MEDIA_ROOT is only ever written for such a field (or is a ``.part`` temporary file).

Files younger than ``--min-age`` minutes are left alone: they may belong to an upload
whose transaction is still running. The ID-proof holding area (``ysq-holding/``) and
the Word-import holding area (``docx-holding/``) purge themselves and are not touched.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import models

SKIP_DIRS = {"ysq-holding", "docx-holding", ".import-journal"}


def referenced_files() -> set[str]:
    """The names of every file a row refers to (any model's ``FileField``)."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                names.update(
                    n
                    for n in model._default_manager.exclude(**{field.name: ""})
                    .values_list(field.name, flat=True)
                    .iterator()
                    if n
                )
    return names


def find_orphans(root: Path, *, min_age_seconds: float, now: float) -> list[Path]:
    names = referenced_files()
    orphans = []
    if not root.is_dir():
        return orphans
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] in SKIP_DIRS or not path.is_file() or path.is_symlink():
            continue
        if relative.as_posix() in names:
            continue
        if now - path.stat().st_mtime < min_age_seconds:
            continue
        orphans.append(path)
    return orphans


class Command(BaseCommand):
    help = (
        "列出（默认）或删除 MEDIA_ROOT 中没有数据库记录对应的文件（附件、申请文件、"
        "中断写入留下的临时文件）。"
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--dry-run",
            action="store_true",
            default=True,
            help="只列出，不删除（默认）",
        )
        group.add_argument("--delete", action="store_true", help="删除列出的文件")
        parser.add_argument(
            "--min-age",
            type=int,
            default=60,
            help="只处理早于这么多分钟前写入的文件（默认 60，避开正在进行的上传）",
        )

    def handle(self, *args, **options):
        root = Path(settings.MEDIA_ROOT)
        orphans = find_orphans(
            root, min_age_seconds=options["min_age"] * 60, now=time.time()
        )
        total = 0
        for path in orphans:
            size = path.stat().st_size
            total += size
            if options["delete"]:
                path.unlink(missing_ok=True)
                self.stdout.write(f"已删除 {path.relative_to(root)}（{size} 字节）")
            else:
                self.stdout.write(f"{path.relative_to(root)}（{size} 字节）")
        verb = "删除了" if options["delete"] else "发现"
        hint = "" if options["delete"] or not orphans else "；加 --delete 删除"
        self.stdout.write(
            f"{verb} {len(orphans)} 个没有数据库记录的文件，共 {total} 字节{hint}。"
        )
