"""Demo district for ``seed_demo``: the agencies of 天元区 and their staff accounts.

Each app with a ``demo`` module contributes its part; ``seed_demo`` runs them in
dependency order (portal → catalog → requests_app → disclosure).
"""

from __future__ import annotations

import functools

from portal import roles
from portal.models import Agency, SiteIdentity, StaffProfile
from portal.validators import org_code_check_char

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for the demo only


@functools.cache
def demo_password_hash() -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(DEMO_PASSWORD)


GOVERNMENT = ("天元区人民政府", "区政府", "0122")
# 本级政府年报（含办公室）: the 办公室 handles the government's 依申请公开 and publishes in
# its name, so its figures are in the 区人民政府's annual report (Agency.report_included_in)
OFFICE = "天元区人民政府办公室"
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
# Each agency's own 办公地址 (株洲市天元区 …), postcode and 电话/传真 (机构信息, 条例
# 第二十条第（二）项): no two agencies share an address, a phone or a fax.
ADDRESSES = {
    "天元区人民政府": ("天台路 1 号区政府大楼", "412007", "28112345"),
    "天元区人民政府办公室": ("天台路 1 号区政府大楼 3 楼", "412007", "28112301"),
    "天元区发展和改革局": ("天台路 1 号区政府大楼 5 楼", "412007", "28112402"),
    "天元区教育局": ("长江南路 166 号", "412007", "28112403"),
    "天元区财政局": ("天台路 5 号", "412007", "28112404"),
    "天元区人力资源和社会保障局": (
        "黄河南路 288 号人力资源服务中心",
        "412007",
        "28112405",
    ),
    "天元区自然资源局": ("湘芸中路 28 号", "412007", "28112406"),
    "天元区住房和城乡建设局": ("株洲大道 899 号", "412007", "28112407"),
    "天元区卫生健康局": ("泰山路 211 号", "412007", "28112408"),
    "天元区市场监督管理局": ("珠江南路 56 号", "412007", "28112409"),
    "天元区民政局": ("嵩山路 118 号", "412007", "28112410"),
    "天元区应急管理局": ("庐山路 9 号", "412007", "28112411"),
    "天元区生态环境分局": ("衡山东路 36 号", "412007", "28112412"),
    "天元区嵩山路街道办事处": ("嵩山路 402 号", "412007", "28123401"),
    "天元区泰山路街道办事处": ("泰山路 566 号", "412007", "28123402"),
    "天元区栗雨街道办事处": ("栗雨路 88 号", "412007", "28123403"),
    "天元区群丰镇人民政府": ("群丰镇群丰路 1 号", "412008", "28123404"),
    "天元区雷打石镇人民政府": ("雷打石镇石峰路 12 号", "412008", "28123405"),
}


def _contact(name: str, email: str) -> dict:
    street, postcode, number = ADDRESSES[name]
    return {
        "address": f"株洲市天元区{street}",
        "postcode": postcode,
        "phone": f"0731-{number}",
        # the fax line is the office's next number
        "fax": f"0731-{int(number) + 50}",
        "email": email,
    }


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
        "office_hours": "工作日 上午 8:30-12:00，下午 14:30-17:30（法定节假日除外）",
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
            **_contact(name, "xxgk@tianyuan.example.gov.cn"),
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
                **contact,
                **_contact(name, f"xxgk{i:02d}@tianyuan.example.gov.cn"),
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
                **contact,
                **_contact(name, f"xxgk{40 + i:02d}@tianyuan.example.gov.cn"),
            },
        )
    office = agencies[OFFICE]
    if office.report_included_in_id != gov.pk:
        from portal import services

        office.report_included_in = gov
        services.agency_save(agency=office, by=None, source="demo")
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
    # applications addressed to 天元区人民政府 itself (its annual report counts them)
    _staff("quzhengfu", "天元区人民政府", [roles.HANDLER, roles.ADMIN], "周海燕")
    _staff("quzhengfu_sh", "天元区人民政府", [roles.APPROVER], "黄国平")
    out.write(f"  机关 {len(agencies)} 个；演示工作人员账号密码均为 {DEMO_PASSWORD}")
    return {"agencies": agencies, "government": gov}


# 机构信息 (条例 第二十条第（二）项): every agency gets one, dated in the weeks before
# the seeding day; OLD_PROFILES were last changed four years earlier (机构信息 is an
# “on change” column: an old profile is not a finding, the page shows its date).
FUNCTIONS = {
    Agency.Kind.GOVERNMENT: "执行区人民代表大会及其常务委员会的决议，领导全区经济社会发展和各项行政工作。",
    Agency.Kind.DEPARTMENT: "贯彻执行国家、省、市关于{area}工作的方针政策和法律法规，拟订全区{area}发展规划并组织实施，承担{area}领域的行政管理和公共服务职责。",
    Agency.Kind.TOWNSHIP: "贯彻执行党和国家的路线方针政策，负责辖区经济发展、社会事务、公共服务、平安建设和基层治理工作。",
}
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗"
GIVEN = ["建华", "志强", "秀英", "海燕", "国平", "晓东", "丽娟", "卫东", "文杰", "春梅"]
OLD_PROFILES = {"天元区自然资源局", "天元区群丰镇人民政府"}


def _profiles(agencies: dict) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from portal import timeutil
    from portal.services import agency_profile_update

    tz = ZoneInfo("Asia/Shanghai")
    today = timeutil.local_today()
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
        day = today - timedelta(days=20 + 3 * i)
        if name in OLD_PROFILES:
            day = day.replace(year=day.year - 4, day=min(day.day, 28))
        when = datetime(day.year, day.month, day.day, 10, tzinfo=tz)
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
        user.password = demo_password_hash()  # hashed once: PBKDF2 is slow on purpose
        user.save(update_fields=["password"])
    StaffProfile.objects.update_or_create(
        user=user, defaults={"agency": Agency.objects.get(name=agency_name)}
    )
    for role in role_names:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    return user
