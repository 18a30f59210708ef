"""Demo district for ``seed_demo``: the agencies of 天元区 and their staff accounts.

Each app with a ``demo`` module contributes its part; ``seed_demo`` runs them in
dependency order (portal → catalog → requests_app → disclosure).
"""

from __future__ import annotations

from portal import roles
from portal.models import Agency, SiteIdentity, StaffProfile
from portal.validators import org_code_check_char

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for the demo only

GOVERNMENT = ("天元区人民政府", "区政府", "0122")
DEPARTMENTS = [
    ("天元区人民政府办公室", "区政府办", "0123"),
    ("天元区发展和改革局", "区发改局", "0124"),
    ("天元区教育局", "区教育局", "0125"),
    ("天元区财政局", "区财政局", "0126"),
    ("天元区人力资源和社会保障局", "区人社局", "0127"),
    ("天元区自然资源局", "区自然资源局", "0128"),
    ("天元区住房和城乡建设局", "区住建局", "0129"),
    ("天元区卫生健康局", "区卫健局", "0130"),
    ("天元区市场监督管理局", "区市场监管局", "0131"),
    ("天元区民政局", "区民政局", "0132"),
    ("天元区应急管理局", "区应急局", "0133"),
    ("天元区生态环境分局", "区生态环境分局", "0134"),
]
TOWNSHIPS = [
    ("天元区嵩山路街道办事处", "嵩山路街道", "0141"),
    ("天元区泰山路街道办事处", "泰山路街道", "0142"),
    ("天元区栗雨街道办事处", "栗雨街道", "0143"),
    ("天元区群丰镇人民政府", "群丰镇", "0144"),
    ("天元区雷打石镇人民政府", "雷打石镇", "0145"),
]


def _org_code(serial: str) -> str:
    body = f"4302{serial}"  # 8 characters
    return f"{body}-{org_code_check_char(body)}"


def build(out, **context) -> dict:
    SiteIdentity.objects.update_or_create(
        pk=1,
        defaults={
            "site_name": "天元区人民政府信息公开平台",
            "domain": "127.0.0.1:8000",
            "sponsor": "株洲市天元区人民政府办公室",
            "site_code": "4302110001",
            "icp_number": "湘ICP备05004400号-1",
            "police_record": "湘公网安备 43021102000123号",
            "contact_phone": "0731-28112345",
            "contact_email": "xxgk@tianyuan.example.gov.cn",
            "address": "湖南省株洲市天元区天台路 1 号",
        },
    )
    contact = {
        "address": "株洲市天元区天台路 1 号区政府大楼",
        "postcode": "412007",
        "office_hours": "工作日 上午 8:30-12:00，下午 14:30-17:30（法定节假日除外）",
        "phone": "0731-28112345",
        "fax": "0731-28112346",
        "email": "xxgk@tianyuan.example.gov.cn",
        "website": "http://127.0.0.1:8000/",
        "court": "株洲市天元区人民法院",
    }
    name, short, serial = GOVERNMENT
    gov, _ = Agency.objects.update_or_create(
        name=name,
        defaults={
            "short_name": short,
            "kind": Agency.Kind.GOVERNMENT,
            "org_code": _org_code(serial),
            "sort_order": 0,
            "office_name": "天元区人民政府办公室（政务公开办）",
            # a 区人民政府's 复议机关 is the 上一级人民政府 (行政复议法 第二十四条)
            "review_body": "株洲市人民政府",
            **contact,
        },
    )
    agencies = {name: gov}
    for i, (name, short, serial) in enumerate(DEPARTMENTS, start=1):
        agencies[name], _ = Agency.objects.update_or_create(
            name=name,
            defaults={
                "short_name": short,
                "kind": Agency.Kind.DEPARTMENT,
                "org_code": _org_code(serial),
                "parent": gov,
                "sort_order": 10 + i,
                "office_name": f"{short}办公室",
                **{
                    **contact,
                    "phone": f"0731-2811{2400 + i}",
                    "email": f"xxgk{i:02d}@tianyuan.example.gov.cn",
                },
            },
        )
    for i, (name, short, serial) in enumerate(TOWNSHIPS, start=1):
        agencies[name], _ = Agency.objects.update_or_create(
            name=name,
            defaults={
                "short_name": short,
                "kind": Agency.Kind.TOWNSHIP,
                "org_code": _org_code(serial),
                "parent": gov,
                "sort_order": 50 + i,
                "office_name": f"{short}党政综合办公室",
                **{**contact, "phone": f"0731-2812{3400 + i}"},
            },
        )
    _profiles(agencies)
    _staff("jiaoyu", "天元区教育局", [roles.HANDLER, roles.ADMIN], "王晓明")
    _staff("jiaoyu2", "天元区教育局", [roles.HANDLER], "李静")
    _staff("jiaoyu_sh", "天元区教育局", [roles.APPROVER], "张建国")
    _staff("caizheng", "天元区财政局", [roles.HANDLER, roles.ADMIN], "刘芳")
    _staff("caizheng_sh", "天元区财政局", [roles.APPROVER], "赵敏")
    _staff(
        "zhengfu",
        "天元区人民政府办公室",
        [roles.HANDLER, roles.APPROVER, roles.ADMIN],
        "陈伟",
    )
    _staff("zhengfu_sh", "天元区人民政府办公室", [roles.APPROVER], "孙丽")
    # the 区人民政府's own account: confirms the 保密审查 of the notices published in the
    # government's name (catalog.demo.security_confirmers), as its 审核人
    _staff("quzhengfu_bm", "天元区人民政府", [roles.APPROVER], "周建华")
    out.write(f"  机关 {len(agencies)} 个；演示工作人员账号密码均为 {DEMO_PASSWORD}")
    return {"agencies": agencies, "government": gov}


