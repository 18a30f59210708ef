"""The compliance monitor (issue 13 §2): what an inspector would find, as of a day.

``site_report(today=..., agency=...)`` reads the catalog, the requests and the annual
reports and returns, per agency, the columns it must fill with their freshness, the
findings (each with a link to the thing to fix) and a score computed as the national
indicators do (国办秘函〔2019〕19号: 单项否决 first, then 100 points minus capped
deductions; below 60 不合格). The table of kinds, severities and points is
``KINDS`` here and in docs/compliance.md §5. Pure reads: no writes, no clock (the caller
passes ``today``), a fixed number of queries whatever the number of agencies.
"""

from __future__ import annotations

import re
import uuid as uuidlib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Coalesce
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from catalog.models import Attachment, Column, Notice, StandardItem
from disclosure.deadlines import deadline_for, deadline_state
from disclosure.layout import included_note
from disclosure.models import AnnualReport
from portal.models import Agency, AgencyProfile, SiteIdentity
from portal.workdays import load_calendar, working_days_between
from requests_app.models import InfoRequest, Letter, Status

VETO = "veto"  # 单项否决
ERROR = "error"  # 扣分
WARNING = "warning"  # 提示，不扣分

# kind -> (label, severity, points per finding, cap for the kind). Caps follow 19号:
# “单项指标扣分之和不超过本项指标总分值”. docs/compliance.md §5 prints this table.
KINDS: dict[str, tuple[str, str, int, int]] = {
    "home_stale": ("首页不更新", VETO, 0, 0),
    "columns_stale_veto": ("栏目不更新（累计 5 个及以上）", VETO, 0, 0),
    "columns_empty_veto": ("空白栏目（5 个及以上）", VETO, 0, 0),
    "column_stale": ("栏目未按要求更新", ERROR, 2, 20),
    "column_empty": ("空白栏目", ERROR, 2, 20),
    "publication_late": ("超过 20 个工作日公开", ERROR, 1, 10),
    "interpretation_missing": ("政策文件未同步解读", ERROR, 2, 10),
    "validity_expired": ("有效期已过仍标为有效", WARNING, 0, 0),
    "validity_review": ("规范性文件超过评估期未清理", ERROR, 1, 5),
    "annual_report_late": ("年度报告未按期发布", ERROR, 10, 10),
    "annual_report_due": ("年度报告即将到期", WARNING, 0, 0),
    "request_overdue": ("依申请公开逾期未答复", ERROR, 5, 20),
    "request_unconfirmed": ("申请超过 1 个工作日未确认", ERROR, 2, 10),
    "reply_awaiting_signoff": ("答复超过 1 个工作日待签发", ERROR, 1, 10),
    "link_broken": ("正文链接或附件失效", ERROR, 1, 10),
    "external_link_broken": ("外部链接失效", ERROR, 1, 10),
    "standard_item_empty": ("基层目录事项无内容", ERROR, 1, 10),
}

HOME_MAX_DAYS = 14  # 19号: 监测 2 周，首页无信息更新的，即单项否决
STALE_VETO_COUNT = 5  # 19号: 动态/通知公告/政策文件类栏目累计超过（含）5 个未更新
EMPTY_VETO_COUNT = 5  # 19号: 空白栏目数量超过（含）5 个
PASS_SCORE = 60  # 19号: 评分结果低于 60 分，判定为不合格网站
PUBLICATION_WORKING_DAYS = 20  # 条例 第二十六条


def interpretation_days() -> int:
    return int(getattr(settings, "COMPLIANCE_INTERPRETATION_DAYS", 3))


def policy_genres() -> tuple[str, ...]:
    """体裁 that count as policy documents for 解读同步 (settings override)."""
    return tuple(
        getattr(
            settings,
            "COMPLIANCE_POLICY_GENRES",
            ("行政规范性文件", "办法", "规定", "意见", "方案"),
        )
    )


def review_years() -> int:
    return int(getattr(settings, "COMPLIANCE_REVIEW_YEARS", 5))


@dataclass
class ColumnState:
    column: str
    column_slug: str
    agency: str
    last_published: str | None
    max_days: int | None
    update_rule: str
    status: str  # ok / stale / empty


