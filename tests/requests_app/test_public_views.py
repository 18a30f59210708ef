"""The applicant's pages, through the views: apply (with a validation error fixed on
the way) → confirm → number + 查询码 → lookup → 补正 → reply; withdraw; throttling;
uploads checked by content; mass assignment; bad input never 500s."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from requests_app import services
from requests_app.models import FileKind, InfoRequest, RequestFile, Status
from requests_app.views import public
from tests.factories import AgencyFactory, InfoRequestFactory, send_reply

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + b"\x00\x00\x00\rIHDR"
    + b"\x00" * 17
    + b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def upload(name: str = "身份证.pdf", data: bytes = PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/pdf")


def application(agency, **overrides) -> dict:
    data = {
        "applicant_type": "citizen",
        "name": "王小明",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "phone": "138 1234 1234",
        "email": "wang@example.com",
        "address": "湖南省株洲市天元区天台路1号",
        "postcode": "412007",
        "agency": str(agency.pk),
        "description": "请公开天元区2025年义务教育学校招生划片方案",
        "doc_title": "",
        "doc_number": "",
        "doc_index_no": "",
        "provide_forms": ["paper", "email"],
        "delivery_methods": ["email"],
        "accept_other_forms": "on",
        "declaration": "on",
    }
    data.update(overrides)
    return data


def hidden_inputs(html: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html
    ):
        if name == "csrfmiddlewaretoken":
            continue
        out.setdefault(name, []).append(
            value.replace("&amp;", "&").replace("&quot;", '"').replace("&#x27;", "'")
        )
    return out


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY, tick=False):
        yield


def apply_and_submit(client, agency) -> tuple[str, str]:
    """Fill, confirm and submit; returns (tracking_no, 查询码) from the done page."""
    confirm = client.post(
        reverse("requests_app:apply"), {**application(agency), "id_proof": upload()}
    )
    assert confirm.status_code == 200
    fields = hidden_inputs(confirm.content.decode())
    done = client.post(reverse("requests_app:apply_submit"), fields)
    assert done.status_code == 302
    page = client.get(done.url).content.decode()
    tracking_no = re.search(r"YSQ-\d{4}-\d{6}", page).group(0)
    code = re.search(r'class="code-big" translate="no">([0-9A-Z ]{19})<', page).group(1)
    return tracking_no, code


# --- the whole journey ------------------------------------------------------------------------


def test_citizen_applies_looks_up_corrects_and_reads_the_reply(
    client, agency, staff_user
):
    with time_machine.travel(MONDAY, tick=False):
        assert client.get(reverse("requests_app:landing")).status_code == 200
        form_page = client.get(reverse("requests_app:apply"))
        assert form_page.status_code == 200
        assert "个人信息处理说明" in form_page.content.decode()

        # a mistyped ID number: a clear message, everything typed kept, file to re-select
        bad = client.post(
            reverse("requests_app:apply"),
            {
                **application(agency, id_number="110105194912310021"),
                "id_proof": upload(),
            },
        )
        html = bad.content.decode()
        assert bad.status_code == 200
        assert "身份证号码校验位不正确" in html
        assert 'aria-describedby="id_id_number_helptext id_id_number_error"' in html
        assert 'href="#id_id_number"' in html
        assert 'id="id_id_number_error"' in html
        assert 'value="王小明"' in html
        assert "义务教育学校招生划片方案" in html
        assert "重新选择文件" in html

        # fixed: the confirm page shows the application and keeps it in hidden fields
        confirm = client.post(
            reverse("requests_app:apply"), {**application(agency), "id_proof": upload()}
        )
        html = confirm.content.decode()
        assert confirm.status_code == 200
        assert "确认提交" in html
        assert "返回修改" in html
        assert "no-store" in confirm["Cache-Control"]
        fields = hidden_inputs(html)
        assert fields["name"] == ["王小明"]
        assert fields["provide_forms"] == [
            "paper",
            "email",
        ]
        assert len(fields["holding"][0]) == 32

        # 返回修改 brings everything back, the file included
        back = client.post(reverse("requests_app:apply"), {**fields, "action": "edit"})
        assert "已保留您上次选择的文件" in back.content.decode()
        assert 'value="王小明"' in back.content.decode()

        done = client.post(reverse("requests_app:apply_submit"), fields)
        assert done.status_code == 302
        assert done.url == reverse("requests_app:apply_done")
        page = client.get(done.url)
        html = page.content.decode()
        assert "no-store" in page["Cache-Control"]
        assert "请妥善保存" in html
        assert "打印本页" in html
        tracking_no = re.search(r"YSQ-2026-\d{6}", html).group(0)
        code = re.search(
            r'class="code-big" translate="no">([0-9A-Z ]{19})<', html
        ).group(1)
        # shown once only
        again = client.get(done.url).content.decode()
        assert code not in again
        assert "只显示一次" in again
        # a second submit of the same confirm page creates nothing
        assert (
            client.post(reverse("requests_app:apply_submit"), fields).status_code == 302
        )
        assert InfoRequest.objects.count() == 1

    req = InfoRequest.objects.get(tracking_no=tracking_no)
    assert req.status == Status.PENDING
    assert req.applicant_name == "王小明"
    assert req.files.filter(kind=FileKind.ID_PROOF).count() == 1
    assert "13812341234" not in req.phone_masked

    with time_machine.travel(MONDAY, tick=False):
        looked = client.post(
            reverse("requests_app:lookup"),
            {"tracking_no": tracking_no.lower(), "query_code": code.lower()},
        )
        assert looked.status_code == 302
        assert looked.url == reverse("requests_app:case")
        assert code.replace(" ", "") not in looked.url
        case = client.get(reverse("requests_app:case"))
        assert case.status_code == 200
        assert "no-store" in case["Cache-Control"]
        assert "待确认" in case.content.decode()

        services.request_confirm(info_request=req, by=staff_user, now=MONDAY)
        services.request_ask_correction(
            info_request=req, by=staff_user, items="请写明所需方案的学年。", now=MONDAY
        )
        html = client.get(reverse("requests_app:case")).content.decode()
        assert "需要您补正" in html
        assert "请写明所需方案的学年。" in html

    correction_day = datetime(2026, 3, 16, 9, 0, tzinfo=TZ)
    with time_machine.travel(correction_day, tick=False):
        # two weeks later the session has expired: look the case up again
        assert client.get(reverse("requests_app:case")).status_code == 302
        client.post(
            reverse("requests_app:lookup"),
            {"tracking_no": tracking_no, "query_code": code},
        )
        empty = client.post(reverse("requests_app:case_correction"), {"text": ""})
        assert empty.status_code == 200
        assert "请填写补正内容" in empty.content.decode()
        assert "这个字段是必填项" not in empty.content.decode()
        sent = client.post(
            reverse("requests_app:case_correction"),
            {
                "text": "需要2025—2026学年的划片方案。",
                "attachment": upload("补充.png", PNG),
            },
        )
        assert sent.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.PROCESSING
    assert req.clock_start_date == date(2026, 3, 16)
    assert req.reply_due_date == date(2026, 4, 14)  # domain.md §3.5: the clock restarts
    assert req.files.filter(kind=FileKind.CORRECTION).count() == 1

    with time_machine.travel(correction_day, tick=False):
        html = client.get(reverse("requests_app:case")).content.decode()
        assert "2026年4月14日" in html
        assert "逐日计算明细" in html
        reply_file = upload("招生划片方案.pdf")
        reply_file.checked = None
        send_reply(
            info_request=req,
            by=staff_user,
            outcome="disclosed",
            now=correction_day,
            letter_text="王小明：\n现将2025—2026学年划片方案提供给您。",
            files=[reply_file],
        )
        html = client.get(reverse("requests_app:case")).content.decode()
        assert "已答复" in html
        assert "现将2025—2026学年划片方案提供给您" in html
        rf = RequestFile.objects.get(info_request=req, kind=FileKind.REPLY)
        download = client.get(reverse("requests_app:case_file", args=[rf.pk]))
        assert download.status_code == 200
        assert download.content == PDF
        assert download["Content-Disposition"].startswith("attachment;")
        assert "no-store" in download["Cache-Control"]
        # the applicant's own ID proof is not downloadable from the public side
        id_proof = RequestFile.objects.get(info_request=req, kind=FileKind.ID_PROOF)
        assert (
            client.get(
                reverse("requests_app:case_file", args=[id_proof.pk])
            ).status_code
            == 404
        )

        assert client.post(reverse("requests_app:case_exit")).status_code == 302
        assert client.get(reverse("requests_app:case")).status_code == 302


def test_applicant_withdraws_after_confirming(client, agency):
    with time_machine.travel(MONDAY, tick=False):
        req = InfoRequestFactory(agency=agency)
        client.post(
            reverse("requests_app:lookup"),
            {"tracking_no": req.tracking_no, "query_code": req.query_code},
        )
        page = client.get(reverse("requests_app:case_withdraw"))
        assert page.status_code == 200
        assert "确认撤回" in page.content.decode()
        unconfirmed = client.post(
            reverse("requests_app:case_withdraw"), {"reason": "已经找到"}
        )
        assert unconfirmed.status_code == 200
        assert "请勾选确认后再撤回" in unconfirmed.content.decode()
        assert (
            "已经找到</textarea>" in unconfirmed.content.decode()
        )  # the reason typed is kept
        done = client.post(
            reverse("requests_app:case_withdraw"),
            {"reason": "已经找到", "confirm": "on"},
        )
        assert done.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.WITHDRAWN
    assert req.outcome == "other"
    with time_machine.travel(MONDAY, tick=False):
        html = client.get(reverse("requests_app:case")).content.decode()
        assert "已撤回" in html
        assert "撤回申请</a>" not in html


def test_confirm_page_lists_published_notices_that_may_answer_the_application(
    client, agency, frozen
):
    from tests.factories import NoticeFactory

    plan = NoticeFactory(
        owner_agency=agency,
        title="天元区2025年义务教育学校招生划片方案",
        published_at=datetime(2025, 6, 1, 9, 0, tzinfo=TZ),
    )
    other = NoticeFactory(
        owner_agency=agency,
        title="关于公布2024年度部门预算的公告",
        published_at=datetime(2025, 2, 1, 9, 0, tzinfo=TZ),
    )
    draft = NoticeFactory(
        owner_agency=agency, title="天元区2026年义务教育学校招生划片方案（草稿）"
    )
    response = client.post(
        reverse("requests_app:apply"), {**application(agency), "id_proof": upload()}
    )
    html = response.content.decode()
    assert "可能相关的已公开信息" in html
    assert plan.title in html
    assert reverse("catalog:notice_detail", args=[plan.uuid]) in html
    assert other.title not in html
    assert draft.title not in html
    assert 'target="_blank"' not in html  # links open in the same tab


def test_confirm_page_finds_a_notice_by_its_document_number(client, agency, frozen):
    from tests.factories import NoticeFactory

    notice = NoticeFactory(
        owner_agency=agency,
        title="关于调整城乡居民最低生活保障标准的通知",
        doc_number="株天政发〔2025〕3号",
        published_at=datetime(2025, 6, 1, 9, 0, tzinfo=TZ),
    )
    response = client.post(
        reverse("requests_app:apply"),
        {
            **application(
                agency,
                description="请提供低保标准调整的文件全文",
                doc_number="株天政发〔2025〕3号",
            ),
            "id_proof": upload(),
        },
    )
    assert notice.title in response.content.decode()


# --- lookup: generic error and throttling --------------------------------------------------------


def test_wrong_query_code_gets_one_generic_message(client, agency, frozen):
    req = InfoRequestFactory(agency=agency)
    wrong = client.post(
        reverse("requests_app:lookup"),
        {"tracking_no": req.tracking_no, "query_code": "AAAA BBBB CCCC DDDD"},
    )
    unknown = client.post(
        reverse("requests_app:lookup"),
        {"tracking_no": "YSQ-2026-999999", "query_code": req.query_code},
    )
    for response in (wrong, unknown):
        html = response.content.decode()
        assert response.status_code == 200
        assert "申请编号或查询码不正确" in html
        assert req.agency.name not in html
    assert client.get(reverse("requests_app:case")).status_code == 302


def test_lookup_is_throttled_after_ten_wrong_tries_per_address(client, agency, frozen):
    cases = [InfoRequestFactory(agency=agency) for _ in range(3)]
    req = cases[0]
    # ten wrong codes spread over other cases (under their per-case limit of 5)
    for n in range(10):
        response = client.post(
            reverse("requests_app:lookup"),
            {"tracking_no": cases[1 + n % 2].tracking_no, "query_code": "WRONG"},
        )
        assert response.status_code == 200
    blocked = client.post(
        reverse("requests_app:lookup"),
        {"tracking_no": req.tracking_no, "query_code": req.query_code},
    )
    assert blocked.status_code == 429
    assert "查询次数过多" in blocked.content.decode()
    assert (
        client.get(reverse("requests_app:case")).status_code == 302
    )  # even the right code waits
    # another address is not affected
    other = client.post(
        reverse("requests_app:lookup"),
        {"tracking_no": req.tracking_no, "query_code": req.query_code},
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 302
    # after 15 minutes the address may try again
    with time_machine.travel(datetime(2026, 3, 2, 10, 16, tzinfo=TZ), tick=False):
        again = client.post(
            reverse("requests_app:lookup"),
            {"tracking_no": req.tracking_no, "query_code": req.query_code},
        )
        assert again.status_code == 302


def _wrong(client, req, ip):
    return client.post(
        reverse("requests_app:lookup"),
        {"tracking_no": req.tracking_no, "query_code": "AAAA BBBB CCCC DDDD"},
        REMOTE_ADDR=ip,
    )


def _right(client, req, ip):
    return client.post(
        reverse("requests_app:lookup"),
        {"tracking_no": req.tracking_no, "query_code": req.query_code},
        REMOTE_ADDR=ip,
    )


def test_wrong_codes_from_other_addresses_never_lock_the_applicant_out(
    client, agency, frozen
):
    """Issue 11 §1.6: 30 (here 60) wrong codes for one case from other addresses
    used to lock the case for everyone for 15 minutes."""
    req = InfoRequestFactory(agency=agency)
    for n in range(60):
        assert _wrong(client, req, f"203.0.113.{n}").status_code == 200
    assert _right(client, req, "198.51.100.7").status_code == 302


def test_five_wrong_codes_for_one_case_block_that_address_for_that_case(
    client, agency, frozen
):
    req, other = InfoRequestFactory(agency=agency), InfoRequestFactory(agency=agency)
    for _ in range(5):
        assert _wrong(client, req, "203.0.113.5").status_code == 200
    blocked = _right(client, req, "203.0.113.5")
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) == 15 * 60
    assert "请 15 分钟后再试" in blocked.content.decode()
    # the same address may still look up another case, and the real applicant theirs
    assert _right(client, other, "203.0.113.5").status_code == 302
    assert _right(Client(), req, "198.51.100.7").status_code == 302


def test_an_address_gets_at_most_a_hundred_wrong_codes_a_day(client, agency, frozen):
    cases = [InfoRequestFactory(agency=agency) for _ in range(25)]
    start = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
    tries = 0
    # four per case and nine per quarter-hour stay under the shorter limits
    for quarter in range(12):
        with time_machine.travel(start + timedelta(minutes=16 * quarter), tick=False):
            for k in range(9):
                if tries == 100:
                    break
                req = cases[(quarter * 9 + k) % 25]
                assert _wrong(client, req, "203.0.113.80").status_code == 200
                tries += 1
    assert tries == 100
    with time_machine.travel(start + timedelta(hours=4), tick=False):
        assert _right(client, cases[0], "203.0.113.80").status_code == 429
    with time_machine.travel(start + timedelta(hours=28), tick=False):
        assert _right(client, cases[0], "203.0.113.80").status_code == 302


def test_lookup_is_post_only_and_never_takes_the_code_from_the_url(
    client, agency, frozen
):
    req = InfoRequestFactory(agency=agency)
    response = client.get(
        reverse("requests_app:lookup"),
        {"tracking_no": req.tracking_no, "query_code": req.query_code},
    )
    assert response.status_code == 200
    assert client.get(reverse("requests_app:case")).status_code == 302


# --- uploads --------------------------------------------------------------------------------


def test_disguised_html_upload_is_rejected(client, agency, frozen):
    response = client.post(
        reverse("requests_app:apply"),
        {**application(agency), "id_proof": upload("身份证.pdf", HTML)},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "文件格式不符合要求" in html
    assert 'value="王小明"' in html
    assert (
        not list(public._holding_root().glob("*"))
        if public._holding_root().exists()
        else True
    )


def test_png_with_appended_html_is_rejected(client, agency, frozen):
    response = client.post(
        reverse("requests_app:apply"),
        {**application(agency), "id_proof": upload("a.png", PNG + HTML)},
    )
    assert "文件格式不符合要求" in response.content.decode()


def test_oversized_upload_is_rejected(client, agency, frozen, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    big = PDF[:-7] + b"%" + b"x" * 2000 + b"\n%%EOF\n"
    response = client.post(
        reverse("requests_app:apply"),
        {**application(agency), "id_proof": upload("big.pdf", big)},
    )
    assert response.status_code == 200
    assert "文件过大" in response.content.decode()


def test_missing_upload_and_organisation_rules(client, agency, frozen):
    response = client.post(
        reverse("requests_app:apply"),
        application(
            agency,
            applicant_type="organisation",
            name="某某律师事务所",
            org_kind="",
            uscc="91110000600037342L",
            contact_name="",
            id_number="",
        ),
    )
    html = response.content.decode()
    assert "请上传身份证明文件" in html
    assert "请选择组织类别" in html
    assert "统一社会信用代码校验位不正确" in html
    assert "请填写联系人姓名" in html


def test_expired_holding_asks_for_the_file_again(client, agency):
    with time_machine.travel(MONDAY, tick=False):
        confirm = client.post(
            reverse("requests_app:apply"), {**application(agency), "id_proof": upload()}
        )
        fields = hidden_inputs(confirm.content.decode())
    with time_machine.travel(datetime(2026, 3, 2, 10, 25, tzinfo=TZ), tick=False):
        client.get(
            reverse("requests_app:landing")
        )  # keep the session alive (30-minute idle limit)
    with time_machine.travel(datetime(2026, 3, 2, 10, 45, tzinfo=TZ), tick=False):
        response = client.post(reverse("requests_app:apply_submit"), fields)
        html = response.content.decode()
        assert response.status_code == 200
        assert "请重新选择身份证明文件" in html
        assert 'value="王小明"' in html
    assert InfoRequest.objects.count() == 0


# --- mass assignment ------------------------------------------------------------------------------


def test_posting_internal_fields_to_the_public_form_changes_nothing(
    client, agency, staff_user, frozen
):
    extra = {
        "status": "replied",
        "received_date": "2020-01-01",
        "assigned_to": str(staff_user.pk),
        "tracking_no": "YSQ-2026-424242",
        "outcome": "disclosed",
        "is_public": "on",
        "serial": "42",
        "query_code_hash": "0" * 64,
        "reply_due_date": "2020-02-01",
        "source": "import",
    }
    confirm = client.post(
        reverse("requests_app:apply"),
        {**application(agency), **extra, "id_proof": upload()},
    )
    fields = hidden_inputs(confirm.content.decode())
    assert not set(extra) & set(fields)
    client.post(reverse("requests_app:apply_submit"), {**fields, **extra})
    req = InfoRequest.objects.get()
    assert req.status == Status.PENDING
    assert req.received_date is None
    assert req.reply_due_date is None
    assert req.assigned_to_id is None
    assert req.outcome == ""
    assert req.tracking_no == "YSQ-2026-000001"
    assert req.source == "online"


# --- robustness -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {
            "applicant_type": "alien",
            "agency": "999999",
            "provide_forms": ["x"],
            "id_type": "zzz",
        },
        {
            "name": "\x00",
            "description": "‮evil‬",
            "agency": "abc",
            "email": "not-an-email",
        },
        {
            "name": "张" * 5000,
            "description": "字" * 3000,
            "postcode": "１２３４５６",
            "phone": "１３８１２３４１２３４",
        },
        {"holding": "../../etc/passwd", "action": "edit"},
    ],
)
def test_public_pages_never_fail_on_bad_input(client, agency, frozen, payload):
    for name in (
        "apply",
        "apply_submit",
        "lookup",
        "case_correction",
        "case_withdraw",
        "case_exit",
    ):
        response = client.post(reverse(f"requests_app:{name}"), payload)
        assert response.status_code < 500, name
    assert client.get(reverse("requests_app:apply_done")).status_code == 200
    assert client.get(reverse("requests_app:case_file", args=[1])).status_code == 404


def test_bidi_controls_are_refused(client, agency, frozen):
    response = client.post(
        reverse("requests_app:apply"),
        {**application(agency, name="王‮明"), "id_proof": upload()},
    )
    assert "文字方向控制字符" in response.content.decode()


def test_inactive_agency_cannot_be_chosen(client, frozen):
    closed = AgencyFactory(name="已撤并的机关", is_active=False)
    response = client.post(
        reverse("requests_app:apply"), {**application(closed), "id_proof": upload()}
    )
    assert "请从列表中选择机关" in response.content.decode()


def test_description_terms_pick_specific_phrases():
    assert public.description_terms("我想了解栗雨街道的拆迁补偿标准") == [
        "拆迁补偿标准",
        "栗雨街道",
    ]
    assert public.description_terms(
        "请提供2025年天元区城乡居民最低生活保障标准调整的文件"
    ) == ["城乡居民最低生活保障标准调整"]
    assert public.pieces_query("最低生活保障标准调整") == "最低 生活 保障 标准 调整"
    assert (
        public.pieces_query("义务教育学校招生划片方案")
        == "义务 教育 学校 招生 划片 方案"
    )
    assert public.pieces_query("行政处罚决定") == "行政 处罚 决定"
    assert public.pieces_query("预算表") == "预算表"


def test_a_phrase_found_in_too_many_notices_is_not_shown(
    client, agency, frozen, monkeypatch
):
    from tests.factories import NoticeFactory

    monkeypatch.setattr(public, "MATCH_MAX_TOTAL", 2)
    for i in range(3):
        NoticeFactory(
            owner_agency=agency,
            title=f"关于政务公开工作要点第{i}项的通知",
            published_at=datetime(2025, 6, 1 + i, 9, 0, tzinfo=TZ),
        )
    response = client.post(
        reverse("requests_app:apply"),
        {**application(agency, description="请公开工作要点"), "id_proof": upload()},
    )
    html = response.content.decode()
    assert "没有找到与您的描述明显相符的已公开信息" in html
    assert "工作要点第0项" not in html


def test_a_deadline_in_a_year_without_official_holidays_is_marked_provisional(
    client, agency, staff_user
):
    december = datetime(2026, 12, 15, 10, 0, tzinfo=TZ)
    with time_machine.travel(december, tick=False):
        req = InfoRequestFactory(agency=agency, confirm_by=staff_user, now=december)
        assert req.due_is_provisional
        assert req.reply_due_date.year == 2027
        client.post(
            reverse("requests_app:lookup"),
            {"tracking_no": req.tracking_no, "query_code": req.query_code},
        )
        html = client.get(reverse("requests_app:case")).content.decode()
    assert "预计，以国务院办公厅公布的节假日安排为准" in html
    # the 预计 badge is followed by the basis only, not a second 预计
    assert "预计</span> 以国务院办公厅公布的节假日安排为准。" in html
    assert not re.search(r"预计</span>\s*预计", html)
    assert (
        f"{req.reply_due_date.year}年{req.reply_due_date.month}月{req.reply_due_date.day}日"
        in html
    )
    assert (
        "元旦" in html
    )  # the day-by-day table names the (provisional) holiday it skips


def test_a_failing_catalog_search_never_blocks_an_application(
    client, agency, frozen, monkeypatch
):
    def broken(cleaned):
        raise RuntimeError("search index unavailable")

    monkeypatch.setattr(public, "matching_notices", broken)
    response = client.post(
        reverse("requests_app:apply"), {**application(agency), "id_proof": upload()}
    )
    assert response.status_code == 200
    assert "确认提交" in response.content.decode()
