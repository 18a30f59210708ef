"""Personal data in an annual report's narrative sections, before it is published.

The same detector as every other publication path (``portal.pii``); the agency's own
工作机构 numbers and its allowed list are not findings (``catalog.guard.agency_allowed``).
An approver's override is kept in the ``published`` event of that version
(``changes["pii_override"]``: fingerprints, masked findings, reason), and covers only
those findings in later versions (corrections).
"""

from __future__ import annotations

from typing import Any

from catalog.guard import agency_allowed
from portal.pii import LocatedFinding, locate_in_text

# the narrative sections shown to the public (model field, heading)
NARRATIVE_FIELDS = (
    "section_overview",
    "section_active",
    "section_requests",
    "section_appeals",
    "section_problems",
    "section_other",
)


def report_personal_data_findings(report) -> list[LocatedFinding]:
    """Findings in the narrative sections, located as “section” 第 N 段."""
    from disclosure.models import AnnualReport

    allowed = agency_allowed([report.agency])
    found: list[LocatedFinding] = []
    for name in NARRATIVE_FIELDS:
        label = f"“{AnnualReport._meta.get_field(name).verbose_name}”"
        paragraphs = [
            p for p in (getattr(report, name) or "").splitlines() if p.strip()
        ]
        for number, paragraph in enumerate(paragraphs, start=1):
            for located in locate_in_text(paragraph, field=label, allowed=allowed):
                found.append(
                    LocatedFinding(located.finding, label, f"{label}第 {number} 段")
                )
    return found


def overridden_fingerprints(report) -> set[str]:
    from disclosure.models import AnnualReportEvent

    prints: set[str] = set()
    for changes in AnnualReportEvent.objects.filter(
        report_id=report.pk, action=AnnualReportEvent.Action.PUBLISHED
    ).values_list("changes", flat=True):
        prints.update((changes.get("pii_override") or {}).get("fingerprints", []))
    return prints


def unresolved_findings(report) -> list[LocatedFinding]:
    done = overridden_fingerprints(report)
    return [
        f for f in report_personal_data_findings(report) if f.fingerprint not in done
    ]


def override_entry(findings: list[LocatedFinding], reason: str) -> dict[str, Any]:
    return {
        "fingerprints": sorted({f.fingerprint for f in findings}),
        "findings": [f.describe() for f in findings],
        "reason": reason,
    }


def correction_note_problems(report, note: str) -> list[str]:
    """The 更正说明 is typed at publication and shown to the public beside the report:
    the same personal-data detector and draft markers apply, without an override (the
    note is rewritten instead)."""
    from disclosure.readiness import draft_markers_in

    problems = [
        f"更正说明含有个人信息（{f.finding.kind} {f.finding.masked}），请删除后再发布"
        for f in locate_in_text(
            note, field="更正说明", allowed=agency_allowed([report.agency])
        )
    ]
    markers = draft_markers_in(note)
    if markers:
        problems.append(
            f"更正说明含有草稿标记（{'、'.join(markers)}），请写完整后再发布"
        )
    return problems