@dataclass
class Finding:
    kind: str
    agency: str
    severity: str
    message: str
    url: str
    label: str = ""


@dataclass
class AgencyCard:
    agency: str
    agency_id: int
    score: int
    verdict: str  # 合格 / 不合格
    findings: int
    vetoes: int = 0
    deductions: dict[str, int] = field(default_factory=dict)


@dataclass
class SiteReport:
    as_of: date
    columns: list[ColumnState]
    findings: list[Finding]
    agencies: list[AgencyCard]
    # 第二十六条 per agency for the as-of year: notices with a 成文日期 published so far
    # this year, and how many of them later than 20 working days
    publication_lag: list[dict] = field(default_factory=list)
    # agency id → a note on its annual report ("已并入天元区人民政府年报")
    report_notes: dict[int, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "columns": [asdict(c) for c in self.columns],
            "findings": [asdict(f) for f in self.findings],
            "agencies": [asdict(a) for a in self.agencies],
            "publication_lag": self.publication_lag,
            "report_notes": {str(k): v for k, v in self.report_notes.items()},
        }

    def findings_of(self, agency_name: str) -> list[Finding]:
        return [f for f in self.findings if f.agency == agency_name]


def score_card(agency: Agency, findings: list[Finding]) -> AgencyCard:
    """The one scoring rule: any 单项否决 → 不合格 (score 0); otherwise 100 minus the
    deductions of ``KINDS``, each kind capped; below ``PASS_SCORE`` → 不合格."""
    vetoes = sum(1 for f in findings if KINDS[f.kind][1] == VETO)
    per_kind: dict[str, int] = defaultdict(int)
    for f in findings:
        _label, severity, points, cap = KINDS[f.kind]
        if severity == ERROR:
            per_kind[f.kind] = min(cap, per_kind[f.kind] + points)
    deductions = {k: v for k, v in per_kind.items() if v}
    score = 0 if vetoes else max(0, 100 - sum(deductions.values()))
    verdict = "不合格" if vetoes or score < PASS_SCORE else "合格"
    return AgencyCard(
        agency=agency.name,
        agency_id=agency.pk,
        score=score,
        verdict=verdict,
        findings=len(findings),
        vetoes=vetoes,
        deductions=deductions,
    )


def column_status(
    *, update_rule: str, max_days: int | None, last: date | None, today: date
) -> str:
    """ok / stale / empty for one (column, agency): never filled is empty; a 动态/定期
    column whose last item is more than ``max_days`` old is stale."""
    if last is None:
        return "empty"
    timed = update_rule in (Column.UpdateRule.DYNAMIC, Column.UpdateRule.PERIODIC)
    if timed and max_days and (today - last).days > max_days:
        return "stale"
    return "ok"


WARN_DAYS_BEFORE_REPORT_DEADLINE = 16  # 1月15日 for the 1月31日 deadline


def annual_report_state(
    *, today: date, deadline: date, published_on: date | None
) -> str | None:
    """Last year's report against its deadline (``disclosure.deadlines.deadline_for``:
    departments 1月31日, 条例第四十九条第一款; governments 3月31日, 第四十九条第二款;
    or the earlier dates the county set): ``annual_report_late`` when overdue or published late,
    ``annual_report_due`` (a warning) from 16 days before (1月15日), else None."""
    state = deadline_state(deadline, published_on, today)
    if state.code in ("overdue", "late_published"):
        return "annual_report_late"
    if state.code == "not_due" and (deadline - today).days <= (
        WARN_DAYS_BEFORE_REPORT_DEADLINE
    ):
        return "annual_report_due"
    return None


_LINK_RE = re.compile(r"""(?:href|src)\s*=\s*["']([^"'#]+)""", re.IGNORECASE)


