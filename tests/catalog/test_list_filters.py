"""The searchable 政府信息公开目录 (/xxgk/): filters, facet counts, paging, bad input, query counts."""

from __future__ import annotations

import html as htmllib
import re
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.catalog.public_data import (
    TZ,
    at,
    column,
    draft,
    facet,
    genre,
    publish,
    theme,
    withdraw,
)

pytestmark = pytest.mark.django_db

LIST = "/xxgk/"


@pytest.fixture
def today():
    with time_machine.travel(datetime(2025, 3, 1, 10, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def world(today, agency, other_agency):
    """Five listed notices, plus a draft and a withdrawn one that match everything."""
    edu, fin = agency, other_agency
    notices = {
        "a": publish(
            agency=edu,
            title="关于义务教育招生工作的通知",
            theme=theme("教育"),
            genre=genre("通知"),
            column=column("zcwj"),
            published_at=at(2023, 5, 10),
            body="<p>划片招生，就近入学。</p>",
        ),
        "b": publish(
            agency=edu,
            title="关于科技创新券的实施意见",
            theme=theme("科技"),
            genre=genre("意见"),
            column=column("tzgg"),
            published_at=at(2024, 2, 1),
            valid_until=date(2024, 12, 31),
            body="<p>创新券用于购买研发服务。</p>",
        ),
        "c": publish(
            agency=fin,
            title="关于下达2024年教育专项资金的通知",
            theme=theme("财政"),
            genre=genre("通知"),
            column=column("zcwj"),
            published_at=at(2024, 7, 1),
            body="<p>专项资金用于学校建设。</p>",
        ),
        # joint document, 23:30 Beijing on 31 December: still 2024 locally (15:30 UTC)
        "d": publish(
            agency=edu,
            publishers=[edu, fin],
            title="关于学生资助资金管理的办法",
            theme=theme("教育"),
            genre=genre("通知"),
            column=column("zcjd"),
            published_at=at(2024, 12, 31, 23, 30),
            body="<p>资助资金专款专用。</p>",
        ),
        # 00:30 Beijing on 1 January 2025 is 16:30 UTC on 31 December 2024
        "e": publish(
            agency=fin,
            title="关于政府采购意向公开的公告",
            theme=theme("财政"),
            genre=genre("公告"),
            column=column("tzgg"),
            published_at=at(2025, 1, 1, 0, 30),
            body="<p>采购意向公开。</p>",
        ),
    }
    draft(
        agency=edu,
        title="关于义务教育招生工作的草稿",
        theme=theme("教育"),
        genre=genre("通知"),
        column=column("zcwj"),
    )
    withdraw(
        publish(
            agency=edu,
            title="关于义务教育招生工作的旧通知",
            theme=theme("教育"),
            genre=genre("通知"),
            column=column("zcwj"),
            published_at=at(2024, 3, 3),
        )
    )
    return notices


def get(client, params: dict | str = ""):
    response = (
        client.get(LIST, params)
        if isinstance(params, dict)
        else client.get(LIST + params)
    )
    assert response.status_code == 200
    return response.content.decode()


def titles(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", t)
        for t in re.findall(r'<h3 class="title"><a href="[^"]+">(.*?)</a></h3>', html)
    ]


def total(html: str) -> str:
    return re.search(r'class="results-total">共 ([^ ]+) 条<', html).group(1)


def test_no_filters_lists_every_listed_notice_newest_first(client, world):
    html = get(client)

    assert total(html) == "5"
    assert titles(html) == [world[k].title for k in ("e", "d", "c", "b", "a")]
    assert "草稿" not in html
    assert "旧通知" not in html


def test_facet_counts_without_filters(client, world):
    html = get(client)

    assert facet(html, "publisher") == {"天元区教育局": 3, "天元区财政局": 3}
    assert facet(html, "theme") == {"科技、教育": 3, "财政、金融、审计": 2}
    assert facet(html, "genre") == {"通知": 3, "意见": 1, "公告": 1}
    assert facet(html, "year") == {"2025年": 1, "2024年": 3, "2023年": 1}
    assert facet(html, "validity") == {"有效": 4, "失效": 1}
    assert facet(html, "column") == {"政策文件": 2, "政策解读": 1, "通知公告": 2}


def test_facets_count_within_the_filtered_notices(client, world, agency):
    html = get(client, {"publisher": agency.pk})

    assert total(html) == "3"
    assert set(titles(html)) == {world["a"].title, world["b"].title, world["d"].title}
    # the joint document d also counts for its second publisher
    assert facet(html, "publisher") == {"天元区教育局": 3, "天元区财政局": 1}
    assert facet(html, "genre") == {"通知": 2, "意见": 1}
    assert facet(html, "year") == {"2024年": 2, "2023年": 1}
    assert 'aria-current="true"><span>天元区教育局</span>' in html
    # a chosen facet offers to drop the condition again
    section = html[html.index('id="facet-publisher"') :]
    assert re.search(
        r'<li><a href="/xxgk/">不限</a></li>', section[: section.index("</section>")]
    )


def test_parent_theme_includes_children_and_child_narrows(client, world):
    parent = theme("科技、教育")
    html = get(client, {"theme": parent.pk})
    assert total(html) == "3"
    # the chosen parent shows its children with counts
    assert facet(html, "theme") == {"科技、教育": 3, "科技": 1, "教育": 2}

    html = get(client, {"theme": theme("教育").pk})
    assert set(titles(html)) == {world["a"].title, world["d"].title}


def test_year_uses_beijing_time(client, world):
    html = get(client, {"year": 2024})

    assert set(titles(html)) == {world["b"].title, world["c"].title, world["d"].title}


def test_date_range_uses_beijing_days_inclusive(client, world):
    html = get(client, {"start": "2024-12-31", "end": "2024-12-31"})
    assert titles(html) == [world["d"].title]

    html = get(client, {"start": "2024-07-01"})
    assert set(titles(html)) == {world["c"].title, world["d"].title, world["e"].title}


def test_validity_is_computed_as_of_today(client, world):
    html = get(client, {"validity": "expired"})

    assert titles(html) == [world["b"].title]


def test_column_and_genre_filters_combine(client, world):
    html = get(client, {"column": "zcwj", "genre": genre("通知").pk})

    assert set(titles(html)) == {world["a"].title, world["c"].title}
    assert facet(html, "column") == {"政策文件": 2}
    assert facet(html, "publisher") == {"天元区教育局": 1, "天元区财政局": 1}


def test_links_preserve_the_other_parameters(client, world, agency):
    html = get(client, {"q": "资金", "publisher": agency.pk})

    link = re.search(r'<a href="([^"]+)"[^>]*><span>通知</span>', html).group(1)
    params = parse_qs(urlsplit(htmllib.unescape(link)).query)
    assert params == {
        "q": ["资金"],
        "publisher": [str(agency.pk)],
        "genre": [str(genre("通知").pk)],
    }
    # the form carries the chosen facets as hidden fields so a new keyword keeps them
    assert f'<input type="hidden" name="publisher" value="{agency.pk}">' in html
    # and the chosen condition can be removed on its own
    assert re.search(
        r'发文机关：天元区教育局 <a href="/xxgk/\?q=%E8%B5%84%E9%87%91"', html
    )


def test_keyword_search_with_highlight_and_counts(client, world):
    html = get(client, {"q": "资金"})

    assert set(titles(html)) == {world["c"].title, world["d"].title}
    assert "<mark>资金</mark>" in html
    assert facet(html, "publisher") == {"天元区教育局": 1, "天元区财政局": 2}


def test_title_scope_ignores_body_only_matches(client, world):
    assert titles(get(client, {"q": "就近入学"})) == [world["a"].title]
    assert titles(get(client, {"q": "就近入学", "scope": "title"})) == []
    assert titles(get(client, {"q": "招生", "scope": "title"})) == [world["a"].title]


def test_sort_by_date_or_relevance(client, world):
    by_date = titles(get(client, {"q": "通知", "sort": "date"}))
    assert by_date == [world["c"].title, world["a"].title]
    relevance = get(client, {"q": world["b"].index_number, "sort": "relevance"})
    assert titles(relevance)[0] == world["b"].title


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2024-13-45"}, "发布日期（起）格式不正确"),
        ({"end": "昨天"}, "发布日期（止）格式不正确"),
        ({"start": "0001-01-01"}, "超出范围"),
        ({"end": "9999-12-31"}, "超出范围"),
        ({"publisher": "999999"}, "发文机关参数无效"),
        ({"publisher": "99999999999999999999999"}, "发文机关参数无效"),
        ({"theme": "abc"}, "主题分类参数无效"),
        ({"genre": "-1"}, "体裁参数无效"),
        ({"column": "no-such-column"}, "栏目参数无效"),
        ({"validity": "forever"}, "有效性参数无效"),
        ({"year": "99999"}, "发布年份超出范围"),
        ({"year": "二〇二四"}, "发布年份应为四位数字"),
        ({"sort": "random"}, "排序参数无效"),
        ({"per_page": "7"}, "每页条数参数无效"),
        ({"scope": "everything"}, "检索范围参数无效"),
    ],
)
def test_bad_parameters_explain_and_keep_the_rest(
    client, world, agency, params, message
):
    html = get(client, {**params, "publisher": params.get("publisher", agency.pk)})

    assert message in html
    assert 'class="error-summary"' in html
    if "publisher" not in params:
        assert total(html) == "3"  # the valid 发文机关 filter is still applied
        assert f'<input type="hidden" name="publisher" value="{agency.pk}">' in html


