"""check_links against a local HTTP server started here (loopback only): 200, 404,
timeout, redirect loop, a redirect that ends well; the per-host rate limit; results
stored and shown as findings."""

from __future__ import annotations

import io
import itertools
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from django.core.management import CommandError, call_command

from disclosure.compliance import site_report
from disclosure.linkcheck import HostLimiter, check_urls
from disclosure.models import ExternalLink
from tests.disclosure.conftest import at
from tests.factories import NoticeFactory


class Handler(BaseHTTPRequestHandler):
    hits: ClassVar[list[tuple[float, str]]] = []

    def do_GET(self):
        Handler.hits.append((time.monotonic(), self.path))
        routes = {
            "/ok": (200, None),
            "/missing": (404, None),
            "/loop-a": (302, "/loop-b"),
            "/loop-b": (302, "/loop-a"),
            "/hop": (301, "/ok"),
        }
        if self.path == "/slow":
            time.sleep(1.5)
            status, location = 200, None
        else:
            status, location = routes.get(self.path, (404, None))
        try:
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
        except OSError:
            pass  # the client gave up (timeout)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.hits = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_check_urls_classifies_each_case(server):
    urls = [f"{server}/{p}" for p in ("ok", "missing", "slow", "loop-a", "hop")]
    got = check_urls(urls, concurrency=3, timeout=0.5, per_host_interval=0)
    assert got[f"{server}/ok"].ok
    assert got[f"{server}/ok"].status_code == 200
    assert got[f"{server}/hop"].ok  # 301 → /ok
    assert (got[f"{server}/missing"].ok, got[f"{server}/missing"].status_code) == (
        False,
        404,
    )
    assert not got[f"{server}/slow"].ok
    assert "超时" in got[f"{server}/slow"].error
    assert got[f"{server}/loop-a"].error == "重定向循环"


def test_host_limiter_spaces_requests_to_one_host():
    now = [0.0]
    slept = []

    def sleep(s):
        slept.append(s)

    limiter = HostLimiter(1.0, clock=lambda: now[0], sleep=sleep)
    limiter.wait("a.gov.cn")
    limiter.wait("a.gov.cn")
    limiter.wait("b.gov.cn")  # another host is not held back
    limiter.wait("a.gov.cn")
    assert slept == [1.0, 2.0]


def test_rate_limit_against_the_server(server):
    urls = [f"{server}/ok?{i}" for i in range(3)]
    check_urls(urls, concurrency=3, timeout=2, per_host_interval=0.3)
    times = sorted(t for t, _p in Handler.hits)
    assert len(times) == 3
    assert all(b - a >= 0.25 for a, b in itertools.pairwise(times))


@pytest.mark.django_db
def test_command_stores_results_and_the_monitor_shows_them(server, agency, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SITE_URL = "http://testserver"
    notice = NoticeFactory(
        owner_agency=agency,
        title="外链通知",
        body=(
            f'<p><a href="{server}/ok">好</a> <a href="{server}/missing">坏</a> '
            f'<a href="{server}/slow">慢</a> <a href="{server}/loop-a">循环</a> '
            '<a href="http://testserver/xxgk/">站内</a></p>'
        ),
        published_at=at(2026, 3, 2, 9),
    )
    out = io.StringIO()
    call_command(
        "check_links", "--timeout", "0.5", "--per-host-interval", "0", stdout=out
    )
    rows = {r.url.rsplit("/", 1)[1]: r for r in ExternalLink.objects.all()}
    assert set(rows) == {"ok", "missing", "slow", "loop-a"}  # the internal one is not
    assert rows["ok"].ok
    assert not rows["missing"].ok
    assert rows["missing"].status_code == 404
    assert "超时" in rows["slow"].error
    assert rows["loop-a"].error == "重定向循环"
    assert all(r.notice_id == notice.pk for r in rows.values())
    found = [
        f
        for f in site_report(today=date(2026, 3, 10)).findings_of(agency.name)
        if f.kind == "external_link_broken"
    ]
    assert len(found) == 3
    assert "打不开 3 个" in out.getvalue()
    # a second run replaces, never duplicates
    call_command(
        "check_links", "--timeout", "0.5", "--per-host-interval", "0", stdout=out
    )
    assert ExternalLink.objects.count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args", [["--concurrency", "0"], ["--timeout", "0"], ["--per-host-interval", "-1"]]
)
def test_command_bad_arguments(args):
    with pytest.raises(CommandError) as exc:
        call_command("check_links", *args)
    assert exc.value.returncode == 2
