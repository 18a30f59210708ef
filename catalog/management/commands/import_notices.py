"""Import notices from a JSONL file (one notice per line; docs/import-format.md).

Idempotent by 索引号: re-running updates, never duplicates. Each line is its own
transaction; a bad line is reported with its number and reason and skipped. A line
whose text or attachments hold personal data is reported (line, where, masked) and
imported as a draft; ``--allow-personal-data`` publishes it anyway, recorded.

保密审查 (条例 第十七条): a line is published only with ``--security-reviewed-by USERNAME``,
the staff member who confirmed the review (recorded on the notice and in its history);
without it, or when that person may not confirm for the line's agency, the line is
imported as a draft and reported (``catalog.publishing.import_reviewer_problem``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from catalog.management.notice_jsonl import (
    FileJournal,
    LineError,
    Record,
    Resolver,
    apply_record,
    decode_line,
    parse_record,
    recover_journals,
)
from catalog.models import Notice
from catalog.services import notice_set_interpretations

PROGRESS_EVERY = 100
logger = logging.getLogger(__name__)


class DryRunRollback(Exception):
    pass


class Command(BaseCommand):
    help = "从 JSONL 文件导入政府信息（按索引号幂等：重复导入只更新，不会重复）。格式见 docs/import-format.md。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSONL 文件路径（UTF-8，每行一个 JSON 对象）")
        parser.add_argument(
            "--dry-run", action="store_true", help="只检查并报告，不写入数据库"
        )
        parser.add_argument(
            "--create-agencies",
            action="store_true",
            help="发文机关不存在时自动创建（仅名称）",
        )
        parser.add_argument(
            "--user", help="记入变更记录的操作人用户名（默认不记操作人）"
        )
        parser.add_argument(
            "--security-reviewed-by",
            metavar="USERNAME",
            help="确认保密审查的工作人员用户名（条例第十七条；须为各行牵头发文机关的在职工作人员或超级管理员；"
            "本机关要求第二人确认时不能是 --user 指明的操作人）。不指明时，本应发布的行作为草稿导入",
        )
        parser.add_argument(
            "--allow-personal-data",
            action="store_true",
            help="含个人信息的行仍然发布（逐条记入变更记录并输出警告）；默认作为草稿导入、不发布",
        )
        parser.add_argument(
            "--attachments-root",
            help="附件所在目录（默认为 JSONL 文件所在目录）；附件路径必须位于其中",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        by = None
        if options["user"]:
            by = get_user_model().objects.filter(username=options["user"]).first()
            if by is None:
                raise CommandError(f"用户不存在：{options['user']}")
        self.reviewer = None
        if options["security_reviewed_by"]:
            name = options["security_reviewed_by"]
            self.reviewer = get_user_model().objects.filter(username=name).first()
            if self.reviewer is None:
                raise CommandError(f"保密审查确认人不存在：{name}")
            if not self.reviewer.is_active or not (
                self.reviewer.is_staff or self.reviewer.is_superuser
            ):
                raise CommandError(
                    f"保密审查确认人“{name}”不是在职工作人员（账号已停用或不是工作人员账号）"
                )
        root = Path(options["attachments_root"] or path.parent)
        if not root.is_dir():
            raise CommandError(f"附件目录不存在：{root}")
        self.attachments_root = root
        self.dry_run = options["dry_run"]
        self.allow_personal_data = options["allow_personal_data"]
        self.counts = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
        self.held = 0
        self.unreviewed = 0
        if self.dry_run:
            try:
                with transaction.atomic():
                    self._run(path, options["create_agencies"], by)
                    raise DryRunRollback
            except DryRunRollback:
                pass
        else:
            self._run(path, options["create_agencies"], by)
        c = self.counts
        summary = f"新增 {c['created']} 条，更新 {c['updated'] + c['unchanged']} 条，跳过 {c['skipped']} 条"
        if c["unchanged"]:
            summary += f"（其中 {c['unchanged']} 条内容无变化）"
        if self.held:
            summary += (
                f"；{self.held} 条含个人信息，已发布并记录放行"
                if self.allow_personal_data
                else f"；{self.held} 条含个人信息，作为草稿导入、未发布"
            )
        if self.unreviewed:
            summary += f"；{self.unreviewed} 条未记录保密审查，未发布"
        if self.dry_run:
            summary = "试运行（未写入数据库）：" + summary
        style = (
            self.style.SUCCESS
            if not c["skipped"] and not self.held and not self.unreviewed
            else self.style.WARNING
        )
        self.stdout.write(style(summary))

    def _run(self, path: Path, create_agencies: bool, by) -> None:
        journal = None
        if not self.dry_run:
            removed = recover_journals()
            if removed:
                self.stdout.write(
                    f"已删除上次中断的导入留下的 {len(removed)} 个附件文件（没有对应的记录）"
                )
            journal = FileJournal()
        try:
            self._run_lines(path, create_agencies, by, journal)
        finally:
            if journal is not None:
                journal.close()

    def _run_lines(self, path: Path, create_agencies: bool, by, journal) -> None:
        resolver = Resolver(create_agencies=create_agencies)
        links: list[tuple[Record, Notice, str]] = []
        seen: dict[str | None, int] = {}  # 索引号 → the line that first named it
        lines = 0
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                if not raw.strip():
                    continue
                lines += 1
                try:
                    record = parse_record(
                        decode_line(raw),
                        line=number,
                        resolver=resolver,
                        base_dir=self.attachments_root,
                    )
                    first = seen.setdefault(record.index_number, number)
                    if record.index_number and first != number:
                        raise LineError(
                            f"字段 index_no（索引号）“{record.index_number}”"
                            f"与第 {first} 行重复，本行未导入"
                        )
                    if self.dry_run:
                        record.attachments = (
                            None  # checked above; nothing is stored in a dry run
                        )
                    notice, outcome = apply_record(
                        record,
                        resolver=resolver,
                        by=by,
                        allow_personal_data=self.allow_personal_data,
                        journal=journal,
                        security_reviewed_by=self.reviewer,
                    )
                except LineError as exc:
                    self.counts["skipped"] += 1
                    self.stderr.write(f"第 {number} 行：{exc}，已跳过")
                except DatabaseError as exc:
                    # a value the database refuses must not end the run (its line's
                    # transaction is rolled back by apply_record)
                    logger.exception("import_notices: line %s refused", number)
                    self.counts["skipped"] += 1
                    self.stderr.write(
                        f"第 {number} 行：数据库拒绝保存（{type(exc).__name__}），已跳过"
                    )
                else:
                    self.counts[outcome] += 1
                    if record.review_held:
                        self.unreviewed += 1
                        hint = (
                            ""
                            if self.reviewer
                            else "（用 --security-reviewed-by 指明确认人）"
                        )
                        self.stderr.write(f"第 {number} 行：{record.review_held}{hint}")
                    if record.findings:
                        self._report_findings(number, record.findings)
                    if record.interpretations is not None:
                        links.append((record, notice, outcome))
                if lines % PROGRESS_EVERY == 0:
                    c = self.counts
                    self.stdout.write(
                        f"已处理 {lines} 行：新增 {c['created']}，更新 {c['updated'] + c['unchanged']}，跳过 {c['skipped']}"
                    )
        self._link_interpretations(links, by)

    def _report_findings(self, number: int, findings) -> None:
        self.held += 1
        listed = "；".join(f.describe() for f in findings)
        if self.allow_personal_data:
            self.stderr.write(
                f"警告：第 {number} 行含个人信息（{listed}），因 --allow-personal-data 仍已发布，已记入变更记录"
            )
        else:
            self.stderr.write(
                f"第 {number} 行含个人信息（{listed}），已作为草稿导入，未发布"
            )

    def _link_interpretations(
        self, links: list[tuple[Record, Notice, str]], by
    ) -> None:
        """解读 links last: a line may name a 解读 that comes later in the file."""
        wanted = {n for record, _, _ in links for n in record.interpretations or []}
        found = {
            n.index_number: n for n in Notice.objects.filter(index_number__in=wanted)
        }
        for record, notice, outcome in links:
            for number in record.interpretations or []:
                if number not in found:
                    self.stderr.write(
                        f"第 {record.line} 行：字段 interpretations（相关解读）中的索引号“{number}”不存在，该链接未建立"
                    )
            targets = [
                found[n]
                for n in record.interpretations or []
                if n in found and found[n].pk != notice.pk
            ]
            try:
                with transaction.atomic():
                    changed = notice_set_interpretations(
                        policy=notice, interpretations=targets, by=by, reason="导入"
                    )
            except (ValidationError, PermissionDenied) as exc:
                reason = "；".join(getattr(exc, "messages", None) or [str(exc)])
                self.stderr.write(f"第 {record.line} 行：相关解读未建立：{reason}")
                continue
            if changed and outcome == "unchanged":
                # a line whose only change is its 解读 links counts as updated, not unchanged
                self.counts["unchanged"] -= 1
                self.counts["updated"] += 1