def test_end_before_start_is_explained_and_start_still_applies(client, world):
    html = get(client, {"start": "2024-12-01", "end": "2024-01-01"})

    assert "发布日期（止）不能早于发布日期（起）" in html
    assert titles(html) == [world["e"].title, world["d"].title]


def test_bad_date_keeps_what_was_typed(client, world):
    html = get(client, {"q": "资金", "start": "2024-13-45", "end": "2024-12-31"})

    assert 'name="start" value="2024-13-45"' in html
    assert 'name="end" value="2024-12-31"' in html
    assert 'value="资金"' in html
    assert titles(html) == [world["d"].title, world["c"].title]
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize(
    "q",
    [
        "%",
        "_",
        "%%",
        "'",
        '"',
        "\\",
        "\\%",
        "'; DROP TABLE catalog_notice; --",
        "1' OR '1'='1",
        "招生\\",
        "“招生”",
        "a" * 1000,
        "招生 " * 400,
        "<script>alert(1)</script>",
        "　",
        "\t",
    ],
)
def test_strange_queries_never_fail(client, world, q):
    html = get(client, {"q": q})

    assert "共 " in html
    assert "<script>alert(1)</script>" not in html
    if q in ("%", "_", "%%", "\\", "'"):
        assert total(html) == "0"  # wildcards and quotes are literal characters


