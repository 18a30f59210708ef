"""基层政务公开标准目录 files (CSV or JSONL, docs/compliance.md §3): parsing, checking
and loading. ``import_standard_catalogue`` is a thin wrapper; the writes go through
``catalog.services.standard_item_upsert``.

Every line is checked on its own: a bad line gets a numbered Chinese error and is
skipped, good lines are loaded. Loading is idempotent: the key is (领域, 公开主体,
一级事项, 事项名称); a second load updates, it never duplicates."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from catalog.models import Column
from portal.models import Agency

# file key → accepted header names (English keys or the Chinese column titles of the
# national 标准目录 tables)
FIELDS = {
    "domain": ("domain", "领域"),
    "source": ("source", "指引", "依据文件"),
    "category": ("category", "一级事项"),
    "name": ("name", "二级事项", "事项名称"),
    "content": ("content", "公开内容", "公开内容（要素）"),
    "basis": ("basis", "公开依据"),
    "time_limit": ("time_limit", "公开时限"),
    "agency": ("agency", "公开主体"),
    "method": ("method", "公开方式", "公开渠道和载体"),
    "column": ("column", "栏目"),
}
REQUIRED = {
    "domain": "领域",
    "name": "事项名称",
    "time_limit": "公开时限",
    "agency": "公开主体",
}
LIMITS = {
    "domain": 50,
    "source": 200,
    "category": 100,
    "name": 200,
    "time_limit": 200,
    "method": 200,
}
OPEN_ENDED = ("实时", "即时", "及时", "长期公开", "常态化公开")
WORKING_DAYS_RE = re.compile(r"(\d+)个?工作日")
YEARLY_RE = re.compile(r"每年(\d{1,2})月(\d{1,2})日(?:之)?前")
MAX_WORKING_DAYS = 365


class TimeLimitError(ValueError):
    pass


def parse_time_limit(text: str) -> int | None:
    """The working days a 公开时限 allows, None for a fixed yearly date or an open-ended
    时限 (实时…). Raises ``TimeLimitError`` (Chinese) when it cannot be read."""
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    if not s:
        raise TimeLimitError("公开时限不能为空")
    match = WORKING_DAYS_RE.search(s)
    if match:
        days = int(match.group(1))
        if not 1 <= days <= MAX_WORKING_DAYS:
            raise TimeLimitError(
                f"公开时限“{text}”的工作日数应在 1 到 {MAX_WORKING_DAYS} 之间"
            )
        return days
    match = YEARLY_RE.search(s)
    if match:
        month, day = int(match.group(1)), int(match.group(2))
        try:
            date(2024, month, day)  # a leap year: 2月29日 is a real date
        except ValueError:
            raise TimeLimitError(f"公开时限“{text}”中的日期不存在") from None
        return None
    if any(word in s for word in OPEN_ENDED):
        return None
    raise TimeLimitError(
        f"公开时限“{text}”无法识别：请写成“信息形成或变更之日起20个工作日内”、"
        "“每年1月31日前”或“实时”"
    )


@dataclass
class Row:
    line: int
    domain: str
    source: str
    category: str
    name: str
    content: str
    basis: str
    time_limit: str
    working_days: int | None
    agency: Agency
    method: str
    column: Column | None


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return self.created + self.updated + self.unchanged


def _records(data: bytes, fmt: str) -> tuple[list[tuple[int, dict]], list[str]]:
    """(line number, raw record) pairs, and errors for lines that are not records."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], ["文件不是 UTF-8 编码，请另存为 UTF-8 后再导入"]
    records: list[tuple[int, dict]] = []
    errors: list[str] = []
    if fmt == "jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"第{number}行：不是有效的 JSON（{exc.msg}）")
                continue
            if not isinstance(value, dict):
                errors.append(f"第{number}行：每行应为一个 JSON 对象")
                continue
            records.append((number, value))
        return records, errors
    reader = csv.DictReader(io.StringIO(text))
    headers = set(reader.fieldnames or [])
    missing = [
        label for key, label in REQUIRED.items() if not headers & set(FIELDS[key])
    ]
    if missing:
        return [], [f"第1行：表头缺少“{'”“'.join(missing)}”列"]
    for raw in reader:
        records.append((reader.line_num, raw))
    return records, errors


