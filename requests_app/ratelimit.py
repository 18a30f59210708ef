"""Throttling of the applicant lookup (申请编号 + 查询码) and of public submissions.

A fixed window counter in Django's cache, keyed by a hash of the client IP (and of
the tracking number, so one case cannot be brute-forced from many addresses). Only
*failures* are counted for the lookup: an applicant who types their code right is
never slowed down.

The counters are shared by all workers only when ``CACHES`` points at a shared
backend (Redis or Memcached in production); the default local-memory cache is per
process, which still bounds guessing per worker. The client address is
``REMOTE_ADDR``: behind nginx, set it from the trusted proxy (e.g. ``real_ip``),
never from a header the client controls.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    scope: str
    max_hits: int
    window_seconds: int


# 10 wrong lookups per 15 minutes from one address (security.md §3, test 12).
LOOKUP_PER_IP = Limit("lookup-ip", 10, 15 * 60)
# A tracking number being guessed from many addresses: a higher bar, so that the
# real applicant is not locked out by someone else's noise for long.
LOOKUP_PER_CASE = Limit("lookup-case", 30, 15 * 60)
# Burst protection on the public form (clear automation only: lawful applicants are
# never refused for volume, 条例 第三十五条 handles that).
SUBMIT_PER_IP = Limit("submit-ip", 30, 60 * 60)


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _key(limit: Limit, ident: str) -> str:
    digest = hashlib.sha256(f"{limit.scope}:{ident}".encode()).hexdigest()[:40]
    return f"ysq:rl:{limit.scope}:{digest}"


def hits(limit: Limit, ident: str) -> int:
    return int(cache.get(_key(limit, ident)) or 0)


def is_blocked(limit: Limit, ident: str) -> bool:
    return hits(limit, ident) >= limit.max_hits


def record_hit(limit: Limit, ident: str) -> int:
    """Count one hit in the current window; the window starts at the first hit."""
    key = _key(limit, ident)
    cache.add(key, 0, timeout=limit.window_seconds)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.window_seconds)
        return 1


def normalise_tracking_no(raw: str) -> str:
    return "".join((raw or "").split()).upper()