def local_hosts() -> set[str]:
    """This site's host names (ALLOWED_HOSTS and SITE_URL): links to them are
    internal and checked in-process, never over the network."""
    hosts = {h.lower().lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"}
    site = urlsplit(getattr(settings, "SITE_URL", "") or "").hostname
    if site:
        hosts.add(site.lower())
    return hosts


def internal_links(body: str, hosts: set[str]) -> list[str]:
    """Paths of the links in a body that point into this site (relative or one of its
    hosts); external links are for ``check_links``."""
    out = []
    for raw in _LINK_RE.findall(body or ""):
        raw = raw.strip()
        if raw.startswith(("mailto:", "tel:", "javascript:", "data:")):
            continue
        parts = urlsplit(raw)
        if parts.scheme in ("http", "https") or raw.startswith("//"):
            if (parts.hostname or "").lower() not in hosts:
                continue
        elif parts.scheme or not raw.startswith("/"):
            continue
        out.append(parts.path or "/")
    return out


def external_links(body: str, hosts: set[str]) -> list[str]:
    out = []
    for raw in _LINK_RE.findall(body or ""):
        parts = urlsplit(raw.strip())
        if (
            parts.scheme in ("http", "https")
            and parts.hostname
            and parts.hostname.lower() not in hosts
        ):
            out.append(raw.strip())
    return out


def _admin_notice(pk: int) -> str:
    return reverse("admin:catalog_notice_change", args=[pk])


def site_report(*, today: date, agencies: list[Agency] | None = None) -> SiteReport:
    """The monitor's findings for ``agencies`` (default: every active agency)."""
    if agencies is None:
        agencies = list(
            Agency.objects.filter(is_active=True).order_by("sort_order", "id")
        )
    by_id = {a.pk: a for a in agencies}
    ids = list(by_id)
    findings: dict[int, list[Finding]] = defaultdict(list)
    column_states: list[ColumnState] = []

    def add(agency_id: int, kind: str, message: str, url: str) -> None:
        a = by_id[agency_id]
        label, severity, _p, _c = KINDS[kind]
        findings[agency_id].append(Finding(kind, a.name, severity, message, url, label))

    listed = Notice.objects.listed().filter(owner_agency_id__in=ids)

    # --- columns ------------------------------------------------------------------
    columns = list(
        Column.objects.exclude(update_rule=Column.UpdateRule.NONE).prefetch_related(
            "required_agencies"
        )
    )
    last_by = {
        (r["column_id"], r["owner_agency_id"]): timezone.localdate(r["last"])
        for r in listed.filter(column__isnull=False)
        .values("column_id", "owner_agency_id")
        .annotate(last=Max("published_at"))
    }
    home_last = {
        r["owner_agency_id"]: timezone.localdate(r["last"])
        for r in listed.values("owner_agency_id").annotate(last=Max("published_at"))
    }
    profile_changed = {
        p["agency_id"]: p["last_changed_at"]
        for p in AgencyProfile.objects.filter(agency_id__in=ids).values(
            "agency_id", "last_changed_at"
        )
    }
    add_notice = reverse("admin:catalog_notice_add")
    for a in agencies:
        stale = empty = 0
        for col in columns:
            required = {x.pk for x in col.required_agencies.all()}
            if not col.applies_to(a, required):
                continue
            if col.slug == "jgxx":
                changed = profile_changed.get(a.pk)
                last = timezone.localdate(changed) if changed else None
                fix = reverse("portal:staff_profile_edit")
            else:
                last = last_by.get((col.pk, a.pk))
                fix = f"{add_notice}?column={col.pk}&owner_agency={a.pk}"
            status = column_status(
                update_rule=col.update_rule,
                max_days=col.max_days,
                last=last,
                today=today,
            )
            column_states.append(
                ColumnState(
                    column=col.name,
                    column_slug=col.slug,
                    agency=a.name,
                    last_published=last.isoformat() if last else None,
                    max_days=col.max_days,
                    update_rule=col.update_rule,
                    status=status,
                )
            )
            if status == "stale":
                stale += 1
                add(
                    a.pk,
                    "column_stale",
                    f"栏目“{col.name}”最近一次发布于 {last:%Y-%m-%d}，"
                    f"超过 {col.max_days} 天未更新（{col.rule_source or '本站要求'}）",
                    fix,
                )
            elif status == "empty":
                empty += 1
                add(a.pk, "column_empty", f"栏目“{col.name}”没有任何内容", fix)
        if stale >= STALE_VETO_COUNT:
            add(
                a.pk,
                "columns_stale_veto",
                f"{stale} 个栏目未按要求更新（超过或等于 {STALE_VETO_COUNT} 个即单项否决，"
                "国办秘函〔2019〕19号）",
                reverse("compliance:page") + f"?agency={a.pk}",
            )
        if empty >= EMPTY_VETO_COUNT:
            add(
                a.pk,
                "columns_empty_veto",
                f"{empty} 个空白栏目（超过或等于 {EMPTY_VETO_COUNT} 个即单项否决，"
                "国办秘函〔2019〕19号）",
                reverse("compliance:page") + f"?agency={a.pk}",
            )
        last_any = home_last.get(a.pk)
        if last_any is None or (today - last_any).days > HOME_MAX_DAYS:
            when = f"最近一次发布于 {last_any:%Y-%m-%d}" if last_any else "从未发布"
            add(
                a.pk,
                "home_stale",
                f"本机关首页（部门页面）{HOME_MAX_DAYS} 天内没有新信息（{when}），"
                "按国办秘函〔2019〕19号即单项否决",
                add_notice,
            )

    # --- publication lag (条例 第二十六条) -------------------------------------------
    year_start = date(today.year, 1, 1)
    lag_rows = list(
        listed.filter(
            written_date__isnull=False,
            published_at__date__gte=year_start,
            published_at__date__lte=today,
        ).values("pk", "title", "owner_agency_id", "written_date", "published_at")
    )
    cal = load_calendar(years=range(today.year - review_years() - 1, today.year + 2))
    lag_counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for r in lag_rows:
        published = timezone.localdate(r["published_at"])
        lag = working_days_between(r["written_date"], published, cal)
        lag_counts[r["owner_agency_id"]][0] += 1
        if lag > PUBLICATION_WORKING_DAYS:
            lag_counts[r["owner_agency_id"]][1] += 1
            add(
                r["owner_agency_id"],
                "publication_late",
                f"《{r['title']}》成文于 {r['written_date']:%Y-%m-%d}，{published:%Y-%m-%d} "
                f"才发布，相隔 {lag} 个工作日（条例第二十六条：20 个工作日内）",
                _admin_notice(r["pk"]),
            )

    # --- 解读同步 -------------------------------------------------------------------
    days = interpretation_days()
    policies = (
        listed.filter(
            genre__name__in=policy_genres(),
            published_at__date__lt=today - timedelta(days=days),
        )
        .annotate(
            first_jd=Min(
                "interpretations__published_at",
                filter=Q(interpretations__status=Notice.Status.PUBLISHED),
            )
        )
        .values("pk", "title", "owner_agency_id", "published_at", "first_jd")
    )
    for r in policies:
        limit = r["published_at"] + timedelta(days=days)
        if r["first_jd"] is None or r["first_jd"] > limit:
            when = (
                f"解读于 {timezone.localdate(r['first_jd']):%Y-%m-%d} 才发布"
                if r["first_jd"]
                else "没有关联的解读"
            )
            add(
                r["owner_agency_id"],
                "interpretation_missing",
                f"《{r['title']}》发布后 {days} 天内没有同步解读：{when}",
                _admin_notice(r["pk"]),
            )

    # --- validity ------------------------------------------------------------------
    for r in listed.filter(
        validity=Notice.Validity.EFFECTIVE, valid_until__lt=today
    ).values("pk", "title", "owner_agency_id", "valid_until"):
        add(
            r["owner_agency_id"],
            "validity_expired",
            f"《{r['title']}》有效期至 {r['valid_until']:%Y-%m-%d}，仍标为“有效”",
            _admin_notice(r["pk"]),
        )
    # 国办发〔2018〕37号: 行政规范性文件 are reviewed (清理) periodically; the clock runs
    # from the latest recorded 清理 decision, or with none from 施行日期/成文日期.
    years = review_years()
    cutoff = date(today.year - years, today.month, min(today.day, 28))
    for r in (
        listed.filter(
            genre__name="行政规范性文件",
            validity=Notice.Validity.EFFECTIVE,
            valid_until__isnull=True,
        )
        .annotate(
            last_cleanup=Max("cleanup_reviews__decided_date"),
            review_start=Coalesce(
                Max("cleanup_reviews__decided_date"), "valid_from", "written_date"
            ),
        )
        .filter(review_start__lt=cutoff)
        .values("pk", "title", "owner_agency_id", "last_cleanup", "review_start")
    ):
        if r["last_cleanup"]:
            since = f"最近一次清理决定作出于 {r['last_cleanup']:%Y-%m-%d}，已超过 {years} 年"
        else:
            since = (
                f"自 {r['review_start']:%Y-%m-%d} 起施行已超过 {years} 年，"
                "未见清理（评估）决定"
            )
        add(
            r["owner_agency_id"],
            "validity_review",
            f"行政规范性文件《{r['title']}》{since}",
            reverse("catalog:staff_notice_cleanup", args=[r["pk"]]),
        )

    # --- annual report (条例 第四十九条) ----------------------------------------------
    reports = {
        r["agency_id"]: r["first_published_at"]
        for r in AnnualReport.objects.filter(
            year=today.year - 1, agency_id__in=ids, current_version__gt=0
        ).values("agency_id", "first_published_at")
    }
    site = SiteIdentity.load()
    # an agency whose figures are in another's report publishes none of its own
    including = dict(
        Agency.objects.filter(
            pk__in={a.report_included_in_id for a in agencies} - {None}
        ).values_list("pk", "name")
    )
    report_notes: dict[int, str] = {}
    for a in agencies:
        if a.report_included_in_id is not None:
            report_notes[a.pk] = included_note(
                including.get(a.report_included_in_id, "")
            )
            continue
        published = reports.get(a.pk)
        is_gov = a.kind == Agency.Kind.GOVERNMENT
        deadline = deadline_for(
            today.year - 1,
            is_government=is_gov,
            department=site.report_deadline_department,
            government=site.report_deadline_government,
        )
        published_on = timezone.localdate(published) if published else None
        state = annual_report_state(
            today=today, deadline=deadline, published_on=published_on
        )
        if state:
            article = "第四十九条第二款" if is_gov else "第四十九条第一款"
            if published_on:
                tail = f"，{published_on:%Y-%m-%d} 才发布"
            elif state == "annual_report_late":
                tail = "，已逾期未发布"
            else:
                tail = "，尚未发布"
            msg = (
                f"{today.year - 1} 年度报告应于 {deadline:%Y-%m-%d} 前发布"
                f"（条例{article}）{tail}"
            )
            add(a.pk, state, msg, reverse("disclosure:staff_report_list"))

    # --- requests -----------------------------------------------------------------
    for r in (
        InfoRequest.objects.clock_running()
        .filter(agency_id__in=ids, reply_due_date__lt=today)
        .values("code", "agency_id", "reply_due_date")
    ):
        add(
            r["agency_id"],
            "request_overdue",
            f"申请已于 {r['reply_due_date']:%Y-%m-%d} 到期，尚未答复",
            reverse("requests_app:staff_request_detail", args=[r["code"]]),
        )
    for r in InfoRequest.objects.filter(
        agency_id__in=ids, status=Status.PENDING
    ).values("code", "agency_id", "arrived_date", "submitted_at"):
        since = r["arrived_date"] or timezone.localdate(r["submitted_at"])
        waited = working_days_between(since, today, cal)
        if waited > 1:
            add(
                r["agency_id"],
                "request_unconfirmed",
                f"{since:%Y-%m-%d} 收到的申请已 {waited} 个工作日未确认",
                reverse("requests_app:staff_request_detail", args=[r["code"]]),
            )

    # 签发: a reply submitted by its handler waits for an approver; more than one
    # working day and the case's clock keeps running on a decision already made
    for r in Letter.objects.filter(
        agency_id__in=ids, status=Letter.Status.PENDING, submitted_at__isnull=False
    ).values(
        "pk",
        "agency_id",
        "submitted_at",
        "info_request__tracking_no",
        "info_request__code",
    ):
        since = timezone.localdate(r["submitted_at"])
        waited = working_days_between(since, today, cal)
        if waited > 1:
            add(
                r["agency_id"],
                "reply_awaiting_signoff",
                f"{r['info_request__tracking_no']} 的答复于 {since:%Y-%m-%d} 提交签发，"
                f"已 {waited} 个工作日未签发",
                reverse(
                    "requests_app:staff_letter",
                    args=[r["info_request__code"], r["pk"]],
                ),
            )

    # --- links in published bodies (in-process) ------------------------------------
    hosts = local_hosts()
    link_rows = list(
        listed.filter(Q(body__icontains="href") | Q(body__icontains="src=")).values(
            "pk", "title", "owner_agency_id", "body"
        )
    )
    wanted: dict[int, list[str]] = {}
    uuids: set[uuidlib.UUID] = set()
    media_names: set[str] = set()
    media = settings.MEDIA_URL
    for r in link_rows:
        paths = internal_links(r["body"], hosts)
        wanted[r["pk"]] = paths
        for p in paths:
            if media and p.startswith(media):
                media_names.add(p[len(media) :])
                continue
            try:
                match = resolve(p)
            except Resolver404:
                continue
            if match.url_name == "notice_detail":
                uuids.add(match.kwargs["uuid"])
    live_uuids = set(
        Notice.objects.published().filter(uuid__in=uuids).values_list("uuid", flat=True)
    )
    for r in link_rows:
        for p in wanted[r["pk"]]:
            broken = False
            if media and p.startswith(media):
                broken = not default_storage.exists(p[len(media) :])
            else:
                try:
                    match = resolve(p)
                    broken = (
                        match.url_name == "notice_detail"
                        and match.kwargs["uuid"] not in live_uuids
                    )
                except Resolver404:
                    broken = True
            if broken:
                add(
                    r["owner_agency_id"],
                    "link_broken",
                    f"《{r['title']}》正文中的链接 {p} 打不开",
                    _admin_notice(r["pk"]),
                )
    for att in Attachment.objects.filter(
        notice__status=Notice.Status.PUBLISHED, notice__owner_agency_id__in=ids
    ).values("name", "file", "notice_id", "notice__owner_agency_id", "notice__title"):
        if not att["file"] or not default_storage.exists(att["file"]):
            add(
                att["notice__owner_agency_id"],
                "link_broken",
                f"《{att['notice__title']}》的附件“{att['name']}”文件缺失",
                _admin_notice(att["notice_id"]),
            )

    # --- external links (stored by check_links) ------------------------------------
    from disclosure.models import ExternalLink

    for r in ExternalLink.objects.filter(
        ok=False,
        notice__owner_agency_id__in=ids,
        notice__status=Notice.Status.PUBLISHED,
    ).values("url", "error", "notice_id", "notice__owner_agency_id", "notice__title"):
        add(
            r["notice__owner_agency_id"],
            "external_link_broken",
            f"《{r['notice__title']}》正文中的外部链接 {r['url']} 打不开（{r['error']}）",
            _admin_notice(r["notice_id"]),
        )

    # --- 基层政务公开标准目录 ----------------------------------------------------------
    for r in (
        StandardItem.objects.filter(agency_id__in=ids)
        .annotate(n=Count("notices", filter=Q(notices__status=Notice.Status.PUBLISHED)))
        .filter(n=0)
        .values("pk", "name", "agency_id", "domain__name")
    ):
        add(
            r["agency_id"],
            "standard_item_empty",
            f"基层目录“{r['domain__name']}·{r['name']}”还没有已发布的信息",
            reverse("catalog:staff_standard_item", args=[r["pk"]]),
        )

    flat = [f for a in agencies for f in findings[a.pk]]
    cards = [score_card(a, findings[a.pk]) for a in agencies]
    lag_summary = [
        {
            "agency": a.name,
            "year": today.year,
            "published": lag_counts[a.pk][0],
            "late": lag_counts[a.pk][1],
        }
        for a in agencies
    ]
    return SiteReport(
        as_of=today,
        columns=column_states,
        findings=flat,
        agencies=cards,
        publication_lag=lag_summary,
        report_notes=report_notes,
    )
