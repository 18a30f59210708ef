"""Search: recall against plain substring matching, paging, bad input, totals, highlighting.

Most behaviour is checked under every execution strategy of catalog.search (walking the newest
notices, reading the index half-year by half-year, a walk that hands over to the index, and
planning from statistics), because the strategy must never change the answer.
"""

from __future__ import annotations

import random
from array import array
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import search, services
from catalog.models import Notice, SearchCount
from catalog.search import normalise, parse_query, search_notices

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
STRATEGIES = ["walk", "index", "walk-then-index", "statistics"]
# statistics, cache lookup, exact identifier, two bands × (walk + index scan), total, fetch; in
# tests every index scan also shows its SAVEPOINT / ROLLBACK TO / RELEASE
MAX_QUERIES = 26


def at(year: int, month: int = 3, day: int = 1, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=TZ)


def publish(
    agency,
    *,
    title: str = "关于印发工作方案的通知",
    when: datetime | None = None,
    **fields,
) -> Notice:
    notice = services.notice_create(owner_agency=agency, by=None, title=title, **fields)
    return services.notice_publish(notice=notice, by=None, now=when or at(2024))


def ids_of(
    query: str, *, order: str = "relevance", qs=None, limit: int = 3
) -> list[int]:
    """Every result of ``query``, following next cursors."""
    qs = qs if qs is not None else Notice.objects.listed()
    parsed = parse_query(query)
    out: list[int] = []
    cursor = None
    for _ in range(1000):
        page = search_notices(qs, parsed, order=order, cursor=cursor, limit=limit)
        out += [n.pk for n in page.results]
        cursor = page.next_cursor
        if not cursor:
            break
    return out


def truth(query: str) -> set[int]:
    """Plain substring matching in Python over the listed notices (the specification)."""
    terms = normalise(query).split()
    found = set()
    for n in Notice.objects.listed().prefetch_related("attachments"):
        fields = [
            n.title,
            n.doc_number,
            n.index_number or "",
            n.summary,
            search.body_text(n.body),
            *[a.text for a in n.attachments.all()],
        ]
        texts = [normalise(f) for f in fields]
        if all(any(t in text for text in texts) for t in terms):
            found.add(n.pk)
    return found


def real_stats(top: int = 40) -> search._Stats:
    """Statistics as ANALYZE would give them: the ``top`` most common codes and their frequencies."""
    stats = {}
    rows = list(Notice.objects.values_list("search_codes", "search_title_codes"))
    for i, attname in enumerate(["search_codes", "search_title_codes"]):
        counts = Counter(code & 0xFFFFFFFF for r in rows for code in set(r[i]))
        common = sorted(counts.most_common(top))
        if not common:
            continue
        freqs = [c / len(rows) for _code, c in common]
        stats[attname] = search._ColumnStats(
            codes=array("L", [code for code, _ in common]),
            freqs=array("d", freqs),
            min_freq=min(freqs),
        )
    return search._Stats(rows=float(len(rows)), columns=stats)


def use_strategy(monkeypatch, strategy: str) -> None:
    SearchCount.objects.all().delete()
    if strategy == "walk":
        monkeypatch.setattr(search, "WALK_WINDOW", 10**6)
        monkeypatch.setattr(search, "_gin_cost", lambda *a, **k: float("inf"))
    elif strategy == "index":
        monkeypatch.setattr(search, "_walk_cost", lambda *a, **k: float("inf"))
    elif strategy == "walk-then-index":
        monkeypatch.setattr(search, "WALK_WINDOW", 2)
        monkeypatch.setattr(search, "_gin_cost", lambda *a, **k: float("inf"))
    elif strategy == "statistics":
        stats = real_stats()
        monkeypatch.setattr(search, "_stats", lambda: stats)
        monkeypatch.setattr(search, "GIN_MAX_CODES", 1)  # index only the rarest code
        monkeypatch.setattr(
            search, "MATCHING_INDEX_FREQ", 1.0
        )  # matching() through the index too
        monkeypatch.setattr(search, "WALK_WINDOW", 3)
    else:  # pragma: no cover
        raise AssertionError(strategy)


# -- normalisation and keys (pure) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３", "abc123"),
        ("5G基站", "5g基站"),
        ("教育　通知", "教育 通知"),
        ("Ⅻ", "xii"),
        ("a\x00b\tc", "a b c"),
        ("税", "税"),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_short_words_are_decided_by_codes_alone():
    rng = random.Random(7)
    alphabet = "教育局税通知ab1 "
    for _ in range(300):
        text = normalise(
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        )
        codes = search.text_codes(text)
        for term in {
            "".join(rng.choice(alphabet.strip()) for _ in range(rng.randint(1, 2)))
            for _ in range(5)
        }:
            assert search.term_is_exact(term)
            assert (term in text) == (set(search.term_codes(term)) <= codes)


def test_runs_with_digits_or_latin_get_trigram_codes():
    """Amounts, years and 发文字号: every pair (31, 1万, 万元) is common, the trigram 31万 is not."""
    text = normalise("共计31万元，PM2.5浓度下降；教育局")
    codes = search.text_codes(text)
    for word in ["31万", "31万元", "1万元,pm", "pm2.5浓度", "2.5浓", "计31", "元,p"]:
        assert len(search.term_codes(word)) > len(word) - 1, word  # pairs + trigrams
        assert set(search.term_codes(word)) <= codes, word
    # only runs with an ASCII character: Chinese words keep their pairs alone
    assert len(search.term_codes("教育局")) == 2
    assert set(search.term_codes("教育局")) <= codes
    # a different amount shares every pair but not every trigram
    assert set(search.term_codes("1万")) <= codes
    assert not set(search.term_codes("21万")) <= codes
    assert not set(search.term_codes("32万")) <= codes
    # trigram codes never meet a character or a pair of a text: their first 16 bits are a
    # control character, which normalise() turns into a space
    trigram = set(search.term_codes("31万")) - {
        (ord("3") << 16) | ord("1"),
        (ord("1") << 16) | ord("万"),
    }
    assert trigram
    assert all(0x10000 <= c < 0x200000 for c in trigram)
    assert all(
        c < 0x10000 or c >= 0x200000 for c in search.text_codes(normalise("教育局通知"))
    )


