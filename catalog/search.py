"""Chinese full-text search over notices: plain substring semantics, fast at 1,000,000 notices.

A query is up to ``MAX_TERMS`` words; a notice matches when its normalised text (title, 发文字号,
索引号, 内容概述, body and attachment text; NFKC + lower-case on both sides) contains every word
as a substring. There is no segmenter, so recall is 100 % by construction. How (docs/search.md):

- **Keys.** ``search_codes`` holds one key per distinct character and per distinct pair of
  adjacent characters of the text, tagged with the half-year of publication (``bucket_of``),
  in a GIN index. A one- or two-character word *is* a key, so the index answers it exactly; a
  longer word's pairs give candidates that are re-checked with ``strpos`` on ``search_text``,
  which is stored uncompressed in the row so a re-check costs microseconds.
- **Newest first, stop early.** The half-year tag lets the index be read one half-year at a
  time, newest first (``UNION ALL`` under a ``LIMIT``), so neither a page nor a capped total
  reads more of the index than it needs. Very common words are cheaper still by walking the
  newest notices and checking each text; the planner statistics of the key columns decide.
- **Totals** are capped at ``COUNT_CAP`` + 1 and cached per query and filters until the next
  write to the catalog (a trigger bumps ``SearchGeneration``): in ``catalog_searchcount`` on
  the primary, or in Redis when ``REDIS_URL`` is set (several app servers, reads from a
  replica: portal/dbrouter.py). The searching itself reads the request's read database.
- **Pages** are keyset cursors (band, 发布时间, id), signed; the total travels in the cursor.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import json
import math
import operator
import re
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import repeat
from typing import Any

from django.conf import settings as django_settings
from django.core import signing
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.db.models import BooleanField, F, Q, QuerySet, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear, RowNumber, StrIndex
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from catalog.sanitize import html_to_text
from portal.dbrouter import PRIMARY, read_alias, read_connection

MAX_QUERY_CHARS = 200
MAX_TERMS = 10
COUNT_CAP = 10_000  # totals above this are shown as "10,000+"
UNKNOWN_TOTAL = -1  # in a cursor: the total was not counted (the next page counts)
MAX_PAGE_SIZE = 100

# Planner knobs (docs/search.md and docs/performance.md have the measurements behind them).
WALK_WINDOW = 2_000  # newest rows a walk checks before the index takes over
GIN_MAX_CODES = 12  # codes handed to the index (chosen by cost, the rarest first)
MATCHING_INDEX_FREQ = 1.0  # matching() reads the index when it yields fewer candidates than this (and is cheaper)
STATS_CACHE_SECONDS = 600
COUNT_CACHE_MAX_AGE = (
    "1 hour"  # a cached total is also dropped after this (SQL interval)
)
COUNT_CACHE_SECONDS = 3600  # the same, for totals kept in Redis (REDIS_URL)
# Rough costs in microseconds, measured on the bench machine.
COST_WALK_ROW = 4.0  # walk the date index, fetch the row, strpos every word
COST_SEQ_ROW = 15.0  # sequential scan + strpos (pages come from the OS cache)
COST_BRANCH = 400.0  # plan and start one branch (a run of half-years) of an index scan
COST_GIN_ENTRY = 0.3  # one posting-list entry read into a bitmap
COST_FETCH = 1.5  # fetch a candidate row
COST_VERIFY = 2.5  # strpos over a whole text (title: a tenth of it)

_SEARCH_COLUMNS = ("search_text", "search_title", "search_codes", "search_title_codes")
# what the filter counts need of a match (``SearchPage.matched``); f_year is the year of
# 发布时间 in local time
MATCH_COLUMNS = (
    "id",
    "theme_id",
    "genre_id",
    "column_id",
    "f_year",
    "validity",
    "valid_from",
    "valid_until",
)
_CURSOR_SALT = "catalog.search.cursor"
_STATS_KEY = "catalog.search.stats.v3"
_KEYS_PLACEHOLDER = -(10**15)  # never a real key (keys are ≥ 0)
_STATISTICS = {  # key column → statistics object on its codes (migration 0003_search_codes)
    "search_codes": "catalog_notice_search_codes_stats",
    "search_title_codes": "catalog_notice_search_title_codes_stats",
}
SEARCH_WORK_MEM = (
    "32MB"  # keeps the bitmaps of common words exact (lossy ones re-read the keys)
)


# -- normalisation and keys ----------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_FULL_WIDTH = re.compile("[\uff01-\uff5e]")


def _narrow(match: re.Match) -> str:
    return chr(ord(match.group()) - 0xFEE0)


def normalise(text: str) -> str:
    """NFKC + lower-case; control characters become spaces. Applied to texts and queries alike.

    Full-width ASCII (，１Ａ…) is mapped first, exactly as NFKC maps it, because
    unicodedata.normalize is several times slower once it meets one such character.
    """
    text = _FULL_WIDTH.sub(_narrow, text or "")
    return _CONTROL.sub(" ", unicodedata.normalize("NFKC", text).lower())


def _fold_astral(text: str) -> str:
    # Characters beyond the BMP share 2,048 codes in the surrogate range, which no real
    # character uses; a word containing one is always re-checked.
    return _ASTRAL.sub(lambda m: chr(0xD800 + ord(m.group()) % 0x800), text)


# Trigram codes. Digits, Latin letters and ASCII punctuation pair up in only a few thousand
# ways, so every pair of an amount, a year or a 发文字号 number is common (`1万` is in most
# notices) while the word is not (`31万`: one notice in fifteen): a word is at most as rare as
# its rarest code, so such words had ten times more candidates than matches to re-check.
# Every run of three adjacent characters with at least one ASCII character in it therefore
# also gets a code, hashed into the codes of pairs that start with a control character
# (0x01 … 0x1f), which normalise() never leaves in a text: 31 × 65,536 codes, shared by
# chance (a shared code only adds candidates, which are re-checked anyway).
_TRIGRAM_FIRST = 0x10000  # (0x01 << 16)
_TRIGRAM_CODES = 0x1F * 0x10000
_ASCII_CHAR = re.compile("[\x21-\x7e]")


def _trigram_codes(ks: Sequence[int]) -> set[int]:
    """Codes of the runs of three characters (code points ``ks``) that hold an ASCII one."""
    mul, mask, first, space = (
        0x9E3779B97F4A7C15,
        0xFFFFFFFFFFFFFFFF,
        _TRIGRAM_FIRST,
        _TRIGRAM_CODES,
    )
    return {
        first + (((((a << 32) | (b << 16) | c) * mul) & mask) >> 24) % space
        for a, b, c in zip(ks, ks[1:], ks[2:], strict=False)
        if a < 0x7F or b < 0x7F or c < 0x7F
    }


def text_codes(text: str) -> set[int]:
    """Codes of every character and every pair of adjacent characters of the normalised ``text``,
    and of every run of three that holds an ASCII character.

    A character's code is its code point (< 0x10000), a pair's ``(a << 16) | b`` (≥ 0x10000):
    32 bits, exact for the BMP. Trigram codes are hashed into pair codes no text has
    (``_trigram_code``). Nothing spans whitespace (words never contain it).
    """
    if _ASTRAL.search(text):
        text = _fold_astral(text)
    out: set[int] = set()
    for seg in text.split():
        ks = list(map(ord, seg))
        out.update(ks)
        out.update(map(operator.or_, map(operator.lshift, ks, repeat(16)), ks[1:]))
        if len(ks) >= 3 and _ASCII_CHAR.search(seg):
            out.update(_trigram_codes(ks))
    return out


def term_codes(term: str) -> tuple[int, ...]:
    """Codes a text must have to contain ``term``: its character, or its pairs (and trigrams)."""
    term = _fold_astral(term)
    ks = list(map(ord, term))
    if len(ks) == 1:
        return (ks[0],)
    pairs = [(a << 16) | b for a, b in itertools.pairwise(ks)]
    if len(ks) >= 3 and _ASCII_CHAR.search(term):
        pairs += sorted(_trigram_codes(ks))
    return tuple(dict.fromkeys(pairs))


def term_is_exact(term: str) -> bool:
    """True when the index alone decides whether a text contains ``term``."""
    return len(term) <= 2 and not _ASTRAL.search(term)


def bucket_of(published_at: datetime | None) -> int:
    """Half-year of publication (UTC) as a small number that grows with the date; 0 = never."""
    if published_at is None:
        return 0
    utc = published_at.astimezone(UTC)
    return min(max((utc.year - 1990) * 2 + (utc.month > 6) + 1, 1), 255)


def keys_of(codes: Iterable[int], bucket: int) -> list[int]:
    """Index keys: the codes tagged with their half-year (bucket << 32 | code)."""
    return list(map(operator.or_, codes, repeat(bucket << 32)))


# Ends of elements a reader sees apart (table cells, quotations, rules …). html_to_text
# breaks lines only after paragraphs, list items, rows and headings, so without this a
# phrase would match across two table cells: 张三 | 李四 is not the text 三李.
_BLOCK_END = re.compile(
    r"</(?:td|th|caption|blockquote|pre|table|thead|tbody|tfoot|ul|ol)\s*>|<hr\b[^>]*>",
    re.IGNORECASE,
)


def body_text(body_html: str) -> str:
    """The visible text of a notice body as search reads it: one line per block or cell."""
    return html_to_text(_BLOCK_END.sub(lambda m: m.group() + "\n", body_html or ""))


def notice_search_fields(
    *,
    title: str,
    doc_number: str,
    index_number: str,
    summary: str,
    body_html: str,
    attachment_texts: Iterable[str],
    published_at: datetime | None,
) -> dict[str, Any]:
    parts = [
        title,
        doc_number,
        index_number,
        summary,
        body_text(body_html),
        *attachment_texts,
    ]
    text = "\n".join(normalise(p) for p in parts if p)
    search_title = normalise(title)
    bucket = bucket_of(published_at)
    return {
        "search_text": text,
        "search_title": search_title,
        "search_codes": keys_of(text_codes(text), bucket),
        "search_title_codes": keys_of(text_codes(search_title), bucket),
    }


REFRESH_CHUNK = 500  # notices loaded and written per UPDATE statement


def refresh_notice_search(notice_ids: Iterable[int], *, bulk: bool = False) -> None:
    """Recompute the search columns of these notices from their fields and attachments.

    Call it whenever a notice's text, attachments or 发布时间 change (the services do).
    One UPDATE per ``REFRESH_CHUNK`` notices. The cost is the GIN insertions (~500–1,500 keys
    a notice, each inserted on its own because the indexes have ``fastupdate = off``), not
    the statements. ``bulk=True`` is for loading many notices into a catalog nobody reads
    yet (``seed_demo``): it switches ``fastupdate`` on for the duration, so the keys collect
    in the GIN pending lists and are merged sorted at the end (the 1,200 demo notices: ~2 s
    instead of ~6 s here). It needs the database user to own the indexes (it ran the
    migrations) and holds an ACCESS EXCLUSIVE lock on both GIN indexes until the transaction
    ends, which blocks every query on the notices: never use it on a catalog being served.
    """
    from catalog.models import Notice

    ids = list(dict.fromkeys(notice_ids))
    if not ids:
        return
    gin = [index.name for index in Notice._meta.indexes if index.name in _GIN_INDEXES]
    with transaction.atomic(), connection.cursor() as cur:
        if bulk:
            for name in gin:
                cur.execute(f'ALTER INDEX "{name}" SET (fastupdate = on)')
        for i in range(0, len(ids), REFRESH_CHUNK):
            _refresh_chunk(cur, ids[i : i + REFRESH_CHUNK])
        if bulk:
            for name in gin:
                cur.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])
                cur.execute(f'ALTER INDEX "{name}" SET (fastupdate = off)')


_GIN_INDEXES = ("catalog_notice_codes_gin", "catalog_notice_title_codes_gin")


def _pg_array(values: Iterable[int]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


def _refresh_chunk(cur, ids: Sequence[int]) -> None:
    from django.db.models import Prefetch

    from catalog.models import Attachment, Notice

    notices = (
        Notice.objects.filter(pk__in=ids)
        .only(
            "pk",
            "title",
            "doc_number",
            "index_number",
            "summary",
            "body",
            "published_at",
        )
        .prefetch_related(
            Prefetch(
                "attachments", queryset=Attachment.objects.only("notice_id", "text")
            )
        )
    )
    rows = []
    for notice in notices:
        fields = notice_search_fields(
            title=notice.title,
            doc_number=notice.doc_number,
            index_number=notice.index_number or "",
            summary=notice.summary,
            body_html=notice.body,
            attachment_texts=[a.text for a in notice.attachments.all()],
            published_at=notice.published_at,
        )
        rows.append(
            (
                notice.pk,
                fields["search_text"],
                fields["search_title"],
                _pg_array(fields["search_codes"]),
                _pg_array(fields["search_title_codes"]),
            )
        )
    if not rows:
        return
    table = Notice._meta.db_table
    columns = list(zip(*rows, strict=True))
    cur.execute(
        f'UPDATE "{table}" n SET search_text = v.t, search_title = v.tt, '  # noqa: S608 (model table)
        "search_codes = v.c::bigint[], search_title_codes = v.tc::bigint[] "
        "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[]) AS v(id, t, tt, c, tc) "
        "WHERE n.id = v.id",
        [list(c) for c in columns],
    )


# -- parsing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[str, ...]  # normalised words, deduplicated, as typed
    raw: str  # what the user typed (stripped)
    warning: str = ""  # "" or a Chinese message (truncated, too many words …)

    @property
    def is_empty(self) -> bool:
        return not self.terms

    @property
    def effective_terms(self) -> tuple[str, ...]:
        """The words that decide a match: a word inside another word adds nothing."""
        terms = self.terms
        return tuple(t for t in terms if not any(t != o and t in o for o in terms))


def parse_query(raw: str) -> ParsedQuery:
    raw = (raw or "").replace("\x00", "").strip()
    warnings = []
    text = raw
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        warnings.append(f"检索词过长，只使用了前 {MAX_QUERY_CHARS} 个字符。")
    terms = list(dict.fromkeys(normalise(text).split()))
    if len(terms) > MAX_TERMS:
        terms = terms[:MAX_TERMS]
        warnings.append(f"检索词过多，只使用了前 {MAX_TERMS} 个词。")
    return ParsedQuery(terms=tuple(terms), raw=raw, warning="".join(warnings))


# -- statistics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ColumnStats:
    codes: array  # sorted codes among the most common keys ('L')
    freqs: array  # fraction of rows containing each code, summed over half-years ('d')
    min_freq: float  # a key missing from the list is rarer than this

    def freq(self, code: int) -> float:
        i = bisect.bisect_left(self.codes, code)
        if i < len(self.codes) and self.codes[i] == code:
            return self.freqs[i]
        return self.min_freq / 2


@dataclass(frozen=True)
class _Stats:
    rows: float
    columns: dict[str, _ColumnStats]


def _load_stats() -> _Stats:
    """Row count and the most common codes' frequencies from ANALYZE.

    The frequencies come from the expression statistics on the codes without their half-year
    (migration 0003_search_codes); the key columns' own statistics split every frequency
    over the half-years.
    """
    from catalog.models import Notice

    with read_connection().cursor() as cur:
        cur.execute(
            "SELECT c.reltuples, s.statistics_name, s.most_common_elems::text, s.most_common_elem_freqs "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_stats_ext_exprs s ON s.schemaname = n.nspname AND s.tablename = c.relname "
            "  AND s.statistics_name IN (%s, %s) "
            "WHERE c.oid = %s::regclass",
            [*_STATISTICS.values(), Notice._meta.db_table],
        )
        rows = cur.fetchall()
    columns: dict[str, _ColumnStats] = {}
    names = {v: k for k, v in _STATISTICS.items()}
    reltuples = 0.0
    for reltuples, name, elems, freqs in rows:  # noqa: B007 - read after the loop
        if not name or not elems or not freqs or len(freqs) < 3:
            continue
        pairs = sorted(
            zip(
                (int(x) for x in elems.strip("{}").split(",") if x), freqs, strict=False
            )
        )
        columns[names[name]] = _ColumnStats(
            codes=array("L", (c for c, _ in pairs)),
            freqs=array("d", (f for _, f in pairs)),
            min_freq=float(freqs[-3]),
        )
    return _Stats(rows=max(float(reltuples or 0), 0.0), columns=columns)


def _stats() -> _Stats:
    stats = cache.get(_STATS_KEY)
    if stats is None:
        stats = _load_stats()
        cache.set(_STATS_KEY, stats, STATS_CACHE_SECONDS)
    return stats


# -- planning ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    text: str  # column holding the normalised text
    codes: str  # column holding its keys (GIN)
    verify_cost: float


_FULL = _Target("search_text", "search_codes", COST_VERIFY)
_TITLE = _Target("search_title", "search_title_codes", COST_VERIFY / 10)


@dataclass(frozen=True)
class _Plan:
    target: _Target
    terms: tuple[str, ...]
    gin_codes: tuple[int, ...]  # codes the index scan uses (the rarest)
    gin_verify: tuple[str, ...]  # words the index path must still re-check with strpos
    freq: float  # estimated fraction of notices that match, words taken as independent (1.0: unknown)
    freq_max: float  # at most this: the rarest word's frequency (words of one topic go together)
    gin_entries: float  # posting entries an index scan reads, as a fraction of rows
    gin_candidates: float  # candidates it yields, as a fraction of rows
    known: bool  # False: no statistics yet, the estimates are guesses


def _plan(target: _Target, terms: Sequence[str], stats: _Stats) -> _Plan:
    col = stats.columns.get(target.codes)
    per_term = [(t, term_codes(t)) for t in terms]
    if col is None:
        # no statistics yet (a new or small table): every word's first and last pair
        chosen = list(
            dict.fromkeys(c for _t, codes in per_term for c in (codes[0], codes[-1]))
        )[:GIN_MAX_CODES]
        verify = tuple(
            t for t, codes in per_term if not (term_is_exact(t) and codes[0] in chosen)
        )
        return _Plan(
            target=target,
            terms=tuple(terms),
            gin_codes=tuple(chosen),
            gin_verify=verify,
            freq=1.0,
            freq_max=1.0,
            gin_entries=1.0,
            gin_candidates=1.0,
            known=False,
        )
    word_freqs = [
        min(col.freq(c) for c in codes) for _t, codes in per_term
    ]  # ≤ its rarest pair
    freq = math.prod(word_freqs)

    def shape(chosen: Sequence[int]) -> tuple[float, float, tuple[str, ...]]:
        """Posting entries read, candidates fetched (fractions of rows), words re-checked."""
        entries = sum(col.freq(c) for c in chosen)
        candidates = 1.0
        for _t, codes in per_term:
            # pairs of one word go together (教育局: 育局 nearly always comes with 教育), so each
            # further pair of a word counts for its square root; different words are independent
            mine = sorted(col.freq(c) for c in codes if c in chosen)
            candidates *= math.prod([*mine[:1], *(math.sqrt(f) for f in mine[1:])])
        verify = tuple(
            t for t, codes in per_term if not (term_is_exact(t) and codes[0] in chosen)
        )
        return entries, candidates, verify

    def cost(chosen: Sequence[int]) -> float:
        entries, candidates, verify = shape(chosen)
        return entries * COST_GIN_ENTRY + candidates * (
            COST_FETCH + len(verify) * target.verify_cost
        )

    # Greedily add the code that lowers the estimated cost most: first the rarest code of
    # each further word (words narrow the candidates independently), then further pairs of
    # the words (which the estimate credits only with a square root, and reality often with
    # nothing: 长株潭一体化's pairs all come together).
    rarest = sorted({min(codes, key=col.freq) for _t, codes in per_term}, key=col.freq)
    chosen = [rarest.pop(0)]
    for pool in (
        rarest,
        sorted(
            {c for _t, codes in per_term for c in codes} - set(rarest), key=col.freq
        ),
    ):
        pool = [c for c in pool if c not in chosen]
        while pool and len(chosen) < GIN_MAX_CODES:
            best = min(pool, key=lambda c: cost([*chosen, c]))
            if cost([*chosen, best]) >= cost(chosen):
                break
            chosen.append(best)
            pool.remove(best)
    entries, candidates, verify = shape(chosen)
    return _Plan(
        target=target,
        terms=tuple(terms),
        gin_codes=tuple(chosen),
        gin_verify=verify,
        freq=freq,
        freq_max=min(word_freqs),
        gin_entries=entries,
        gin_candidates=candidates,
        known=True,
    )


@dataclass(frozen=True)
class _Context:
    rows: float  # estimated notices
    buckets: tuple[int, int]  # lowest and highest half-year holding a published notice
    settings: tuple[
        str, ...
    ]  # enable_seqscan, enable_indexscan, parallel workers as found


def _walk_cost(plan: _Plan, need: int, ctx: _Context) -> float:
    # optimistic on purpose: a walk gives up after WALK_WINDOW rows, an index scan that reads
    # too much cannot
    return min(need / max(plan.freq_max, 1 / ctx.rows), ctx.rows) * COST_WALK_ROW


def _gin_cost(plan: _Plan, need: int, ctx: _Context) -> float:
    """Reading the index half-years at a time, newest first, until ``need`` matches."""
    n_buckets = max(ctx.buckets[1] - ctx.buckets[0] + 1, 1)
    per_bucket_rows = ctx.rows / n_buckets
    matches_per_bucket = max(plan.freq * per_bucket_rows, 1e-9)
    buckets = min(n_buckets, math.ceil(need / matches_per_bucket))
    verify = plan.target.verify_cost if plan.gin_verify else 0.0
    per_bucket = per_bucket_rows * (
        plan.gin_entries * COST_GIN_ENTRY + plan.gin_candidates * (COST_FETCH + verify)
    )
    return COST_BRANCH * 2 + buckets * per_bucket


# -- SQL pieces ----------------------------------------------------------------------------


def _contains_all(
    qs: QuerySet, column: str, terms: Sequence[str], prefix: str
) -> QuerySet:
    """``qs`` restricted to rows whose ``column`` contains every term (strpos: no LIKE escaping)."""
    for i, term in enumerate(terms):
        name = f"search_{prefix}{i}"
        qs = qs.alias(**{name: StrIndex(column, Value(term))}).filter(
            **{f"{name}__gt": 0}
        )
    return qs


def _title_hit_q(terms: Sequence[str]) -> Q:
    q = Q()
    for term in terms:
        q &= Q(search_title__contains=term)
    return q


def _keyset(qs: QuerySet, key: tuple[datetime, int] | None, forward: bool) -> QuerySet:
    if key is None:
        return qs
    op = "<" if forward else ">"
    table = qs.model._meta.db_table
    return qs.filter(
        RawSQL(  # noqa: S611 - model identifiers; values are parameters
            f'("{table}"."published_at", "{table}"."id") {op} (%s, %s)',
            [key[0], key[1]],
            output_field=BooleanField(),
        )
    )


def _ordering(forward: bool) -> list:
    if forward:
        return [F("published_at").desc(), F("id").desc()]
    return [F("published_at").asc(), F("id").asc()]


def _in_order(rows: Sequence[tuple[int, datetime]], forward: bool) -> bool:
    keys = [(r[1], r[0]) for r in rows]
    return keys == sorted(keys, reverse=forward)


_PLANNER_SETTINGS = (
    "SELECT set_config('enable_seqscan', %s, true), set_config('enable_indexscan', %s, true), "
    "set_config('max_parallel_workers_per_gather', %s, true)"
)


def _run_index_scan(sql: str, params: Sequence[Any], ctx: _Context) -> list[tuple]:
    """Run a query over the key arrays so that they are only ever read through the index.

    A key array lives out of line and costs ~50 µs a row to test, so sequential and plain
    index scans are switched off for this statement (the GIN index is read as a bitmap), and
    parallel plans too (a UNION ALL of half-years must run in order); then the previous
    values come back. The settings are transaction-local (search_notices runs in one), so an
    error cannot leave them behind on the connection.
    """
    with read_connection().cursor() as cur:
        cur.execute(_PLANNER_SETTINGS, ["off", "off", "0"])
        cur.execute(sql, params)
        rows = cur.fetchall()
        cur.execute(_PLANNER_SETTINGS, list(ctx.settings[:3]))
    return rows


def _bucketed(
    qs: QuerySet,
    plan: _Plan,
    groups: Sequence[Sequence[int]],
    *,
    forward: bool | None = None,
    limit: int | None = None,
    columns: Sequence[str] = ("id", "published_at"),
) -> tuple[str, list[Any]]:
    """``qs`` restricted to the plan's keys, once per group of half-years, as UNION ALL.

    A notice's keys all carry its own half-year, so "the keys of code c in any of these
    half-years" (``&&``) for every chosen code finds exactly the notices of those half-years
    that have all the codes. Each branch selects ``columns`` (id, published_at), ordered and limited
    when ``forward`` is given. The query is compiled once with placeholders for the key
    arrays; each group only swaps those parameters. Without an ORDER BY outside, PostgreSQL
    runs the branches in order and a LIMIT around the union stops after the first groups
    that fill it.
    """
    table = qs.model._meta.db_table
    placeholders = [[_KEYS_PLACEHOLDER - i] for i in range(len(plan.gin_codes))]
    for placeholder in placeholders:
        # "(SELECT array)" hides the keys from the row estimate: 35 keys looked like 17 % of the
        # table (each unknown key counts 0.5 %), and the planner then ANDed the index with a
        # btree scan of every published notice. The GIN index still uses it as a scan key.
        qs = qs.filter(
            RawSQL(  # noqa: S611 - model identifiers; values are parameters
                f'"{table}"."{plan.target.codes}" && (SELECT %s::bigint[])',
                [placeholder],
                output_field=BooleanField(),
            )
        )
    qs = _contains_all(qs, plan.target.text, plan.gin_verify, "g").values_list(*columns)
    qs = qs.order_by(*_ordering(forward)) if forward is not None else qs.order_by()
    if limit is not None:
        qs = qs[:limit]
    sql, params = qs.query.sql_with_params()
    params = list(params)
    slots = [params.index(p) for p in placeholders]
    parts: list[str] = []
    all_params: list[Any] = []
    for group in groups:
        branch = list(params)
        for slot, code in zip(slots, plan.gin_codes, strict=True):
            branch[slot] = [(b << 32) | code for b in group]
        parts.append(f"({sql})")
        all_params += branch
    return " UNION ALL ".join(parts), all_params


def _groups(
    buckets: Sequence[int], plan: _Plan, need: int, ctx: _Context
) -> list[list[int]]:
    """Split the half-years (in page order) into runs that each should add ``need`` matches.

    The first run is as long as the estimated frequency says it takes to find ``need``
    matches; each later run doubles, so a wrong estimate costs a few more branches, not one
    per half-year (each branch costs planning time).
    """
    n_buckets = ctx.buckets[1] - ctx.buckets[0] + 1
    per_bucket = max(plan.freq_max * ctx.rows / n_buckets, 1e-9)
    size = max(1, min(len(buckets), math.ceil(need / per_bucket)))
    groups: list[list[int]] = []
    i = 0
    while i < len(buckets):
        groups.append(list(buckets[i : i + size]))
        i += size
        size *= 2
    return groups


def _bucket_range(
    ctx: _Context, key: tuple[datetime, int] | None, forward: bool
) -> range:
    low, high = ctx.buckets
    if key is not None:
        if forward:
            high = min(high, bucket_of(key[0]))
        else:
            low = max(low, bucket_of(key[0]))
    return range(high, low - 1, -1) if forward else range(low, high + 1)


@dataclass
class _Phase:
    """One band of the result order (exact identifier, title hits, the rest)."""

    number: int
    base: QuerySet  # notices of this band, before the word conditions
    plan: _Plan | None  # None: the band is ``base`` itself (no words)


def _phase_rows(
    phase: _Phase,
    key: tuple[datetime, int] | None,
    forward: bool,
    need: int,
    ctx: _Context,
) -> list[tuple[int, datetime]]:
    """Up to ``need`` (id, published_at) of ``phase`` after ``key``, in page order."""
    plan = phase.plan
    if plan is None:
        qs = _keyset(phase.base, key, forward).order_by(*_ordering(forward))
        return list(qs.values_list("id", "published_at")[:need])
    if _gin_cost(plan, need, ctx) < _walk_cost(plan, need, ctx):
        return _gin_rows(phase, key, forward, need, ctx)
    rows, last_key = _walk_rows(phase, key, forward, need)
    if len(rows) >= need or last_key is None:
        return rows
    return rows + _gin_rows(phase, last_key, forward, need - len(rows), ctx)


def _walk_rows(phase: _Phase, key, forward: bool, need: int):
    """Check the next ``WALK_WINDOW`` rows in page order one by one; stop at ``need`` hits.

    Returns the hits and, when the window was used up, the key of its last row.
    """
    plan = phase.plan
    order = _ordering(forward)
    inner = (
        _keyset(phase.base, key, forward)
        .order_by(*order)
        .annotate(walk_rn=Window(RowNumber(), order_by=order))
        .values("id", "published_at", plan.target.text, "walk_rn")[:WALK_WINDOW]
    )
    sql, params = inner.query.sql_with_params()
    hit = " AND ".join(f'strpos(w."{plan.target.text}", %s) > 0' for _ in plan.terms)
    with read_connection().cursor() as cur:
        cur.execute(
            f'SELECT w."id", w."published_at", w."walk_rn", ({hit}) FROM ({sql}) w '  # noqa: S608 (ORM-compiled SQL; words are parameters)
            f'WHERE ({hit}) OR w."walk_rn" = %s LIMIT %s',
            [*plan.terms, *params, *plan.terms, WALK_WINDOW, need],
        )
        fetched = cur.fetchall()
    hits = [(r[0], r[1]) for r in fetched if r[3]]
    last = [(r[1], r[0]) for r in fetched if r[2] == WALK_WINDOW]
    return hits, (last[0] if last else None)


def _gin_rows(
    phase: _Phase, key, forward: bool, need: int, ctx: _Context
) -> list[tuple[int, datetime]]:
    buckets = _bucket_range(ctx, key, forward)
    if not buckets:
        return []
    groups = _groups(buckets, phase.plan, need, ctx)
    union, params = _bucketed(
        _keyset(phase.base, key, forward),
        phase.plan,
        groups,
        forward=forward,
        limit=need,
    )
    rows = [
        (r[0], r[1])
        for r in _run_index_scan(
            f"SELECT * FROM ({union}) u LIMIT %s",  # noqa: S608 - union of our own SQL
            [*params, need],
            ctx,
        )
    ]
    if not _in_order(
        rows, forward
    ):  # never seen; a safe, slower answer if it ever happens
        direction = "DESC" if forward else "ASC"
        rows = [
            (r[0], r[1])
            for r in _run_index_scan(
                f"SELECT * FROM ({union}) u ORDER BY 2 {direction}, 1 {direction} LIMIT %s",  # noqa: S608 - union of our own SQL
                [*params, need],
                ctx,
            )
        ]
    return rows


# -- totals ----------------------------------------------------------------------------------


def _count(
    base: QuerySet, plan: _Plan | None, ctx: _Context, matches: bool = False
) -> tuple[int, list[tuple] | None]:
    """min(number of notices in ``base`` matching ``plan``, COUNT_CAP + 1), and with
    ``matches`` the matches themselves (``MATCH_COLUMNS``) when there are at most COUNT_CAP
    of them: the rows are read for the count anyway, so the search page's filter counts
    count these instead of finding and reading the matches a second time
    (``SearchPage.matched``). Past the cap the rows are never collected."""
    cap = COUNT_CAP + 1
    if plan is None:
        return base.order_by().values("id")[:cap].count(), None
    if matches:
        base = base.annotate(f_year=ExtractYear("published_at"))
    columns = MATCH_COLUMNS if matches else ("id",)
    seq_cost = min(ctx.rows, cap / max(plan.freq, 1 / ctx.rows)) * COST_SEQ_ROW
    if not plan.known or _gin_cost(plan, cap, ctx) < seq_cost:
        buckets = _bucket_range(ctx, None, True)
        if not buckets:
            return 0, ([] if matches else None)
        union, params = _bucketed(
            base, plan, _groups(buckets, plan, cap, ctx), columns=columns
        )
        if not matches:
            sql = f"SELECT count(*), NULL FROM (SELECT * FROM ({union}) u LIMIT %s) s"  # noqa: S608 (ORM-compiled)
            return _run_index_scan(sql, [*params, cap], ctx)[0][0], None
        # the rows are gathered only when the count is under the cap (a CASE branch's
        # sub-select runs only when it is taken)
        row = ", ".join(f"s.{c}" for c in MATCH_COLUMNS)
        sql = (
            f"WITH s AS MATERIALIZED (SELECT * FROM ({union}) u LIMIT %s) "  # noqa: S608 (ORM-compiled, fixed names)
            "SELECT c.n, CASE WHEN c.n <= %s THEN "
            f"(SELECT json_agg(json_build_array({row})) FROM s) END "
            "FROM (SELECT count(*) AS n FROM s) c"
        )
        total, rows = _run_index_scan(sql, [*params, cap, COUNT_CAP], ctx)[0]
        if total > COUNT_CAP:
            return total, None
        return total, [_match_row(r) for r in rows or []]
    found = list(
        _contains_all(base, plan.target.text, plan.terms, "c")
        .order_by()
        .values_list(*columns)[:cap]
    )
    if not matches or len(found) > COUNT_CAP:
        return len(found), None
    return len(found), found


def _match_row(values: list) -> tuple:
    """A ``MATCH_COLUMNS`` row from JSON (dates come as ISO strings)."""
    *head, valid_from, valid_until = values
    return (
        *head,
        date.fromisoformat(valid_from) if valid_from else None,
        date.fromisoformat(valid_until) if valid_until else None,
    )


def _count_key(base: QuerySet, terms: Sequence[str]) -> str:
    sql, params = base.order_by().values("id").query.sql_with_params()
    blob = json.dumps(
        [sql, [str(p) for p in params], list(terms), COUNT_CAP], ensure_ascii=False
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def _range_sql() -> tuple[str, list[str]]:
    """SQL for the first and last 发布时间 in the table (index probes per status), and params."""
    from catalog.models import Notice

    table = Notice._meta.db_table
    statuses = list(Notice.Status.values)
    firsts = ", ".join(
        f"(SELECT min(published_at) FROM {table} WHERE status = %s)"  # noqa: S608 - model table
        for _ in statuses
    )
    lasts = ", ".join(
        f"(SELECT max(published_at) FROM {table} WHERE status = %s)"  # noqa: S608 - model table
        for _ in statuses
    )
    return f"LEAST({firsts}), GREATEST({lasts})", [*statuses, *statuses]


def _buckets_between(first: datetime | None, last: datetime | None) -> tuple[int, int]:
    return (bucket_of(first), bucket_of(last)) if first is not None else (1, 0)


def _lookup(
    key: str,
) -> tuple[int | None, int | None, tuple[int, int], tuple[str, ...]]:
    """One query for everything a search needs to know before it starts.

    Returns the catalog generation, the cached total (or None), the half-years holding
    notices, and the planner settings to restore after index scans. For the rest of the
    transaction it also switches JIT compilation off (it costs ~300 ms per query and these
    queries run in milliseconds) and raises work_mem so that a bitmap of a common word stays
    exact (a lossy bitmap re-reads the out-of-line keys of every row).
    """
    from catalog.models import SearchCount, SearchGeneration

    gen, counts = SearchGeneration._meta.db_table, SearchCount._meta.db_table
    range_sql, range_params = _range_sql()
    if (
        django_settings.REDIS_URL
    ):  # the total is in Redis, under the generation read here
        with read_connection().cursor() as cur:
            cur.execute(
                f"SELECT (SELECT value FROM {gen} ORDER BY id LIMIT 1), {range_sql}, "  # noqa: S608 (model tables)
                "current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
                "current_setting('max_parallel_workers_per_gather'), "
                "set_config('jit', 'off', true), set_config('work_mem', %s, true)",
                [*range_params, SEARCH_WORK_MEM],
            )
            generation, first, last, *planner, _jit, _work_mem = cur.fetchone()
        total = (
            cache.get(_count_cache_key(key, generation))
            if generation is not None
            else None
        )
        return generation, total, _buckets_between(first, last), tuple(planner)
    with connections[PRIMARY].cursor() as cur:
        cur.execute(
            f"WITH g AS (SELECT value FROM {gen} ORDER BY id LIMIT 1) "  # noqa: S608 (model tables)
            f"SELECT (SELECT value FROM g), (SELECT c.total FROM {counts} c, g WHERE c.key = %s "
            f"  AND c.generation = g.value AND c.created_at > now() - interval '{COUNT_CACHE_MAX_AGE}'), "
            f"{range_sql}, current_setting('enable_seqscan'), "
            "current_setting('enable_indexscan'), current_setting('max_parallel_workers_per_gather'), "
            "set_config('jit', 'off', true), set_config('work_mem', %s, true)",
            [key, *range_params, SEARCH_WORK_MEM],
        )
        generation, total, first, last, *settings, _jit, _work_mem = cur.fetchone()
    return generation, total, _buckets_between(first, last), tuple(settings)


def _published_buckets() -> tuple[int, int]:
    """Lowest and highest half-year holding a notice with a 发布时间."""
    range_sql, range_params = _range_sql()
    with read_connection().cursor() as cur:
        cur.execute(f"SELECT {range_sql}", range_params)
        return _buckets_between(*cur.fetchone())


def _restore_generation() -> int:
    """Recreate the generation row (``manage.py flush`` removes it with the data).

    It starts above every generation in the cache, so no total cached before can match.
    """
    from catalog.models import SearchCount, SearchGeneration

    with connections[PRIMARY].cursor() as cur:
        cur.execute(
            f"INSERT INTO {SearchGeneration._meta.db_table} (value) "  # noqa: S608 (model tables)
            f"SELECT coalesce(max(generation), 0) + 1 FROM {SearchCount._meta.db_table} RETURNING value"
        )
        return cur.fetchone()[0]


def _count_cache_key(key: str, generation: int) -> str:
    return f"catalog:count:{generation}:{key}"


def _store_count(key: str, generation: int, total: int) -> None:
    from catalog.models import SearchCount

    if django_settings.REDIS_URL:
        cache.set(_count_cache_key(key, generation), total, COUNT_CACHE_SECONDS)
        return
    table = SearchCount._meta.db_table
    with connections[PRIMARY].cursor() as cur:
        cur.execute(
            f"WITH old AS (DELETE FROM {table} WHERE key IN ("  # noqa: S608 (model table)
            f"  SELECT key FROM {table} WHERE generation < %s "
            f"  OR created_at < now() - interval '{COUNT_CACHE_MAX_AGE}' LIMIT 100)) "
            f"INSERT INTO {table} (key, generation, total, is_capped, created_at) "
            "VALUES (%s, %s, %s, %s, now()) ON CONFLICT (key) DO UPDATE SET "
            "generation = EXCLUDED.generation, total = EXCLUDED.total, "
            "is_capped = EXCLUDED.is_capped, created_at = EXCLUDED.created_at",
            [generation, key, generation, total, total > COUNT_CAP],
        )


# -- shared cache ----------------------------------------------------------------------------


def shared_cache_get(key: str) -> tuple[int | None, Any]:
    """The catalog generation and the value stored under ``key`` for it (or None), one query.

    Values live in the store of the anonymous page cache (``catalog.pagecache``: shared by
    every worker and app server, valid for one catalog generation and
    ``PAGE_CACHE_SECONDS``), as JSON under a key of their own. Used for facet counts.
    """
    # through catalog.pagecache.lookup/store: in Redis with REDIS_URL (several servers),
    # under the generation the request's database (a replica) has replayed
    from catalog import pagecache

    generation, stored = pagecache.lookup(_shared_key(key))
    return generation, (json.loads(stored) if stored is not None else None)


def shared_cache_set(key: str, generation: int | None, value: Any) -> None:
    """Store ``value`` (JSON) for ``generation``; nothing without a generation row."""
    from catalog import pagecache

    if generation is not None:
        pagecache.store(
            _shared_key(key), generation, json.dumps(value, ensure_ascii=False)
        )


def _shared_key(key: str):
    import uuid

    return uuid.UUID(bytes=hashlib.sha256(("search:" + key).encode()).digest()[:16])


# -- cursors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cursor:
    forward: bool
    phase: int
    key: tuple[datetime, int]
    total: int


def _encode_cursor(
    order: str,
    qkey: str,
    forward: bool,
    phase: int,
    key: tuple[datetime, int],
    total: int,
) -> str:
    return signing.dumps(
        {
            "o": order,
            "k": qkey[:16],
            "f": int(forward),
            "p": phase,
            "t": key[0].isoformat(),
            "i": key[1],
            "n": total,
        },
        salt=_CURSOR_SALT,
        compress=True,
    )


def _decode_cursor(cursor: str | None, order: str, qkey: str) -> _Cursor | None:
    """The cursor, or None when it is missing, tampered with or belongs to another search."""
    if not cursor or not isinstance(cursor, str) or len(cursor) > 1000:
        return None
    try:
        data = signing.loads(cursor, salt=_CURSOR_SALT)
        if data["o"] != order or data["k"] != qkey[:16]:
            return None
        key = (datetime.fromisoformat(data["t"]), int(data["i"]))
        if key[0].tzinfo is None:
            return None
        return _Cursor(
            forward=bool(data["f"]), phase=int(data["p"]), key=key, total=int(data["n"])
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None


# -- the search ------------------------------------------------------------------------------


@dataclass
class SearchPage:
    """One page of results. ``total`` is None while the count is pending (``defer_total``):
    ``complete()`` counts, then fills ``total``, ``total_capped`` and the cursors."""

    results: list  # list[Notice]
    total: int | None
    total_capped: bool
    next_cursor: str | None
    prev_cursor: str | None
    first_page: bool = True  # reached without a (valid) cursor
    # every match (MATCH_COLUMNS rows), when this search read them all anyway (it counted
    # at most COUNT_CAP, or its first page holds every match): the filter counts group them
    matched: list[tuple] | None = field(default=None, repr=False, compare=False)
    _finish: Any = field(default=None, repr=False, compare=False)

    @property
    def matched_ids(self) -> list[int] | None:
        return None if self.matched is None else [r[0] for r in self.matched]

    @property
    def pending(self) -> bool:
        """Whether the total is still to be counted (``complete()``)."""
        return self._finish is not None

    def complete(self) -> SearchPage:
        """Count the total if it is pending (its own transaction on the read database)."""
        if self._finish is not None:
            self._finish(self)  # fills the fields only once the count has succeeded
            self._finish = None
        return self

    def give_up_total(self) -> SearchPage:
        """Leave a pending total unknown (``total`` None) and make the cursors without it:
        the next page counts again. For a count that failed after the page was shown."""
        finish, self._finish = self._finish, None
        if finish is not None:
            finish(self, UNKNOWN_TOTAL)
        return self


def _identifier_spellings(parsed: ParsedQuery) -> list[str]:
    """Spellings of the query that may equal a 索引号 or 发文字号 (one word, ≤ 80 chars).

    Only spellings that normalise to the query's word, so an identifier match is always also
    a text match (the 索引号 and 发文字号 are part of the searched text).
    """
    if len(parsed.terms) != 1 or len(parsed.raw) > 80:
        return []
    nfkc = unicodedata.normalize("NFKC", parsed.raw).strip()
    # as typed (legacy 索引号 are kept exactly, full-width letters included), and case-folded
    spellings = dict.fromkeys([parsed.raw, nfkc, nfkc.upper(), nfkc.lower()])
    return [s for s in spellings if normalise(s) == parsed.terms[0]]


def _phases(
    base: QuerySet, parsed: ParsedQuery, order: str, stats: _Stats
) -> list[_Phase]:
    if parsed.is_empty:
        return [_Phase(number=0, base=base, plan=None)]
    terms = parsed.effective_terms
    full = _plan(_FULL, terms, stats)
    if order != "relevance":
        return [_Phase(number=0, base=base, plan=full)]
    phases = []
    rest = base
    spellings = _identifier_spellings(parsed)
    if spellings:
        exact = base.filter(Q(index_number__in=spellings) | Q(doc_number__in=spellings))
        exact_ids = list(exact.order_by().values_list("id", flat=True)[:50])
        if exact_ids:
            phases.append(
                _Phase(number=0, base=base.filter(pk__in=exact_ids), plan=None)
            )
            rest = base.exclude(pk__in=exact_ids)
    phases.append(_Phase(number=1, base=rest, plan=_plan(_TITLE, terms, stats)))
    phases.append(_Phase(number=2, base=rest.exclude(_title_hit_q(terms)), plan=full))
    return phases


def matching(qs: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """``qs`` restricted to notices containing every word (for facet counts).

    Through the index whenever the statistics say it is cheaper than checking every row
    (nearly always): one ``&&`` per chosen code with its keys of every half-year, so the
    index gives one bitmap per code, then the words the index cannot decide are re-checked.
    Evaluate it with ``matched_ids`` (planner settings that keep the key arrays in the
    index); the query set is exact however it is evaluated.
    """
    if parsed.is_empty:
        return qs
    stats = _stats()
    plan = _plan(_FULL, parsed.effective_terms, stats)
    verify = COST_FETCH + len(plan.gin_verify) * COST_VERIFY
    gin = plan.gin_entries * COST_GIN_ENTRY + plan.gin_candidates * verify
    if not plan.known or (
        plan.gin_candidates <= MATCHING_INDEX_FREQ
        and gin < COST_SEQ_ROW * len(plan.terms)
    ):
        low, high = _published_buckets()
        if low > high:
            return qs.none()
        table = qs.model._meta.db_table
        for code in plan.gin_codes:
            qs = qs.filter(
                RawSQL(  # noqa: S611 - model identifiers; values are parameters
                    f'"{table}"."search_codes" && (SELECT %s::bigint[])',
                    [[(b << 32) | code for b in range(low, high + 1)]],
                    output_field=BooleanField(),
                )
            )
        return _contains_all(qs, "search_text", plan.gin_verify, "m")
    return _contains_all(qs, "search_text", plan.terms, "m")


def matched_ids(qs: QuerySet) -> list[int]:
    """The ids of ``qs`` (a ``matching`` query set), read with the index scan settings."""
    sql, params = qs.order_by().values_list("id").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
            "current_setting('max_parallel_workers_per_gather'), current_setting('jit'), "
            "current_setting('work_mem')"
        )
        *previous, jit, work_mem = cur.fetchone()
        cur.execute(
            _PLANNER_SETTINGS
            + ", set_config('jit', 'off', true), set_config('work_mem', %s, true)",
            ["off", "off", "0", SEARCH_WORK_MEM],
        )
        cur.execute(sql, params)
        ids = [r[0] for r in cur.fetchall()]
        cur.execute(
            _PLANNER_SETTINGS
            + ", set_config('jit', %s, true), set_config('work_mem', %s, true)",
            [*previous, jit, work_mem],
        )
    return ids


def search_notices(
    qs: QuerySet,
    parsed: ParsedQuery,
    *,
    order: str = "relevance",
    cursor: str | None = None,
    limit: int = 20,
    defer_total: bool = False,
    matches: bool = False,
) -> SearchPage:
    """One page of ``qs`` (already filtered) matching ``parsed``, with the capped total.

    ``order``: "relevance" (exact 索引号/发文字号 first, then title hits, then the rest, each
    newest first) or "date" (newest first). With no words it pages ``qs`` by date.
    A bounded number of queries whatever the page size; an invalid cursor means the first page.

    ``defer_total``: when the total is neither known (cursor, cache, or a first page that
    holds every match) nor cheap, return the page with the total pending; the caller shows
    the results first and then calls ``page.complete()`` (the search page streams it).

    ``matches``: a count this search makes also gathers the matches (at most COUNT_CAP)
    for the filter counts (``SearchPage.matched``); a first page holding every match
    hands them over anyway.
    """
    limit = max(1, min(int(limit or 20), MAX_PAGE_SIZE))
    if parsed.is_empty or order not in ("relevance", "date"):
        order = "date"
    stats = _stats() if parsed.terms else _Stats(rows=0, columns={})
    # One transaction: the settings _lookup changes are local to it (inside a caller's
    # transaction, JIT stays off and work_mem raised until that one ends, which is harmless).
    with transaction.atomic(using=read_alias()):
        page = _search(qs, parsed, order, cursor, limit, stats, matches)
        if not defer_total:
            page.complete()
    return page


def _search(
    qs: QuerySet,
    parsed: ParsedQuery,
    order: str,
    cursor: str | None,
    limit: int,
    stats: _Stats,
    matches: bool = False,
) -> SearchPage:
    base = qs.filter(published_at__isnull=False)
    terms = parsed.effective_terms
    qkey = _count_key(base, terms)
    cur = _decode_cursor(cursor, order, qkey)
    generation, cached_total, buckets, settings = _lookup(qkey)
    ctx = _Context(rows=max(stats.rows, 1.0), buckets=buckets, settings=settings)
    phases = _phases(base, parsed, order, stats)
    if cur is not None and cur.phase not in [p.number for p in phases]:
        cur = None

    forward = cur.forward if cur else True
    need = limit + 1
    rows: list[tuple[int, int, datetime]] = []  # (band, id, published_at)
    ordered = phases if forward else list(reversed(phases))
    start = (
        next(i for i, p in enumerate(ordered) if p.number == cur.phase) if cur else 0
    )
    for i, phase in enumerate(ordered[start:]):
        key = cur.key if (cur is not None and i == 0) else None
        rows += [
            (phase.number, pid, at)
            for pid, at in _phase_rows(phase, key, forward, need - len(rows), ctx)
        ]
        if len(rows) >= need:
            break
    has_more = len(rows) > limit
    rows = rows[:limit]
    if not forward:
        rows.reverse()

    if cur is not None and cur.total != UNKNOWN_TOTAL:
        total = cur.total
    elif cached_total is not None:
        total = cached_total
    elif cur is None and not has_more:
        total = len(rows)
    else:
        total = None

    by_id = {}
    if rows:
        by_id = {
            n.pk: n
            for n in qs.filter(pk__in=[r[1] for r in rows]).defer(*_SEARCH_COLUMNS)
        }
    results = [by_id[r[1]] for r in rows if r[1] in by_id]
    # every band was read to its end: these rows are all the matches
    matched = (
        [
            (
                n.pk,
                n.theme_id,
                n.genre_id,
                n.column_id,
                timezone.localtime(n.published_at).year,
                n.validity,
                n.valid_from,
                n.valid_until,
            )
            for n in results
        ]
        if (cur is None and not has_more)
        else None
    )

    def finish(page: SearchPage, total: int | None = None) -> None:
        if total is None:
            total, page.matched = _count_now(
                base, phases[-1].plan, ctx, qkey, generation, matches
            )

        def make(forward_: bool, row: tuple[int, int, datetime]) -> str:
            return _encode_cursor(
                order, qkey, forward_, row[0], (row[2], row[1]), total
            )

        if forward:
            next_cursor = make(True, rows[-1]) if (rows and has_more) else None
            prev_cursor = make(False, rows[0]) if (rows and cur is not None) else None
        else:
            prev_cursor = make(False, rows[0]) if (rows and has_more) else None
            next_cursor = make(True, rows[-1]) if rows else None
        page.total = None if total == UNKNOWN_TOTAL else min(total, COUNT_CAP)
        page.total_capped = total > COUNT_CAP
        page.next_cursor, page.prev_cursor = next_cursor, prev_cursor

    page = SearchPage(
        results=results,
        total=None,
        total_capped=False,
        next_cursor=None,
        prev_cursor=None,
        first_page=cur is None,
    )
    if total is None:
        page._finish = finish
    else:
        finish(page, total)
        page.matched = matched
    return page


def _count_now(
    base: QuerySet,
    plan: _Plan | None,
    ctx: _Context,
    qkey: str,
    generation: int | None,
    matches: bool = False,
) -> tuple[int, list[tuple] | None]:
    """Count (capped) and cache the total; inside the search's transaction or, for a
    deferred total, in a transaction of its own with the same settings (_lookup's).
    Returns ``_count``'s total and matches."""
    alias = read_alias()
    if connections[alias].in_atomic_block:  # the search's transaction: _lookup set them
        total, rows = _count(base, plan, ctx, matches)
    else:
        with transaction.atomic(using=alias), connections[alias].cursor() as cur:
            cur.execute(
                "SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)",
                [SEARCH_WORK_MEM],
            )
            total, rows = _count(base, plan, ctx, matches)
    if generation is None:
        generation = _restore_generation()
    _store_count(qkey, generation, total)
    return total, rows


# -- highlighting ----------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=20_000)
def _normalise_char(ch: str) -> str:
    return normalise(ch)


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    """normalise() character by character, remembering where each output character came from.

    Characters repeat (a notice of 1,500 characters has a few hundred distinct ones), so each
    is normalised once per process: highlighting the 20 results of a page took ~4 ms a
    notice before, most of the search page's rendering.
    """
    pieces = list(map(_normalise_char, text))
    if all(map((1).__eq__, map(len, pieces))):  # the usual case: one character each
        return "".join(pieces), list(range(len(text)))
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        n = _normalise_char(ch)
        out.append(n)
        origin.extend([i] * len(n))
    return "".join(out), origin


def highlight(text: str, parsed: ParsedQuery, *, max_chars: int = 160) -> SafeString:
    """Escaped snippet of ``text`` around the first hit, every hit in <mark>."""
    max_chars = max(1, max_chars)
    text = _SPACES.sub(" ", text or "").strip()
    if not text:
        return mark_safe("")
    spans: list[tuple[int, int]] = []
    if parsed.terms:
        norm, origin = _normalised_with_map(text)
        for term in parsed.terms:
            start = norm.find(term)
            while start != -1:
                end = start + len(term)
                spans.append((origin[start], origin[end - 1] + 1))
                start = norm.find(term, end)
    spans.sort()
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    lo, hi = 0, len(text)
    if len(text) > max_chars:
        first = merged[0][0] if merged else 0
        lo = max(0, min(first - max_chars // 4, len(text) - max_chars))
        hi = lo + max_chars
    parts = ["…" if lo > 0 else ""]
    pos = lo
    for s, e in merged:
        if e <= lo or s >= hi:
            continue
        s, e = max(s, lo), min(e, hi)
        parts.append(escape(text[pos:s]))
        parts.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    parts.append(escape(text[pos:hi]))
    if hi < len(text):
        parts.append("…")
    return mark_safe("".join(parts))  # noqa: S308 (every piece of text is escaped above)
