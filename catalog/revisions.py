"""Versions of a published notice (``NoticeRevision``): what a snapshot holds, and the
readable diff between two of them. Reads only; the services write the rows.

A snapshot (``content``) is what the public sees of a notice, with names beside ids so
that an old version reads right even after a 主题分类 or 栏目 was renamed. Attachments
are kept as name, SHA-256 and size (the bytes are not versioned).

Which changes count where (docs/revisions.md):

- ``REVIEWED_FIELDS``: a change of these on a published notice is new content that
  goes public, so it needs a new 保密审查 (条例 第十七条) — the text fields, 发文字号,
  关键词, 发文机关 and attachments. Classification and validity fixes (主题, 体裁, 栏目,
  有效性, dates, 公开方式 …) are recorded as a revision but need no new review.
- ``PUBLIC_CHANGE_FIELDS``: a change of these after the first publication puts
  “最后更新” on the public page: 标题, 内容概述, 正文 and 附件 (what a reader reads),
  not metadata fixes.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from catalog.models import Attachment, Column, Genre, Notice, NoticePublisher, Theme
from catalog.search import body_text

# (key, label) in the order the diff shows them
FIELD_LABELS: tuple[tuple[str, str], ...] = (
    ("title", "标题"),
    ("publishers", "发文机关"),
    ("doc_number", "发文字号"),
    ("written_date", "成文日期"),
    ("published_at", "发布时间"),
    ("theme", "主题分类"),
    ("genre", "体裁"),
    ("column", "栏目"),
    ("validity", "有效性"),
    ("valid_from", "施行日期"),
    ("valid_until", "有效期至"),
    ("disclosure_mode", "公开方式"),
    ("audience", "公开对象"),
    ("department", "公开部门"),
    ("keywords", "关键词"),
    ("summary", "内容概述"),
    ("body", "正文"),
    ("attachments", "附件"),
)
LABELS = dict(FIELD_LABELS)

REVIEWED_FIELDS = frozenset(
    {"title", "doc_number", "keywords", "summary", "body", "publishers", "attachments"}
)
PUBLIC_CHANGE_FIELDS = frozenset({"title", "summary", "body", "attachments"})

# editable fields that are foreign keys: (model, snapshot name of the label)
_FOREIGN = {"theme": Theme, "genre": Genre, "column": Column}
_DATES = ("written_date", "valid_from", "valid_until")


def _iso(value: Any) -> str | None:
    """Dates as 2026-03-02; moments in Beijing time (the same moment, the same text)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return value.isoformat()


def _label(obj: Any) -> str | None:
    if obj is None:
        return None
    if isinstance(obj, Theme):
        return obj.full_name
    return obj.name


