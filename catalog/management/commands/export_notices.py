"""Export the public catalog as JSONL, in the format ``import_notices`` reads.

    python manage.py export_notices > notices.jsonl
    python manage.py export_notices --output out/notices.jsonl --attachments-dir out/files

Exported: every published or withdrawn notice (``Notice.objects.published()``), oldest
first; drafts are not part of the catalog and are left out. Attachments are copied
only with ``--attachments-dir``; their ``path`` is written relative to the directory
of ``--output`` (or, when writing to standard output, to the current directory, so
redirect into a file in the current directory). See docs/import-format.md.

A withdrawn (撤回) notice is exported as its public stub only (``serialise_withdrawn_stub``:
索引号, title — neutral for 含有个人信息 —, 发文机关, dates, category), never its text or
files; ``--include-withdrawn-content`` (an operator's internal backup) exports everything
and says so on standard error.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from catalog.management.notice_jsonl import (
    dumps,
    serialise_notice,
    serialise_withdrawn_stub,
)
from catalog.models import Attachment, Notice, NoticePublisher


def _safe_part(text: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", text).strip("._") or "notice"


class Command(BaseCommand):
    help = "把已发布（含已撤回）的政府信息导出为 JSONL，格式与 import_notices 相同；已撤回的只导出撤回提示。"

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="写入此文件（默认写到标准输出）")
        parser.add_argument(
            "--attachments-dir", help="把附件复制到此目录，并在 JSONL 中写入其相对路径"
        )
        parser.add_argument("--agency", help="只导出此主办机关（名称）的信息")
        parser.add_argument(
            "--include-withdrawn-content",
            action="store_true",
            help="已撤回信息也导出正文、附件、撤回说明等全部内容（仅供内部备份；默认只导出公开页面上的撤回提示）",
        )

    def handle(self, *args, **options):
        output = Path(options["output"]).resolve() if options["output"] else None
        base_dir = output.parent if output else Path.cwd()
        attachments_dir = (
            Path(options["attachments_dir"]).resolve()
            if options["attachments_dir"]
            else None
        )
        if attachments_dir is not None:
            try:
                attachments_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CommandError(
                    f"无法创建附件目录 {attachments_dir}：{exc.strerror}"
                ) from exc

        notices = (
            Notice.objects.published()
            .select_related("theme__parent", "genre", "column")
            .prefetch_related(
                Prefetch(
                    "publisher_links",
                    queryset=NoticePublisher.objects.select_related("agency"),
                ),
                Prefetch(
                    "attachments",
                    queryset=Attachment.objects.order_by("position", "id"),
                ),
                Prefetch(
                    "interpretations",
                    queryset=Notice.objects.published().order_by("published_at", "id"),
                ),
            )
            .order_by("published_at", "id")
        )
        if options["agency"]:
            notices = notices.filter(owner_agency__name=options["agency"])

        handle = output.open("w", encoding="utf-8") if output else None
        stream = handle or self.stdout
        full = options["include_withdrawn_content"]
        count = with_files = stubs = 0
        try:
            for notice in notices.iterator(chunk_size=500):
                if notice.is_withdrawn and not full:
                    line = dumps(serialise_withdrawn_stub(notice))
                    if handle:
                        handle.write(line + "\n")
                    else:
                        stream.write(line)
                    count += 1
                    stubs += 1
                    continue
                paths = None
                if attachments_dir is not None:
                    paths = [
                        self._copy(a, notice, attachments_dir, base_dir)
                        for a in notice.attachments.all()
                    ]
                elif notice.attachments.all():
                    with_files += 1
                line = dumps(serialise_notice(notice, attachment_paths=paths))
                if handle:
                    handle.write(line + "\n")
                else:
                    stream.write(line)
                count += 1
        finally:
            if handle:
                handle.close()
        message = f"已导出 {count} 条政府信息"
        if stubs:
            message += (
                f"；其中 {stubs} 条已撤回，只导出了撤回提示（索引号、标题、日期、类别）"
            )
        if full:
            message += (
                "；注意：已按 --include-withdrawn-content 导出已撤回信息的全部内容"
                "（含正文、附件和内部撤回说明），仅供内部备份，不得公开"
            )
        if with_files:
            message += (
                f"；其中 {with_files} 条有附件未导出（使用 --attachments-dir 导出附件）"
            )
        # the summary goes to stderr so that standard output stays pure JSONL
        self.stderr.write(message)

    @staticmethod
    def _copy(
        attachment: Attachment, notice: Notice, attachments_dir: Path, base_dir: Path
    ) -> str:
        folder = attachments_dir / _safe_part(notice.index_number or str(notice.pk))
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{attachment.position:02d}-{_safe_part(attachment.name)}"
        try:
            with attachment.file.open("rb") as source, target.open("wb") as dest:
                for chunk in iter(lambda: source.read(1024 * 1024), b""):
                    dest.write(chunk)
        except OSError as exc:
            raise CommandError(
                f"无法导出附件“{attachment.name}”（{notice.index_number}）：{exc}"
            ) from exc
        return Path(os.path.relpath(target, base_dir)).as_posix()
