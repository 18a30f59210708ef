"""Seed the catalog's managed lists, and give the 管理员 group its catalog permissions.

- 主题分类: the 22 gov.cn themes and their children, exactly as domain.md §4.5
  (sort_order follows the listed position; gov_id only where it is known).
- 体裁: the 15 公文种类 of 《党政机关公文处理工作条例》 第八条 (is_statutory=True, in that
  order), then the local 体裁 a district uses (the annual report counts 规章 and
  行政规范性文件 by these exact names).
- 栏目: the browsing columns of a district portal.
- 管理员 (portal.roles.ADMIN): the catalog permissions staff need in the Django admin.
  Permissions are normally created after migrate (post_migrate), so they are created
  here first for a fresh database.

Every step is reversible; the reverse removes only what this migration added.
"""

from django.db import migrations

THEMES = [
    ("国务院组织机构", ["国务院", "国务院办公厅", "国务院组成部门", "国务院直属特设机构", "国务院直属机构",
                  "国务院办事机构", "国务院直属事业单位", "国务院部委管理的国家局", "国务院议事协调机构", "其他"]),
    ("综合政务", ["政务公开", "政务督查", "应急管理", "电子政务", "文秘工作", "保密工作", "信访", "参事、文史", "其他"]),
    ("国民经济管理、国有资产监管", ["宏观经济", "经济体制改革", "统计", "物价", "国有资产监管", "重大建设项目", "其他"]),
    ("财政、金融、审计", ["财政", "税务", "银行", "货币（含外汇）", "证券", "保险", "社会信用体系建设", "审计", "其他"]),
    ("国土资源、能源", ["土地", "矿产", "水资源", "海洋", "煤炭", "石油与天然气", "电力", "其他"]),
    ("农业、林业、水利", ["农业、畜牧业、渔业", "林业", "水利", "其他"]),
    ("工业、交通", ["机械制造与重工业", "轻工纺织", "化工", "国防工业", "航天、航空", "信息产业（含电信）",
               "公路", "水运", "铁路", "民航", "邮政", "其他"]),
    ("商贸、海关、旅游", ["对外经贸合作", "国内贸易（含供销）", "海关", "检验、检疫", "旅游", "其他"]),
    ("市场监管、安全生产监管", ["工商", "质量监督", "标准", "食品药品监管", "安全生产监管", "其他"]),
    ("城乡建设、环境保护", ["城市规划", "城乡建设（含住房）", "环境监测、保护与治理", "节能与资源综合利用",
                   "气象、水文、测绘、地震", "其他"]),
    ("科技、教育", ["科技", "教育", "知识产权", "其他"]),
    ("文化、广电、新闻出版", ["文化", "文物", "新闻出版", "广播、电影、电视", "其他"]),
    ("卫生、体育", ["卫生", "医药管理", "体育", "其他"]),
    ("人口与计划生育、妇女儿童工作", ["人口与计划生育", "妇女儿童", "其他"]),
    ("劳动、人事、监察", ["劳动就业", "社会保障", "人事工作", "军转安置", "监察", "纠正行业不正之风", "其他"]),
    ("公安、安全、司法", ["公安", "国家安全", "司法", "其他"]),
    ("民政、扶贫、救灾", ["减灾救灾", "优抚安置", "社会福利", "行政区划与地名", "社团管理", "扶贫", "其他"]),
    ("民族、宗教", ["民族事务", "宗教事务"]),
    ("对外事务", ["外交、外事", "国际条约、国际组织", "其他"]),
    ("港澳台侨工作", ["港澳工作", "对台工作", "侨务工作"]),
    ("国防", ["国防建设", "国防动员"]),
    ("其他", []),
]
# gov.cn numeric ids known from domain.md §4.5 (used when syncing with gov.cn)
GOV_IDS = {("科技、教育", None): 1088, ("科技、教育", "科技"): 2220}

STATUTORY_GENRES = ["决议", "决定", "命令（令）", "公报", "公告", "通告", "意见", "通知", "通报", "报告",
                    "请示", "批复", "议案", "函", "纪要"]
LOCAL_GENRES = ["规章", "行政规范性文件", "办法", "规定", "方案", "规划", "公示", "解读", "年报", "其他"]

