"""Journey: a citizen searches the catalog in a real browser.

From the home page a citizen searches for a phrase, sees exactly the notices that contain
it, narrows them by 主题分类 and 发布年份 with the filter links, opens one, reads its
metadata, downloads its PDF attachment and switches 字体 to 大 (the choice survives the
next page load) and back to 中.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from catalog import services as catalog_services
from catalog.demo import build_pdf
from tests.browser.conftest import snap
from tests.catalog.public_data import at, publish, theme

PHRASE = "义务教育阶段学生资助"

# the three notices containing PHRASE (one only in its body) and three that contain parts of it
MATCHING_2025_EDUCATION = "关于做好2025年义务教育阶段学生资助工作的通知"
MATCHING_2024_FINANCE = "天元区2024年义务教育阶段学生资助资金分配结果公示"
MATCHING_2024_EDUCATION_BODY_ONLY = "2024年学生资助政策问答"
NOT_MATCHING = [
    "关于做好2025年义务教育招生入学工作的通知",  # 义务教育 only
    "天元区学生资助管理中心工作职责",  # 学生资助 only
    "关于印发高中阶段学生资助实施办法的通知",  # 阶段学生资助, not 义务教育阶段…
]


@pytest.fixture
def catalog_notices(agency, other_agency):
    """Six published notices, three containing PHRASE; the first has a PDF attachment."""
    education, finance = (
        theme("教育", parent="科技、教育"),
        theme("财政", parent="财政、金融、审计"),
    )
    main = publish(
        agency=agency,
        title=MATCHING_2025_EDUCATION,
        doc_number="天教发〔2025〕3号",
        written_date=at(2025, 3, 5).date(),
        theme=education,
        summary="明确2025年义务教育阶段学生资助的对象、标准和申请程序。",
        body="<p>各中小学校：</p><p>现就做好2025年义务教育阶段学生资助工作通知如下。</p>",
        published_at=at(2025, 3, 10),
    )
    pdf = build_pdf("资助申请表", ["申请对象：在校学生", "受理电话 0731-28112401"])
    catalog_services.attachment_add(
        notice=main, by=None, name="资助申请表.pdf", content=pdf
    )
    publish(
        agency=other_agency,
        title=MATCHING_2024_FINANCE,
        doc_number="天财教〔2024〕12号",
        theme=finance,
        body="<p>现将资金分配结果予以公示。</p>",
        published_at=at(2024, 6, 18),
    )
    publish(
        agency=agency,
        title=MATCHING_2024_EDUCATION_BODY_ONLY,
        theme=education,
        body="<p>问：义务教育阶段学生资助有哪些项目？</p><p>答：包括生活补助等。</p>",
        published_at=at(2024, 9, 2),
    )
    publish(
        agency=agency,
        title=NOT_MATCHING[0],
        theme=education,
        published_at=at(2025, 5, 6),
        body="<p>义务教育招生入学。</p>",
    )
    publish(
        agency=agency,
        title=NOT_MATCHING[1],
        theme=education,
        published_at=at(2025, 1, 8),
        body="<p>负责学生资助管理。</p>",
    )
    publish(
        agency=agency,
        title=NOT_MATCHING[2],
        theme=education,
        published_at=at(2024, 4, 1),
        body="<p>高中阶段学生资助。</p>",
    )
    main.refresh_from_db()
    return {"notice": main, "pdf": pdf, "theme": education}


def result_titles(page: Page) -> list[str]:
    return sorted(page.locator("ol.results-list > li h3").all_inner_texts())


def meta_value(page: Page, label: str):
    """The <dd> next to the <dt> ``label`` in the notice's 信息属性 block."""
    return (
        page.locator("dl.meta-block")
        .locator("div")
        .filter(has=page.locator("dt", has_text=re.compile(f"^{label}$")))
        .locator("dd")
    )


def font_link(page: Page, size: str):
    """The 字体 大/中/小 link in the header (its name reads “大 号字体”)."""
    return page.get_by_role("group", name="显示设置").get_by_role(
        "link", name=re.compile(rf"^{size}\s*号字体$")
    )


def font_size(page: Page, selector: str) -> float:
    return float(
        page.locator(selector).first.evaluate(
            "el => parseFloat(getComputedStyle(el).fontSize)"
        )
    )