def test_keyword_search_on_an_empty_catalog(client, today):
    html = get(client, {"q": "教育"})

    assert total(html) == "0"
    assert "没有找到符合条件的政府信息" in html


def test_null_character_in_query_is_explained(client, world):
    html = get(client, {"q": "招生\x00"})

    assert 'class="error-summary"' in html


def test_tampered_cursor_shows_the_first_page_with_a_message(client, world):
    for cursor in ("garbage", "eyJhIjogMX0", "%00", "x" * 5000, "\x00"):
        html = get(client, {"cursor": cursor})
        assert "翻页参数无效" in html
        assert total(html) == "5"


def test_keyset_pages_cover_everything_once(client, today, agency):
    for day in range(1, 26):
        publish(
            agency=agency,
            title=f"第{day:02d}号公告",
            genre=genre("公告"),
            published_at=at(2024, 4, day),
        )
    seen: list[str] = []
    html = get(client, {"genre": genre("公告").pk, "per_page": 10})
    pages = 1
    while True:
        seen += titles(html)
        match = re.search(r'<a href="([^"]+)" rel="next">', html)
        if not match:
            break
        url = htmllib.unescape(match.group(1))
        assert f"genre={genre('公告').pk}" in url
        assert "per_page=10" in url
        html = client.get(url).content.decode()
        pages += 1
    assert pages == 3
    assert seen == [f"第{day:02d}号公告" for day in range(25, 0, -1)]


