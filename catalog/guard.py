"""The personal-data guard in front of every path that makes a notice public.

``personal_data_findings(notice)`` scans only what becomes public — 标题, 内容概述, 关键词,
正文 (by paragraph) and the extracted text of each attachment (by page) — with the one
detector ``portal.pii``. Numbers of the notice's own agencies (their 政府信息公开工作机构
phone, fax, e-mail and the extra allowed list kept per agency) are not findings.

``unresolved_findings(notice)`` drops the findings an approver has already overridden
for this notice (by fingerprint), so an override covers only what was shown; anything
added later is caught again. The services (``notice_publish``, ``notice_update``,
``attachment_add`` on a public notice, the import) call ``check_personal_data``.

Names: catalog knows no requests. An app that makes notices out of something with
known names (requests_app: Art. 44 drafts) registers a ``name source`` returning the
applicant's and third parties' names for a notice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError

from portal import pii
from portal.models import Agency
from portal.pii import LocatedFinding

# (field, label, is_html): what a visitor sees
PUBLIC_FIELDS = (
    ("title", "标题", False),
    ("summary", "内容概述", False),
    ("keywords", "关键词", False),
    ("body", "正文", True),
)
PII_OVERRIDE_KEY = "pii_override"

_name_sources: list[Callable[[Any], Iterable[str]]] = []


def register_name_source(source: Callable[[Any], Iterable[str]]) -> None:
    """``source(notice)`` returns names (applicant, third parties) to look for."""
    if source not in _name_sources:
        _name_sources.append(source)


def known_names(notice) -> list[str]:
    names: list[str] = []
    if notice.pk is None:
        return names
    for source in _name_sources:
        names.extend(n for n in source(notice) if n)
    return names


def agency_allowed(agencies: Iterable[Agency]) -> list[str]:
    """The agencies' own 工作机构 numbers and addresses, plus their extra allowed list."""
    out: list[str] = []
    for agency in agencies:
        out += [agency.phone, agency.fax, agency.email]
        out += [
            line for line in (agency.pii_allowed or "").splitlines() if line.strip()
        ]
    return [v for v in out if v]


def notice_agencies(notice) -> list[Agency]:
    agencies = {notice.owner_agency_id}
    if notice.pk is not None:
        agencies |= set(notice.publisher_links.values_list("agency_id", flat=True))
    return list(Agency.objects.filter(pk__in=agencies))


def scan_texts(
    *,
    fields: dict[str, Any],
    attachments: Iterable[tuple[str, str]],
    names: Iterable[str] = (),
    allowed: Iterable[str] = (),
) -> list[LocatedFinding]:
    """Findings in the public ``fields`` (title/summary/keywords/body) and attachments."""
    names, allowed = list(names), list(allowed)
    found: list[LocatedFinding] = []
    for name, label, is_html in PUBLIC_FIELDS:
        value = fields.get(name)
        if not value:
            continue
        if isinstance(value, (list, tuple)):
            value = "，".join(str(v) for v in value)
        locate = pii.locate_in_html if is_html else pii.locate_in_text
        found += locate(str(value), field=label, names=names, allowed=allowed)
    for att_name, text in attachments:
        found += pii.locate_in_pages(
            text or "", name=att_name, names=names, allowed=allowed
        )
    return found


def personal_data_findings(notice) -> list[LocatedFinding]:
    """Every finding in what the public sees of ``notice`` (as it is in memory now)."""
    attachments = (
        list(notice.attachments.order_by("position", "id").values_list("name", "text"))
        if notice.pk is not None
        else []
    )
    return scan_texts(
        fields={name: getattr(notice, name) for name, _, _ in PUBLIC_FIELDS},
        attachments=attachments,
        names=known_names(notice),
        allowed=agency_allowed(notice_agencies(notice)),
    )


def overridden_fingerprints(notice) -> set[str]:
    from catalog.models import NoticeEvent

    if notice.pk is None:
        return set()
    prints: set[str] = set()
    for changes in NoticeEvent.objects.filter(
        notice_id=notice.pk, action=NoticeEvent.Action.PII_OVERRIDE
    ).values_list("changes", flat=True):
        prints.update(changes.get("fingerprints", []))
    return prints


def unresolved_findings(notice) -> list[LocatedFinding]:
    done = overridden_fingerprints(notice)
    return [f for f in personal_data_findings(notice) if f.fingerprint not in done]


class PersonalDataFound(ValidationError):
    """Publication refused: ``findings`` are what the visitor would have seen."""

    def __init__(self, findings: list[LocatedFinding], *, action: str = "发布"):
        self.findings = findings
        super().__init__(
            findings_message(findings, action=action), code="personal_data"
        )


def findings_message(findings: list[LocatedFinding], *, action: str = "发布") -> str:
    listed = "；".join(f.describe() for f in findings)
    return (
        f"发现 {len(findings)} 处个人信息，不能{action}：{listed}。"
        "请删除或遮盖后再操作；确属依法应当公开的（如行政处罚决定书中的当事人姓名），"
        "可由审核人填写理由后放行。"
    )


def override_record(findings: list[LocatedFinding]) -> dict[str, Any]:
    """What an override event stores: fingerprints and masked descriptions, never the values."""
    return {
        "fingerprints": sorted({f.fingerprint for f in findings}),
        "findings": [f.describe() for f in findings],
    }


def override_problem(by, reason: str) -> str | None:
    """Why ``by`` may not override with ``reason``, or None."""
    from portal.roles import APPROVER, has_role

    if not (reason or "").strip():
        return "放行个人信息必须填写理由"
    if by is None or not has_role(by, APPROVER):
        return "只有审核人可以放行个人信息"
    return None