def test_codes_never_lose_a_word_with_digits_or_latin():
    rng = random.Random(11)
    alphabet = "万元年号1203ab.,〔〕 税"
    for _ in range(400):
        text = normalise(
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        )
        codes = search.text_codes(text)
        for seg in text.split():
            for i in range(len(seg)):
                for j in range(i + 1, min(len(seg), i + 8) + 1):
                    assert set(search.term_codes(seg[i:j])) <= codes, (text, seg[i:j])


def test_characters_beyond_the_bmp_are_always_rechecked():
    assert not search.term_is_exact("𠀀")
    assert search.term_codes("𠀀") == search.term_codes("𠠀")  # they share a code …
    assert search.term_is_exact("税")  # … BMP characters do not


def test_bucket_grows_with_the_date():
    moments = [
        at(1985),
        at(2010, 6, 30, 23),
        at(2010, 7, 1, 9),
        at(2024, 1, 1, 0),
        at(2024, 12, 31, 23),
    ]
    buckets = [search.bucket_of(m) for m in moments]
    assert buckets == sorted(buckets)
    assert search.bucket_of(None) == 0


# -- parsing -------------------------------------------------------------------------------


def test_parse_query_splits_on_any_space_and_deduplicates():
    parsed = parse_query("  教育　通知 教育\t５Ｇ ")
    assert parsed.terms == ("教育", "通知", "5g")
    assert parsed.raw == "教育　通知 教育\t５Ｇ"
    assert parsed.warning == ""
    assert not parsed.is_empty


def test_parse_query_empty():
    for raw in ["", "   ", "　", None, "\x00"]:
        parsed = parse_query(raw)
        assert parsed.is_empty
        assert parsed.terms == ()


def test_parse_query_truncates_long_input_and_says_so():
    parsed = parse_query("税" * 1000)
    assert parsed.terms == ("税" * search.MAX_QUERY_CHARS,)
    assert "过长" in parsed.warning
    assert parsed.raw == "税" * 1000  # nothing the user typed is lost


def test_parse_query_keeps_the_first_ten_words_and_says_so():
    parsed = parse_query(" ".join(f"词{i}" for i in range(15)))
    assert len(parsed.terms) == search.MAX_TERMS
    assert parsed.terms[0] == "词0"
    assert "过多" in parsed.warning


def test_words_inside_other_words_do_not_change_the_match():
    assert parse_query("教育 教育局 局").effective_terms == ("教育局",)


# -- recall under every strategy -------------------------------------------------------------


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_one_and_two_character_words(agency, monkeypatch, strategy):
    a = publish(
        agency, title="关于税务登记的通知", body="办理税务登记。", when=at(2012)
    )
    b = publish(
        agency, title="第二号公告", body="纳税人应当依法纳税。义务教育。", when=at(2016)
    )
    c = publish(agency, title="第三号公告", body="教 育 分开写的不算。", when=at(2020))
    d = publish(agency, title="第四号公告", body="教学工作。", when=at(2024))
    use_strategy(monkeypatch, strategy)
    assert set(ids_of("税")) == {a.pk, b.pk}
    assert set(ids_of("教育")) == {b.pk}
    assert set(ids_of("教")) == {b.pk, c.pk, d.pk}
    assert ids_of("育教") == []


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_phrase_across_word_boundaries_is_rechecked(agency, monkeypatch, strategy):
    hit = publish(
        agency, title="区教育局关于开学的通知", body="各学校：", when=at(2015)
    )
    # has every pair of 育局关 (育局, 局关) but never the phrase itself
    near = publish(agency, title="体育局通知", body="当局关注。教育。", when=at(2023))
    use_strategy(monkeypatch, strategy)
    assert ids_of("育局关") == [hit.pk]
    assert set(ids_of("育局")) == {hit.pk, near.pk}
    assert ids_of("局关于开") == [hit.pk]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_latin_digits_full_and_half_width(agency, monkeypatch, strategy):
    base_station = publish(
        agency,
        title="关于加快5G基站建设的通知",
        body="建设5G基站100个。",
        when=at(2019),
    )
    full = publish(agency, title="第一号", body="编号ＡＢＣ１２３的设备", when=at(2021))
    half = publish(agency, title="第二号", body="型号abc123。", when=at(2022, 8))
    use_strategy(monkeypatch, strategy)
    for q in ["5g基站", "5G基站", "５Ｇ基站", "g基", "5G 基站"]:
        assert ids_of(q) == [base_station.pk], q
    for q in ["abc123", "ＡＢＣ１２３", "Abc１23", "c12"]:
        assert set(ids_of(q)) == {full.pk, half.pk}, q


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_word_must_match(agency, monkeypatch, strategy):
    both = publish(agency, title="教育工作的通知", when=at(2014))
    publish(agency, title="教育工作方案", when=at(2018))
    publish(agency, title="会议通知", when=at(2022))
    use_strategy(monkeypatch, strategy)
    assert ids_of("教育 通知") == [both.pk]
    assert ids_of("教育　通知") == [both.pk]
    assert ids_of("教育 量子") == []


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_zero_hits(agency, monkeypatch, strategy):
    publish(agency, title="关于做好义务教育招生工作的通知")
    use_strategy(monkeypatch, strategy)
    page = search_notices(Notice.objects.listed(), parse_query("量子纠缠"))
    assert (
        page.results,
        page.total,
        page.total_capped,
        page.next_cursor,
        page.prev_cursor,
    ) == ([], 0, False, None, None)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_words_only_in_an_attachment(agency, monkeypatch, strategy):
    notice = publish(agency, title="关于公布收费标准的通知", body="详见附件。")
    attachment = services.attachment_add(
        notice=notice,
        by=None,
        name="收费标准.txt",
        content="停车场收费标准：每小时三元。".encode(),
    )
    use_strategy(monkeypatch, strategy)
    assert ids_of("每小时三元") == [notice.pk]
    services.attachment_remove(attachment=attachment, by=None, reason="更正")
    assert ids_of("每小时三元") == []


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_words_only_in_index_number_or_doc_number(agency, monkeypatch, strategy):
    notice = publish(
        agency,
        title="关于开学工作的通知",
        doc_number="天教发〔2024〕7号",
        when=at(2024, 2),
    )
    other = publish(agency, title="关于假期安全的通知", when=at(2024, 3))
    use_strategy(monkeypatch, strategy)
    assert ids_of("天教发") == [notice.pk]
    assert ids_of("〔2024〕7号") == [notice.pk]
    serial = other.index_number.split("/")[1]
    assert ids_of(serial) == [other.pk]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_exact_index_number_or_doc_number_comes_first(agency, monkeypatch, strategy):
    target = publish(
        agency,
        title="关于开学工作的通知",
        doc_number="天教发〔2024〕7号",
        when=at(2020),
    )
    for i in range(4):
        publish(
            agency,
            title=f"执行情况{i}",
            body="根据天教发〔2024〕7号文件执行。",
            when=at(2023, 1 + i),
        )
    use_strategy(monkeypatch, strategy)
    relevance = ids_of("天教发〔2024〕7号", order="relevance")
    assert relevance[0] == target.pk
    assert len(relevance) == 5
    assert ids_of("天教发〔2024〕7号", order="date")[-1] == target.pk
    assert ids_of(target.index_number)[0] == target.pk
    assert ids_of(target.index_number.lower())[0] == target.pk