@pytest.fixture
def capped_search(monkeypatch):
    """Make every search report more than 10,000 matches (the count cap)."""
    from dataclasses import replace

    from catalog import search

    real = search.search_notices
    monkeypatch.setattr(
        search,
        "search_notices",
        lambda *a, **kw: replace(real(*a, **kw), total=10000, total_capped=True),
    )


def test_capped_total_is_shown_as_ten_thousand_plus(client, world, capped_search):
    html = get(client)

    assert "共 10,000+ 条" in html
    # without words the facets are plain GROUP BYs: still counted
    assert facet(html, "genre") == {"通知": 3, "意见": 1, "公告": 1}


def test_capped_word_search_lists_facet_values_without_counts(
    client, world, capped_search
):
    html = get(client, {"q": "通知"})

    assert "共 10,000+ 条" in html
    assert "暂不统计各项数量" in html
    section = html[html.index('id="facet-genre"') :]
    section = section[: section.index("</section>")]
    assert "<span>通知</span>" in section
    assert 'class="count"' not in section


def test_facet_counts_follow_a_new_publication(client, world, agency):
    assert facet(get(client), "genre")["通知"] == 3

    publish(
        agency=agency,
        title="新的通知",
        genre=genre("通知"),
        published_at=at(2025, 2, 1),
    )

    html = get(client)
    assert facet(html, "genre")["通知"] == 4
    assert total(html) == "6"


def test_facet_counts_are_shared_by_every_worker(client, world, agency):
    """A second worker (no per-process cache) reads the counts the first one stored."""
    from catalog import search

    first = get(client, {"q": "通知"})
    search.cache.clear()  # what a fresh worker process starts with
    with CaptureQueriesContext(connection) as ctx:
        second = get(client, {"q": "通知"})
    assert facet(second, "genre") == facet(first, "genre")
    assert not any("GROUP BY" in q["sql"] for q in ctx.captured_queries)

    publish(
        agency=agency,
        title="又一个通知",
        genre=genre("通知"),
        published_at=at(2025, 3, 1),
    )
    third = get(client, {"q": "通知"})
    assert facet(third, "genre")["通知"] == facet(first, "genre")["通知"] + 1


def _query_count(client, params: dict) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST, params).status_code == 200
    return len(ctx)


QUERY_COUNT_CASES = [
    {},
    {"q": "资金"},
    {"q": "通知 教育", "sort": "date"},
    {"genre": "GENRE", "year": 2024, "validity": "effective"},
    {
        "q": "资金",
        "publisher": "PUBLISHER",
        "theme": "THEME",
        "column": "zcwj",
        "start": "2024-01-01",
    },
]


def test_list_query_count_is_fixed_whatever_the_page_size(
    client, today, agency, other_agency
):
    # more than 50 matches for every case, so both page sizes fill their page
    for i in range(110):
        publish(
            agency=[agency, other_agency][i % 2],
            title=f"关于教育资金的通知{i}",
            theme=theme("教育"),
            genre=genre("通知"),
            column=column("zcwj"),
            published_at=at(2024, 1 + i % 12, 1 + i % 28),
            body=f"<p>资金第{i}条</p>",
        )
    client.get(reverse("catalog:home"))  # warm the site identity cache
    ids = {
        "GENRE": genre("通知").pk,
        "PUBLISHER": agency.pk,
        "THEME": theme("科技、教育").pk,
    }
    for case in QUERY_COUNT_CASES:
        params = {k: ids.get(v, v) for k, v in case.items()}
        # the first request also counts the total and caches it (until the next write)
        cold = _query_count(client, {**params, "per_page": 10})

        small = _query_count(client, {**params, "per_page": 20})
        large = _query_count(client, {**params, "per_page": 50})

        assert small == large, params
        assert large <= cold <= 26, params


