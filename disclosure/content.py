"""What a report shows: its figures, checks, sections and 信息处理费 figures, either
computed live (a draft) or read from a published version's frozen snapshot.

HTML, XLSX, JSON and the ``annual_report`` command all render a ``ReportContent``,
so every output of one version carries the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from disclosure import layout, readiness, stats
from disclosure.checks import CheckResult, PreviousYear, blocking, run_checks
from disclosure.figures import Figures
from disclosure.models import AnnualReport, AnnualReportVersion
from disclosure.stats import FeeFigures

SNAPSHOT_FORMAT = 1


@dataclass
class ReportContent:
    report: AnnualReport
    version: AnnualReportVersion | None  # None: computed from the live data (draft)
    figures: Figures | None  # None for a legacy (text-only) report
    checks: list[CheckResult]
    sections: dict[str, str]
    fees: FeeFigures | None
    # draft only: what the portal's records say before any manual override
    fees_computed: FeeFigures | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # the agencies whose figures the report includes besides its own (统计范围): live
    # from the setting for a draft, frozen in the snapshot for a published version
    included: tuple[stats.IncludedAgency, ...] = ()

    @property
    def agency_name(self) -> str:
        if self.version is not None:
            return str(self.version.snapshot.get("agency") or self.report.agency.name)
        return self.report.agency.name

    @property
    def scope_label(self) -> str:
        """ "天元区人民政府（含区人民政府办公室）", or the agency's name alone."""
        return layout.scope_label(self.agency_name, [a.name for a in self.included])

    @property
    def scope_line(self) -> str:
        """ "统计范围：…" when the report includes other agencies, else ""."""
        return layout.scope_line(self.agency_name, [a.name for a in self.included])

    @property
    def is_legacy(self) -> bool:
        return self.figures is None

    @property
    def is_live(self) -> bool:
        return self.version is None

    @property
    def version_number(self) -> int:
        return self.version.number if self.version else self.report.current_version + 1

    @property
    def status_label(self) -> str:
        if self.version is not None:
            return str(AnnualReport.Status.PUBLISHED.label)
        return str(self.report.get_status_display())

    @property
    def published_at(self) -> datetime | None:
        return self.version.published_at if self.version else None

    @property
    def blocking_checks(self) -> list[CheckResult]:
        return blocking(self.checks)

    @property
    def warnings(self) -> list[CheckResult]:
        return [c for c in self.checks if c.is_warning]

    def failing_cells(self) -> set[tuple[str, str, str]]:
        return {cell for c in self.blocking_checks for cell in c.cells}

    def to_json(self) -> dict[str, Any]:
        """The shape of issue 4 §4, shared by the command and the JSON download."""
        figures = self.figures or Figures.empty()
        scope = {"scope": self.scope_label} if self.included else {}
        return {
            "agency": self.report.agency.name,
            **scope,  # only when the report includes other agencies (统计范围)
            "year": self.report.year,
            "version": self.version_number,
            "status": self.status_label,
            "table2": figures.table2_json(),
            "table3": figures.table3_json(),
            "table4": figures.table4_json(),
            "checks": [c.to_json() for c in self.checks],
        }

    def snapshot(self) -> dict[str, Any]:
        """What a version freezes: numbers, check results, text and fee figures."""
        return {
            "format": SNAPSHOT_FORMAT,
            "layout": self.report.layout,
            "agency": self.report.agency.name,
            "year": self.report.year,
            "title": self.report.title,
            "figures": self.figures.to_json() if self.figures is not None else None,
            "checks": [{**c.to_json(), "level": c.level} for c in self.checks],
            "sections": dict(self.sections),
            "fees": self.fees.to_json() if self.fees is not None else None,
            "scope": stats.scope_json(self.included),
        }


def effective_fees(report: AnnualReport, computed: FeeFigures) -> FeeFigures:
    return FeeFigures(
        report.fee_notice_count
        if report.fee_notice_count is not None
        else computed.notice_count,
        report.fee_notified_amount
        if report.fee_notified_amount is not None
        else computed.notified_amount,
        report.fee_collected_amount
        if report.fee_collected_amount is not None
        else computed.collected_amount,
    )


