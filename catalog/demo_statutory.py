"""Demo district, statutory part (issue 13): who must fill the “部分机关” columns, and
notices in the new columns (工作动态, 信息公开制度, the 第二十条 items) through the
services, so the per-department pages show a believable tree. Every date is relative
to ``last_day`` (the seeding day). A few gaps are left on purpose, as examples of what
the compliance monitor finds (each is a 扣分 finding, none a 单项否决, so every agency
stays 合格):

- 工作动态 (14 days): every agency posted within the last 10 days;
- 信息公开制度: every agency but NO_SYSTEM (one 街道: “空白栏目”);
- a “部分机关” column stays empty for EMPTY_ITEMS (one department: “空白栏目”).

No agency's 首页 or timed (动态/定期) column is stale: ``catalog.demo.Builder.regular``
keeps 政策文件, 通知公告, 财政信息, 人事信息 and 规划计划 fresh.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from catalog.models import Column
from catalog.services import (
    column_set_required_agencies,
    notice_confirm_security_review,
    notice_create,
    notice_publish,
)

BEIJING = ZoneInfo("Asia/Shanghai")

# column slug → agencies (by full name) that must fill it
REQUIRED = {
    "tjxx": ["天元区发展和改革局"],
    "xzxk": ["天元区市场监督管理局", "天元区住房和城乡建设局", "天元区生态环境分局"],
    "xzcf": ["天元区市场监督管理局", "天元区生态环境分局", "天元区应急管理局"],
    "sfxm": ["天元区发展和改革局", "天元区市场监督管理局"],
    "zfcg": ["天元区财政局"],
    "zdxm": ["天元区发展和改革局"],
    "msxx": ["天元区教育局", "天元区人力资源和社会保障局", "天元区卫生健康局"],
    "yjgl": ["天元区应急管理局"],
    "jdjc": ["天元区市场监督管理局", "天元区生态环境分局", "天元区卫生健康局"],
    "szjs": ["天元区住房和城乡建设局"],
    "ggfw": ["天元区卫生健康局"],
    "gysy": ["天元区教育局"],
    "tdzs": ["天元区自然资源局"],
    "fwzs": ["天元区住房和城乡建设局"],
    "zagl": ["天元区人民政府办公室"],
    "shjz": ["天元区民政局"],
}
# (column, agency, title) filling the “部分机关” items; EMPTY_ITEMS stay empty
ITEM_NOTICES = {
    "tjxx": "{year}年1-{month}月天元区主要经济指标",
    "xzxk": "{year}年第{quarter}季度行政许可办理结果公示",
    "xzcf": "{year}年第{quarter}季度行政处罚决定公开",
    "sfxm": "天元区行政事业性收费项目目录清单",
    "zfcg": "天元区{year}年政府集中采购目录及标准",
    "zdxm": "天元区{year}年重大建设项目批准和实施情况",
    "msxx": "{year}年民生实事项目实施情况",
    "yjgl": "天元区{year}年汛期预警信息及应对情况",
    "jdjc": "{year}年第{quarter}季度监督抽查结果",
    "szjs": "{year}年市政道路建设进展情况",
    "ggfw": "天元区基本公共卫生服务项目清单",
    "gysy": "{year}年教育公益事业项目公示",
    "tdzs": "{year}年第{quarter}批次土地征收启动公告",
    "fwzs": "{year}年国有土地上房屋征收决定公告",
    "zagl": "天元区{year}年社会治安综合治理工作情况",
    "shjz": "{year}年{month}月城乡低保对象名单公示",
}
EMPTY_ITEMS = {("sfxm", "天元区市场监督管理局")}
NO_SYSTEM = {"天元区栗雨街道办事处"}
NEWS = [
    "召开{year}年{month}月重点工作调度会",
    "开展“{short}开放日”活动",
    "{short}深入基层开展专题调研",
]


def _at(day: date, hour: int) -> datetime:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=BEIJING)


def _publish(agency, column: Column, title: str, when: datetime, body: str) -> None:
    notice = notice_create(
        owner_agency=agency,
        by=None,
        title=title,
        column=column,
        written_date=when.date() - timedelta(days=2),
        summary=title,
        body=f"<p>{body}</p>",
        department=agency.name,
    )
    confirmer = CONFIRMERS.get(agency.pk)
    if confirmer is not None:  # 保密审查 by the agency's own demo account
        notice_confirm_security_review(
            notice=notice, by=confirmer, now=when - timedelta(hours=1)
        )
    notice_publish(notice=notice, by=None, now=when)


CONFIRMERS: dict = {}  # agency id → demo confirmer, filled by build()


def build(agencies: dict, last_day: date) -> int:
    from catalog.demo import security_confirmers

    CONFIRMERS.clear()
    CONFIRMERS.update(security_confirmers())
    columns = {c.slug: c for c in Column.objects.all()}
    for slug, names in REQUIRED.items():
        column_set_required_agencies(
            column=columns[slug], agencies=[agencies[n] for n in names]
        )
    created = 0
    for i, (name, agency) in enumerate(agencies.items()):
        short = agency.short_name or agency.name
        back = 1 + i % 9
        for j, pattern in enumerate(NEWS):
            day = last_day - timedelta(days=back + 15 * j)
            title = pattern.format(year=day.year, month=day.month, short=short)
            _publish(agency, columns["gzdt"], title, _at(day, 10), f"{short}{title}。")
            created += 1
        if name not in NO_SYSTEM:
            day = last_day - timedelta(days=400 - 7 * i)
            _publish(
                agency,
                columns["xxgkzd"],
                f"{short}政府信息公开工作制度",
                _at(day, 9),
                "为规范本机关政府信息公开工作，根据《中华人民共和国政府信息公开条例》"
                "第四条第一款，制定本制度。",
            )
            created += 1
    for slug, names in REQUIRED.items():
        for k, name in enumerate(names):
            if (slug, name) in EMPTY_ITEMS:
                continue
            day = last_day - timedelta(days=20 + 37 * k + 11 * len(slug) % 90)
            title = ITEM_NOTICES[slug].format(
                year=day.year, month=day.month, quarter=(day.month - 1) // 3 + 1
            )
            agency = agencies[name]
            _publish(
                agency,
                columns[slug],
                f"{agency.short_name}{title}",
                _at(day, 15),
                title,
            )
            created += 1
    return created