# -- filter values of the whole catalog (searches with more matches than the cap) ----------


def test_validity_conditions_equal_the_computed_validity(today, agency):
    """``current_validity_q`` (what the filter and the whole-catalog values use, through an
    index) selects exactly the notices whose computed 有效性 is that value, for every kind
    of date: none, past, today, future."""
    from catalog.models import Notice

    day = date(2025, 3, 1)
    dates = [None, date(2024, 1, 1), day, date(2026, 1, 1)]
    notice = publish(agency=agency, title="有效性", published_at=at(2025, 1, 2))
    one = Notice.objects.filter(pk=notice.pk)
    seen = set()
    for validity, _ in Notice.Validity.choices:
        for valid_from in dates:
            for valid_until in dates:
                if valid_from and valid_until and valid_until < valid_from:
                    continue
                one.update(
                    validity=validity, valid_from=valid_from, valid_until=valid_until
                )
                computed = (
                    one.annotate(v=Notice.current_validity_expression(day))
                    .values_list("v", flat=True)
                    .get()
                )
                chosen = [
                    code
                    for code, _ in Notice.Validity.choices
                    if one.filter(Notice.current_validity_q(code, day)).exists()
                ]
                assert chosen == [computed], (validity, valid_from, valid_until)
                seen.add(computed)
    assert seen == set(Notice.Validity.values)


def test_a_capped_search_offers_every_value_of_the_catalog(
    client, world, capped_search
):
    """The values of every listed notice, from the tally: never a pass over the catalog."""
    from catalog import search

    search.cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        html = get(client, {"q": "通知"})
    assert not any("GROUP BY m." in q["sql"] for q in ctx.captured_queries)

    for name, labels in {
        "genre": {"通知", "意见", "公告"},
        "year": {"2023年", "2024年", "2025年"},
        "validity": {"有效", "失效"},
    }.items():
        start = html.index(f'id="facet-{name}"')
        section = html[start : html.index("</section>", start)]
        assert set(re.findall(r"<span>([^<]+)</span>", section)) == labels, name


# -- the filter counts of the whole catalog, kept by the database (FacetTally) --------------


def _grouped(day: date) -> set[tuple]:
    """The facet rows of every listed notice by grouping them (the specification)."""
    from django.db import connection as conn

    from catalog.filters import _facet_sql
    from catalog.models import Notice

    sql, params = _facet_sql(Notice.objects.listed(), day)
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return set(cur.fetchall())


def _tallied(day: date) -> set[tuple]:
    from catalog.filters import _tally_rows

    return set(_tally_rows(day))


def test_the_tally_follows_every_kind_of_write(world, agency, other_agency):
    """Whatever writes — a service, a queryset update, a deleted link, a deleted notice —
    the database keeps the counts equal to grouping the listed notices."""
    from catalog.filters import compact_facet_tally
    from catalog.models import FacetTally, Notice, NoticePublisher

    day = date(2025, 3, 1)
    assert _tallied(day) == _grouped(day)

    a, b, c = world["a"], world["b"], world["c"]
    Notice.objects.filter(pk=a.pk).update(theme=theme("财政"), genre=genre("公告"))
    Notice.objects.filter(pk=c.pk).update(published_at=at(2021, 12, 31, 23, 30))
    Notice.objects.filter(pk=b.pk).update(title="只改标题")  # nothing counted changes
    NoticePublisher.objects.create(notice=a, agency=other_agency, position=1)
    NoticePublisher.objects.filter(notice=c).delete()
    withdraw(world["e"])
    Notice.objects.filter(pk=world["d"].pk).update(validity="repealed")
    later = publish(
        agency=agency,
        title="将来施行",
        genre=genre("通知"),
        published_at=at(2025, 2, 2),
        valid_from=date(2025, 4, 1),
    )
    direct = Notice.objects.create(
        owner_agency=agency,
        title="直接写入的信息",
        status="published",
        index_number="TEST-0001",
        published_at=at(2020, 6, 1),
        genre=genre("决定"),
    )
    NoticePublisher.objects.create(notice=direct, agency=agency)
    assert _tallied(day) == _grouped(day)
    assert ("genre", str(genre("决定").pk)) in {r[:2] for r in _tallied(day)}
    assert ("validity", "not_yet") in {r[:2] for r in _tallied(day)}

    direct.delete()
    Notice.objects.filter(pk=later.pk).update(status="draft", published_at=None)
    assert _tallied(day) == _grouped(day)
    # 有效性 as of another day, from the same rows
    assert _tallied(date(2025, 6, 1)) == _grouped(date(2025, 6, 1))

    rows = FacetTally.objects.count()
    compact_facet_tally()
    assert FacetTally.objects.count() < rows
    assert _tallied(day) == _grouped(day)