def test_a_legacy_index_number_comes_first_as_typed_or_in_any_case(agency):
    legacy = publish(agency, title="关于开学工作的通知", when=at(2016))
    lower = publish(agency, title="关于假期安全的通知", when=at(2016, 5))
    # legacy 索引号 are kept exactly as imported: full-width letters, lower case
    Notice.objects.filter(pk=legacy.pk).update(index_number="tyq-ＡＢ/2016-001")
    Notice.objects.filter(pk=lower.pk).update(index_number="xyz/2016-002")
    search.refresh_notice_search([legacy.pk, lower.pk])
    newer = [
        publish(
            agency,
            title=f"执行情况{i}",
            body="根据tyq-ab/2016-001和xyz/2016-002执行。",
            when=at(2023, 1 + i),
        )
        for i in range(3)
    ]
    assert ids_of("tyq-ＡＢ/2016-001")[0] == legacy.pk  # as typed
    for q in ["xyz/2016-002", "XYZ/2016-002", "Xyz/2016-002", "ＸＹＺ/2016-002"]:
        assert ids_of(q) == [lower.pk, *[n.pk for n in reversed(newer)]], q
    # full-width in the 索引号, half-width typed: a text match like any other, newest first
    assert ids_of("TYQ-AB/2016-001") == [*[n.pk for n in reversed(newer)], legacy.pk]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_title_hits_come_first_in_relevance_order(agency, monkeypatch, strategy):
    in_title = publish(agency, title="关于义务教育招生的通知", when=at(2010))
    in_body = [
        publish(
            agency, title=f"第{i}号公告", body="做好义务教育工作。", when=at(2020 + i)
        )
        for i in range(3)
    ]
    use_strategy(monkeypatch, strategy)
    assert ids_of("义务教育", order="relevance") == [in_title.pk] + [
        n.pk for n in reversed(in_body)
    ]
    assert ids_of("义务教育", order="date") == [n.pk for n in reversed(in_body)] + [
        in_title.pk
    ]


# -- paging ----------------------------------------------------------------------------------


@pytest.fixture
def many(agency):
    """23 notices over several half-years, some with 教育 in the title, all with it in the body."""
    notices = []
    for i in range(23):
        title = f"教育通知{i}" if i % 4 == 0 else f"公告{i}"
        notices.append(
            publish(
                agency,
                title=title,
                body=f"义务教育第{i}条",
                when=at(2008 + i % 17, 1 + i % 12, 5),
            )
        )
    return notices


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("order", ["relevance", "date"])
def test_paging_forward_and_back_has_no_duplicates_or_gaps(
    many, monkeypatch, strategy, order
):
    use_strategy(monkeypatch, strategy)
    parsed = parse_query("教育")
    qs = Notice.objects.listed()
    pages, cursor = [], None
    while True:
        page = search_notices(qs, parsed, order=order, cursor=cursor, limit=5)
        pages.append([n.pk for n in page.results])
        assert page.total == 23
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    flat = [pk for p in pages for pk in p]
    assert len(flat) == len(set(flat)) == 23
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    if order == "date":
        expected = sorted(many, key=lambda n: (n.published_at, n.pk), reverse=True)
        assert flat == [n.pk for n in expected]
    # and back again from the last page with prev cursors
    back = [pages[-1]]
    page = search_notices(qs, parsed, order=order, cursor=cursor, limit=5)
    while page.prev_cursor:
        page = search_notices(qs, parsed, order=order, cursor=page.prev_cursor, limit=5)
        back.append([n.pk for n in page.results])
    assert list(reversed(back)) == pages


def test_first_page_has_no_prev_cursor(many):
    page = search_notices(Notice.objects.listed(), parse_query("教育"), limit=5)
    assert page.prev_cursor is None
    assert page.next_cursor


@pytest.mark.parametrize(
    "bad",
    [
        "garbage",
        "",
        "a" * 2000,
        "eyJvIjoicmVsZXZhbmNlIn0:1abc:xyz",
        "%00",
        "../../etc/passwd",
    ],
)
def test_invalid_cursor_gives_the_first_page(many, bad):
    parsed = parse_query("教育")
    first = search_notices(Notice.objects.listed(), parsed, limit=5)
    page = search_notices(Notice.objects.listed(), parsed, cursor=bad, limit=5)
    assert [n.pk for n in page.results] == [n.pk for n in first.results]


