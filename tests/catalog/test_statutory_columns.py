"""The 法定主动公开 column tree (条例 第二十条, 第二十一条) and its migration."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from catalog.models import Column, column_required_for, column_rule_errors
from portal.models import Agency
from tests.factories import AgencyFactory

ITEMS = [
    "（一）",
    "（二）",
    "（三）",
    "（四）",
    "（五）",
    "（六）",
    "（七）",
    "（八）",
    "（九）",
    "（十）",
    "（十一）",
    "（十二）",
    "（十三）",
    "（十四）",
    "（十五）",
]
OLD_SLUGS = ["zcwj", "zcjd", "tzgg", "ghjh", "czxx", "rsxx", "xzxk", "ndbg", "qtxx"]


@pytest.mark.django_db
def test_every_item_of_article_20_has_exactly_one_column_under_the_root():
    root = Column.objects.get(slug="fdzdgk")
    children = list(root.children.all())
    for item in ITEMS:
        basis = f"第二十条第{item}项"
        matching = [c for c in children if c.legal_basis == basis]
        assert len(matching) == 1, basis
        # the description cites the item it maps
        assert matching[0].description.startswith(basis + "：")


@pytest.mark.django_db
def test_article_21_areas_sit_under_one_county_node():
    node = Column.objects.get(slug="zdly", parent__slug="fdzdgk")
    areas = set(node.children.values_list("name", flat=True))
    assert areas == {
        "市政建设",
        "公共服务",
        "公益事业",
        "土地征收",
        "房屋征收",
        "治安管理",
        "社会救助",
    }
    assert all(
        c.legal_basis == "第二十一条" and c.required_scope == "some"
        for c in node.children.all()
    )


@pytest.mark.django_db
def test_seeded_slugs_survive_and_statutory_extras_exist():
    slugs = set(Column.objects.values_list("slug", flat=True))
    assert set(OLD_SLUGS) <= slugs
    assert {"jgxx", "xxgkzd", "gzdt", "xzcf", "tjxx"} <= slugs
    assert Column.objects.get(slug="zcjd").parent.slug == "zcwj"
    assert Column.objects.get(slug="xxgkzd").legal_basis == "第四条第一款"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "rule", "days"),
    [
        ("gzdt", "dynamic", 14),
        ("tzgg", "periodic", 183),
        ("zcwj", "periodic", 183),
        ("rsxx", "periodic", 365),
        ("ghjh", "periodic", 365),
        ("jgxx", "on_change", None),
        ("ndbg", "none", None),
    ],
)
def test_update_rule_defaults(slug, rule, days):
    column = Column.objects.get(slug=slug)
    assert (column.update_rule, column.max_days) == (rule, days)
    if rule != "none":
        assert column.rule_source


@pytest.mark.parametrize(
    ("rule", "days", "ok"),
    [
        ("dynamic", 14, True),
        ("dynamic", None, False),
        ("periodic", 0, False),
        ("on_change", None, True),
        ("on_change", 30, False),
        ("none", None, True),
    ],
)
def test_column_rule_errors(rule, days, ok):
    assert (column_rule_errors(update_rule=rule, max_days=days) == {}) is ok


@pytest.mark.parametrize(
    ("scope", "kind", "listed", "required"),
    [
        ("all", "department", False, True),
        ("government", "government", False, True),
        ("government", "department", False, False),
        ("government", "township", False, False),
        ("some", "department", True, True),
        ("some", "department", False, False),
        ("some", "government", False, False),
    ],
)
def test_column_required_for(scope, kind, listed, required):
    ids = {7} if listed else {8}
    assert (
        column_required_for(
            scope=scope, agency_id=7, agency_kind=kind, required_ids=ids
        )
        is required
    )


@pytest.mark.django_db
def test_applies_to_reads_required_agencies(agency, other_agency):
    column = Column.objects.get(slug="tjxx")
    column.required_agencies.add(agency)
    assert column.applies_to(agency)
    assert not column.applies_to(other_agency)


@pytest.mark.django_db
def test_clean_rejects_a_cycle_and_a_timed_rule_without_days():
    root = Column.objects.get(slug="fdzdgk")
    root.parent = Column.objects.get(slug="zcjd")  # zcjd < zcwj < fdzdgk
    with pytest.raises(ValidationError) as err:
        root.clean()
    assert "上级栏目不能是本栏目或其下级栏目" in str(err.value)
    column = Column(name="x", slug="x", update_rule="periodic")
    with pytest.raises(ValidationError) as err:
        column.clean()
    assert "最长未更新天数" in str(err.value)


@pytest.mark.django_db
def test_database_refuses_a_timed_rule_without_days():
    with pytest.raises(IntegrityError), transaction.atomic():
        Column.objects.create(name="坏栏目", slug="bad", update_rule="dynamic")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_builds_the_tree_from_the_flat_columns_and_moves_penalties():
    before = [("catalog", "0008_withdrawal_security_review_link_requests")]
    after = [("catalog", "0009_statutory_columns")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldColumn = old.get_model("catalog", "Column")
    OldNotice = old.get_model("catalog", "Notice")
    assert OldColumn.objects.get(slug="xzxk").name == "行政许可和处罚"
    # portal is not migrated back: the agency is made with today's model
    owner = AgencyFactory(name="天元区市场监督管理局")
    xzxk = OldColumn.objects.get(slug="xzxk")
    penalty = OldNotice.objects.create(
        owner_agency_id=owner.pk, title="公开2026年行政处罚案件信息", column=xzxk
    )
    licence = OldNotice.objects.create(
        owner_agency_id=owner.pk, title="规范个体工商户登记注册", column=xzxk
    )
    # a column the county made itself under a name the tree needs is adopted
    OldColumn.objects.create(name="工作动态", slug="dongtai", sort_order=95)
    bulletin = OldNotice.objects.create(
        owner_agency_id=owner.pk,
        title="做好元旦春节期间有关工作",
        column=OldColumn.objects.get(slug="tzgg"),
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    Notice = new.get_model("catalog", "Notice")
    assert Notice.objects.get(pk=penalty.pk).column.slug == "xzcf"
    assert Notice.objects.get(pk=licence.pk).column.slug == "xzxk"
    assert Notice.objects.get(pk=bulletin.pk).column.slug == "tzgg"
    NewColumn = new.get_model("catalog", "Column")
    assert NewColumn.objects.get(slug="xzxk").parent.slug == "fdzdgk"
    adopted = NewColumn.objects.get(name="工作动态")
    assert (adopted.slug, adopted.update_rule, adopted.max_days) == (
        "dongtai",
        "dynamic",
        14,
    )
    assert not NewColumn.objects.filter(slug="gzdt").exists()

    # and back: the flat list again, the penalty notice back in xzxk
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(before)
    assert OldColumn.objects.count() == len(OLD_SLUGS) + 1  # the county's own kept
    assert OldNotice.objects.get(pk=penalty.pk).column.slug == "xzxk"
    assert OldColumn.objects.get(slug="xzxk").name == "行政许可和处罚"
    assert (
        list(
            OldColumn.objects.filter(slug__in=OLD_SLUGS).values_list("slug", flat=True)
        )
        == OLD_SLUGS
    )  # the seeded order again
    OldColumn.objects.filter(slug="dongtai").delete()

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Agency.objects.filter(name="天元区市场监督管理局").exists()