def test_citizen_searches_filters_opens_downloads_and_changes_font(
    page: Page, catalog_notices, tmp_path
):
    notice = catalog_notices["notice"]
    page.goto("/")

    # search from the home page
    search = page.get_by_role("search").get_by_role("searchbox", name="关键词")
    search.fill(PHRASE)
    page.get_by_role("search").get_by_role("button", name="检索").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("政府信息公开目录")
    expect(page.get_by_role("heading", name="共 3 条")).to_be_visible()
    expect(page.locator("ol.results-list > li")).to_have_count(3)
    assert result_titles(page) == sorted(
        [
            MATCHING_2025_EDUCATION,
            MATCHING_2024_FINANCE,
            MATCHING_2024_EDUCATION_BODY_ONLY,
        ]
    )
    for title in NOT_MATCHING:
        expect(page.get_by_role("link", name=title)).to_have_count(0)
    # the words found are marked, in the title or in the snippet of the body-only match
    expect(page.locator("ol.results-list mark").first).to_have_text(PHRASE)
    body_only = page.locator("ol.results-list > li").filter(
        has_text=MATCHING_2024_EDUCATION_BODY_ONLY
    )
    expect(body_only.locator(".snippet mark")).to_have_text(PHRASE)
    # the keyword stays in the search box of the results page
    expect(page.get_by_role("searchbox", name="关键词")).to_have_value(PHRASE)

    # filter by 主题分类: the parent 科技、教育 includes 教育
    themes = page.get_by_role("region", name="主题分类")
    expect(
        themes.get_by_role("link", name=re.compile(r"^财政、金融、审计"))
    ).to_be_visible()
    themes.get_by_role("link", name=re.compile(r"^科技、教育")).click()
    expect(page.get_by_role("heading", name="共 2 条")).to_be_visible()
    assert result_titles(page) == sorted(
        [MATCHING_2025_EDUCATION, MATCHING_2024_EDUCATION_BODY_ONLY]
    )
    expect(page.locator(".chosen")).to_contain_text("主题分类：科技、教育")

    # then by 发布年份
    years = page.get_by_role("region", name="发布年份")
    expect(years.get_by_role("link")).to_have_text(
        [re.compile(r"^2025年"), re.compile(r"^2024年")]
    )
    years.get_by_role("link", name=re.compile(r"^2025年")).click()
    expect(page.get_by_role("heading", name="共 1 条")).to_be_visible()
    assert result_titles(page) == [MATCHING_2025_EDUCATION]
    expect(page.locator(".chosen")).to_contain_text("发布年份：2025年")
    expect(page.get_by_role("searchbox", name="关键词")).to_have_value(PHRASE)

    # open the notice
    page.get_by_role("link", name=MATCHING_2025_EDUCATION).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MATCHING_2025_EDUCATION)
    assert notice.index_number  # issued on publication
    expect(meta_value(page, "索引号")).to_have_text(notice.index_number)
    expect(meta_value(page, "发文机关")).to_have_text("天元区教育局")
    expect(meta_value(page, "发文字号")).to_have_text("天教发〔2025〕3号")
    expect(meta_value(page, "成文日期")).to_have_text("2025-03-05")
    expect(meta_value(page, "发布时间")).to_have_text("2025-03-10 09:00")
    expect(meta_value(page, "所属主题")).to_have_text(
        catalog_notices["theme"].full_name
    )
    expect(meta_value(page, "有效性")).not_to_be_empty()

    # download the attachment: the very bytes that were published
    attachments = page.get_by_role("region", name="附件")
    with page.expect_download() as info:
        attachments.get_by_role("link", name="资助申请表.pdf").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == "资助申请表.pdf"
    saved = tmp_path / "download.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == catalog_notices["pdf"]

    # 字体 大: the text grows at once, and stays large on the next page load
    body_text = ".article-body p"
    medium = font_size(page, body_text)
    large_link = font_link(page, "大")
    large_link.click()
    expect(large_link).to_have_attribute("aria-current", "true")
    expect(page.locator("html")).to_have_class(re.compile(r"\bfont-large\b"))
    large = font_size(page, body_text)
    assert large > medium

    page.reload()
    expect(page.locator("html")).to_have_class(re.compile(r"\bfont-large\b"))
    expect(font_link(page, "大")).to_have_attribute("aria-current", "true")
    assert font_size(page, body_text) == large

    # … and on another page the citizen opens
    page.get_by_role("link", name="返回政府信息公开目录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("政府信息公开目录")
    expect(page.locator("html")).to_have_class(re.compile(r"\bfont-large\b"))
    list_large = font_size(page, "#id_q_help")

    # back to 中
    font_link(page, "中").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bfont-medium\b"))
    assert font_size(page, "#id_q_help") < list_large
    page.reload()
    expect(page.locator("html")).to_have_class(re.compile(r"\bfont-medium\b"))
    expect(font_link(page, "中")).to_have_attribute("aria-current", "true")
    page.get_by_role("link", name=MATCHING_2025_EDUCATION).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MATCHING_2025_EDUCATION)
    assert font_size(page, body_text) == medium

    snap(page, "citizen_search_final")