def test_tampered_cursor_gives_the_first_page(many):
    parsed = parse_query("教育")
    qs = Notice.objects.listed()
    first = search_notices(qs, parsed, limit=5)
    second = search_notices(qs, parsed, cursor=first.next_cursor, limit=5)
    assert [n.pk for n in second.results] != [n.pk for n in first.results]
    payload, _, signature = first.next_cursor.rpartition(":")
    tampered = payload + ":" + ("A" if signature[0] != "A" else "B") + signature[1:]
    forged = signing.dumps(
        {
            "o": "relevance",
            "k": "0" * 16,
            "f": 1,
            "p": 2,
            "t": "2030-01-01T00:00:00+08:00",
            "i": 1,
            "n": 1,
        },
        salt="something else",
        compress=True,
    )
    for cursor in [tampered, forged]:
        page = search_notices(qs, parsed, cursor=cursor, limit=5)
        assert [n.pk for n in page.results] == [n.pk for n in first.results]


def test_cursor_of_another_search_gives_the_first_page(many):
    qs = Notice.objects.listed()
    other = search_notices(qs, parse_query("义务"), limit=5)
    first = search_notices(qs, parse_query("教育"), limit=5)
    page = search_notices(qs, parse_query("教育"), cursor=other.next_cursor, limit=5)
    assert [n.pk for n in page.results] == [n.pk for n in first.results]
    by_date = search_notices(qs, parse_query("教育"), order="date", limit=5)
    page = search_notices(
        qs, parse_query("教育"), order="relevance", cursor=by_date.next_cursor, limit=5
    )
    assert [n.pk for n in page.results] == [n.pk for n in first.results]


def test_empty_query_pages_the_queryset_by_date(many):
    qs = Notice.objects.listed()
    ids = ids_of("", qs=qs, limit=4)
    assert ids == list(qs.order_by("-published_at", "-id").values_list("id", flat=True))
    page = search_notices(qs, parse_query(""))
    assert page.total == 23


def test_filters_of_the_queryset_apply(agency, other_agency, many):
    theirs = publish(other_agency, title="教育通知", when=at(2024, 5))
    assert set(
        ids_of("教育", qs=Notice.objects.listed().filter(owner_agency=other_agency))
    ) == {theirs.pk}
    assert theirs.pk not in ids_of(
        "教育", qs=Notice.objects.listed().filter(owner_agency=agency)
    )


def test_drafts_and_withdrawn_notices_are_not_listed(agency):
    listed = publish(agency, title="教育通知一")
    withdrawn = publish(agency, title="教育通知二")
    services.notice_withdraw(
        category="mistake", notice=withdrawn, by=None, now=at(2024, 6), reason="已废止"
    )
    services.notice_create(owner_agency=agency, by=None, title="教育通知三")
    assert ids_of("教育") == [listed.pk]
    # the published() queryset (withdrawn included) is searchable too
    assert set(ids_of("教育", qs=Notice.objects.published())) == {
        listed.pk,
        withdrawn.pk,
    }


def test_search_follows_edits(agency):
    notice = publish(agency, title="关于开学的通知", body="旧的正文")
    assert ids_of("旧的正文") == [notice.pk]
    services.notice_update(notice=notice, by=None, body="新的正文")
    assert ids_of("旧的正文") == []
    assert ids_of("新的正文") == [notice.pk]


def test_statistics_come_from_analyze(many):
    from django.db import connection

    assert (
        search._load_stats().columns == {}
    )  # nothing analysed yet: the planner guesses
    with connection.cursor() as cur:
        cur.execute("ANALYZE catalog_notice")
    stats = search._load_stats()
    assert stats.rows == 23
    full = stats.columns["search_codes"]
    assert full.freq(search.term_codes("教育")[0]) == pytest.approx(
        1.0
    )  # in every notice
    assert full.freq(search.term_codes("通知")[0]) == pytest.approx(
        6 / 23, abs=0.01
    )  # in 6 titles
    assert full.freq(search.term_codes("量子")[0]) < 0.5
    assert set(ids_of("教育通知")) == {n.pk for n in many if "教育通知" in n.title}


@pytest.mark.parametrize("bulk", [False, True])
def test_refresh_in_chunks_and_in_bulk(agency, monkeypatch, bulk):
    from django.db import connection

    notices = [
        publish(
            agency, title=f"第{i}号通知", body=f"义务教育第{i}条", when=at(2010 + i)
        )
        for i in range(12)
    ]
    Notice.objects.update(
        search_text="", search_title="", search_codes=[], search_title_codes=[]
    )
    use_strategy(monkeypatch, "index")
    assert ids_of("教育") == []
    monkeypatch.setattr(search, "REFRESH_CHUNK", 5)
    search.refresh_notice_search(
        [n.pk for n in reversed(notices)] + [notices[0].pk], bulk=bulk
    )
    SearchCount.objects.all().delete()
    assert ids_of("义务教育", order="date") == [n.pk for n in reversed(notices)]
    assert ids_of("第11号") == [notices[11].pk]
    assert (
        search_notices(Notice.objects.listed(), parse_query("育第1")).total == 3
    )  # 第1条, 第10条, 第11条
    with (
        connection.cursor() as cur
    ):  # bulk mode leaves the indexes as it found them, pending lists empty
        cur.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname IN %s ORDER BY 1",
            [search._GIN_INDEXES],
        )
        assert cur.fetchall() == [
            (name, ["fastupdate=off"]) for name in sorted(search._GIN_INDEXES)
        ]
        cur.execute(
            "SELECT gin_clean_pending_list('catalog_notice_codes_gin'::regclass)"
        )
        assert cur.fetchone() == (0,)


