"""Rendered public catalog pages for anonymous visitors, shared by every worker and app server.

A page is stored in ``catalog_pagecache`` (PostgreSQL, UNLOGGED) under a key made of
everything that changes its HTML besides the catalog data: the code and templates in use
(``release()``), scheme, host and path (the page shows its own absolute URL and links back
to itself), today's date (有效性 depends on it), and the 字体/高对比度 preferences. The
catalog data is covered by the catalog generation (``catalog.SearchGeneration``): triggers
bump it on every write to notices, 发文机关 links, 主题分类, attachments, 解读 links, 栏目,
体裁, agencies and the 网站标识 (migrations 0005 and 0006), and a stored page is served only
while its generation is the current one. So a publish, edit, withdrawal, new attachment, new
解读 link or 网站标识 edit is visible on the next request, on every worker and every server,
without anyone purging anything; rows are also served for at most ``PAGE_CACHE_SECONDS``.

A hit costs one query (the generation joined with the stored page). A miss costs that query,
the view's own queries, one query for the 网站标识 (the per-process copy in
``portal.context_processors`` may be up to a minute old, so it is reloaded before a page is
rendered for storing) and one statement that stores the page and prunes up to 100 stale rows.

Only these requests use the cache: GET without a query string (the page embeds the full
path), no session cookie (so never a signed-in user, nor an applicant after a 查询码 lookup)
and no messages cookie. A rendered page is stored only when it is a plain 200 text/html
response that sets no cookie and carries no Vary or private/no-store Cache-Control, and the
render used no CSRF token, touched no session and showed or added no message. Everything else
is rendered as before. ``PAGE_CACHE_SECONDS = 0`` switches the cache off.

Shared caches in front of the site (a CDN, a caching proxy) must never keep a page after a
撤回: the pages this cache serves carry ``Cache-Control: public, max-age=0, must-revalidate``
and an ``ETag`` made of the catalog generation and the page key, so a proxy may keep a copy
but asks every time, and a request whose ``If-None-Match`` still names the current
generation is answered ``304 Not Modified`` (one query). The API does the same
(``catalog.api``). docs/security.md §6a.

With ``REDIS_URL`` (several app servers, a read-only replica) the pages live in Redis
instead, under the page key *and* the generation, for ``PAGE_CACHE_SECONDS``: a hit is one
query for the generation (on the database the request reads from, so a page rendered from
a replica is stored under the generation that replica had replayed, never a newer one) and
one Redis read. Every app server reads the same generation, so a publish on one server is
visible on every other as soon as the replica it reads has replayed it (docs/deploy.md).
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified

from catalog.models import PageCache, SearchGeneration
from portal.context_processors import forget_site_identity
from portal.dbrouter import PRIMARY, read_connection
from portal.timeutil import local_today

CONTENT_TYPE = "text/html; charset=utf-8"
PRUNE_BATCH = 100
_SOURCE_SUFFIXES = {".py", ".html", ".txt", ".xml"}


@functools.cache
def release() -> str:
    """Fingerprint of the code and templates that render pages, and of the static manifest.

    Computed once per process from file contents (not times), so every app server running
    the same release shares the stored pages, and a deploy never serves the old markup.
    """
    base = Path(settings.BASE_DIR).resolve()
    roots = {Path(d).resolve() for t in settings.TEMPLATES for d in t.get("DIRS", [])}
    roots |= {
        Path(app.path).resolve()
        for app in apps.get_app_configs()
        if Path(app.path).resolve().parent == base
    }
    digest = hashlib.sha256()
    for root in sorted(roots):
        for path in sorted(root.rglob("*")):
            if (
                path.suffix in _SOURCE_SUFFIXES
                and path.is_file()
                and "migrations" not in path.parts
            ):
                digest.update(str(path.relative_to(root.parent)).encode())
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


def is_cacheable_request(request: HttpRequest) -> bool:
    return bool(
        settings.PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def page_key(request: HttpRequest) -> uuid.UUID:
    material = json.dumps(
        [
            release(),
            request.scheme,
            request.get_host(),
            request.get_full_path(),
            local_today().isoformat(),
            getattr(request, "font_size", "medium"),
            bool(getattr(request, "high_contrast", False)),
        ],
        ensure_ascii=False,
    )
    return uuid.UUID(bytes=hashlib.sha256(material.encode()).digest()[:16])


def lookup(key: uuid.UUID) -> tuple[int | None, str | None]:
    """The current catalog generation and the page stored for it (one query).

    ``(None, None)`` when the generation row is missing (``manage.py flush`` removes it):
    nothing would then tell a stored page is stale, so nothing is served or stored.
    """
    gen, table = SearchGeneration._meta.db_table, PageCache._meta.db_table
    if settings.REDIS_URL:
        with read_connection().cursor() as cur:
            cur.execute(f"SELECT value FROM {gen} ORDER BY id LIMIT 1")  # noqa: S608 (model table)
            row = cur.fetchone()
        if row is None:
            return None, None
        return row[0], cache.get(_redis_key(key, row[0]))
    with connections[PRIMARY].cursor() as cur:
        cur.execute(
            f"SELECT g.value, c.html FROM (SELECT value FROM {gen} ORDER BY id LIMIT 1) g "  # noqa: S608 (model tables)
            f"LEFT JOIN {table} c ON c.key = %s AND c.generation = g.value "
            "AND c.created_at > now() - make_interval(secs => %s)",
            [key, settings.PAGE_CACHE_SECONDS],
        )
        row = cur.fetchone()
    return (row[0], row[1]) if row else (None, None)


REVALIDATE = "public, max-age=0, must-revalidate"


def current_generation() -> int | None:
    """The catalog generation (None when its row is missing: nothing then tells staleness),
    read where the request reads the catalog (the replica for anonymous reads in a
    cluster): an ETag must name the generation the served content came from, never a
    newer one, or a proxy would keep stale bytes under a current validator."""
    gen = SearchGeneration._meta.db_table
    with read_connection().cursor() as cur:
        cur.execute(f"SELECT value FROM {gen} ORDER BY id LIMIT 1")  # noqa: S608 (model table)
        row = cur.fetchone()
    return row[0] if row else None


def make_etag(generation: int, key: uuid.UUID) -> str:
    """A strong validator: the same generation and key always mean the same bytes."""
    return f'"g{generation}-{key.hex[:20]}"'


def client_has(request: HttpRequest, etag: str) -> bool:
    """``If-None-Match`` names ``etag`` (weak comparison, as RFC 9110 asks for GET)."""
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    tags = {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}
    return etag in tags or "*" in tags


def with_validators(response: HttpResponse, etag: str) -> HttpResponse:
    response["Cache-Control"] = REVALIDATE
    response["ETag"] = etag
    return response


def not_modified(etag: str) -> HttpResponse:
    return with_validators(HttpResponseNotModified(), etag)


def _redis_key(key: uuid.UUID, generation: int) -> str:
    return f"catalog:page:{generation}:{key.hex}"


def store(key: uuid.UUID, generation: int, html: str) -> None:
    """Store a page for ``generation`` and drop up to ``PRUNE_BATCH`` stale rows (one statement).

    A page rendered while someone changed the catalog is stored under the generation read
    before rendering, which is already out of date: it is never served. A row of a newer
    generation is never replaced by an older one.
    """
    if settings.REDIS_URL:
        cache.set(_redis_key(key, generation), html, settings.PAGE_CACHE_SECONDS)
        return
    table = PageCache._meta.db_table
    with connections[PRIMARY].cursor() as cur:
        cur.execute(
            f"WITH stale AS (DELETE FROM {table} WHERE key IN ("  # noqa: S608 (model table)
            f"  SELECT key FROM {table} WHERE key <> %s AND (generation < %s "
            "  OR created_at < now() - make_interval(secs => %s)) LIMIT %s FOR UPDATE SKIP LOCKED)) "
            f"INSERT INTO {table} (key, generation, html, created_at) VALUES (%s, %s, %s, now()) "
            "ON CONFLICT (key) DO UPDATE SET generation = EXCLUDED.generation, "
            "html = EXCLUDED.html, created_at = EXCLUDED.created_at "
            f"WHERE {table}.generation <= EXCLUDED.generation",
            [
                key,
                generation,
                settings.PAGE_CACHE_SECONDS,
                PRUNE_BATCH,
                key,
                generation,
                html,
            ],
        )


def is_storable(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether a rendered response is the same for every anonymous visitor with this key."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if response.get("Content-Type") != CONTENT_TYPE or response.has_header("Vary"):
        return False
    cache_control = response.get("Cache-Control", "")
    if (
        "private" in cache_control
        or "no-store" in cache_control
        or "no-cache" in cache_control
    ):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # a CSRF token was put in the page
        return False
    session = getattr(request, "session", None)
    if session is not None and (session.accessed or session.modified):
        return False
    messages = getattr(request, "_messages", None)
    return not (messages is not None and (messages.used or messages.added_new))


def anonymous_page_cache(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Serve ``view``'s page from the shared page cache to anonymous visitors (see module doc)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_cacheable_request(request):
            return view(request, *args, **kwargs)
        key = page_key(request)
        generation, html = lookup(key)
        if generation is None:
            return view(request, *args, **kwargs)
        etag = make_etag(generation, key)
        if html is not None:
            if client_has(request, etag):
                return not_modified(etag)
            return with_validators(HttpResponse(html, content_type=CONTENT_TYPE), etag)
        forget_site_identity()  # render with the current 网站标识, not this process's copy
        response = view(request, *args, **kwargs)
        if is_storable(request, response):
            store(key, generation, response.content.decode())
            if client_has(request, etag):
                return not_modified(etag)
            with_validators(response, etag)
        return response

    return wrapper
