"""Redis for the state several app servers share (``REDIS_URL``; docs/deploy.md).

:class:`TolerantRedisCache` is Django's ``RedisCache`` that treats an unreachable Redis as
an empty cache: a read is a miss, a write is dropped, and one warning per minute and
process is logged. Everything kept in the cache can be recomputed (rendered pages, search
totals, facet counts, the 网站标识), so a Redis outage costs speed, never an error page.

:func:`client` is the raw client for what the cache API cannot say atomically (the rate
limit counters of ``portal.ratelimit``, which fall back to PostgreSQL when it fails).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.cache.backends.redis import RedisCache

from portal import timeutil

logger = logging.getLogger("portal.cache")

_WARN_EVERY = 60.0
_last_warning = [-_WARN_EVERY]


def redis_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisError

    return (RedisError, OSError)


def warn_unavailable(what: str, exc: BaseException) -> None:
    now = timeutil.monotonic()
    if now - _last_warning[0] >= _WARN_EVERY:
        _last_warning[0] = now
        logger.warning("redis unavailable (%s): %s", what, type(exc).__name__)


class TolerantRedisCache(RedisCache):
    """``RedisCache`` whose reads miss and writes are dropped while Redis is unreachable."""

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except redis_errors() as exc:
            warn_unavailable("get", exc)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except redis_errors() as exc:
            warn_unavailable("get_many", exc)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except redis_errors() as exc:
            warn_unavailable("has_key", exc)
            return False

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except redis_errors() as exc:
            warn_unavailable("set", exc)

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except redis_errors() as exc:
            warn_unavailable("set_many", exc)
            return list(data)

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except redis_errors() as exc:
            warn_unavailable("add", exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except redis_errors() as exc:
            warn_unavailable("delete", exc)
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except redis_errors() as exc:
            warn_unavailable("delete_many", exc)

    def clear(self):
        try:
            return super().clear()
        except redis_errors() as exc:
            warn_unavailable("clear", exc)
            return False

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except redis_errors() as exc:
            warn_unavailable("touch", exc)
            return False


_client_lock = threading.Lock()
_clients: dict[str, object] = {}


def client():
    """A ``redis.Redis`` for ``REDIS_URL`` (one connection pool per process)."""
    url = settings.REDIS_URL
    with _client_lock:
        if url not in _clients:
            import redis

            _clients[url] = redis.Redis.from_url(
                url, socket_connect_timeout=2, socket_timeout=2
            )
        return _clients[url]


def key_prefix() -> str:
    return settings.CACHES["default"].get("KEY_PREFIX", "") or "xxgk"