# -- totals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_total_is_capped(agency, monkeypatch, strategy):
    for i in range(8):
        publish(agency, title=f"教育通知{i}", when=at(2016 + i))
    publish(agency, title="税务通知", when=at(2020))
    use_strategy(monkeypatch, strategy)
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    page = search_notices(Notice.objects.listed(), parse_query("教育"), limit=3)
    assert (page.total, page.total_capped) == (5, True)
    page = search_notices(Notice.objects.listed(), parse_query("通知"), limit=3)
    assert (page.total, page.total_capped) == (5, True)
    monkeypatch.setattr(search, "COUNT_CAP", 8)
    page = search_notices(Notice.objects.listed(), parse_query("教育"), limit=3)
    assert (page.total, page.total_capped) == (8, False)
    page = search_notices(Notice.objects.listed(), parse_query("税务"), limit=3)
    assert (page.total, page.total_capped) == (1, False)


def test_cached_total_follows_publishing_and_withdrawal(agency):
    first = publish(agency, title="教育通知一")
    publish(agency, title="教育通知二")
    qs, parsed = Notice.objects.listed(), parse_query("教育")
    # pages of one notice, so the total is counted (a first page holding every match
    # is its own total and counts nothing)
    assert search_notices(qs, parsed, limit=1).total == 2
    assert SearchCount.objects.count() == 1
    with CaptureQueriesContext(connection) as captured:
        assert search_notices(qs, parsed, limit=1).total == 2  # from the cache
    assert not any("count(" in q["sql"].lower() for q in captured.captured_queries)
    publish(agency, title="教育通知三")
    assert search_notices(qs, parsed, limit=1).total == 3
    services.notice_withdraw(
        category="mistake", notice=first, by=None, now=at(2024, 6), reason="已废止"
    )
    assert search_notices(qs, parsed, limit=1).total == 2


def test_a_first_page_holding_every_match_is_its_own_total(agency):
    publish(agency, title="教育通知一")
    publish(agency, title="教育通知二")
    qs, parsed = Notice.objects.listed(), parse_query("教育")
    with CaptureQueriesContext(connection) as captured:
        page = search_notices(qs, parsed, limit=2)
    assert (page.total, page.total_capped, page.next_cursor) == (2, False, None)
    assert not any("count(" in q["sql"].lower() for q in captured.captured_queries)
    assert not SearchCount.objects.exists()


def test_a_deferred_total_is_counted_on_complete(agency):
    for n in range(3):
        publish(agency, title=f"教育通知{n}")
    qs, parsed = Notice.objects.listed(), parse_query("教育")
    page = search_notices(qs, parsed, limit=2, defer_total=True)
    assert page.pending
    assert page.total is None
    assert page.next_cursor is None
    assert len(page.results) == 2
    page.complete()
    assert not page.pending
    assert page.total == 3
    assert page.next_cursor
    assert search_notices(qs, parsed, cursor=page.next_cursor, limit=2).total == 3
    # given up: no total, and the next page counts again
    SearchCount.objects.all().delete()
    page = search_notices(qs, parsed, limit=2, defer_total=True).give_up_total()
    assert page.total is None
    assert page.next_cursor
    later = search_notices(qs, parsed, cursor=page.next_cursor, limit=2)
    assert later.total == 3
    assert len(later.results) == 1


def test_a_lost_generation_row_comes_back_above_every_cached_total(agency):
    from catalog.models import SearchGeneration

    publish(agency, title="教育通知一")
    publish(agency, title="教育通知二")
    qs, parsed = Notice.objects.listed(), parse_query("教育")
    assert search_notices(qs, parsed, limit=1).total == 2
    stale = SearchCount.objects.get()
    SearchGeneration.objects.all().delete()  # as manage.py flush would
    publish(agency, title="教育通知三")
    assert search_notices(qs, parsed, limit=1).total == 3
    assert SearchGeneration.objects.get().value > stale.generation
    assert search_notices(qs, parsed, limit=1).total == 3


def test_the_total_travels_in_the_cursor(many, django_assert_max_num_queries):
    qs, parsed = Notice.objects.listed(), parse_query("教育")
    first = search_notices(qs, parsed, limit=5)
    SearchCount.objects.all().delete()
    with django_assert_max_num_queries(20) as captured:
        second = search_notices(qs, parsed, cursor=first.next_cursor, limit=5)
    assert second.total == 23
    assert not any("count(" in q["sql"].lower() for q in captured.captured_queries)


# -- bad input -------------------------------------------------------------------------------

BAD_INPUTS = [
    "%",
    "_",
    "%%",
    "'",
    '"',
    "\\",
    "\\\\",
    "a & b",
    "!x",
    "<->",
    "a <-> b",
    "():*",
    "a:*",
    "(教育",
    "'; DROP TABLE catalog_notice; --",
    "1' OR '1'='1",
    "\x00",
    "\x00教育",
    "教育\x00",
    "a" * 1000,
    "税 " * 50,
    "<script>alert(1)</script>",
    "${jndi:ldap://x}",
    "😀",
    "𠀀",
    "\u200b",
    "\ud800",
]


@pytest.mark.parametrize("raw", BAD_INPUTS)
def test_bad_input_never_fails_and_matches_literally(agency, raw):
    publish(
        agency,
        title="百分之百%完成",
        body="a_b 'quoted' \"double\" back\\slash a & b (教育) a:* <-> 😀 𠀀",
    )
    publish(agency, title="普通通知", body="没有特殊字符")
    parsed = parse_query(raw)
    for order in ["relevance", "date"]:
        page = search_notices(Notice.objects.listed(), parsed, order=order)
        assert {n.pk for n in page.results} == (
            truth(" ".join(parsed.terms))
            if parsed.terms
            else set(Notice.objects.listed().values_list("id", flat=True))
        )
    assert set(
        search.matching(Notice.objects.listed(), parsed).values_list("id", flat=True)
    ) == (
        truth(" ".join(parsed.terms))
        if parsed.terms
        else set(Notice.objects.listed().values_list("id", flat=True))
    )
    str(search.highlight("百分之百%完成 a_b", parsed))


def test_special_characters_are_literal(agency):
    percent = publish(agency, title="完成率100%", body="")
    underscore = publish(agency, title="文件a_b", body="")
    publish(agency, title="文件axb", body="")
    assert ids_of("%") == [percent.pk]
    assert ids_of("a_b") == [underscore.pk]
    assert ids_of("_") == [underscore.pk]


