"""Small server-rendered SVG bar charts. Each is followed on the page by a table of
its data, so nothing is said by the picture alone. No inline styles (the CSP forbids
them): colours come from classes in static/css/report.css.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from disclosure import layout
from disclosure.figures import Figures

BAR_GROUPS: list[tuple[str, list[str]]] = [
    ("予以公开", ["（一）予以公开"]),
    ("部分公开", ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"]),
    ("不予公开", [label for label, outcome, level in layout.TABLE3_ROWS[6:14]]),
    ("无法提供", [label for label, outcome, level in layout.TABLE3_ROWS[15:18]]),
    ("不予处理", [label for label, outcome, level in layout.TABLE3_ROWS[19:24]]),
    ("其他处理", [label for label, outcome, level in layout.TABLE3_ROWS[25:28]]),
]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    unit: str
    labels: list[str]
    values: list[int]
    svg: SafeString

    @property
    def rows(self) -> list[tuple[str, int]]:
        return list(zip(self.labels, self.values, strict=True))

    @property
    def total(self) -> int:
        return sum(self.values)


def _scale_max(values: list[int]) -> int:
    top = max(values) if values else 0
    return max(top, 1)


def horizontal_bars(
    chart_id: str, title: str, labels: list[str], values: list[int], unit: str = "件"
) -> Chart:
    label_w, bar_w, row_h, pad = 132, 300, 30, 8
    width = label_w + bar_w + 70
    height = pad * 2 + row_h * len(labels)
    top = _scale_max(values)
    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-title" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}（数据见下表）</title>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = pad + i * row_h
        w = round(bar_w * value / top, 1) if value else 0
        parts.append(
            f'<text class="chart-label" x="{label_w - 8}" y="{y + row_h / 2 + 5}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="chart-bar" x="{label_w}" y="{y + 5}" width="{w}" height="{row_h - 10}"></rect>'
            f'<text class="chart-value" x="{label_w + w + 6}" y="{y + row_h / 2 + 5}">{value}{escape(unit)}</text>'
        )
    parts.append(
        f'<line class="chart-axis" x1="{label_w}" y1="{pad}" x2="{label_w}" y2="{height - pad}"></line>'
    )
    parts.append("</svg>")
    return Chart(chart_id, title, unit, labels, values, mark_safe("".join(parts)))  # noqa: S308 - every text is escaped above


def vertical_bars(
    chart_id: str, title: str, labels: list[str], values: list[int], unit: str = "件"
) -> Chart:
    col_w, plot_h, pad_top, pad_bottom, left = 40, 180, 24, 30, 10
    width = left * 2 + col_w * len(labels)
    height = pad_top + plot_h + pad_bottom
    top = _scale_max(values)
    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-title" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}（数据见下表）</title>',
    ]
    base = pad_top + plot_h
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + i * col_w
        h = round(plot_h * value / top, 1) if value else 0
        parts.append(
            f'<rect class="chart-bar" x="{x + 6}" y="{base - h}" width="{col_w - 12}" height="{h}"></rect>'
            f'<text class="chart-value" x="{x + col_w / 2}" y="{base - h - 5}" text-anchor="middle">{value}</text>'
            f'<text class="chart-label" x="{x + col_w / 2}" y="{base + 20}" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append(
        f'<line class="chart-axis" x1="{left}" y1="{base}" x2="{width - left}" y2="{base}"></line>'
    )
    parts.append("</svg>")
    return Chart(chart_id, title, unit, labels, values, mark_safe("".join(parts)))  # noqa: S308 - every text is escaped above


def outcome_group_values(f: Figures, column: str = layout.TOTAL) -> list[int]:
    return [sum(f.table3[row][column] for row in rows) for _, rows in BAR_GROUPS]


def report_charts(f: Figures) -> list[Chart]:
    new_row = f.table3[layout.ROW_NEW]
    return [
        horizontal_bars(
            "chart-applicants",
            "本年新收申请按申请人类别",
            list(layout.KIND_COLUMNS),
            [new_row[c] for c in layout.KIND_COLUMNS],
        ),
        horizontal_bars(
            "chart-outcomes",
            "本年度办理结果",
            [name for name, _ in BAR_GROUPS],
            outcome_group_values(f),
        ),
    ]


MONTHS = [f"{m}月" for m in range(1, 13)]


def monthly_chart(values: list[int], year: int) -> Chart:
    return vertical_bars("chart-months", f"{year}年各月收到的申请", MONTHS, values)