def compute_figures(
    report: AnnualReport,
) -> tuple[
    Figures,
    stats.RequestCount,
    FeeFigures,
    PreviousYear,
    tuple[stats.IncludedAgency, ...],
]:
    """Every number of a draft, from one statement (``stats.report_data``), over the
    agency and the agencies included in its report (the last item: those agencies)."""
    data = stats.report_data(report.agency_id, report.year)
    figures = Figures.empty()
    figures.table3 = data.table3
    figures.table4 = data.table4
    for row, cells in data.table2.items():
        figures.table2[row].update(cells)
    figures.table2[layout.LICENSING][layout.DECISIONS] = report.licensing_count
    figures.table2[layout.PENALTY][layout.DECISIONS] = report.penalty_count
    figures.table2[layout.COERCION][layout.DECISIONS] = report.coercion_count
    figures.table2[layout.FEES][layout.FEE_COLUMN] = (
        Decimal(report.fee_amount) if report.fee_amount is not None else None
    )
    return figures, data.request_count, data.fees, data.previous, data.included


def live_content(report: AnnualReport) -> ReportContent:
    if report.is_legacy:
        return ReportContent(report, None, None, [], report.section_texts(), None)
    figures, count, fees, previous, included = compute_figures(report)
    checks = run_checks(figures, previous=previous, request_count=count)
    return ReportContent(
        report=report,
        version=None,
        figures=figures,
        checks=checks,
        sections=report.section_texts(),
        fees=effective_fees(report, fees),
        fees_computed=fees,
        included=included,
    )


def version_content(
    version: AnnualReportVersion, report: AnnualReport | None = None
) -> ReportContent:
    report = report or version.report
    snap = version.snapshot
    figures = Figures.from_json(snap["figures"]) if snap.get("figures") else None
    if figures is not None:
        # a published snapshot never holds blanks: blank manual cells were frozen as 0
        for row, column in layout.TABLE2_MANUAL_CELLS:
            if figures.table2[row][column] is None:
                figures.table2[row][column] = (
                    Decimal(0) if column == layout.FEE_COLUMN else 0
                )
    return ReportContent(
        report=report,
        version=version,
        figures=figures,
        checks=[CheckResult.from_json(c) for c in snap.get("checks", [])],
        sections={
            key: snap.get("sections", {}).get(key, "") for key in layout.SECTION_KEYS
        },
        fees=FeeFigures.from_json(snap["fees"]) if snap.get("fees") else None,
        included=tuple(
            stats.IncludedAgency(int(a["id"]), str(a["name"]))
            for a in (snap.get("scope") or {}).get("included", [])
        ),
    )


@dataclass(frozen=True)
class VersionDiff:
    cells: list[Any]
    sections: list[str]  # headings of the sections whose text changed
    fees_changed: bool


def diff_versions(old: ReportContent, new: ReportContent) -> VersionDiff:
    from disclosure.figures import diff_figures

    cells = (
        diff_figures(old.figures, new.figures) if old.figures and new.figures else []
    )
    sections = [
        heading
        for key, heading in layout.SECTIONS
        if old.sections.get(key, "") != new.sections.get(key, "")
    ]
    return VersionDiff(
        cells=cells, sections=sections, fees_changed=old.fees != new.fees
    )


@dataclass(frozen=True)
class PublicationCheck:
    """What stands between a report and its publication today (disclosure.readiness)."""

    refusals: list[str]
    warnings: list[str]


def publication_check(content: ReportContent, today: date) -> PublicationCheck:
    report = content.report
    if content.is_legacy:
        return PublicationCheck([], [])
    previous = (
        AnnualReport.objects.filter(
            agency_id=report.agency_id, year=report.year - 1, current_version__gt=0
        )
        .exclude(layout=AnnualReport.Layout.LEGACY)
        .first()
    )
    previous_table2 = None
    if previous is not None:
        version = previous.versions.filter(number=previous.current_version).first()
        if version is not None:
            figures = version_content(version, previous).figures
            previous_table2 = figures.table2 if figures is not None else None
    return PublicationCheck(
        refusals=readiness.publication_refusals(
            year=report.year, today=today, sections=content.sections
        ),
        warnings=readiness.publication_warnings(
            fees=content.fees,
            table2=content.figures.table2 if content.figures is not None else None,
            previous_table2=previous_table2,
        ),
    )