# -- queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("order", ["relevance", "date"])
def test_queries_do_not_depend_on_page_size(
    many, monkeypatch, django_assert_max_num_queries, strategy, order
):
    """A bounded number of queries: a small page may skip a band or the index, never more."""
    use_strategy(monkeypatch, strategy)
    qs, parsed = Notice.objects.listed(), parse_query("教育")
    for limit in (1, 5, 20, 100):
        SearchCount.objects.all().delete()
        search.cache.clear()
        with django_assert_max_num_queries(MAX_QUERIES):
            page = search_notices(qs, parsed, order=order, limit=limit)
            for notice in page.results:
                notice.title, notice.body, notice.published_at  # noqa: B018 (no per-row queries)
        assert len(page.results) == min(limit, 23)


# -- property test ---------------------------------------------------------------------------
#
# A few hundred notices written from a small alphabet, so that 1- to 4-character substrings
# repeat across notices, fields and half-years; many random queries; every answer compared
# with a brute-force Python model of the specification (substring matching after normalise,
# field by field; relevance bands; newest first; capped totals) under every strategy.

PROP_CHARS = "教育局税务通知公告年号"
PROP_PIECES = [
    "2013",
    "2014",
    "5",
    "〔2013〕",
    "（",
    "(",
    "ａ",
    "A",
    "Ｂ",
    "b",
    "１",
    "1",
    "，",
    "。",
    " ",
    "　",
    "%",
    "_",
    "\\",
    "'",
    "é",
    "e\u0301",
    "𠀀",
    "😀",
]
PROP_MOMENTS = [  # ties on purpose, and both sides of half-year boundaries in Beijing time and in UTC
    at(2008, 1, 2),
    at(2009, 6, 30, 23),
    at(2009, 7, 1, 7),
    at(2009, 7, 1, 8),
    at(2012, 12, 31, 23),
    at(2013, 1, 1, 0),
    at(2013, 5),
    at(2013, 9),
    at(2014, 2),
    at(2016, 6, 30, 10),
    at(2016, 7, 1, 10),
    at(2019, 3),
    at(2020, 11),
    at(2021, 7, 1, 7),
    at(2023, 4),
    at(2024, 12, 31, 23),
    at(2025, 1, 1, 1),
]
PROP_STRATEGIES = [*STRATEGIES, "analyze"]


def _prop_text(rng: random.Random, n: int) -> str:
    out = ""
    while len(out) < n:
        out += rng.choice(PROP_CHARS) if rng.random() < 0.8 else rng.choice(PROP_PIECES)
    return out


@dataclass
class _Spec:
    """What a notice is for the specification: its fields, as a citizen sees them, normalised."""

    pk: int
    owner: int
    published_at: datetime
    fields: list[str]
    title: str
    identifiers: list[str]


def _spec_notices(qs) -> list[_Spec]:
    out = []
    for n in qs.prefetch_related("attachments"):
        fields = [
            n.title,
            n.doc_number,
            n.index_number or "",
            n.summary,
            search.body_text(n.body),
            *[a.text for a in n.attachments.all()],
        ]
        out.append(
            _Spec(
                pk=n.pk,
                owner=n.owner_agency_id,
                published_at=n.published_at,
                fields=[normalise(f) for f in fields],
                title=normalise(n.title),
                identifiers=[
                    normalise(x) for x in (n.doc_number, n.index_number or "") if x
                ],
            )
        )
    return out


def _expected_order(specs: list[_Spec], query: str, order: str) -> list[int]:
    """The specification, by brute force: every notice whose fields contain every word."""
    terms = normalise(query).split()
    hits = [s for s in specs if all(any(t in f for f in s.fields) for t in terms)]
    newest_first = sorted(hits, key=lambda s: (s.published_at, s.pk), reverse=True)
    if order == "date" or not terms:
        return [s.pk for s in newest_first]

    def band(s: _Spec) -> int:
        if len(terms) == 1 and terms[0] in s.identifiers:
            return 0  # the query is this notice's 发文字号 or 索引号
        return 1 if all(t in s.title for t in terms) else 2

    return [
        s.pk for s in sorted(newest_first, key=band)
    ]  # stable: newest first inside a band


def _prop_queries(rng: random.Random, specs: list[_Spec]) -> list[str]:
    queries = [
        "2013年",
        "〔2013〕5号",
        "〔2013〕",
        "2013",
        "(",
        "（",
        "ａ",
        "A1",
        "Ａ１",
        "%",
        "_",
        "\\",
        "'",
        "教",
        "年号",
        "通知公告",
        "税务 通知",
        "局，",
        "ab",
        "量",
        "量子",
    ]
    ident = rng.choice([s for s in specs if s.identifiers])
    queries += [ident.identifiers[0], ident.identifiers[-1].upper()]
    for _ in range(
        30
    ):  # substrings of a field: 1–6 characters, may contain a space (two words)
        field = rng.choice([f for f in rng.choice(specs).fields if f] or ["教"])
        start = rng.randrange(len(field))
        queries.append(field[start : start + rng.randint(1, 6)].strip() or "教")
    for _ in range(10):  # strings of the alphabet, present or not
        queries.append(
            "".join(rng.choice(PROP_CHARS) for _ in range(rng.randint(1, 4)))
        )
    for _ in range(8):  # several words
        queries.append(
            " ".join(
                "".join(rng.choice(PROP_CHARS) for _ in range(rng.randint(1, 3)))
                for _ in range(rng.randint(2, 3))
            )
        )
    for _ in range(6):  # long phrases
        field = max(rng.choice(specs).fields, key=len)
        start = rng.randrange(max(len(field) - 8, 1))
        queries.append(field[start : start + rng.randint(8, 30)])
    queries.append(" ".join(rng.sample(PROP_CHARS, 10)))  # ten one-character words
    queries += [
        "𠀀",
        "😀",
        "𠠀",
        "é",
        "e\u0301",
        "e",
    ]  # beyond the BMP (shared codes); composed on both sides
    for spec in rng.sample(
        [s for s in specs if s.fields[0].split() and s.fields[4].split()], 8
    ):
        # the end of the title and the start of the body: a phrase across two fields
        queries.append(spec.fields[0].split()[-1][-2:] + spec.fields[4].split()[0][:2])
    return list(dict.fromkeys(q for q in queries if q.strip()))


