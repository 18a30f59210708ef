"""Checking external links for ``python manage.py check_links`` (docs/compliance.md §5).

No database here: ``check_urls`` takes URLs and returns one result per URL. Requests run
in a bounded thread pool, each with a timeout; a per-host limiter spaces requests to
the same host; redirects are followed by hand so that a loop (a URL seen twice) or too
many hops is reported instead of followed forever."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

MAX_REDIRECTS = 5
USER_AGENT = "gov-portal-linkcheck/1.0"


@dataclass(frozen=True)
class LinkResult:
    url: str
    host: str
    ok: bool
    status_code: int | None
    error: str


class HostLimiter:
    """At most one request per ``interval`` seconds to each host (thread-safe)."""

    def __init__(
        self,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        with self._lock:
            now = self.clock()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + self.interval
        if start > now:
            self.sleep(start - now)


def _request(url: str, timeout: float) -> tuple[int, str | None]:
    """One GET without following redirects: (status, Location)."""
    parts = urlsplit(url)
    conn_cls = (
        http.client.HTTPSConnection
        if parts.scheme == "https"
        else http.client.HTTPConnection
    )
    conn = conn_cls(parts.hostname, parts.port, timeout=timeout)
    try:
        path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~-._")
        if parts.query:
            path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=~-._?")
        conn.request("GET", path, headers={"User-Agent": USER_AGENT})
        resp = conn.getresponse()
        return resp.status, resp.getheader("Location")
    finally:
        conn.close()


def check_url(url: str, *, timeout: float, limiter: HostLimiter) -> LinkResult:
    host = (urlsplit(url).hostname or "").lower()
    seen = {url}
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        limiter.wait((urlsplit(current).hostname or "").lower())
        try:
            status, location = _request(current, timeout)
        except TimeoutError:
            return LinkResult(url, host, False, None, f"超时（{timeout:g} 秒）")
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return LinkResult(url, host, False, None, f"无法连接：{exc}"[:200])
        if status in (301, 302, 303, 307, 308) and location:
            nxt = urljoin(current, location)
            if nxt in seen:
                return LinkResult(url, host, False, status, "重定向循环")
            seen.add(nxt)
            current = nxt
            continue
        if status >= 400:
            return LinkResult(url, host, False, status, f"HTTP {status}")
        return LinkResult(url, host, True, status, "")
    return LinkResult(url, host, False, None, f"重定向超过 {MAX_REDIRECTS} 次")


def check_urls(
    urls: Iterable[str],
    *,
    concurrency: int = 4,
    timeout: float = 10.0,
    per_host_interval: float = 1.0,
) -> dict[str, LinkResult]:
    limiter = HostLimiter(per_host_interval)
    unique = sorted(set(urls))
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        results = pool.map(
            lambda u: check_url(u, timeout=timeout, limiter=limiter), unique
        )
        return {r.url: r for r in results}