def test_the_migration_counts_the_existing_notices(world):
    import importlib

    from django.db import connection as conn

    from catalog.models import FacetTally

    migration = importlib.import_module("catalog.migrations.0015_facet_tally")
    FacetTally.objects.all().delete()
    with conn.cursor() as cur:
        cur.execute(migration.BACKFILL)

    day = date(2025, 3, 1)
    assert _tallied(day) == _grouped(day)


def test_the_catalog_page_reads_its_counts_from_the_tally(client, world):
    from catalog import search

    search.cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        html = get(client)
    assert facet(html, "genre") == {"通知": 3, "意见": 1, "公告": 1}
    assert not any("GROUP BY m." in q["sql"] for q in ctx.captured_queries)

    # a restricting filter counts the filtered notices themselves
    with CaptureQueriesContext(connection) as ctx:
        html = get(client, {"year": 2024})
    assert facet(html, "genre") == {"通知": 2, "意见": 1}
    assert not any("catalog_facettally" in q["sql"] for q in ctx.captured_queries)


def test_a_notice_expires_in_the_counts_on_its_day(client, today, agency):
    publish(
        agency=agency,
        title="三月底到期",
        published_at=at(2025, 1, 5),
        valid_until=date(2025, 3, 31),
    )
    assert facet(get(client), "validity") == {"有效": 1}

    with time_machine.travel(datetime(2025, 4, 1, 9, tzinfo=TZ), tick=False):
        assert facet(get(client), "validity") == {"失效": 1}


def test_the_minutely_command_folds_the_tally(world):
    from django.core.management import call_command

    from catalog.models import FacetTally

    day = date(2025, 3, 1)
    before = _tallied(day)
    sums: dict[tuple, int] = {}
    for t in FacetTally.objects.all():
        sums[t.facet, t.key] = sums.get((t.facet, t.key), 0) + t.delta
    assert FacetTally.objects.count() > len(sums)

    call_command("publish_scheduled", verbosity=0)

    assert {(t.facet, t.key): t.delta for t in FacetTally.objects.all()} == {
        k: n for k, n in sums.items() if n
    }
    assert _tallied(day) == before


@pytest.mark.parametrize("q", ["通知", "资金", "关于", "教育 通知"])
def test_the_matches_a_search_read_count_like_grouping_them(world, q):
    """The filter counts of a first search come from the rows its count (or its only
    page) read; they equal grouping those notices in the database."""
    from django.db import connection as conn

    from catalog import search
    from catalog.filters import _facet_sql, _match_rows
    from catalog.models import Notice

    day = date(2025, 3, 1)
    listed = Notice.objects.listed()
    for limit in (1, 20):  # counted, or a first page that holds every match
        search.cache.clear()
        page = search.search_notices(
            listed, search.parse_query(q), limit=limit, defer_total=True, matches=True
        ).complete()
        assert page.matched, (q, limit)
        sql, params = _facet_sql(listed.filter(pk__in=page.matched_ids), day)
        with conn.cursor() as cur:
            cur.execute(sql, params)
            grouped = set(cur.fetchall())
        assert set(_match_rows(page.matched, day)) == grouped, (q, limit)
