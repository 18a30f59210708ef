from __future__ import annotations

import json
from datetime import date, datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from catalog import services
from catalog.demo import build_pdf
from catalog.models import (
    Attachment,
    Column,
    Genre,
    IndexCounter,
    Notice,
    NoticeEvent,
    Theme,
)
from portal.models import Agency
from tests.factories import AgencyFactory, NoticeFactory, UserFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
REPO = Path(__file__).resolve().parents[2]


def at(year, month, day, hour=9, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


REVIEWER = "baomi"  # a superuser: may confirm the 保密审查 for any agency


def run_import(path, *args, reviewed=True):
    """Run the command; ``reviewed`` names a 保密审查 confirmer so lines are published."""
    if reviewed and "--security-reviewed-by" not in args:
        UserFactory(username=REVIEWER, is_staff=True, is_superuser=True)
        args = (*args, "--security-reviewed-by", REVIEWER)
    out, err = StringIO(), StringIO()
    call_command("import_notices", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write_jsonl(tmp_path, records, name="notices.jsonl") -> Path:
    path = tmp_path / name
    lines = [
        r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def good(n: int, **extra) -> dict:
    return {
        "index_no": f"00001434-9/2024-{n:05d}",
        "title": f"关于做好第{n}项工作的通知",
        "publisher": "天元区教育局",
        "published_at": "2024-03-01T09:00:00",
        **extra,
    }


@pytest.fixture
def agencies(db):
    return {
        name: AgencyFactory(name=name, org_code=code)
        for name, code in [
            ("天元区教育局", "00001434-9"),
            ("天元区财政局", "014416330"),
            ("天元区人力资源和社会保障局", ""),
        ]
    }


def test_good_file_is_imported_with_all_fields(tmp_path, agencies):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "细则.pdf").write_bytes(
        build_pdf("实施细则", ["报名时间：7月1日"])
    )
    path = write_jsonl(
        tmp_path,
        [
            good(
                1,
                doc_number="株天教发[2024]05号",
                written_date="2024-02-27",
                theme="科技、教育\\教育",
                genre="通知",
                validity="有效",
                valid_from="2024-03-01",
                valid_until="2029-02-28",
                disclosure_mode="主动公开",
                audience="面向社会",
                department="天元区教育局",
                keywords=["招生", "入学"],
                summary="概述",
                body="<p>正文</p><script>alert(1)</script>",
                column="zcwj",
                attachments=[{"name": "实施细则.pdf", "path": "files/细则.pdf"}],
            ),
            {
                "title": "联合发文",
                "publisher": ["天元区财政局", "天元区人力资源和社会保障局"],
                "published_at": "2023-03-06",
                "theme": "劳动、人事、监察\\社会保障",
                "validity": "失效",
            },
        ],
    )
    out, err = run_import(path)
    assert err == ""
    assert "新增 2 条，更新 0 条，跳过 0 条" in out
    notice = Notice.objects.get(index_number="00001434-9/2024-00001")
    assert notice.published_at == at(2024, 3, 1)  # no offset = Beijing time
    assert notice.doc_number == "株天教发〔2024〕5号"
    assert notice.theme.full_name == "科技、教育\\教育"
    assert notice.genre.name == "通知"
    assert notice.column.slug == "zcwj"
    assert notice.keywords == ["招生", "入学"]
    assert (notice.valid_from, notice.valid_until) == (
        date(2024, 3, 1),
        date(2029, 2, 28),
    )
    assert "<script>" not in notice.body
    assert notice.attachments.get().text.startswith("实施细则")
    assert "报名时间" in notice.search_text
    assert list(notice.events.values_list("action", flat=True)) == [
        "imported",
        "updated",
    ]
    joint = Notice.objects.get(title="联合发文")
    assert [link.agency.name for link in joint.publisher_links.all()] == [
        "天元区财政局",
        "天元区人力资源和社会保障局",
    ]
    assert (
        joint.index_number == "014416330/2023-00001"
    )  # issued from the first publisher's template
    assert joint.published_at == at(2023, 3, 6, 0, 0)
    assert joint.validity == "expired"


def test_documented_example_file_imports_cleanly():
    out, err = run_import(
        REPO / "docs" / "examples" / "notices.jsonl", "--create-agencies"
    )
    assert err == ""
    assert "新增 5 条，更新 0 条，跳过 0 条" in out
    report = Notice.objects.get(index_number="0122/2016-00001")
    assert report.column.slug == "ndbg"
    policy = Notice.objects.get(index_number="43020125-9/2024-00031")
    assert [n.index_number for n in policy.interpretations.all()] == [
        "43020125-9/2024-00032"
    ]
    assert (
        Notice.objects.get(index_number="43020134-7/2022-00008").status == "withdrawn"
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("{not json", "不是有效的 JSON"),
        ("[1, 2]", "必须是一个 JSON 对象"),
        (good(2, colour="红"), "未知字段 colour"),
        (
            {"publisher": "天元区教育局", "published_at": "2024-03-01"},
            "字段 title（标题）必填",
        ),
        (
            {"title": "无发文机关", "published_at": "2024-03-01"},
            "字段 publisher（发文机关）必填",
        ),
        (
            {"title": "无发布时间", "publisher": "天元区教育局"},
            "字段 published_at（发布时间）必填",
        ),
        (
            good(2, publisher="天元区不存在局"),
            "字段 publisher（发文机关）中的机关“天元区不存在局”不存在",
        ),
        (good(2, publisher=["天元区教育局", "天元区教育局"]), "重复"),
        (good(2, published_at="2024/03/01"), "字段 published_at（发布时间）格式不正确"),
        (good(2, published_at="2024-02-30"), "字段 published_at（发布时间）格式不正确"),
        (good(2, written_date="20240301"), "字段 written_date（成文日期）格式不正确"),
        (
            good(2, doc_number="株天教发2024五号"),
            "字段 doc_number（发文字号）“株天教发2024五号”格式不正确",
        ),
        (good(2, validity="长期有效"), "字段 validity（有效性）“长期有效”无效"),
        (
            good(2, valid_from="2024-03-01", valid_until="2023-01-01"),
            "字段 valid_until（有效期至）早于施行日期",
        ),
        (good(2, disclosure_mode="公开"), "字段 disclosure_mode（公开方式）"),
        (good(2, theme="教育\\不存在"), "字段 theme（主题分类）“教育\\不存在”不存在"),
        (good(2, genre="小说"), "字段 genre（体裁）“小说”不存在"),
        (good(2, column="新闻"), "字段 column（栏目）“新闻”不存在"),
        (good(2, keywords="招生"), "字段 keywords（关键词）必须是字符串列表"),
        (good(2, title=123), "字段 title（标题）必须是字符串"),
        (good(2, title="长" * 301), "字段 title（标题）过长"),
        (good(2, index_no="有 空格/2024-1"), "字段 index_no（索引号）无效"),
        (
            good(2, attachments=[{"name": "a.pdf", "path": "nowhere.pdf"}]),
            "字段 attachments（附件）第 1 项的文件“nowhere.pdf”不存在",
        ),
        (
            good(2, attachments=[{"name": "伪装.pdf", "path": "fake.pdf"}]),
            "网页（HTML）",
        ),
        (good(2, attachments="a.pdf"), "字段 attachments（附件）必须是列表"),
        (good(2, withdrawn={"reason": ""}), "字段 withdrawn（撤销）缺少撤销原因"),
        (good(2, interpretations="X"), "字段 interpretations（相关解读）必须是"),
    ],
)
def test_bad_line_is_reported_with_number_and_reason_and_the_rest_is_imported(
    tmp_path, agencies, line, expected
):
    (tmp_path / "fake.pdf").write_bytes(b"<html><script>alert(1)</script></html>")
    path = write_jsonl(tmp_path, [good(1), line, good(3)])
    out, err = run_import(path)
    assert "第 2 行：" in err, err
    assert expected in err, err
    assert "第 1 行" not in err
    assert "第 3 行" not in err
    assert "新增 2 条，更新 0 条，跳过 1 条" in out
    assert sorted(Notice.objects.values_list("index_number", flat=True)) == [
        "00001434-9/2024-00001",
        "00001434-9/2024-00003",
    ]
    assert not Attachment.objects.exists()


def test_unknown_agency_is_created_with_create_agencies(tmp_path, agencies):
    path = write_jsonl(
        tmp_path,
        [
            good(1, publisher=["天元区新设局", "天元区教育局"]),
            good(2, publisher="天元区新设局"),
        ],
    )
    out, _ = run_import(path, "--create-agencies")
    assert "新增 2 条" in out
    assert Agency.objects.filter(name="天元区新设局").count() == 1
    created = Agency.objects.get(name="天元区新设局").events.get()
    assert created.action == "created"
    assert created.source == "import"
    assert created.changes["name"] == [None, "天元区新设局"]
    assert (
        Notice.objects.get(index_number="00001434-9/2024-00001").owner_agency.name
        == "天元区新设局"
    )


def test_dry_run_validates_and_writes_nothing(tmp_path, agencies, settings):
    (tmp_path / "a.txt").write_text("附件正文", encoding="utf-8")
    path = write_jsonl(
        tmp_path,
        [
            good(1, attachments=[{"name": "a.txt", "path": "a.txt"}]),
            good(2, publisher="天元区新设局"),
            good(3, genre="小说"),
        ],
    )
    out, err = run_import(path, "--dry-run", "--create-agencies")
    assert "试运行（未写入数据库）：新增 2 条，更新 0 条，跳过 1 条" in out
    assert "第 3 行：字段 genre（体裁）" in err
    assert not Notice.objects.exists()
    assert not NoticeEvent.objects.exists()
    assert not IndexCounter.objects.exists()
    assert not Agency.objects.filter(name="天元区新设局").exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_rerun_is_idempotent_and_changes_are_updates(tmp_path, agencies):
    (tmp_path / "a.txt").write_text("附件正文", encoding="utf-8")
    records = [
        good(1, attachments=[{"name": "a.txt", "path": "a.txt"}]),
        good(2),
        {k: v for k, v in good(3).items() if k != "index_no"},
    ]
    path = write_jsonl(tmp_path, records)
    run_import(path)
    events = NoticeEvent.objects.count()
    out, err = run_import(path)
    assert err == ""
    assert "新增 0 条，更新 3 条，跳过 0 条（其中 3 条内容无变化）" in out
    assert Notice.objects.count() == 3
    assert Attachment.objects.count() == 1
    assert NoticeEvent.objects.count() == events

    records[1]["title"] = "改过的标题"
    records[0]["attachments"] = []
    path = write_jsonl(tmp_path, records)
    out, _ = run_import(path)
    assert "新增 0 条，更新 3 条，跳过 0 条（其中 1 条内容无变化）" in out
    assert (
        Notice.objects.get(index_number="00001434-9/2024-00002").title == "改过的标题"
    )
    assert not Attachment.objects.exists()


def test_crash_midway_leaves_no_half_line_and_rerun_completes(
    tmp_path, agencies, monkeypatch, settings
):
    (tmp_path / "a.txt").write_text("第一个附件", encoding="utf-8")
    (tmp_path / "b.txt").write_text("第二个附件", encoding="utf-8")
    path = write_jsonl(
        tmp_path,
        [
            good(1),
            good(
                2,
                attachments=[
                    {"name": "a.txt", "path": "a.txt"},
                    {"name": "b.txt", "path": "b.txt"},
                ],
            ),
            good(3),
        ],
    )
    from catalog.management import notice_jsonl

    real_add = notice_jsonl.attachment_add
    calls = {"n": 0}

    def crash_on_second_file(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("磁盘已满")
        return real_add(**kwargs)

    monkeypatch.setattr(notice_jsonl, "attachment_add", crash_on_second_file)
    with pytest.raises(OSError, match="磁盘已满"):
        run_import(path)
    assert list(Notice.objects.values_list("index_number", flat=True)) == [
        "00001434-9/2024-00001"
    ]
    assert not Attachment.objects.exists()
    assert not any(
        p.is_file() for p in Path(settings.MEDIA_ROOT).rglob("*")
    )  # the first file was removed

    monkeypatch.setattr(notice_jsonl, "attachment_add", real_add)
    out, _ = run_import(path)
    assert "新增 2 条，更新 1 条，跳过 0 条" in out
    assert (
        Notice.objects.get(index_number="00001434-9/2024-00002").attachments.count()
        == 2
    )


def test_progress_is_shown_every_100_lines(tmp_path, agencies):
    path = write_jsonl(tmp_path, [good(n) for n in range(1, 151)])
    out, _ = run_import(path)
    assert "已处理 100 行：新增 100，更新 0，跳过 0" in out
    assert "新增 150 条，更新 0 条，跳过 0 条" in out


def test_interpretation_links_may_point_forward_and_missing_ones_are_reported(
    tmp_path, agencies
):
    path = write_jsonl(
        tmp_path,
        [
            good(1, interpretations=["00001434-9/2024-00002", "NOPE/2024-1"]),
            good(2, genre="解读"),
        ],
    )
    out, err = run_import(path)
    assert "新增 2 条" in out
    assert (
        "第 1 行：字段 interpretations（相关解读）中的索引号“NOPE/2024-1”不存在" in err
    )
    policy = Notice.objects.get(index_number="00001434-9/2024-00001")
    assert [n.index_number for n in policy.interpretations.all()] == [
        "00001434-9/2024-00002"
    ]


def snapshot() -> dict:
    """Everything the catalog shows about each public notice, keyed by 索引号."""
    out = {}
    for n in Notice.objects.published().prefetch_related(
        "attachments", "interpretations", "publisher_links__agency"
    ):
        out[n.index_number] = {
            "title": n.title,
            "publishers": [link.agency.name for link in n.publisher_links.all()],
            "owner": n.owner_agency.name,
            "doc_number": n.doc_number,
            "written_date": n.written_date,
            "published_at": n.published_at,
            "theme": n.theme.full_name if n.theme else None,
            "genre": n.genre.name if n.genre else None,
            "validity": n.validity,
            "valid_from": n.valid_from,
            "valid_until": n.valid_until,
            "disclosure_mode": n.disclosure_mode,
            "audience": n.audience,
            "department": n.department,
            "keywords": n.keywords,
            "summary": n.summary,
            "body": n.body,
            "column": n.column.slug if n.column else None,
            "status": n.status,
            "withdrawn_at": n.withdrawn_at,
            "withdrawn_reason": n.withdrawn_reason,
            "interpretations": sorted(i.index_number for i in n.interpretations.all()),
            "attachments": [
                (a.name, a.sha256, a.text, a.content_type) for a in n.attachments.all()
            ],
            "search_text": n.search_text,
        }
    return out


def test_export_then_import_into_an_empty_database_reproduces_the_catalog(
    tmp_path, agencies
):
    edu, fin, hr = (
        agencies["天元区教育局"],
        agencies["天元区财政局"],
        agencies["天元区人力资源和社会保障局"],
    )
    policy = NoticeFactory(
        owner_agency=fin,
        publishers=[fin, hr],
        title="关于调整城乡居民基本养老保险缴费档次的通知",
        doc_number="株天财发〔2023〕7号",
        written_date=date(2023, 3, 1),
        theme=Theme.objects.get(name="社会保障"),
        genre=Genre.objects.get(name="行政规范性文件"),
        validity=Notice.Validity.EFFECTIVE,
        valid_from=date(2023, 4, 1),
        valid_until=date(2025, 3, 31),
        keywords=["养老保险", "缴费档次"],
        summary="调整缴费档次",
        body="<p>各街道：</p><p>现将有关事项通知如下。</p>",
        column=Column.objects.get(slug="zcwj"),
        department="区财政局",
        audience="面向社会",
        published_at=at(2023, 3, 6, 10, 30),
    )
    services.attachment_add(
        notice=policy,
        by=None,
        name="附件1：缴费档次表.pdf",
        content=build_pdf("缴费档次表", ["第一档 200元"]),
    )
    services.attachment_add(
        notice=policy,
        by=None,
        name="附件2：说明.txt",
        content="说明文字".encode("gb18030"),
    )
    reading = NoticeFactory(
        owner_agency=fin,
        title="政策解读",
        genre=Genre.objects.get(name="解读"),
        published_at=at(2023, 3, 6, 11),
    )
    services.notice_link_interpretation(policy=policy, interpretation=reading, by=None)
    withdrawn = NoticeFactory(
        owner_agency=edu, title="已撤销的公告", published_at=at(2024, 1, 5)
    )
    services.notice_withdraw(
        category="mistake",
        notice=withdrawn,
        by=None,
        now=at(2024, 2, 1, 8, 15),
        reason="数据有误",
    )
    services.notice_import_upsert(
        publishers=[edu],
        published_at=at(2014, 2, 27, 0, 0),
        index_number="0122/2016-00001",
        title="2013年年度报告",
        disclosure_mode=Notice.DisclosureMode.ON_REQUEST,
        security_reviewed_by=UserFactory(
            username=REVIEWER, is_staff=True, is_superuser=True
        ),
    )
    NoticeFactory(owner_agency=edu, title="草稿不导出")
    before = snapshot()
    assert len(before) == 4

    out_file = tmp_path / "export" / "notices.jsonl"
    out_file.parent.mkdir()
    err = StringIO()
    call_command(
        "export_notices",
        "--output",
        str(out_file),
        "--attachments-dir",
        str(tmp_path / "export" / "files"),
        "--include-withdrawn-content",
        stdout=StringIO(),
        stderr=err,
    )
    assert "已导出 4 条政府信息" in err.getvalue()
    assert "--include-withdrawn-content" in err.getvalue()
    lines = [
        json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()
    ]
    assert lines[0]["index_no"] == "0122/2016-00001"
    joint = next(line for line in lines if line["title"].startswith("关于调整"))
    assert joint["publisher"] == ["天元区财政局", "天元区人力资源和社会保障局"]
    assert joint["attachments"][0]["path"].startswith("files/")

    # an empty database: no notices, history, counters, agencies
    NoticeEvent.objects.all().delete()
    Attachment.objects.all().delete()
    Notice.objects.all().delete()
    IndexCounter.objects.all().delete()
    Agency.objects.all().delete()

    out, err = run_import(out_file, "--create-agencies")
    assert err == ""
    assert "新增 4 条，更新 0 条，跳过 0 条" in out
    assert snapshot() == before


def test_export_to_stdout_is_pure_jsonl(agencies):
    NoticeFactory(
        owner_agency=agencies["天元区教育局"],
        title="第一条",
        published_at=at(2024, 3, 1),
    )
    NoticeFactory(
        owner_agency=agencies["天元区教育局"],
        title="第二条",
        published_at=at(2024, 3, 2),
    )
    out, err = StringIO(), StringIO()
    call_command("export_notices", stdout=out, stderr=err)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["title"] for r in records] == ["第一条", "第二条"]
    assert "attachments" not in records[0]
    assert records[0]["published_at"] == "2024-03-01T09:00:00+08:00"
    assert "已导出 2 条" in err.getvalue()


def test_export_writes_withdrawn_notices_as_their_public_stub(tmp_path, agencies):
    edu = agencies["天元区教育局"]
    mistake = NoticeFactory(
        owner_agency=edu, title="错发的通知", published_at=at(2024, 1, 5)
    )
    services.attachment_add(
        notice=mistake, by=None, name="名单.txt", content="内部名单".encode()
    )
    personal = NoticeFactory(
        owner_agency=edu, title="关于张三丰的处分决定", published_at=at(2024, 1, 6)
    )
    services.notice_update(notice=personal, by=None, body="<p>处分正文</p>")
    for notice, category in ((mistake, "mistake"), (personal, "personal_data")):
        services.notice_withdraw(
            notice=notice,
            by=None,
            now=at(2024, 2, 1),
            category=category,
            reason="内部撤回说明",
        )
    out, err = StringIO(), StringIO()
    call_command(
        "export_notices",
        "--attachments-dir",
        str(tmp_path / "files"),
        stdout=out,
        stderr=err,
    )
    text = out.getvalue()
    for secret in ("张三丰", "处分正文", "内部撤回说明", "名单"):
        assert secret not in text
    records = [json.loads(line) for line in text.splitlines()]
    assert [r["title"] for r in records] == ["错发的通知", "（已撤回的信息）"]
    assert records[1] == {
        "index_no": personal.index_number,
        "title": "（已撤回的信息）",
        "publisher": "天元区教育局",
        "published_at": "2024-01-06T09:00:00+08:00",
        "withdrawn": {
            "at": "2024-02-01T09:00:00+08:00",
            "reason": "含有个人信息",
            "category": "personal_data",
        },
    }
    assert not (tmp_path / "files").exists() or not any((tmp_path / "files").iterdir())
    assert "2 条已撤回，只导出了撤回提示" in err.getvalue()

    full, err = StringIO(), StringIO()
    call_command(
        "export_notices", "--include-withdrawn-content", stdout=full, stderr=err
    )
    assert "张三丰" in full.getvalue()
    assert "内部撤回说明" in full.getvalue()
    assert "仅供内部备份，不得公开" in err.getvalue()
