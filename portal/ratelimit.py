"""Rate limits and lockouts shared by every worker and every app server.

Counters live in PostgreSQL (``portal.RateLimitBucket``) and are bumped with one
atomic ``INSERT … ON CONFLICT (key) DO UPDATE … RETURNING count``, so two gunicorn
workers (or two machines) counting the same client never lose an increment. A
local-memory cache would not do: it is per process, and every worker would let the
client through its own N times (security.md §7).

Semantics (one row per scope + client):

* the window opens at the first hit and lasts ``window_seconds``;
* the hit that reaches ``max_hits`` restarts the window, so a lockout always lasts a
  full window from the moment it began (5 failed logins → locked 15 minutes);
* a hit after the window ran out starts a new window at 1.

Keys are HMAC-SHA256 digests of ``scope`` + identity under ``SECRET_KEY``: the table
never holds an IP address, a user name or a tracking number in clear.

API (see docs/security.md "Rate limits")::

    LOOKUP_PER_IP = Limit("lookup-ip", max_hits=10, window_seconds=15 * 60)

    record_hit(limit, ident) -> int      # count including this hit (atomic)
    hits(limit, ident) -> int            # current count, 0 if the window ran out
    is_blocked(limit, ident) -> bool     # hits >= max_hits
    retry_after(limit, ident) -> int     # seconds until a block ends, 0 if none
    undo_hit(limit, ident)               # give back one hit (e.g. a successful login)
    reset(limit, ident)                  # forget the client in this scope
    client_ip(request) -> str            # REMOTE_ADDR, or the right-most untrusted
                                         # X-Forwarded-For hop from TRUSTED_PROXIES

    @rate_limit(limit, key=client_ip, methods=("POST",), on_limit=None)

Call these outside ``transaction.atomic`` blocks that may roll back: a rolled-back
transaction would take the hit with it.

With ``REDIS_URL`` (several app servers; a replica cannot count) the counters live in
Redis instead: one hash per key (window start and count), changed by a Lua script with the
same semantics in one atomic step, expiring when its window ends. Should Redis fail, the
PostgreSQL counters on the primary take over (logged), so a lockout never turns into an
error page; hits counted in Redis meanwhile are not carried over.
"""

from __future__ import annotations

import ipaddress
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import salted_hmac

from portal import cache as shared
from portal import timeutil
from portal.models import RateLimitBucket

logger = logging.getLogger("portal.security")

MAX_WINDOW_SECONDS = 24 * 3600  # purge_expired() relies on this bound
_SCOPE_MAX = 50  # the key column holds "<scope>:<40 hex>"

_HIT_SQL = """
INSERT INTO portal_ratelimitbucket AS b (key, window_start, count)
VALUES (%(key)s, %(now)s, 1)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN b.window_start <= %(expired_before)s THEN 1 ELSE b.count + 1 END,
    window_start = CASE
        WHEN b.window_start <= %(expired_before)s THEN %(now)s
        WHEN b.count + 1 = %(max_hits)s THEN %(now)s
        ELSE b.window_start
    END
RETURNING count
"""


# KEYS[1] = counter; ARGV = now (ms), window (ms), max_hits. Same rules as _HIT_SQL.
_REDIS_HIT = """
local v = redis.call('HMGET', KEYS[1], 's', 'c')
local now, window, max_hits = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local start, count = tonumber(v[1]), tonumber(v[2])
if start == nil or start <= now - window then
  start, count = now, 1
else
  count = count + 1
  if count == max_hits then start = now end
end
redis.call('HSET', KEYS[1], 's', start, 'c', count)
redis.call('PEXPIRE', KEYS[1], math.max(start + window - now, 1) + 1000)
return count
"""
_REDIS_UNDO = """
local c = tonumber(redis.call('HGET', KEYS[1], 'c'))
if c ~= nil and c > 0 then redis.call('HINCRBY', KEYS[1], 'c', -1) end
return 0
"""