COLUMNS = [
    ("政策文件", "zcwj", "本级政府及部门制发的政策性文件", True),
    ("政策解读", "zcjd", "对政策文件的解读、图解和问答", True),
    ("通知公告", "tzgg", "通知、公告、公示", True),
    ("规划计划", "ghjh", "国民经济和社会发展规划、专项规划和年度计划", True),
    ("财政信息", "czxx", "财政预算、决算和“三公”经费", True),
    ("人事信息", "rsxx", "公务员招考、人事任免", True),
    ("行政许可和处罚", "xzxk", "行政许可、行政处罚的依据、程序和结果", True),
    ("政府信息公开年报", "ndbg", "政府信息公开工作年度报告", False),
    ("其他信息", "qtxx", "其他主动公开的政府信息", False),
]

ADMIN_GROUP = "管理员"  # portal.roles.ADMIN (a literal: migrations must not import app code)
# (model, actions): notices are never deleted (they are withdrawn); the managed lists
# (主题分类、体裁、栏目) are edited by superusers, staff only read them.
ADMIN_PERMISSIONS = [
    ("notice", ["add", "change", "view"]),
    ("attachment", ["add", "change", "delete", "view"]),
    ("noticeevent", ["view"]),
    ("theme", ["view"]),
    ("genre", ["view"]),
    ("column", ["view"]),
]


def seed_themes(apps, schema_editor):
    Theme = apps.get_model("catalog", "Theme")
    for i, (parent_name, children) in enumerate(THEMES, start=1):
        parent, _ = Theme.objects.get_or_create(
            name=parent_name, parent=None,
            defaults={"sort_order": i, "gov_id": GOV_IDS.get((parent_name, None))},
        )
        for j, child in enumerate(children, start=1):
            Theme.objects.get_or_create(
                name=child, parent=parent,
                defaults={"sort_order": j, "gov_id": GOV_IDS.get((parent_name, child))},
            )


def unseed_themes(apps, schema_editor):
    Theme = apps.get_model("catalog", "Theme")
    for parent_name, children in THEMES:
        Theme.objects.filter(parent__name=parent_name, parent__parent=None, name__in=children).delete()
        Theme.objects.filter(parent=None, name=parent_name, children__isnull=True).delete()


def seed_genres(apps, schema_editor):
    Genre = apps.get_model("catalog", "Genre")
    for i, name in enumerate(STATUTORY_GENRES, start=1):
        Genre.objects.get_or_create(name=name, defaults={"sort_order": i, "is_statutory": True})
    for i, name in enumerate(LOCAL_GENRES, start=len(STATUTORY_GENRES) + 1):
        Genre.objects.get_or_create(name=name, defaults={"sort_order": i, "is_statutory": False})


def unseed_genres(apps, schema_editor):
    Genre = apps.get_model("catalog", "Genre")
    Genre.objects.filter(name__in=STATUTORY_GENRES + LOCAL_GENRES).delete()


def seed_columns(apps, schema_editor):
    Column = apps.get_model("catalog", "Column")
    for i, (name, slug, description, show_on_home) in enumerate(COLUMNS, start=1):
        Column.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "description": description, "sort_order": i * 10, "show_on_home": show_on_home},
        )


def unseed_columns(apps, schema_editor):
    Column = apps.get_model("catalog", "Column")
    Column.objects.filter(slug__in=[slug for _, slug, _, _ in COLUMNS]).delete()


def _catalog_permissions(apps):
    from django.contrib.auth.management import create_permissions

    Permission = apps.get_model("auth", "Permission")
    catalog_config = apps.get_app_config("catalog")
    # post_migrate has not run yet on a fresh database: create the rows now
    catalog_config.models_module = True
    create_permissions(catalog_config, apps=apps, verbosity=0)
    catalog_config.models_module = None
    codenames = [f"{action}_{model}" for model, actions in ADMIN_PERMISSIONS for action in actions]
    return Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames)


def grant_admin_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    group.permissions.add(*_catalog_permissions(apps))


def revoke_admin_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=ADMIN_GROUP).first()
    if group is not None:
        group.permissions.remove(*_catalog_permissions(apps))


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(seed_themes, unseed_themes),
        migrations.RunPython(seed_genres, unseed_genres),
        migrations.RunPython(seed_columns, unseed_columns),
        migrations.RunPython(grant_admin_permissions, revoke_admin_permissions),
    ]
