"""基层政务公开标准目录: the 时限 rule, the loader's line errors, idempotence, the sample
file and linking notices to items."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from catalog.models import StandardDomain, StandardItem
from catalog.services import standard_item_set_notices
from catalog.standard_catalogue import TimeLimitError, load_catalogue, parse_time_limit
from tests.catalog.public_data import at, publish
from tests.factories import AgencyFactory

SAMPLE = Path(settings.BASE_DIR) / "docs/examples/standard-catalogue-shehui-jiuzhu.csv"
HEADER = "领域,一级事项,事项名称,公开时限,公开主体,栏目\n"


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("信息形成或变更之日起20个工作日内", 20),
        ("制定或获取信息之日起10个工作日内，公示7个工作日", 10),
        ("自信息形成之日起２０个工作日内", 20),  # full-width digits
        ("每年1月31日前", None),
        ("每年2月29日之前", None),
        ("实时", None),
    ],
)
def test_time_limit_is_read(text, days):
    assert parse_time_limit(text) == days


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "不能为空"),
        ("尽快", "无法识别"),
        ("0个工作日内", "1 到 365"),
        ("400个工作日内", "1 到 365"),
        ("每年2月30日前", "日期不存在"),
        ("每年13月1日前", "日期不存在"),
    ],
)
def test_bad_time_limit_is_refused(text, message):
    with pytest.raises(TimeLimitError) as err:
        parse_time_limit(text)
    assert message in str(err.value)


@pytest.fixture
def civil(db):
    return AgencyFactory(name="天元区民政局", short_name="区民政局")


def test_bad_lines_get_numbered_errors_and_good_lines_load(civil):
    data = (
        HEADER
        + "社会救助,最低生活保障,审批信息,10个工作日内,天元区民政局,shjz\n"  # 2 ok
        + "社会救助,最低生活保障,审核信息,10个工作日内,天元区不存在局,\n"  # 3
        + "社会救助,最低生活保障,审批信息,20个工作日内,区民政局,\n"  # 4 dup of 2
        + "社会救助,临时救助,政策法规文件,尽快,天元区民政局,\n"  # 5
        + "社会救助,临时救助,办事指南,每年1月31日前,天元区民政局,nope\n"  # 6
        + "社会救助,特困人员救助供养,办事指南,实时,天元区民政局,\n"  # 7 ok
    ).encode()

    result = load_catalogue(data, fmt="csv")

    assert result.created == 2
    assert [e[:4] for e in result.errors] == [
        "第3行：",
        "第4行：",
        "第5行：",
        "第6行：",
    ]
    assert "公开主体“天元区不存在局”不是本平台的机关" in result.errors[0]
    assert "与第2行重复" in result.errors[1]
    assert "公开时限“尽快”无法识别" in result.errors[2]
    assert "栏目“nope”不存在" in result.errors[3]
    item = StandardItem.objects.get(name="审批信息")
    assert (item.agency, item.time_limit_working_days, item.column.slug) == (
        civil,
        10,
        "shjz",
    )


def test_loading_twice_updates_and_never_duplicates(civil):
    first = HEADER + "社会救助,临时救助,办事指南,10个工作日内,天元区民政局,\n"
    second = HEADER + "社会救助,临时救助,办事指南,20个工作日内,天元区民政局,\n"
    assert load_catalogue(first.encode(), fmt="csv").created == 1
    assert load_catalogue(first.encode(), fmt="csv").unchanged == 1
    assert load_catalogue(second.encode(), fmt="csv").updated == 1
    assert StandardItem.objects.get().time_limit_working_days == 20
    assert StandardDomain.objects.count() == 1


def test_jsonl_with_a_broken_line(civil):
    good = {
        "domain": "社会救助",
        "category": "综合业务",
        "name": "监督检查",
        "time_limit": "10个工作日内",
        "agency": "天元区民政局",
    }
    data = "\n".join(
        [json.dumps(good, ensure_ascii=False), "{not json", "[1, 2]"]
    ).encode()

    result = load_catalogue(data, fmt="jsonl")

    assert result.created == 1
    assert result.errors[0].startswith("第2行：不是有效的 JSON")
    assert result.errors[1] == "第3行：每行应为一个 JSON 对象"


def test_missing_required_values_and_headers(civil):
    result = load_catalogue((HEADER + "社会救助,,,,,\n").encode(), fmt="csv")
    assert result.errors == ["第2行：缺少事项名称；缺少公开时限；缺少公开主体"]
    result = load_catalogue("领域,事项名称\n社会救助,x\n".encode(), fmt="csv")
    assert result.errors == ["第1行：表头缺少“公开时限”“公开主体”列"]
    result = load_catalogue("领域".encode("gbk") + b"\xff", fmt="csv")
    assert result.errors == ["文件不是 UTF-8 编码，请另存为 UTF-8 后再导入"]


def test_the_sample_file_loads_completely(civil):
    AgencyFactory(name="天元区群丰镇人民政府", kind="township")
    out, err = StringIO(), StringIO()

    call_command("import_standard_catalogue", str(SAMPLE), stdout=out, stderr=err)

    assert err.getvalue() == ""
    assert "已导入 10 条（新增 10" in out.getvalue()
    domain = StandardDomain.objects.get()
    assert domain.name == "社会救助"
    assert "民办函〔2019〕52号" in domain.source
    assert StandardItem.objects.filter(agency__kind="township").count() == 2


def test_command_reports_errors_and_fails_when_nothing_loads(civil, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "社会救助,a,b,尽快,天元区民政局,\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="没有可导入的行"):
        call_command("import_standard_catalogue", str(bad), stderr=err)
    assert "第2行：公开时限“尽快”无法识别" in err.getvalue()
    with pytest.raises(CommandError, match="只支持"):
        call_command("import_standard_catalogue", str(tmp_path / "x.xlsx"))


def test_items_link_only_their_agencys_notices(civil, other_agency):
    load_catalogue(
        (HEADER + "社会救助,临时救助,办事指南,实时,天元区民政局,\n").encode(),
        fmt="csv",
    )
    item = StandardItem.objects.get()
    own = publish(agency=civil, title="临时救助办事指南", published_at=at(2026, 3, 2))
    foreign = publish(
        agency=other_agency, title="别家的信息", published_at=at(2026, 3, 2)
    )

    standard_item_set_notices(item=item, notices=[own])
    assert list(item.notices.all()) == [own]
    with pytest.raises(ValidationError, match="不是天元区民政局的信息"):
        standard_item_set_notices(item=item, notices=[own, foreign])
    assert list(item.notices.all()) == [own]
