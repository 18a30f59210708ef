"""Public catalog pages: home, notice page, attachment download, 目录, 指南, 网站地图, sitemap.xml."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse

from catalog.attachments import attachment_add
from catalog.models import Attachment
from catalog.services import notice_link_interpretation
from tests.catalog.public_data import (
    TZ,
    at,
    column,
    draft,
    genre,
    publish,
    theme,
    withdraw,
)
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def meta(html: str, name: str) -> str | None:
    found = re.search(rf'<meta name="{name}" content="([^"]*)"', html)
    return found.group(1) if found else None


def detail_url(notice) -> str:
    return reverse("catalog:notice_detail", args=[notice.uuid])


# -- home ----------------------------------------------------------------------------------------


def test_home_lists_latest_notices_per_column_without_drafts_or_withdrawn(
    client, agency
):
    policy = publish(
        agency=agency, title="关于印发教育发展规划的通知", column=column("zcwj")
    )
    notice = publish(
        agency=agency, title="关于开展招生报名的公告", column=column("tzgg")
    )
    gone = withdraw(
        publish(agency=agency, title="已撤销的旧通知", column=column("tzgg"))
    )
    draft(agency=agency, title="尚未发布的草稿", column=column("zcwj"))

    html = client.get(reverse("catalog:home")).content.decode()

    assert policy.title in html
    assert notice.title in html
    assert gone.title not in html
    assert "尚未发布的草稿" not in html
    assert "?column=zcwj" in html  # 更多 link to the column
    for name in (
        "catalog:guide",
        "catalog:directory",
        "requests_app:landing",
        "disclosure:report_list",
    ):
        assert f'href="{reverse(name)}"' in html
    assert 'name="q"' in html


def test_home_shows_at_most_eight_newest_per_column(client, agency):
    for day in range(1, 11):
        publish(
            agency=agency,
            title=f"第{day:02d}号通知",
            column=column("tzgg"),
            published_at=at(2024, 5, day),
        )

    html = client.get(reverse("catalog:home")).content.decode()

    assert "第10号通知" in html
    assert "第03号通知" in html
    assert "第02号通知" not in html


def test_home_query_count_does_not_grow_with_notices(
    client, agency, django_assert_max_num_queries, settings
):
    settings.PAGE_CACHE_SECONDS = (
        0  # the render itself (cached pages: test_detail_cache.py)
    )
    for i in range(3):
        for slug in ("zcwj", "zcjd", "tzgg"):
            publish(agency=agency, title=f"{slug} 通知 {i}", column=column(slug))
    client.get(reverse("catalog:home"))  # warm the site identity cache
    # columns, the newest ids per column, those notices, the agencies linked to /bumen/
    with django_assert_max_num_queries(4):
        assert client.get(reverse("catalog:home")).status_code == 200


# -- notice page ---------------------------------------------------------------------------------


@time_machine.travel(datetime(2025, 3, 1, 10, tzinfo=TZ), tick=False)
def test_notice_page_shows_the_metadata_block(client, agency, other_agency):
    notice = publish(
        agency=agency,
        publishers=[agency, other_agency],
        title="关于联合开展校园安全检查的通知",
        doc_number="株天教发[2024]7号",
        written_date=date(2024, 2, 27),
        theme=theme("教育"),
        genre=genre("通知"),
        valid_from=date(2024, 3, 1),
        valid_until=date(2029, 2, 28),
        department="区教育局办公室",
        keywords=["校园安全", "检查"],
        summary="部署春季校园安全检查。",
        body="<p>各学校：</p>",
        column=column("zcwj"),
        published_at=at(2024, 3, 1, 8, 5),
    )

    response = client.get(detail_url(notice))
    html = response.content.decode()

    assert response.status_code == 200
    block = html[
        html.index('class="meta-block"') : html.index(
            "</dl>", html.index('class="meta-block"')
        )
    ]
    assert notice.index_number in block
    assert (
        "天元区教育局、天元区财政局" in block
    )  # joint document: every 发文机关, in order
    assert "株天教发〔2024〕7号" in block
    assert "2024-02-27" in block
    assert "2024-03-01 08:05" in block
    assert "<dt>有效性</dt><dd>有效</dd>" in block
    assert "2029-02-28" in block
    assert "科技、教育\\教育" in block
    assert "<dt>体裁</dt><dd>通知</dd>" in block
    assert "主动公开" in block
    assert "面向社会" in block
    assert "区教育局办公室" in block
    assert "已发布" in block
    assert "<p>各学校：</p>" in html  # sanitised body rendered as HTML


def test_notice_page_meta_tags(client, agency, other_agency):
    notice = publish(
        agency=agency,
        publishers=[agency, other_agency],
        title="关于做好招生工作的通知",
        keywords=["招生", "义务教育"],
        summary="明确招生范围和时间。",
        published_at=at(2024, 3, 1, 0, 30),
    )

    html = client.get(detail_url(notice)).content.decode()

    assert meta(html, "SiteName")
    assert meta(html, "SiteDomain")
    assert re.fullmatch(r"\d{10}|bm\d{8}", meta(html, "SiteIDCode"))
    assert meta(html, "ArticleTitle") == "关于做好招生工作的通知"
    # Beijing time: 00:30 on 1 March is 16:30 UTC on 29 February
    assert meta(html, "PubDate") == "2024-03-01 00:30"
    assert meta(html, "ContentSource") == "天元区教育局、天元区财政局"
    assert meta(html, "Keywords") == "招生,义务教育"
    assert meta(html, "Description") == "明确招生范围和时间。"
    assert 'name="robots"' not in html


def test_notice_page_breadcrumbs(client, agency):
    notice = publish(
        agency=agency, title="关于做好招生工作的通知", column=column("zcwj")
    )

    html = client.get(detail_url(notice)).content.decode()

    crumbs = html[
        html.index('class="breadcrumbs"') : html.index(
            "</nav>", html.index('class="breadcrumbs"')
        )
    ]
    labels = re.findall(r"<li>(?:<a [^>]*>|<span [^>]*>)?([^<]+)", crumbs)
    assert labels == [
        "首页",
        "政务公开",
        "政府信息公开目录",
        "政策文件",
        "关于做好招生工作的通知",
    ]
    assert 'aria-current="page"' in crumbs


@time_machine.travel(datetime(2026, 1, 1, 0, 30, tzinfo=TZ), tick=False)
def test_validity_is_computed_as_of_today(client, agency):
    expired = publish(
        agency=agency, title="到期的规范性文件", valid_until=date(2025, 12, 31)
    )
    pending = publish(
        agency=agency, title="明年施行的办法", valid_from=date(2026, 7, 1)
    )

    assert (
        "<dt>有效性</dt><dd>失效</dd>"
        in client.get(detail_url(expired)).content.decode()
    )
    assert (
        "<dt>有效性</dt><dd>尚未生效</dd>"
        in client.get(detail_url(pending)).content.decode()
    )


def test_draft_is_404_in_the_site_layout(client, agency):
    notice = draft(agency=agency, title="内部草稿")

    response = client.get(detail_url(notice))

    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert "内部草稿" not in html
    assert meta(html, "SiteIDCode")


def test_unknown_notice_is_404_in_the_site_layout(client):
    response = client.get("/xxgk/00000000-0000-0000-0000-000000000000/")

    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    assert 'class="site-footer"' in response.content.decode()


def test_withdrawn_notice_says_so_and_is_not_indexed(client, agency):
    notice = withdraw(
        publish(agency=agency, title="旧招生办法"),
        reason="已被新办法替代",
        when=at(2024, 6, 1, 0, 15),
    )

    response = client.get(detail_url(notice))
    html = response.content.decode()

    assert response.status_code == 200
    assert "该信息已撤回" in html
    assert "撤回原因类别：误发布" in html
    assert "已被新办法替代" not in html  # the internal note is staff-only
    assert '<meta name="robots" content="noindex">' in html


def test_interpretation_links_show_on_both_pages_but_never_a_draft(client, agency):
    policy = publish(
        agency=agency,
        title="关于推进义务教育优质均衡发展的实施意见",
        column=column("zcwj"),
    )
    reading = publish(
        agency=agency, title="《实施意见》政策解读", column=column("zcjd")
    )
    unpublished = draft(agency=agency, title="尚未发布的图解")
    notice_link_interpretation(policy=policy, interpretation=reading, by=None)
    notice_link_interpretation(policy=policy, interpretation=unpublished, by=None)

    policy_html = client.get(detail_url(policy)).content.decode()
    reading_html = client.get(detail_url(reading)).content.decode()

    assert "相关解读" in policy_html
    assert reading.title in policy_html
    assert "尚未发布的图解" not in policy_html
    assert "解读的文件" in reading_html
    assert policy.title in reading_html


def test_notice_page_query_count(
    client, agency, other_agency, django_assert_max_num_queries, settings
):
    settings.PAGE_CACHE_SECONDS = (
        0  # the render itself (cached pages: test_detail_cache.py)
    )
    policy = publish(
        agency=agency,
        publishers=[agency, other_agency],
        title="政策",
        theme=theme("教育"),
        genre=genre("通知"),
        column=column("zcwj"),
    )
    for i in range(3):
        notice_link_interpretation(
            policy=policy,
            interpretation=publish(agency=agency, title=f"解读{i}"),
            by=None,
        )
        attachment_add(
            notice=policy, by=None, name=f"附件{i}.txt", content=f"附件内容{i}".encode()
        )
    client.get(reverse("catalog:home"))
    with django_assert_max_num_queries(5):
        assert client.get(detail_url(policy)).status_code == 200


# -- attachments ---------------------------------------------------------------------------------


def test_attachment_download_streams_the_file(client, agency):
    notice = publish(agency=agency, title="招生通知")
    attachment = attachment_add(
        notice=notice,
        by=None,
        name="招生细则（附件1）.txt",
        content="第一条 招生范围".encode(),
    )

    html = client.get(detail_url(notice)).content.decode()
    url = reverse("catalog:attachment_download", args=[notice.uuid, attachment.pk])
    response = client.get(url)

    assert f'href="{url}"' in html
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == "第一条 招生范围"
    assert response["Content-Type"].startswith("text/plain")
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E6%8B%9B%E7%94%9F%E7%BB%86%E5%88%99" in disposition


def test_attachment_of_withdrawn_notice_is_404_for_the_public(client, agency):
    notice = publish(agency=agency, title="招生通知")
    attachment = attachment_add(notice=notice, by=None, name="a.txt", content=b"text")
    url = reverse("catalog:attachment_download", args=[notice.uuid, attachment.pk])
    assert client.get(url).status_code == 200
    withdraw(notice)

    assert client.get(url).status_code == 404


def test_attachment_of_draft_or_other_notice_or_missing_file_is_404(client, agency):
    hidden = draft(agency=agency, title="草稿")
    secret = attachment_add(
        notice=hidden, by=None, name="secret.txt", content=b"secret"
    )
    public = publish(agency=agency, title="公开通知")
    mine = attachment_add(notice=public, by=None, name="public.txt", content=b"public")

    assert (
        client.get(
            reverse("catalog:attachment_download", args=[hidden.uuid, secret.pk])
        ).status_code
        == 404
    )
    # a public notice's URL cannot fetch another notice's attachment
    assert (
        client.get(
            reverse("catalog:attachment_download", args=[public.uuid, secret.pk])
        ).status_code
        == 404
    )
    mine.file.storage.delete(mine.file.name)
    assert (
        client.get(
            reverse("catalog:attachment_download", args=[public.uuid, mine.pk])
        ).status_code
        == 404
    )
    assert Attachment.objects.count() == 2


def test_attachment_that_could_render_as_a_page_is_sent_opaque(client, agency):
    notice = publish(agency=agency, title="公开通知")
    attachment = attachment_add(
        notice=notice, by=None, name="说明.txt", content=b"plain text"
    )
    Attachment.objects.filter(pk=attachment.pk).update(content_type="text/html")

    response = client.get(
        reverse("catalog:attachment_download", args=[notice.uuid, attachment.pk])
    )

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


# -- 政府信息公开目录 (/mulu/) -------------------------------------------------------------------


def test_directory_lists_index_name_summary_and_date(client, agency, other_agency):
    mine = publish(
        agency=agency,
        title="教育局的通知",
        summary="招生安排。",
        written_date=date(2024, 2, 20),
    )
    theirs = publish(
        agency=other_agency, title="财政局的通知", published_at=at(2024, 3, 5, 0, 30)
    )
    draft(agency=agency, title="草稿通知")
    withdraw(publish(agency=agency, title="撤销的通知"))

    html = client.get(reverse("catalog:directory")).content.decode()

    for header in ("索引", "名称", "内容概述", "生成日期"):
        assert f'<th scope="col">{header}</th>' in html
    assert mine.index_number in html
    assert "招生安排。" in html
    assert "2024-02-20" in html  # 成文日期 when known
    assert "2024-03-05" in html  # otherwise the (Beijing) publication day
    assert theirs.title in html
    assert "草稿通知" not in html
    assert "撤销的通知" not in html
    assert "共 2 条" in html


def test_directory_filters_by_publisher_and_explains_a_bad_one(
    client, agency, other_agency
):
    publish(agency=agency, title="教育局的通知")
    publish(agency=other_agency, title="财政局的通知")

    html = client.get(
        reverse("catalog:directory"), {"publisher": agency.pk}
    ).content.decode()
    assert "教育局的通知" in html
    assert "财政局的通知" not in html
    assert f'<option value="{agency.pk}" selected>' in html

    response = client.get(reverse("catalog:directory"), {"publisher": "nope"})
    assert response.status_code == 200
    assert "发文机关参数无效" in response.content.decode()
    assert "财政局的通知" in response.content.decode()


def test_directory_pages_with_cursors(client, agency):
    for day in range(1, 13):
        publish(
            agency=agency, title=f"目录第{day:02d}条", published_at=at(2024, 5, day)
        )

    first = client.get(reverse("catalog:directory"), {"per_page": 10}).content.decode()
    next_url = (
        re.search(r'<a href="([^"]+)" rel="next">', first)
        .group(1)
        .replace("&amp;", "&")
    )
    second = client.get(next_url).content.decode()

    assert "目录第12条" in first
    assert "目录第03条" in first
    assert "目录第02条" not in first
    assert "目录第02条" in second
    assert "目录第01条" in second
    assert "第 2 页" in second
    assert 'rel="prev"' in second


def test_directory_query_count_does_not_depend_on_page_size(
    client, agency, django_assert_max_num_queries
):
    for day in range(1, 28):
        publish(agency=agency, title=f"通知{day}", published_at=at(2024, 6, day))
    client.get(reverse("catalog:directory"))  # warm: site identity and the cached total
    with django_assert_max_num_queries(6):
        assert (
            client.get(reverse("catalog:directory"), {"per_page": 10}).status_code
            == 200
        )
    with django_assert_max_num_queries(6):
        assert (
            client.get(reverse("catalog:directory"), {"per_page": 50}).status_code
            == 200
        )


# -- 指南 ----------------------------------------------------------------------------------------


def test_guide_is_generated_from_the_data(client, agency):
    agency.address = "天台路 1 号"
    agency.office_hours = "工作日 8:30-17:30"
    agency.phone = "0731-28112345"
    agency.fax = "0731-28112346"
    agency.email = "jyj@example.gov.cn"
    agency.website = "https://jyj.example.gov.cn/"
    agency.save()
    publish(agency=agency, title="教育通知一", theme=theme("教育"), genre=genre("通知"))
    publish(agency=agency, title="教育通知二", theme=theme("教育"), genre=genre("通知"))
    publish(agency=agency, title="科技意见", theme=theme("科技"), genre=genre("意见"))
    withdraw(
        publish(agency=agency, title="撤销的", theme=theme("教育"), genre=genre("通知"))
    )

    html = client.get(reverse("catalog:guide")).content.decode()

    assert re.search(r"科技、教育</a> <span class=\"count\">（3 条）", html)
    assert re.search(r">教育</a> <span class=\"count\">（2）", html)
    assert re.search(r">通知</a> <span class=\"count\">（2）", html)
    for text in (
        "20 个工作日",
        "补正",
        "国办函〔2020〕109号",
        "行政复议",
        "行政诉讼",
        "索引号",
    ):
        assert text in html
    office = html[html.index(f'id="agency-{agency.pk}"') :]
    office = office[: office.index("</section>")]
    for text in (
        agency.name,
        agency.office_name,
        "天台路 1 号",
        "工作日 8:30-17:30",
        "0731-28112345",
        "0731-28112346",
        "jyj@example.gov.cn",
        "https://jyj.example.gov.cn/",
    ):
        assert text in office


def test_guide_query_count(client, agency, django_assert_max_num_queries):
    for i in range(3):
        AgencyFactory(name=f"街道{i}")
        publish(
            agency=agency, title=f"通知{i}", theme=theme("教育"), genre=genre("通知")
        )
    client.get(reverse("catalog:home"))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("catalog:guide")).status_code == 200


# -- 网站地图 and sitemap.xml ------------------------------------------------------------------------


def test_sitemap_page_lists_sections(client):
    html = client.get(reverse("catalog:sitemap_page")).content.decode()

    for name in (
        "catalog:notice_list",
        "catalog:directory",
        "catalog:guide",
        "requests_app:landing",
        "disclosure:report_list",
        "catalog:open_data",  # the feeds, API and sitemap.xml are listed there
    ):
        assert f'href="{reverse(name)}' in html
    assert "?column=zcwj" in html


def test_sitemap_xml_lists_listed_notices_only(client, agency):
    shown = publish(agency=agency, title="公开")
    hidden = draft(agency=agency, title="草稿")
    gone = withdraw(publish(agency=agency, title="撤销"))

    index = client.get("/sitemap.xml")
    notices = client.get(
        reverse("catalog:sitemap_section", args=["notices"])
    ).content.decode()
    pages = client.get(
        reverse("catalog:sitemap_section", args=["pages"])
    ).content.decode()

    assert index.status_code == 200
    assert "sitemap-notices.xml" in index.content.decode()
    assert f"/xxgk/{shown.uuid}/" in notices
    assert str(hidden.uuid) not in notices
    assert str(gone.uuid) not in notices
    assert f"<loc>http://testserver{reverse('catalog:guide')}</loc>" in pages


# -- 开放数据 --------------------------------------------------------------------------------------


def test_open_data_page_lists_feeds_api_sitemap_and_exports(client, agency):
    notice = publish(agency=agency, title="招生通知")
    home = client.get(reverse("catalog:home")).content.decode()
    url = reverse("catalog:open_data")
    assert f'<a href="{url}">开放数据</a>' in home  # the footer link

    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    for target in (
        reverse("catalog:notice_feed"),
        reverse("catalog:api_notice_list") + "?q=%E6%8B%9B%E7%94%9F&amp;limit=10",
        reverse("catalog:api_notice_detail", args=[notice.uuid]),
        reverse("catalog:sitemap_index"),
        reverse("disclosure:statistics_csv"),
    ):
        assert f'href="{target}"' in html, target
    assert "download.json" in html
    assert "download.xlsx" in html
    # the example calls answer
    api = client.get(reverse("catalog:api_notice_list"), {"q": "招生", "limit": 10})
    assert api.json()["results"][0]["title"] == "招生通知"


def test_developer_links_are_off_the_citizen_pages(client, agency):
    publish(agency=agency, title="招生通知")
    html = client.get(reverse("catalog:notice_list"), {"q": "招生"}).content.decode()
    assert "订阅本检索结果（Atom）" not in html
    assert "数据接口（JSON）" not in html
    assert 'rel="alternate" type="application/atom+xml"' in html  # for feed readers
    sitemap = client.get(reverse("catalog:sitemap_page")).content.decode()
    assert f'href="{reverse("catalog:sitemap_index")}"' not in sitemap
    assert reverse("catalog:open_data") in sitemap


def test_text_attachment_is_served_with_the_charset_of_its_bytes(client, agency):
    from catalog.attachments import text_charset

    notice = publish(agency=agency, title="招生通知")
    utf8 = attachment_add(
        notice=notice, by=None, name="细则.txt", content="第一条 招生范围".encode()
    )
    gbk = attachment_add(
        notice=notice,
        by=None,
        name="旧细则.txt",
        content="第一条 招生范围".encode("gb18030"),
    )
    # a row stored before the charset was recorded: told from the bytes at download
    Attachment.objects.filter(pk=gbk.pk).update(content_type="text/plain")

    for attachment, charset in ((utf8, "utf-8"), (gbk, "gb18030")):
        response = client.get(
            reverse("catalog:attachment_download", args=[notice.uuid, attachment.pk])
        )
        assert response["Content-Type"] == f"text/plain; charset={charset}"
        body = b"".join(response.streaming_content)
        assert body.decode(charset) == "第一条 招生范围"
    # the first bytes of a long file may end inside a character
    assert text_charset("招生".encode()[:-1], complete=False) == "utf-8"
    assert text_charset("招生".encode()[:-1]) == "gb18030"