def test_search_equals_substring_matching_on_generated_notices(
    agency, other_agency, monkeypatch
):
    from django.db import connection

    rng = random.Random(20240501)
    for _ in range(300):
        body = _prop_text(rng, rng.randint(0, 70))
        if (
            rng.random() < 0.3
        ):  # HTML: paragraphs are separate lines of the visible text
            body = "".join(
                f"<p>{_prop_text(rng, rng.randint(1, 20))}</p>"
                for _ in range(rng.randint(1, 3))
            )
        doc_number = (
            f"{rng.choice(['天教发', '天税发'])}〔{rng.choice([2013, 2014])}〕{rng.randint(1, 6)}号"
            if rng.random() < 0.4
            else ""
        )
        notice = services.notice_create(
            owner_agency=rng.choice([agency, other_agency]),
            by=None,
            title=_prop_text(rng, rng.randint(1, 14)).strip() or "题",
            body=body,
            summary=_prop_text(rng, rng.randint(0, 12)),
            doc_number=doc_number,
        )
        if rng.random() < 0.05:
            services.attachment_add(
                notice=notice,
                by=None,
                name="附件.txt",
                content=_prop_text(rng, rng.randint(1, 40)).encode(),
            )
        r = rng.random()
        if r < 0.9:
            notice = services.notice_publish(
                notice=notice, by=None, now=rng.choice(PROP_MOMENTS)
            )
        if r < 0.05:
            services.notice_withdraw(
                category="mistake",
                notice=notice,
                by=None,
                now=at(2025, 6),
                reason="已废止",
            )
    with connection.cursor() as cur:
        cur.execute("ANALYZE catalog_notice")
    listed = Notice.objects.listed()
    specs = _spec_notices(listed)
    theirs = [s for s in specs if s.owner == other_agency.pk]
    assert 240 < len(specs) < 280
    queries = _prop_queries(rng, specs)
    expected = {
        (q, o): _expected_order(specs, q, o)
        for q in queries
        for o in ("relevance", "date")
    }
    # the data is what the test is about: hits of every size, some of them none
    sizes = [len(expected[(q, "date")]) for q in queries]
    assert len(queries) > 60
    assert min(sizes) == 0
    assert max(sizes) > 200
    assert sum(1 for n in sizes if 0 < n < 20) > 15
    for strategy in PROP_STRATEGIES:
        with monkeypatch.context() as m:
            if (
                strategy == "analyze"
            ):  # the real planner on real ANALYZE statistics, nothing patched
                SearchCount.objects.all().delete()
                search.cache.clear()
            else:
                use_strategy(m, strategy)
            for i, q in enumerate(queries):
                # small pages too, but at most about four of them (the suite runs on two cores)
                limit = max(
                    rng.choice([1, 2, 7, 20, 60]), -(-len(expected[(q, "date")]) // 4)
                )
                for order in ["relevance", "date"]:
                    got = ids_of(q, order=order, limit=limit)
                    assert got == expected[(q, order)], (strategy, q, order, limit)
                parsed = parse_query(q)
                want = expected[(q, "date")]
                page = search_notices(listed, parsed, limit=limit)
                assert (page.total, page.total_capped) == (len(want), False), (
                    strategy,
                    q,
                )
                assert set(
                    search.matching(listed, parsed).values_list("id", flat=True)
                ) == set(want), (strategy, q)
                if i % 3 == 0:  # a first search finds every match for the filter counts
                    SearchCount.objects.all().delete()
                    fresh = search_notices(
                        listed, parsed, limit=limit, defer_total=True, matches=True
                    ).complete()
                    assert sorted(fresh.matched_ids) == sorted(want), (strategy, q)
                if (
                    i % 5 == 0
                ):  # back from the last page with prev cursors; a filtered queryset; a low cap
                    _check_paging_back(
                        listed, parsed, expected[(q, "relevance")], limit, (strategy, q)
                    )
                    mine = listed.filter(owner_agency=other_agency)
                    assert ids_of(
                        q, order="date", qs=mine, limit=limit
                    ) == _expected_order(theirs, q, "date")
                    m.setattr(search, "COUNT_CAP", 5)
                    page = search_notices(
                        listed, parsed, order="date", limit=limit, matches=True
                    )
                    assert (page.total, page.total_capped) == (
                        min(len(want), 5),
                        len(want) > 5,
                    ), (strategy, q)
                    if len(want) > max(5, limit):  # counted past the cap: no ids
                        assert page.matched_ids is None, (strategy, q)
                    m.setattr(search, "COUNT_CAP", 10_000)


def _check_paging_back(qs, parsed, want: list[int], limit: int, where) -> None:
    pages, cursor = [], None
    while True:
        page = search_notices(qs, parsed, order="relevance", cursor=cursor, limit=limit)
        pages.append([n.pk for n in page.results])
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert [pk for p in pages for pk in p] == want, where
    back = [pages[-1]]
    while page.prev_cursor:
        page = search_notices(
            qs, parsed, order="relevance", cursor=page.prev_cursor, limit=limit
        )
        back.append([n.pk for n in page.results])
    assert list(reversed(back)) == pages, where


def test_empty_catalog(db, monkeypatch):
    for strategy in PROP_STRATEGIES:
        with monkeypatch.context() as m:
            if strategy != "analyze":
                use_strategy(m, strategy)
            for q in [
                "",
                "税",
                "教育",
                "义务教育",
                "教育 通知",
                "2013年",
                "〔2013〕5号",
                "%",
            ]:
                for order in ["relevance", "date"]:
                    page = search_notices(
                        Notice.objects.listed(), parse_query(q), order=order
                    )
                    assert (
                        page.results,
                        page.total,
                        page.total_capped,
                        page.next_cursor,
                        page.prev_cursor,
                    ) == ([], 0, False, None, None), (strategy, q, order)
                assert not search.matching(
                    Notice.objects.listed(), parse_query(q)
                ).exists()


def test_only_drafts_is_an_empty_catalog(agency):
    services.notice_create(
        owner_agency=agency, by=None, title="教育通知", body="义务教育"
    )
    for q in ["", "教育", "义务教育"]:
        page = search_notices(Notice.objects.listed(), parse_query(q))
        assert (page.results, page.total) == ([], 0)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_phrase_across_two_fields_does_not_match(agency, monkeypatch, strategy):
    across = publish(
        agency,
        title="关于做好招生工作",
        body="通知各学校",
        summary="教育局发布",
        doc_number="天教发〔2013〕5号",
        when=at(2013, 5),
    )
    inside = publish(agency, title="第二号", body="招生工作通知各学校", when=at(2014))
    use_strategy(monkeypatch, strategy)
    assert ids_of("工作通知") == [
        inside.pk
    ]  # title end + body start only in the second notice
    assert ids_of("5号教育") == []  # 发文字号 + 内容概述
    assert ids_of("发布天教") == []
    assert ids_of("工作 通知") == [inside.pk, across.pk]  # as two words it matches both


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_phrase_across_table_cells_or_blocks_does_not_match(
    agency, monkeypatch, strategy
):
    table = publish(
        agency,
        title="名单公示",
        body="<table><caption>拟录用人员</caption><tr><th>姓名</th><th>岗位</th></tr>"
        "<tr><td>张三</td><td>李四</td></tr></table><blockquote>教育</blockquote>局<hr>长株潭",
        when=at(2020),
    )
    inline = publish(
        agency,
        title="第二号",
        body="<p><span>张</span><span>三李</span>四</p>",
        when=at(2021),
    )
    use_strategy(monkeypatch, strategy)
    assert ids_of("三李") == [inline.pk]
    assert (
        ids_of("人员姓名") == ids_of("名岗") == ids_of("育局") == ids_of("局长") == []
    )
    assert ids_of("张三") == [inline.pk, table.pk]
    assert ids_of("三 李") == [inline.pk, table.pk]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_years_and_doc_numbers(agency, monkeypatch, strategy):
    doc = publish(
        agency,
        title="关于2013年工作的通知",
        doc_number="天教发[2013]5号",
        when=at(2013, 5),
    )
    year = publish(agency, title="2013年度报告", body="二〇一三年", when=at(2014, 3))
    other = publish(
        agency,
        title="关于工作的通知",
        body="天教发〔2013〕15号和〔2013〕50号",
        when=at(2015),
    )
    publish(agency, title="2014年计划", doc_number="天教发〔2014〕5号", when=at(2016))
    use_strategy(monkeypatch, strategy)
    assert doc.doc_number == "天教发〔2013〕5号"  # normalised when saved
    assert ids_of("2013年", order="date") == [year.pk, doc.pk]
    assert ids_of("〔2013〕5号") == [doc.pk]
    assert ids_of("〔2013〕5") == [other.pk, doc.pk]  # "〔2013〕50号" too
    assert ids_of("〔2013〕", order="date") == [other.pk, doc.pk]
    assert ids_of("天教发〔2013〕5号") == [doc.pk]
    assert ids_of("2013 5号", order="date") == [
        other.pk,
        doc.pk,
    ]  # 〔2013〕15号 has both
    assert ids_of("２０１３年", order="date") == [year.pk, doc.pk]  # full-width digits


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_amounts_digits_followed_by_a_unit(agency, monkeypatch, strategy):
    """Words whose pairs are all common (1万, 万元, 20, 24) but whose runs are not."""
    hit = publish(agency, title="资金安排", body="下达补助资金31万元。", when=at(2013))
    also = publish(agency, title="预算", body="合计131万元，PM2.5浓度", when=at(2018))
    near = publish(
        agency, title="预算", body="共21万元，另有3100万元和1万元。", when=at(2021)
    )
    year = publish(agency, title="2024年15项任务", body="31日前完成。", when=at(2024))
    use_strategy(monkeypatch, strategy)
    assert ids_of("31万元", order="date") == [also.pk, hit.pk]
    assert ids_of("31万", order="date") == [also.pk, hit.pk]
    assert set(ids_of("1万元")) == {hit.pk, also.pk, near.pk}
    assert ids_of("00万元") == [near.pk]
    assert ids_of("2024年15") == [year.pk]
    assert ids_of("pm2.5浓") == [also.pk]
    assert ids_of("31万 pm2.5") == [also.pk]
    assert ids_of("24年16") == []


# -- highlighting ----------------------------------------------------------------------------


def test_highlight_marks_every_hit_and_escapes():
    html = search.highlight("<b>教育</b>局：ＡＢＣ１２３与abc", parse_query("abc 教育"))
    assert (
        html
        == "&lt;b&gt;<mark>教育</mark>&lt;/b&gt;局：<mark>ＡＢＣ</mark>１２３与<mark>abc</mark>"
    )


def test_highlight_cuts_a_snippet_around_the_first_hit():
    text = "前" * 300 + "义务教育" + "后" * 300
    html = str(search.highlight(text, parse_query("义务教育"), max_chars=40))
    assert html.startswith("…")
    assert html.endswith("…")
    assert "<mark>义务教育</mark>" in html
    assert len(html.replace("<mark>", "").replace("</mark>", "")) == 42


def test_highlight_without_hits_or_words():
    assert search.highlight("a<b", parse_query("")) == "a&lt;b"
    assert search.highlight("", parse_query("教育")) == ""
    assert (
        str(search.highlight("x" * 200, parse_query("教育"), max_chars=10))
        == "x" * 10 + "…"
    )
