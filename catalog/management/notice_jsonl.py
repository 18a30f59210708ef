"""The JSONL exchange format for notices (docs/import-format.md), both directions.

``parse_record`` turns one decoded JSON object into checked, resolved values (or raises
``LineError`` with a Chinese reason naming the field); ``apply_record`` writes it through
the services; ``serialise_notice`` writes a notice back in the same format, so an
export imported into an empty database reproduces the catalog.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from catalog.attachments import (
    InspectedFile,
    attachment_add,
    attachment_remove,
    attachments_reorder,
    inspect_file,
    max_upload_bytes,
)
from catalog.models import Attachment, Column, Genre, Notice, Theme
from catalog.services import (
    clean_index_number,
    normalise_keywords,
    notice_import_confirm_review,
    notice_import_screen,
    notice_import_upsert,
)
from portal.filestore import delete_quietly
from portal.jsonl import JsonLineError, loads_line
from portal.models import Agency
from portal.services import agency_create
from portal.validators import normalise_doc_number

BEIJING = ZoneInfo("Asia/Shanghai")

# key → Chinese label, in the order export writes them
KEYS: dict[str, str] = {
    "index_no": "索引号",
    "title": "标题",
    "publisher": "发文机关",
    "doc_number": "发文字号",
    "written_date": "成文日期",
    "published_at": "发布时间",
    "theme": "主题分类",
    "genre": "体裁",
    "validity": "有效性",
    "valid_from": "施行日期",
    "valid_until": "有效期至",
    "disclosure_mode": "公开方式",
    "audience": "公开对象",
    "department": "公开部门",
    "keywords": "关键词",
    "summary": "内容概述",
    "body": "正文",
    "column": "栏目",
    "attachments": "附件",
    "interpretations": "相关解读",
    "withdrawn": "撤销",
}
REQUIRED = ("title", "publisher", "published_at")
# model field → JSON key, for turning service errors into messages naming the key
MODEL_TO_KEY = {
    "index_number": "index_no",
    "title": "title",
    "publishers": "publisher",
    "owner_agency": "publisher",
    "doc_number": "doc_number",
    "written_date": "written_date",
    "published_at": "published_at",
    "theme": "theme",
    "genre": "genre",
    "validity": "validity",
    "valid_from": "valid_from",
    "valid_until": "valid_until",
    "disclosure_mode": "disclosure_mode",
    "audience": "audience",
    "department": "department",
    "keywords": "keywords",
    "summary": "summary",
    "body": "body",
    "column": "column",
    "file": "attachments",
    "withdrawn": "withdrawn",
    "interpretations": "interpretations",
}
VALIDITY_BY_LABEL = {label: value for value, label in Notice.Validity.choices}
VALIDITY_BY_LABEL["现行有效"] = Notice.Validity.EFFECTIVE
DISCLOSURE_BY_LABEL = {label: value for value, label in Notice.DisclosureMode.choices}


class LineError(Exception):
    """A line that cannot be imported; ``str()`` is the Chinese reason naming the field."""


def field_error(key: str, message: str) -> LineError:
    return LineError(f"字段 {key}（{KEYS.get(key, key)}）{message}")


def validation_error_to_line_error(exc: ValidationError) -> LineError:
    if hasattr(exc, "error_dict"):
        parts = []
        for name, errors in exc.error_dict.items():
            messages = "；".join(m for e in errors for m in e.messages)
            if name == "__all__":
                parts.append(messages)
            else:
                key = MODEL_TO_KEY.get(name, name)
                parts.append(f"字段 {key}（{KEYS.get(key, key)}）：{messages}")
        return LineError("；".join(parts))
    return LineError("；".join(exc.messages))


@dataclass
class Record:
    """One parsed line: values resolved to model objects, ready for ``apply_record``."""

    line: int
    index_number: str | None
    publishers: list[Agency]
    published_at: datetime
    fields: dict[str, Any]
    attachments: list[InspectedFile] | None = None
    interpretations: list[str] | None = None
    withdrawn: dict[str, Any] | bool | None = False
    new_agencies: list[str] = field(default_factory=list)
    # personal data found when the line was applied (portal.pii LocatedFinding)
    findings: list[Any] = field(default_factory=list)
    # why the line was not published for want of a 保密审查 confirmer ("" = it was not held)
    review_held: str = ""


# --- parsing ------------------------------------------------------------------------------


def decode_line(raw: bytes) -> dict[str, Any]:
    try:
        obj = loads_line(raw)
    except JsonLineError as exc:
        raise LineError(str(exc)) from exc
    if not isinstance(obj, dict):
        raise LineError("每行必须是一个 JSON 对象（{…}）")
    return obj


def _string(obj: dict, key: str, *, max_length: int | None = None) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise field_error(key, "必须是字符串")
    value = value.strip()
    if max_length and len(value) > max_length:
        raise field_error(key, f"过长：最多 {max_length} 个字符，现有 {len(value)} 个")
    return value


def _date(obj: dict, key: str) -> date | None:
    value = _string(obj, key)
    if not value:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise field_error(
            key, f"格式不正确：“{value[:40]}”应为 YYYY-MM-DD，例如 2024-03-01"
        )
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise field_error(key, f"不是有效日期：“{value}”") from exc


def parse_published_at(value: Any, key: str = "published_at") -> datetime:
    """ISO 8601 date or datetime; without an offset it is Beijing time."""
    if not isinstance(value, str) or not value.strip():
        raise field_error(
            key,
            "必须是 ISO 8601 日期或时间，例如 2024-03-01 或 2024-03-01T09:30:00+08:00",
        )
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            moment = datetime.combine(date.fromisoformat(value), time(0, 0))
        elif re.fullmatch(
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?",
            value,
        ):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        else:
            raise ValueError(value)
    except ValueError as exc:
        raise field_error(
            key,
            f"格式不正确：“{value[:40]}”应为 ISO 8601 日期或时间，例如 2024-03-01 或 2024-03-01T09:30:00+08:00",
        ) from exc
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=BEIJING)
    if not 1949 <= moment.year <= 2100:
        raise field_error(key, f"年份 {moment.year} 不合理")
    return moment


class Resolver:
    """Looks up agencies, themes, genres and columns once per run (names are exact)."""

    def __init__(self, *, create_agencies: bool = False):
        self.create_agencies = create_agencies
        self.agencies = {a.name: a for a in Agency.objects.all()}
        self.agencies_by_short = {}
        for a in self.agencies.values():
            if a.short_name:
                self.agencies_by_short.setdefault(a.short_name, []).append(a)
        self.themes = {t.full_name: t for t in Theme.objects.select_related("parent")}
        self.genres = {g.name: g for g in Genre.objects.all()}
        self.columns = {c.name: c for c in Column.objects.all()}
        self.columns.update({c.slug: c for c in Column.objects.all()})

    def agency(self, name: str) -> Agency | None:
        found = self.agencies.get(name)
        if found is None:
            matches = self.agencies_by_short.get(name, [])
            found = matches[0] if len(matches) == 1 else None
        return found

    def create_agency(self, name: str, *, by=None) -> Agency:
        agency = agency_create(
            by=by, source="import", name=name, short_name="", kind=Agency.Kind.OTHER
        )
        self.agencies[name] = agency
        return agency

    def forget_agency(self, name: str) -> None:
        self.agencies.pop(name, None)


def parse_record(
    obj: dict[str, Any],
    *,
    line: int,
    resolver: Resolver,
    base_dir: Path,
    read_attachments: bool = True,
) -> Record:
    unknown = [k for k in obj if k not in KEYS]
    if unknown:
        allowed = "、".join(KEYS)
        raise LineError(f"未知字段 {', '.join(unknown)}（允许的字段：{allowed}）")
    for key in REQUIRED:
        if obj.get(key) in (None, "", []):
            raise field_error(key, "必填，不能为空")

    fields: dict[str, Any] = {}
    fields["title"] = _string(obj, "title", max_length=300)
    if not fields["title"]:
        raise field_error("title", "必填，不能为空")

    raw_index = obj.get("index_no")
    if raw_index is not None and not isinstance(raw_index, str):
        raise field_error("index_no", "必须是字符串")
    try:
        index_number = clean_index_number(raw_index)
    except ValidationError as exc:
        raise field_error("index_no", "无效：" + "；".join(exc.messages)) from exc

    names = obj["publisher"]
    if isinstance(names, str):
        names = [names]
    if (
        not isinstance(names, list)
        or not names
        or not all(isinstance(n, str) and n.strip() for n in names)
    ):
        raise field_error("publisher", "必须是机关名称，或联合发文时的机关名称列表")
    publishers: list[Agency] = []
    new_agencies: list[str] = []
    for name in (n.strip() for n in names):
        agency = resolver.agency(name)
        if agency is None:
            if name in new_agencies:
                raise field_error("publisher", f"中的机关“{name}”重复")
            if not resolver.create_agencies:
                raise field_error(
                    "publisher",
                    f"中的机关“{name}”不存在（可先在管理后台添加，或使用 --create-agencies）",
                )
            if len(name) > Agency._meta.get_field("name").max_length:
                raise field_error("publisher", f"中的机关名称“{name[:40]}…”过长")
            new_agencies.append(name)
            publishers.append(Agency(name=name))  # created when the line is applied
            continue
        if agency in publishers:
            raise field_error("publisher", f"中的机关“{name}”重复")
        publishers.append(agency)

    published_at = parse_published_at(obj["published_at"])

    if "doc_number" in obj:
        raw = _string(obj, "doc_number", max_length=80)
        try:
            fields["doc_number"] = normalise_doc_number(raw)
        except ValidationError as exc:
            raise field_error(
                "doc_number", f"“{raw}”格式不正确：" + "；".join(exc.messages)
            ) from exc
    for key in ("written_date", "valid_from", "valid_until"):
        if key in obj:
            fields[key] = _date(obj, key)
    if (
        fields.get("valid_from")
        and fields.get("valid_until")
        and fields["valid_until"] < fields["valid_from"]
    ):
        raise field_error("valid_until", "早于施行日期（valid_from）")

    if "theme" in obj:
        value = _string(obj, "theme")
        if value:
            key = "\\".join(
                part.strip()
                for part in value.replace("／", "\\").replace("＼", "\\").split("\\")
            )
            theme = resolver.themes.get(key)
            if theme is None:
                raise field_error(
                    "theme",
                    f"“{value}”不存在；应为“父类\\子类”或“父类”，例如 科技、教育\\教育",
                )
            fields["theme"] = theme
        else:
            fields["theme"] = None
    if "genre" in obj:
        value = _string(obj, "genre")
        if value and value not in resolver.genres:
            raise field_error("genre", f"“{value}”不存在（可在管理后台的“体裁”中添加）")
        fields["genre"] = resolver.genres.get(value) if value else None
    if "column" in obj:
        value = _string(obj, "column")
        if value and value not in resolver.columns:
            raise field_error(
                "column",
                f"“{value}”不存在（填写栏目名称或网址名，例如 政策文件 或 zcwj）",
            )
        fields["column"] = resolver.columns.get(value) if value else None
    if "validity" in obj:
        value = _string(obj, "validity")
        if value not in VALIDITY_BY_LABEL:
            raise field_error(
                "validity",
                f"“{value}”无效，应为 有效、已修改、已废止、失效、尚未生效 之一",
            )
        fields["validity"] = VALIDITY_BY_LABEL[value]
    if "disclosure_mode" in obj:
        value = _string(obj, "disclosure_mode")
        if value not in DISCLOSURE_BY_LABEL:
            raise field_error(
                "disclosure_mode", f"“{value}”无效，应为 主动公开 或 依申请公开"
            )
        fields["disclosure_mode"] = DISCLOSURE_BY_LABEL[value]
    if "audience" in obj:
        fields["audience"] = _string(obj, "audience", max_length=50) or "面向社会"
    if "department" in obj:
        fields["department"] = _string(obj, "department", max_length=100)
    for key in ("summary", "body"):
        if key in obj:
            fields[key] = _string(obj, key)
    if "keywords" in obj:
        value = obj["keywords"]
        if value is None:
            value = []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise field_error("keywords", '必须是字符串列表，例如 ["教育", "招生"]')
        words = normalise_keywords(value)
        too_long = [w for w in words if len(w) > 50]
        if too_long:
            raise field_error(
                "keywords", f"中的“{too_long[0][:20]}…”过长（每个关键词最多 50 个字符）"
            )
        fields["keywords"] = words

    attachments = None
    if "attachments" in obj:
        attachments = _parse_attachments(
            obj["attachments"], base_dir=base_dir, read=read_attachments
        )

    interpretations = None
    if "interpretations" in obj:
        value = obj["interpretations"] or []
        if not isinstance(value, list) or not all(
            isinstance(v, str) and v.strip() for v in value
        ):
            raise field_error(
                "interpretations",
                '必须是解读文件索引号的列表，例如 ["4302xxxxx/2024-00012"]',
            )
        interpretations = [v.strip() for v in value]

    withdrawn: dict[str, Any] | bool | None = False
    if "withdrawn" in obj:
        value = obj["withdrawn"]
        if value is None:
            withdrawn = None
        else:
            if not isinstance(value, dict) or set(value) - {"at", "reason", "category"}:
                raise field_error(
                    "withdrawn",
                    '必须是 null 或 {"at": 撤回时间, "reason": 撤回说明, '
                    '"category": 撤回原因类别}',
                )
            category = value.get("category") or Notice.WithdrawalCategory.OTHER
            if category not in Notice.WithdrawalCategory.values:
                raise field_error(
                    "withdrawn",
                    "中的撤回原因类别（category）只能是 "
                    + "、".join(Notice.WithdrawalCategory.values),
                )
            reason = value.get("reason")
            if not isinstance(reason, str) or not reason.strip():
                raise field_error("withdrawn", "缺少撤销原因（reason）")
            if len(reason.strip()) > 300:
                raise field_error("withdrawn", "中的撤销原因过长（最多 300 个字符）")
            at = (
                parse_published_at(value["at"], "withdrawn")
                if value.get("at")
                else published_at
            )
            withdrawn = {"at": at, "reason": reason.strip(), "category": category}

    return Record(
        line=line,
        index_number=index_number,
        publishers=publishers,
        published_at=published_at,
        fields=fields,
        attachments=attachments,
        interpretations=interpretations,
        withdrawn=withdrawn,
        new_agencies=new_agencies,
    )


def _parse_attachments(
    value: Any, *, base_dir: Path, read: bool
) -> list[InspectedFile]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise field_error(
            "attachments",
            '必须是列表，例如 [{"name": "附件1.pdf", "path": "files/附件1.pdf"}]',
        )
    out = []
    for i, item in enumerate(value):
        where = f"第 {i + 1} 项"
        if (
            not isinstance(item, dict)
            or set(item) - {"name", "path"}
            or not isinstance(item.get("path"), str)
        ):
            raise field_error(
                "attachments", f'{where}必须是 {{"name": 文件名, "path": 相对路径}}'
            )
        name = item.get("name") or Path(item["path"]).name
        if not isinstance(name, str):
            raise field_error("attachments", f"{where}的 name 必须是字符串")
        data = read_attachment(item["path"], base_dir, where=where, read=read)
        if data is None:
            continue
        try:
            out.append(inspect_file(name, data))
        except ValidationError as exc:
            raise field_error(
                "attachments", f"{where}：" + "；".join(exc.messages)
            ) from exc
    return out


def _path_error(where: str, raw: str, problem: str) -> LineError:
    return field_error("attachments", f"{where}的文件“{raw[:200]}”{problem}")


def read_attachment(raw: str, root: Path, *, where: str, read: bool) -> bytes | None:
    """The bytes of an attachment named by ``raw``, a path relative to ``root`` (the
    JSONL file's folder or ``--attachments-root``); ``None`` when ``read`` is false.

    Only a regular file that resolves inside ``root`` is read: absolute paths, ``..``
    leading out, symlinks pointing out, devices, FIFOs, sockets and directories are
    line errors naming the path (security.md §8, issue 11 §1.1)."""
    if not raw or "\x00" in raw:
        raise _path_error(where, raw.replace("\x00", "\\0"), "无效")
    if (
        PurePosixPath(raw).is_absolute()
        or PureWindowsPath(raw).is_absolute()
        or PureWindowsPath(raw).drive
        or raw.startswith(("\\", "~"))
    ):
        raise _path_error(where, raw, "是绝对路径；附件路径必须相对于附件目录")
    try:
        base = root.resolve(strict=True)
        target = (base / raw).resolve(strict=True)  # symlinks followed
    except FileNotFoundError as exc:
        raise _path_error(
            where, raw, "不存在（路径相对于 JSONL 文件所在目录或 --attachments-root）"
        ) from exc
    except (OSError, RuntimeError) as exc:
        raise _path_error(where, raw, "无法解析") from exc
    if not target.is_relative_to(base):
        raise _path_error(where, raw, "指向附件目录之外，不导入")
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then decides
        fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError as exc:
        raise _path_error(where, raw, f"无法读取：{exc.strerror}") from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _path_error(where, raw, "不是普通文件（目录、设备或管道），不导入")
    with os.fdopen(fd, "rb") as handle:
        if not read:
            return None
        limit = max_upload_bytes()
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise _path_error(where, raw, f"无法读取：{exc.strerror}") from exc
    if len(data) > limit:
        raise _path_error(where, raw, f"超过大小上限 {limit // 1024 // 1024} MB")
    return data


# --- applying -----------------------------------------------------------------------------


JOURNAL_DIR = ".import-journal"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class FileJournal:
    """The attachment files this run wrote whose line is not committed yet, one name
    per line in ``MEDIA_ROOT/.import-journal/import_notices-<pid>-<n>.txt``, written
    (and fsynced) before each file. Emptied when a line commits, removed at the end;
    a run killed part-way leaves it behind for ``recover_journals``."""

    def __init__(self) -> None:
        folder = Path(settings.MEDIA_ROOT) / JOURNAL_DIR
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"import_notices-{os.getpid()}-{secrets.token_hex(4)}.txt"
        self._handle = self.path.open("a", encoding="utf-8")

    def record(self, name: str) -> None:
        self._handle.write(name + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def line_done(self) -> None:
        self._handle.truncate(0)
        self._handle.seek(0)

    def close(self) -> None:
        self._handle.close()
        self.path.unlink(missing_ok=True)


def recover_journals() -> list[str]:
    """Remove the files that killed runs wrote but never committed (journals of
    processes no longer alive); returns their names. Files that a committed row
    refers to are kept."""
    folder = Path(settings.MEDIA_ROOT) / JOURNAL_DIR
    removed: list[str] = []
    if not folder.is_dir():
        return removed
    storage = Attachment._meta.get_field("file").storage
    for journal in sorted(folder.glob("import_notices-*.txt")):
        try:
            pid = int(journal.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and _alive(pid):
            continue  # another import is running
        names = [n for n in journal.read_text(encoding="utf-8").split("\n") if n]
        kept = set(
            Attachment.objects.filter(file__in=names).values_list("file", flat=True)
        )
        for name in names:
            path = Path(storage.path(name))
            if name not in kept and path.is_file():
                path.unlink()  # a file, not a row: no row refers to it
                removed.append(name)
        journal.unlink(missing_ok=True)
    return removed


def _discard_files(stored: list[Attachment]) -> None:
    for attachment in stored:
        delete_quietly(attachment.file)


def apply_record(
    record: Record,
    *,
    resolver: Resolver,
    by=None,
    allow_personal_data: bool = False,
    journal: FileJournal | None = None,
    security_reviewed_by=None,
) -> tuple[Notice, str]:
    """Write one parsed line in its own transaction; returns the notice and the outcome.

    A line that would publish needs ``security_reviewed_by`` (保密审查, see
    ``notice_import_upsert``); without a valid one it is kept as a draft and
    ``record.review_held`` says why.

    The line then passes the personal-data guard (``notice_import_screen``): with
    findings it is kept as a draft (or, ``allow_personal_data``, published with a
    recorded override); ``record.findings`` lists them for the report.

    Files written for the line are removed again if the line fails (an exception,
    Ctrl-C included), so a crash never leaves half a line behind; a run killed
    outright leaves its ``journal``, which the next run reads to remove them.
    """
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            publishers = []
            for agency in record.publishers:
                if agency.pk is None:
                    agency = resolver.agency(agency.name) or resolver.create_agency(
                        agency.name, by=by
                    )
                publishers.append(agency)
            try:
                notice, outcome = notice_import_upsert(
                    publishers=publishers,
                    published_at=record.published_at,
                    by=by,
                    index_number=record.index_number,
                    withdrawn=record.withdrawn,
                    security_reviewed_by=security_reviewed_by,
                    **record.fields,
                )
                record.review_held = notice.import_held
                if record.attachments is not None and _sync_attachments(
                    notice, record.attachments, by, stored, journal
                ):
                    if (
                        outcome == "unchanged"
                        and notice.status == Notice.Status.PUBLISHED
                    ):
                        notice_import_confirm_review(
                            notice=notice,
                            by=by,
                            security_reviewed_by=security_reviewed_by,
                        )
                    outcome = "updated" if outcome == "unchanged" else outcome
                record.findings = notice_import_screen(
                    notice=notice, by=by, allow_personal_data=allow_personal_data
                )
            except ValidationError as exc:
                raise validation_error_to_line_error(exc) from exc
            except PermissionDenied as exc:  # --user acting outside their agency
                raise LineError(str(exc)) from exc
    except BaseException:
        for name in record.new_agencies:
            resolver.forget_agency(name)
        _discard_files(stored)
        raise
    if journal is not None:
        journal.line_done()
    return notice, outcome


def _sync_attachments(
    notice: Notice,
    wanted: list[InspectedFile],
    by,
    stored: list[Attachment],
    journal: FileJournal | None = None,
) -> bool:
    """Make the notice's attachments exactly ``wanted`` (same name and bytes), in order."""
    changed = False
    current = list(notice.attachments.all())
    remaining = list(current)
    keep: list[Attachment] = []
    for inspected in wanted:
        match = next(
            (
                a
                for a in remaining
                if a.sha256 == inspected.sha256 and a.name == inspected.name
            ),
            None,
        )
        if match is not None:
            remaining.remove(match)
            keep.append(match)
            continue
        # the line is screened as a whole once its attachments are in (apply_record)
        attachment = attachment_add(
            notice=notice,
            by=by,
            inspected=inspected,
            screened_by_caller=True,
            before_write=journal.record if journal is not None else None,
        )
        stored.append(attachment)
        keep.append(attachment)
        changed = True
    for attachment in remaining:
        attachment_remove(
            attachment=attachment,
            by=by,
            reason="导入文件中已无此附件",
            screened_by_caller=True,  # the line is screened and versioned as a whole
        )
        changed = True
    attachments_reorder(notice=notice, order=keep)
    return changed


# --- export -------------------------------------------------------------------------------


def _local_iso(moment: datetime) -> str:
    return timezone.localtime(moment, BEIJING).isoformat()


def serialise_notice(
    notice: Notice, *, attachment_paths: list[str] | None
) -> dict[str, Any]:
    """One line of the export (every key written, so a re-import sets every field)."""
    publishers = [link.agency.name for link in notice.publisher_links.all()]
    record: dict[str, Any] = {
        "index_no": notice.index_number,
        "title": notice.title,
        "publisher": publishers[0] if len(publishers) == 1 else publishers,
        "doc_number": notice.doc_number,
        "written_date": notice.written_date.isoformat()
        if notice.written_date
        else None,
        "published_at": _local_iso(notice.published_at),
        "theme": notice.theme.full_name if notice.theme else None,
        "genre": notice.genre.name if notice.genre else None,
        "validity": Notice.Validity(notice.validity).label,
        "valid_from": notice.valid_from.isoformat() if notice.valid_from else None,
        "valid_until": notice.valid_until.isoformat() if notice.valid_until else None,
        "disclosure_mode": Notice.DisclosureMode(notice.disclosure_mode).label,
        "audience": notice.audience,
        "department": notice.department,
        "keywords": list(notice.keywords),
        "summary": notice.summary,
        "body": notice.body,
        "column": notice.column.name if notice.column else None,
    }
    if attachment_paths is not None:
        record["attachments"] = [
            {"name": a.name, "path": path}
            for a, path in zip(notice.attachments.all(), attachment_paths, strict=True)
        ]
    record["interpretations"] = [
        other.index_number
        for other in notice.interpretations.all()
        if other.index_number
    ]
    record["withdrawn"] = (
        {
            "at": _local_iso(notice.withdrawn_at),
            "reason": notice.withdrawn_reason,
            "category": notice.withdrawn_category,
        }
        if notice.status == Notice.Status.WITHDRAWN
        else None
    )
    return record


def serialise_withdrawn_stub(notice: Notice) -> dict[str, Any]:
    """A withdrawn (撤回) notice as the public sees it: 索引号, title (neutral when it was
    withdrawn for personal data, ``Notice.public_title``), 发文机关, dates and reason
    category; never its text, attachments or the internal 撤回说明 (the line's
    ``reason`` is the category's label, as the import needs one)."""
    publishers = [link.agency.name for link in notice.publisher_links.all()]
    category = notice.withdrawn_category or Notice.WithdrawalCategory.OTHER
    return {
        "index_no": notice.index_number,
        "title": notice.public_title,
        "publisher": publishers[0] if len(publishers) == 1 else publishers,
        "published_at": _local_iso(notice.published_at),
        "withdrawn": {
            "at": _local_iso(notice.withdrawn_at),
            "reason": Notice.WithdrawalCategory(category).label,
            "category": category,
        },
    }


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))
