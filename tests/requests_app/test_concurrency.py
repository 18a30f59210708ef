"""Concurrent submissions get distinct, gapless tracking numbers and nothing is lost
(security.md §6 and §9 test 21): 50 threads calling the service, and 300 browsers
submitting the public form over HTTP to gunicorn with production settings.
bench/submissions.py runs the service-level variant with 300 submissions."""

from __future__ import annotations

import hashlib
import html
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from portal.validators import id_check_char
from requests_app import selectors, services
from requests_app.models import FileKind, InfoRequest, RequestFile
from tests.factories import AgencyFactory
from tests.security.live import (
    SITE_HOST,
    Gunicorn,
    collected_static,
    http_request,
    production_env,
    test_database_url,  # noqa: F401 - a fixture (the test database, for the server)
)

N = 50


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_submissions_get_distinct_gapless_numbers():
    agency = AgencyFactory(name="并发测试局")
    now = datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(N)

    def submit(i: int) -> None:
        try:
            start.wait()
            sub = services.request_submit_online(
                agency=agency,
                now=now,
                applicant_type="citizen",
                applicant_kind="natural",
                applicant_name=f"并发{i}",
                id_type="passport",
                id_number=f"E{i:08d}",
                phone="13812341234",
                description=f"并发提交第{i}件申请的内容描述",
            )
            with lock:
                results.append(sub.info_request.tracking_no)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == len(set(results)) == N
    assert sorted(results) == [f"YSQ-2026-{i:06d}" for i in range(1, N + 1)]
    assert InfoRequest.objects.count() == N
    assert sorted(InfoRequest.objects.values_list("tracking_no", flat=True)) == sorted(
        results
    )


# --- 300 parallel submissions of the real public form, over HTTP (issue 5 §4) -----------------
#
# PostgreSQL allows 100 connections, so 300 submitting threads cannot each hold one in this
# process. This is the way production sees them instead: 300 browsers, released at once by a
# barrier, each GETs the form, POSTs it with a CSRF token and an ID-proof upload, confirms
# (the confirm page's hidden fields and holding token) and reads its number and 查询码 on the
# done page — against gunicorn (4 workers × 4 threads, production settings, HTTPS behind a
# simulated nginx) on the test database.
#
# The form's rate limit (requests_app.ratelimit.SUBMIT_PER_IP: 30 per hour per client
# address) stays at its production value: every client comes from its own address, which
# the server takes from the last X-Forwarded-For hop that nginx appends (BEHIND_PROXY=true),
# as 300 citizens would. Nothing in the server is configured for the test except where its
# files go (MEDIA_ROOT) and FIELD_ENCRYPTION_KEY, which is this process's key so that the
# test can decrypt the stored ID proofs and check the 查询码 HMACs.

HTTP_CLIENTS = 300
CALL_TIMEOUT = 90  # seconds per request: 300 clients queue behind 16 server threads


def _multipart(
    fields: list[tuple[str, str]], files: list[tuple[str, str, str, bytes]]
) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = bytearray()
    for name, value in fields:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    for name, filename, content_type, data in files:
        out += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def _hidden_inputs(page: str) -> list[tuple[str, str]]:
    return [
        (name, html.unescape(value))
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page
        )
    ]


def _id_number(i: int) -> str:
    body = f"4302111990{(i % 12) + 1:02d}{(i % 28) + 1:02d}{i % 1000:03d}"
    return body + id_check_char(body)


@dataclass
class Browser:
    """One citizen: cookies, a client address of their own, every answer it saw."""

    port: int
    ip: str
    cookies: dict[str, str] = field(default_factory=dict)
    statuses: list[int] = field(default_factory=list)

    def call(
        self, method: str, path: str, body: bytes | None = None, content_type: str = ""
    ):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers.update(
                {
                    "Content-Type": content_type,
                    "Origin": f"https://{SITE_HOST}",
                    "Referer": f"https://{SITE_HOST}{path}",
                }
            )
        response = http_request(
            self.port,
            method,
            path,
            headers=headers,
            body=body,
            client_ip=self.ip,
            timeout=CALL_TIMEOUT,
        )
        self.statuses.append(response.status)
        for name, cookie in response.cookies().items():
            if cookie["value"] and cookie["value"] != '""':
                self.cookies[name] = str(cookie["value"])
            else:
                self.cookies.pop(name, None)
        return response