@dataclass(frozen=True)
class Limit:
    """At most ``max_hits`` hits per ``window_seconds`` in ``scope``."""

    scope: str
    max_hits: int
    window_seconds: int

    def __post_init__(self) -> None:
        if not self.scope or len(self.scope) > _SCOPE_MAX or ":" in self.scope:
            raise ValueError(f"scope must be 1–{_SCOPE_MAX} characters without ':'")
        if self.max_hits < 1:
            raise ValueError("max_hits must be at least 1")
        if not 1 <= self.window_seconds <= MAX_WINDOW_SECONDS:
            raise ValueError(
                f"window_seconds must be between 1 and {MAX_WINDOW_SECONDS}"
            )


def client_ip(request: HttpRequest) -> str:
    """The client's address, never taken from a header an untrusted peer wrote.

    Without ``BEHIND_PROXY`` that is ``REMOTE_ADDR``; ``X-Forwarded-For`` is ignored.
    With ``BEHIND_PROXY=true`` the header is read only when the connection comes from
    one of ``TRUSTED_PROXIES`` (nginx on the same machine by default): the client is
    then the right-most address of ``X-Forwarded-For`` that is not itself a trusted
    proxy. Anyone who reaches gunicorn directly is ``REMOTE_ADDR``, whatever the
    header says (issue 11 §1.9); an unreadable hop ends the walk at the last trusted
    address seen, never at something the client wrote further left.
    """
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    if not getattr(settings, "BEHIND_PROXY", False) or not _is_trusted_proxy(remote):
        return remote
    client = remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for raw in reversed(hops):
        try:
            hop = str(ipaddress.ip_address(raw.strip()))
        except ValueError:
            break
        client = hop
        if not _is_trusted_proxy(hop):
            break
    return client


def _trusted_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for entry in getattr(settings, "TRUSTED_PROXIES", ("127.0.0.1", "::1")):
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            logger.error("TRUSTED_PROXIES: %r is not an address or network", entry)
    return networks


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _trusted_networks())


def bucket_key(limit: Limit, ident: str) -> str:
    digest = salted_hmac(
        "portal.ratelimit", f"{limit.scope}\x00{ident}", algorithm="sha256"
    ).hexdigest()
    return f"{limit.scope}:{digest[:40]}"


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timeutil.local_now()


def record_hit(limit: Limit, ident: str, *, now: datetime | None = None) -> int:
    """Count one hit and return the count in the current window, this hit included."""
    now = _now(now)
    if settings.REDIS_URL:
        try:
            count = shared.client().eval(
                _REDIS_HIT,
                1,
                _redis_key(limit, ident),
                _ms(now),
                limit.window_seconds * 1000,
                limit.max_hits,
            )
            return int(count)
        except shared.redis_errors() as exc:
            shared.warn_unavailable("rate limit", exc)
    with connections["default"].cursor() as cursor:
        cursor.execute(
            _HIT_SQL,
            {
                "key": bucket_key(limit, ident),
                "now": now,
                "expired_before": now - timedelta(seconds=limit.window_seconds),
                "max_hits": limit.max_hits,
            },
        )
        (count,) = cursor.fetchone()
    return int(count)


def _redis_key(limit: Limit, ident: str) -> str:
    return f"{shared.key_prefix()}:ratelimit:{bucket_key(limit, ident)}"


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@dataclass(frozen=True)
class _Bucket:
    window_start: datetime
    count: int


def _live_bucket(
    limit: Limit, ident: str, now: datetime
) -> _Bucket | RateLimitBucket | None:
    bucket: _Bucket | RateLimitBucket | None = None
    redis_failed = False
    if settings.REDIS_URL:
        try:
            start, count = shared.client().hmget(_redis_key(limit, ident), "s", "c")
            if start is not None and count is not None:
                bucket = _Bucket(
                    datetime.fromtimestamp(int(start) / 1000, tz=now.tzinfo),
                    int(count),
                )
        except shared.redis_errors() as exc:
            shared.warn_unavailable("rate limit", exc)
            redis_failed = True
    if not settings.REDIS_URL or redis_failed:
        bucket = (
            RateLimitBucket.objects.using("default")
            .filter(key=bucket_key(limit, ident))
            .first()
        )
    if bucket is None or bucket.window_start <= now - timedelta(
        seconds=limit.window_seconds
    ):
        return None
    return bucket


