"""Import historical cases from an old ledger (JSON Lines) so annual reports can cover
past years. ``tracking_no`` is the idempotent key: importing the same file twice
changes nothing. Bad lines are reported with their line number and reason and skipped:
each line is read as bytes and decoded on its own (``portal.jsonl``), unknown keys and a
tracking_no repeated within the file are line errors.

One JSON object per line::

    {"tracking_no": "TY-2024-0001", "agency": "天元区教育局", "applicant_type": "自然人",
     "channel": "当面", "received_date": "2024-03-05", "description": "……",
     "status": "closed", "outcome": "予以公开", "closed_date": "2024-03-20"}

``applicant_type``: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他.
``channel`` (optional, default 当面提交): a code (online, in_person, post_signed,
post_ordinary, fax, email) or a label (网上/网络/互联网, 当面, 邮寄, 平常信函/信函,
传真, 电子邮件/邮件). ``status``: open or closed (default: closed when an outcome is
given). ``outcome``: exactly a row label of table 三 (requests_app.outcomes).
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.db.models import Q

from portal.jsonl import JsonLineError, loads_line, read_lines
from portal.models import Agency
from portal.timeutil import local_now
from requests_app import services
from requests_app.models import Channel
from requests_app.outcomes import OUTCOME_BY_ROW_LABEL, ApplicantKind

KIND_BY_LABEL = {k.label: k.value for k in ApplicantKind}
CHANNEL_BY_LABEL = {
    **{c.value: c.value for c in Channel},
    **{c.label: c.value for c in Channel},
    "网上": Channel.ONLINE,
    "网络": Channel.ONLINE,
    "互联网": Channel.ONLINE,
    "在线": Channel.ONLINE,
    "当面": Channel.IN_PERSON,
    "现场": Channel.IN_PERSON,
    "邮寄": Channel.POST_SIGNED,
    "挂号信": Channel.POST_SIGNED,
    "信函": Channel.POST_ORDINARY,
    "平常信函": Channel.POST_ORDINARY,
    "传真": Channel.FAX,
    "电子邮件": Channel.EMAIL,
    "邮件": Channel.EMAIL,
    "电子邮箱": Channel.EMAIL,
}
KEYS = (
    "tracking_no",
    "agency",
    "applicant_type",
    "channel",
    "received_date",
    "description",
    "status",
    "outcome",
    "closed_date",
)
logger = logging.getLogger(__name__)


class LineError(Exception):
    pass


def _date(value, name: str, *, required: bool, today: date) -> date | None:
    if value in (None, ""):
        if required:
            raise LineError(f"缺少 {name}")
        return None
    if not isinstance(value, str):
        raise LineError(f"{name} 应为 YYYY-MM-DD 格式的字符串")
    try:
        d = date.fromisoformat(value.strip())
    except ValueError:
        raise LineError(f"{name} 不是有效日期（应为 YYYY-MM-DD）：{value}") from None
    if len(value.strip()) != 10:
        raise LineError(f"{name} 应为 YYYY-MM-DD 格式：{value}")
    if d > today:
        raise LineError(f"{name} 晚于今天：{value}")
    return d


def _text(obj: dict, name: str, max_length: int) -> str:
    value = obj.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise LineError(f"{name} 应为字符串")
    value = value.strip()
    if len(value) > max_length:
        raise LineError(f"{name} 超过 {max_length} 字")
    return value


class Command(BaseCommand):
    help = "从历史台账（JSON Lines，每行一个对象）导入依申请公开案件；按 tracking_no 幂等，错误行报告行号和原因后跳过。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSONL 文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, *args, file: str, dry_run: bool = False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        now = local_now()
        today = now.date()
        agencies = {}
        for a in Agency.objects.all():
            agencies[a.name] = a
            if a.short_name:
                agencies.setdefault(a.short_name, a)
        created = updated = unchanged = skipped = 0
        seen: dict[str, int] = {}  # tracking_no → the line that first named it
        with path.open("rb") as fh:
            # bytes per line, each decoded on its own: a GBK line is reported with its
            # true number and skipped, the lines around it are kept
            for lineno, raw in read_lines(fh):
                try:
                    args_ = self._parse(raw, agencies, today)
                    first = seen.setdefault(args_["tracking_no"], lineno)
                    if first != lineno:
                        raise LineError(
                            f"tracking_no“{args_['tracking_no']}”与第 {first} 行重复，"
                            "本行未导入"
                        )
                    if dry_run:
                        created += 1
                        continue
                    _, action = services.request_import(now=now, **args_)
                    if action == "created":
                        created += 1
                    elif action == "updated":
                        updated += 1
                    else:
                        unchanged += 1
                except LineError as exc:
                    skipped += 1
                    self.stdout.write(f"第 {lineno} 行：{exc}，已跳过")
                except ValidationError as exc:
                    skipped += 1
                    self.stdout.write(
                        f"第 {lineno} 行：{'；'.join(exc.messages)}，已跳过"
                    )
                except DatabaseError as exc:
                    # request_import is atomic: the line is rolled back, the run goes on
                    logger.exception("import_requests: line %s refused", lineno)
                    skipped += 1
                    self.stdout.write(
                        f"第 {lineno} 行：数据库拒绝保存（{type(exc).__name__}），已跳过"
                    )
        verb = "检查通过" if dry_run else "新增"
        self.stdout.write(
            f"{verb} {created} 条，更新 {updated} 条，未变 {unchanged} 条，跳过 {skipped} 行。"
        )

    def _parse(self, raw: bytes, agencies: dict, today: date) -> dict:
        try:
            obj = loads_line(raw)
        except JsonLineError as exc:
            raise LineError(str(exc)) from None
        if not isinstance(obj, dict):
            raise LineError("每行应为一个 JSON 对象")
        unknown = [k for k in obj if k not in KEYS]
        if unknown:
            raise LineError(
                f"未知字段 {', '.join(unknown)}（允许的字段：{'、'.join(KEYS)}）"
            )
        tracking_no = _text(obj, "tracking_no", 40)
        if not tracking_no:
            raise LineError("缺少 tracking_no")
        agency_name = _text(obj, "agency", 100)
        if not agency_name:
            raise LineError("缺少 agency")
        agency = agencies.get(agency_name)
        if agency is None:
            match = Agency.objects.filter(
                Q(name=agency_name) | Q(short_name=agency_name)
            ).first()
            if match is None:
                raise LineError(f"找不到机关：{agency_name}")
            agency = match
        kind_label = _text(obj, "applicant_type", 20)
        if kind_label not in KIND_BY_LABEL:
            raise LineError(
                f"applicant_type 应为 {'、'.join(KIND_BY_LABEL)} 之一，而不是“{kind_label}”"
            )
        channel_raw = _text(obj, "channel", 20)
        channel = (
            CHANNEL_BY_LABEL.get(channel_raw) if channel_raw else Channel.IN_PERSON
        )
        if channel is None:
            raise LineError(f"无法识别的 channel：{channel_raw}")
        received = _date(
            obj.get("received_date"), "received_date", required=True, today=today
        )
        description = _text(obj, "description", 2000) or "（历史台账未记载内容描述）"
        outcome_label = _text(obj, "outcome", 100)
        status = _text(obj, "status", 10).lower() or (
            "closed" if outcome_label else "open"
        )
        if status not in ("open", "closed"):
            raise LineError(f"status 应为 open 或 closed，而不是“{status}”")
        outcome = ""
        closed = None
        if status == "closed":
            if not outcome_label:
                raise LineError("已办结（closed）的案件缺少 outcome")
            if outcome_label not in OUTCOME_BY_ROW_LABEL:
                raise LineError(f"outcome 不是年度报告表三的行名称：{outcome_label}")
            outcome = OUTCOME_BY_ROW_LABEL[outcome_label]
            closed = _date(
                obj.get("closed_date"), "closed_date", required=True, today=today
            )
            if closed < received:
                raise LineError("closed_date 早于 received_date")
        elif outcome_label or obj.get("closed_date"):
            raise LineError("未办结（open）的案件不应有 outcome 或 closed_date")
        return {
            "tracking_no": tracking_no,
            "agency": agency,
            "applicant_kind": KIND_BY_LABEL[kind_label],
            "channel": channel,
            "received_date": received,
            "description": description,
            "outcome": outcome,
            "closed_date": closed,
        }