def _apply(
    browser: Browser, i: int, agency_pk: int, id_proof: bytes
) -> tuple[str, str]:
    """The whole public form, as a browser fills it; returns (申请编号, 查询码) from the done page."""
    form = browser.call("GET", "/ysq/apply/")
    assert form.status == 200, form.status
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    fields = [
        ("csrfmiddlewaretoken", token),
        ("applicant_type", "citizen"),
        ("name", f"并发申请人{i}"),
        ("id_type", "resident_id"),
        ("id_number", _id_number(i)),
        ("phone", "138 1234 1234"),
        ("address", f"湖南省株洲市天元区天台路{i}号"),
        ("postcode", "412007"),
        ("agency", str(agency_pk)),
        ("description", f"请公开天元区第{i}号学校改扩建项目的立项批复文件"),
        ("provide_forms", "paper"),
        ("delivery_methods", "post"),
        ("declaration", "on"),
    ]
    body, content_type = _multipart(
        fields, [("id_proof", "id.pdf", "application/pdf", id_proof)]
    )
    confirm = browser.call("POST", "/ysq/apply/", body, content_type)
    assert confirm.status == 200, (confirm.status, confirm.text[:2000])
    assert "确认提交" in confirm.text, confirm.text[:2000]
    submit = browser.call(
        "POST",
        "/ysq/apply/submit/",
        urlencode(_hidden_inputs(confirm.text)).encode(),
        "application/x-www-form-urlencoded",
    )
    submitted = (submit.status, submit.header("Location"), submit.text[:2000])
    assert submit.status == 302, submitted
    assert submit.header("Location").endswith("/ysq/apply/done/"), submitted
    done = browser.call("GET", "/ysq/apply/done/")
    assert done.status == 200, done.status
    number = re.search(r'class="code-big" translate="no">(YSQ-\d{4}-\d{6})<', done.text)
    code = re.search(r'class="code-big" translate="no">([0-9A-Z ]{19})<', done.text)
    assert number, done.text[:2000]
    assert code, done.text[:2000]
    return number.group(1), code.group(1)


@pytest.mark.fault
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_300_parallel_http_submissions_of_the_public_form(
    test_database_url,  # noqa: F811 - the fixture imported above
    tmp_path_factory,
    settings,
):
    agency = AgencyFactory(name="并发测试局")
    env = production_env(
        test_database_url,
        STATIC_ROOT=str(collected_static(tmp_path_factory, test_database_url)),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PORTAL_HTTPS="true",
        BEHIND_PROXY="true",
        FIELD_ENCRYPTION_KEY=settings.FIELD_ENCRYPTION_KEY,
    )
    server = Gunicorn(
        env=env,
        log_path=tmp_path_factory.mktemp("submissions") / "gunicorn.log",
        workers=4,
        threads=4,
    ).start()
    sent: dict[int, bytes] = {
        i: f"%PDF-1.4\n% id proof of client {i}\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n".encode()
        for i in range(HTTP_CLIENTS)
    }
    acknowledged: dict[int, tuple[str, str]] = {}
    errors: dict[int, str] = {}
    browsers = [
        Browser(0, f"198.18.{i // 200}.{i % 200 + 1}") for i in range(HTTP_CLIENTS)
    ]
    barrier = threading.Barrier(HTTP_CLIENTS)
    lock = threading.Lock()

    def citizen(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            result = _apply(browsers[i], i, agency.pk, sent[i])
            with lock:
                acknowledged[i] = result
        except BaseException as exc:
            with lock:
                errors[i] = f"{type(exc).__name__}: {exc}"[:300]

    try:
        for b in browsers:
            b.port = server.port
        threads = [
            threading.Thread(target=citizen, args=(i,), daemon=True)
            for i in range(HTTP_CLIENTS)
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        deadline = started + 5 * CALL_TIMEOUT
        for t in threads:
            t.join(timeout=max(0.1, deadline - time.monotonic()))
        wall = time.monotonic() - started
        hung = sum(t.is_alive() for t in threads)
    finally:
        server.stop()
    print(  # noqa: T201 - the measured throughput, shown with -s
        f"{HTTP_CLIENTS} browsers × 4 requests: {wall:.1f} s, {4 * len(acknowledged) / wall:.0f} requests/s"
    )

    assert hung == 0
    assert errors == {}, (
        f"{len(errors)} clients failed, e.g. {list(errors.items())[:5]}\n{server.log_tail()}"
    )
    assert all(s < 500 and s != 429 for b in browsers for s in b.statuses)
    numbers = [number for number, _ in acknowledged.values()]
    assert len(numbers) == len(set(numbers)) == HTTP_CLIENTS
    rows = {r.tracking_no: r for r in InfoRequest.objects.all()}
    assert set(rows) == set(
        numbers
    )  # every acknowledged submission is a row, and nothing else
    year = rows[numbers[0]].year
    assert sorted(numbers) == [
        f"YSQ-{year}-{n:06d}" for n in range(1, HTTP_CLIENTS + 1)
    ]  # gapless
    proofs = {
        f.info_request_id: f for f in RequestFile.objects.filter(kind=FileKind.ID_PROOF)
    }
    for i, (number, code) in acknowledged.items():
        req = rows[number]
        assert req.applicant_name == f"并发申请人{i}"
        assert (
            selectors.get_request_for_applicant(number, code) == req
        )  # the 查询码 opens exactly this case
        stored = services.request_file_bytes(file=proofs[req.pk])
        assert (
            hashlib.sha256(stored).hexdigest()
            == hashlib.sha256(sent[i]).hexdigest()
            == proofs[req.pk].sha256
        )