# 机构信息 (条例 第二十条第（二）项): every agency gets one; OLD_PROFILES were last
# changed years ago (the monitor may flag them for review).
FUNCTIONS = {
    Agency.Kind.GOVERNMENT: "执行区人民代表大会及其常务委员会的决议，领导全区经济社会发展和各项行政工作。",
    Agency.Kind.DEPARTMENT: "贯彻执行国家、省、市关于{area}工作的方针政策和法律法规，拟订全区{area}发展规划并组织实施，承担{area}领域的行政管理和公共服务职责。",
    Agency.Kind.TOWNSHIP: "贯彻执行党和国家的路线方针政策，负责辖区经济发展、社会事务、公共服务、平安建设和基层治理工作。",
}
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗"
GIVEN = ["建华", "志强", "秀英", "海燕", "国平", "晓东", "丽娟", "卫东", "文杰", "春梅"]
OLD_PROFILES = {"天元区自然资源局", "天元区群丰镇人民政府"}


def _profiles(agencies: dict) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from portal.services import agency_profile_update

    tz = ZoneInfo("Asia/Shanghai")
    for i, (name, agency) in enumerate(agencies.items()):
        area = (agency.short_name or name).removeprefix("区").removesuffix("局")
        head = (
            "区长"
            if agency.kind == Agency.Kind.GOVERNMENT
            else ("局长" if agency.kind == Agency.Kind.DEPARTMENT else "主任（镇长）")
        )
        deputy = "副区长" if agency.kind == Agency.Kind.GOVERNMENT else "副职"
        leaders = [
            {
                "name": SURNAMES[(i * 3 + k) % len(SURNAMES)]
                + GIVEN[(i + k) % len(GIVEN)],
                "post": head if k == 0 else deputy,
                "duties": "主持全面工作" if k == 0 else f"分管{area}业务第{k}方面工作",
            }
            for k in range(3)
        ]
        when = (
            datetime(2022, 5, 10 + i % 10, 10, tzinfo=tz)
            if name in OLD_PROFILES
            else datetime(2026, 1, 5 + i % 20, 10, tzinfo=tz)
        )
        agency_profile_update(
            agency=agency,
            functions=FUNCTIONS[agency.kind].format(area=area),
            internal_units="办公室\n综合业务股\n政策法规股",
            leaders=leaders,
            address=agency.address,
            office_hours=agency.office_hours,
            phone=agency.phone,
            fax=agency.fax,
            postcode=agency.postcode,
            email=agency.email,
            note="演示数据",
            now=when,
        )


def _staff(username: str, agency_name: str, role_names: list[str], full_name: str):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username,
        defaults={
            "is_staff": True,
            "first_name": full_name,
            "email": f"{username}@tianyuan.example.gov.cn",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    StaffProfile.objects.update_or_create(
        user=user, defaults={"agency": Agency.objects.get(name=agency_name)}
    )
    for role in role_names:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    return user