def _pick(raw: dict, key: str) -> str:
    for name in FIELDS[key]:
        value = raw.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def check_records(
    records: list[tuple[int, dict]],
) -> tuple[list[Row], list[str]]:
    """Check each record: required fields, lengths, 时限, known 公开主体 and 栏目, and
    duplicates within the file. Two queries (agencies, columns)."""
    agencies: dict[str, Agency] = {}
    for agency in Agency.objects.all():
        agencies[agency.name] = agency
        if agency.short_name:
            agencies.setdefault(agency.short_name, agency)
    columns: dict[str, Column] = {}
    for column in Column.objects.all():
        columns[column.slug] = column
        columns.setdefault(column.name, column)
    rows: list[Row] = []
    errors: list[str] = []
    seen: dict[tuple, int] = {}
    for number, raw in records:
        values = {key: _pick(raw, key) for key in FIELDS}
        problems = [
            f"缺少{label}" for key, label in REQUIRED.items() if not values[key]
        ]
        problems += [
            f"{key}超过 {limit} 个字"
            for key, limit in LIMITS.items()
            if len(values[key]) > limit
        ]
        working_days = None
        if values["time_limit"]:
            try:
                working_days = parse_time_limit(values["time_limit"])
            except TimeLimitError as exc:
                problems.append(str(exc))
        agency = agencies.get(values["agency"])
        if values["agency"] and agency is None:
            problems.append(
                f"公开主体“{values['agency']}”不是本平台的机关（请写机关全称）"
            )
        column = columns.get(values["column"]) if values["column"] else None
        if values["column"] and column is None:
            problems.append(f"栏目“{values['column']}”不存在")
        if problems:
            errors.append(f"第{number}行：" + "；".join(problems))
            continue
        key = (values["domain"], agency.pk, values["category"], values["name"])
        if key in seen:
            errors.append(
                f"第{number}行：与第{seen[key]}行重复（领域、公开主体、一级事项、事项名称相同）"
            )
            continue
        seen[key] = number
        rows.append(
            Row(
                line=number,
                domain=values["domain"],
                source=values["source"],
                category=values["category"],
                name=values["name"],
                content=values["content"],
                basis=values["basis"],
                time_limit=values["time_limit"],
                working_days=working_days,
                agency=agency,
                method=values["method"],
                column=column,
            )
        )
    return rows, errors


def format_of(filename: str) -> str:
    lower = filename.lower()
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if lower.endswith(".csv"):
        return "csv"
    raise ValueError("只支持 .csv 或 .jsonl 文件")


def load_catalogue(data: bytes, *, fmt: str, dry_run: bool = False) -> LoadResult:
    """Check and load a whole file; bad lines are reported, good lines loaded."""
    from catalog.services import standard_item_upsert

    records, errors = _records(data, fmt)
    rows, row_errors = check_records(records)
    result = LoadResult(errors=sorted(errors + row_errors, key=_line_of))
    if dry_run:
        result.unchanged = len(rows)
        return result
    for position, row in enumerate(rows):
        outcome = standard_item_upsert(
            domain=row.domain,
            source=row.source,
            agency=row.agency,
            category=row.category,
            name=row.name,
            content=row.content,
            basis=row.basis,
            time_limit=row.time_limit,
            time_limit_working_days=row.working_days,
            disclosure_method=row.method,
            column=row.column,
            sort_order=position,
        )
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def _line_of(message: str) -> int:
    match = re.match(r"第(\d+)行", message)
    return int(match.group(1)) if match else 0
