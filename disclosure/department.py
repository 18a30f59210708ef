"""Per-department disclosure pages (/bumen/<id>/): what one agency publishes, gathered
from every app: its 机构概况, 信息公开制度, the 法定主动公开 column tree filtered to it, its
年报 and its 依申请公开 entry. A fixed number of queries, whatever the tree's size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Count, Max, Prefetch
from django.urls import reverse

from catalog.models import Column, Notice, column_required_for
from disclosure.models import AnnualReport
from portal.models import Agency, AgencyLeader, AgencyProfile

SYSTEM_SLUG = "xxgkzd"  # 信息公开制度 (条例 第四条第一款)
STATUTORY_ROOT = "fdzdgk"  # 法定主动公开内容


@dataclass
class ColumnNode:
    column: Column
    depth: int
    count: int
    last_published: datetime | None
    required: bool
    url: str


def public_agencies() -> list[Agency]:
    """Active agencies in display order (the /bumen/ index and the home page)."""
    return list(Agency.objects.filter(is_active=True).order_by("sort_order", "id"))


def agency_groups(agencies: list[Agency]) -> list[tuple[str, list[Agency]]]:
    groups = [
        ("人民政府", [a for a in agencies if a.kind == Agency.Kind.GOVERNMENT]),
        ("政府部门", [a for a in agencies if a.kind == Agency.Kind.DEPARTMENT]),
        ("乡镇（街道）", [a for a in agencies if a.kind == Agency.Kind.TOWNSHIP]),
        ("其他机关", [a for a in agencies if a.kind == Agency.Kind.OTHER]),
    ]
    return [(label, items) for label, items in groups if items]


def agency_profile(agency: Agency) -> AgencyProfile | None:
    return (
        AgencyProfile.objects.filter(agency=agency)
        .prefetch_related(
            Prefetch("leaders", queryset=AgencyLeader.objects.order_by("sort_order"))
        )
        .first()
    )


def column_tree(agency: Agency) -> list[ColumnNode]:
    """The 法定主动公开 tree (and the other columns) as seen for ``agency``: every column
    it must fill or has filled, depth-first, with its count and last publication."""
    columns = list(Column.objects.order_by("sort_order", "id"))
    required_here = set(
        Column.required_agencies.through.objects.filter(
            agency_id=agency.pk
        ).values_list("column_id", flat=True)
    )
    stats = {
        row["column_id"]: row
        for row in Notice.objects.listed()
        .filter(owner_agency=agency)
        .values("column_id")
        .annotate(n=Count("id"), last=Max("published_at"))
    }
    children: dict[int | None, list[Column]] = {}
    for column in columns:
        children.setdefault(column.parent_id, []).append(column)
    list_url = reverse("catalog:notice_list")

    def walk(parent_id: int | None, depth: int) -> tuple[list[ColumnNode], int]:
        nodes: list[ColumnNode] = []
        subtotal = 0
        for column in children.get(parent_id, []):
            below, below_count = walk(column.pk, depth + 1)
            own = stats.get(column.pk, {})
            count = own.get("n", 0) + below_count
            required = column.update_rule != Column.UpdateRule.NONE and (
                column_required_for(
                    scope=column.required_scope,
                    agency_id=agency.pk,
                    agency_kind=agency.kind,
                    required_ids={agency.pk} if column.pk in required_here else set(),
                )
            )
            if count or required or below:
                query = urlencode({"column": column.slug, "publisher": agency.pk})
                nodes.append(
                    ColumnNode(
                        column=column,
                        depth=depth,
                        count=count,
                        last_published=own.get("last"),
                        required=required,
                        url=f"{list_url}?{query}",
                    )
                )
                nodes.extend(below)
            subtotal += count
        return nodes, subtotal

    nodes, _ = walk(None, 0)
    return nodes


def department_context(agency: Agency) -> dict:
    """Everything the /bumen/<id>/ page shows, in a fixed number of queries."""
    system_notices = list(
        Notice.objects.listed()
        .filter(owner_agency=agency, column__slug=SYSTEM_SLUG)
        .only("id", "uuid", "title", "published_at")
        .order_by("-published_at", "-id")[:10]
    )
    reports = list(
        AnnualReport.objects.published()
        .filter(agency=agency)
        .only("id", "year", "agency_id")
        .order_by("-year")
    )
    subordinates = (
        list(
            Agency.objects.filter(parent=agency, is_active=True).order_by(
                "sort_order", "id"
            )
        )
        if agency.kind == Agency.Kind.GOVERNMENT
        else []
    )
    return {
        "agency": agency,
        "profile": agency_profile(agency),
        "tree": column_tree(agency),
        "system_notices": system_notices,
        "system_url": reverse("catalog:notice_list")
        + "?"
        + urlencode({"column": SYSTEM_SLUG, "publisher": agency.pk}),
        "reports": reports,
        "subordinate_groups": agency_groups(subordinates),
    }