def hits(limit: Limit, ident: str, *, now: datetime | None = None) -> int:
    bucket = _live_bucket(limit, ident, _now(now))
    return bucket.count if bucket else 0


def is_blocked(limit: Limit, ident: str, *, now: datetime | None = None) -> bool:
    return hits(limit, ident, now=now) >= limit.max_hits


def retry_after(limit: Limit, ident: str, *, now: datetime | None = None) -> int:
    """Seconds until the block on ``ident`` ends (0 when it is not blocked)."""
    now = _now(now)
    bucket = _live_bucket(limit, ident, now)
    if bucket is None or bucket.count < limit.max_hits:
        return 0
    ends = bucket.window_start + timedelta(seconds=limit.window_seconds)
    return max(1, math.ceil((ends - now).total_seconds()))


def undo_hit(limit: Limit, ident: str) -> None:
    """Give one hit back, e.g. when the attempt it counted turned out to be legitimate."""
    if settings.REDIS_URL:
        try:
            shared.client().eval(_REDIS_UNDO, 1, _redis_key(limit, ident))
            return
        except shared.redis_errors() as exc:
            shared.warn_unavailable("rate limit", exc)
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "UPDATE portal_ratelimitbucket SET count = count - 1 WHERE key = %s AND count > 0",
            [bucket_key(limit, ident)],
        )


def reset(limit: Limit, ident: str) -> None:
    if settings.REDIS_URL:
        try:
            shared.client().delete(_redis_key(limit, ident))
        except shared.redis_errors() as exc:
            shared.warn_unavailable("rate limit", exc)
    RateLimitBucket.objects.using("default").filter(
        key=bucket_key(limit, ident)
    ).delete()


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete counters whose window ended (no window is longer than a day)."""
    cutoff = _now(now) - timedelta(seconds=MAX_WINDOW_SECONDS)
    # (counters in Redis expire by themselves)
    deleted, _ = (
        RateLimitBucket.objects.using("default")
        .filter(window_start__lt=cutoff)
        .delete()
    )
    return deleted


def log_block(limit: Limit, ident: str, request: HttpRequest | None = None) -> None:
    """One line per refused request: scope and key digest only, never the identity."""
    logger.warning(
        "rate limit block scope=%s key=%s method=%s path=%s",
        limit.scope,
        bucket_key(limit, ident).split(":", 1)[1][:12],
        getattr(request, "method", "-"),
        getattr(request, "path", "-"),
    )


def wait_minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def too_many_requests(request: HttpRequest, seconds: int) -> HttpResponse:
    """The default reply when a limit is hit: a plain Chinese page, 429, Retry-After."""
    response = render(
        request, "429.html", {"wait_minutes": wait_minutes(seconds)}, status=429
    )
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response


def rate_limit(
    limit: Limit,
    *,
    key: Callable[[HttpRequest], str | None] = client_ip,
    methods: tuple[str, ...] = ("POST",),
    on_limit: Callable[[HttpRequest, int], HttpResponse] | None = None,
) -> Callable:
    """View decorator: every request with one of ``methods`` counts as a hit.

    ``key(request)`` names the client (default: its IP); returning ``None`` or ""
    skips the limit for that request. Past ``max_hits`` the view is not called:
    ``on_limit(request, retry_after_seconds)`` answers instead (default: the 429 page).
    Pass an ``on_limit`` that re-renders the form with an error when the user would
    otherwise lose what they typed. Stack the decorator for several keys.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                ident = key(request)
                if ident and record_hit(limit, ident) > limit.max_hits:
                    log_block(limit, ident, request)
                    seconds = retry_after(limit, ident) or limit.window_seconds
                    if on_limit is not None:
                        return on_limit(request, seconds)
                    return too_many_requests(request, seconds)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