def snapshot(
    notice: Notice,
    *,
    publishers: list[str] | None = None,
    attachments: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """What the public sees of ``notice`` as it is in memory now. ``publishers`` /
    ``attachments`` override the stored ones (a proposal not yet applied)."""
    if publishers is None:
        publishers = [
            link.agency.name
            for link in NoticePublisher.objects.filter(notice_id=notice.pk)
            .select_related("agency")
            .order_by("position", "id")
        ]
    if attachments is None:
        attachments = [
            {"name": a.name, "sha256": a.sha256, "size": a.size}
            for a in Attachment.objects.filter(notice_id=notice.pk).order_by(
                "position", "id"
            )
        ]
    content: dict[str, Any] = {
        "title": notice.title,
        "publishers": list(publishers),
        "doc_number": notice.doc_number,
        "written_date": _iso(notice.written_date),
        "published_at": _iso(notice.published_at),
        "validity": notice.validity,
        "valid_from": _iso(notice.valid_from),
        "valid_until": _iso(notice.valid_until),
        "disclosure_mode": notice.disclosure_mode,
        "audience": notice.audience,
        "department": notice.department,
        "keywords": list(notice.keywords or []),
        "summary": notice.summary,
        "body": notice.body,
        "attachments": attachments,
    }
    for name in _FOREIGN:
        content[f"{name}_id"] = getattr(notice, f"{name}_id")
        content[name] = _label(getattr(notice, name)) if content[f"{name}_id"] else None
    return content


def changed_fields(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """The keys of ``FIELD_LABELS`` whose value differs (all shown ones when no ``old``)."""
    if old is None:
        return []
    out = []
    for key, _ in FIELD_LABELS:
        if key in _FOREIGN:
            if old.get(f"{key}_id") != new.get(f"{key}_id"):
                out.append(key)
        elif old.get(key) != new.get(key):
            out.append(key)
    return out


# --- proposals: the changed editable fields, stored as JSON and applied later ---------------


def encode_proposal(
    data: dict[str, Any], publisher_ids: list[int] | None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name in _FOREIGN:
            out[name] = value.pk if value is not None else None
        elif name in _DATES:
            out[name] = _iso(value)
        else:
            out[name] = list(value) if isinstance(value, (list, tuple)) else value
    if publisher_ids is not None:
        out["publishers"] = list(publisher_ids)
    return out


class ProposalGone(ValueError):
    """A value the proposal refers to (a 主题分类, 栏目, agency) no longer exists."""


def decode_proposal(proposed: dict[str, Any]) -> tuple[dict[str, Any], list | None]:
    """The editable fields and the publisher agencies (or None) of a stored proposal."""
    from portal.models import Agency

    data: dict[str, Any] = {}
    publishers = None
    for name, value in proposed.items():
        if name == "publishers":
            agencies = {a.pk: a for a in Agency.objects.filter(pk__in=value)}
            if len(agencies) != len(set(value)):
                raise ProposalGone("发文机关")
            publishers = [agencies[pk] for pk in value]
        elif name in _FOREIGN:
            if value is None:
                data[name] = None
            else:
                obj = _FOREIGN[name].objects.filter(pk=value).first()
                if obj is None:
                    raise ProposalGone(LABELS[name])
                data[name] = obj
        elif name in _DATES:
            data[name] = date.fromisoformat(value) if value else None
        else:
            data[name] = value
    return data, publishers


# --- the diff shown to staff ----------------------------------------------------------------


@dataclass
class DiffLine:
    op: str  # "same", "del", "ins"
    text: str


@dataclass
class FieldDiff:
    key: str
    label: str
    old: str = ""
    new: str = ""
    lines: list[DiffLine] = field(default_factory=list)  # long texts: line by line


_VALIDITY = dict(Notice.Validity.choices)
_MODES = dict(Notice.DisclosureMode.choices)


def _display(key: str, content: dict[str, Any]) -> str:
    value = content.get(key)
    if value in (None, "", []):
        return "（无）"
    if key == "validity":
        return _VALIDITY.get(value, value)
    if key == "disclosure_mode":
        return _MODES.get(value, value)
    if key == "publishers":
        return "、".join(value)
    if key == "keywords":
        return "、".join(value)
    if key == "published_at":
        return value[:16].replace("T", " ")
    return str(value)


def text_lines(key: str, content: dict[str, Any]) -> list[str]:
    value = content.get(key) or ""
    if key == "body":
        text = body_text(value)
    elif key == "attachments":
        return [
            f"{a.get('name', '')}（SHA-256 {str(a.get('sha256') or '')[:12]}…，"
            f"{a.get('size', 0)} 字节）"
            for a in value
        ]
    else:
        text = str(value)
    return [line.strip() for line in re.split(r"\n+", text) if line.strip()]


def line_diff(old: list[str], new: list[str], *, context: int = 1) -> list[DiffLine]:
    """Deleted and inserted lines, with ``context`` unchanged lines around each change;
    a longer unchanged run becomes one ``skip`` line saying how many lines it hides."""
    out: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    opcodes = matcher.get_opcodes()
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag != "equal":
            out += [DiffLine("del", t) for t in old[i1:i2]]
            out += [DiffLine("ins", t) for t in new[j1:j2]]
            continue
        same = old[i1:i2]
        head = same[:context] if n > 0 else []
        tail = same[-context:] if n < len(opcodes) - 1 and context else []
        if len(head) + len(tail) >= len(same):
            out += [DiffLine("same", t) for t in same]
            continue
        out += [DiffLine("same", t) for t in head]
        out.append(
            DiffLine("skip", f"……（{len(same) - len(head) - len(tail)} 行未改动）")
        )
        out += [DiffLine("same", t) for t in tail]
    return out


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[FieldDiff]:
    """Field by field what changed from ``old`` to ``new``; 正文, 内容概述 and 附件 line by
    line. With no ``old`` (the first version) nothing is listed."""
    out = []
    for key in changed_fields(old, new):
        item = FieldDiff(key=key, label=LABELS[key])
        if key in ("body", "summary", "attachments"):
            item.lines = line_diff(text_lines(key, old), text_lines(key, new))
        else:
            item.old, item.new = _display(key, old), _display(key, new)
        out.append(item)
    return out
