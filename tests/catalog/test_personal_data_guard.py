"""The personal-data guard on every path that makes a notice public (issue 10 §1, §5, §6):
the services, the admin's publish action and change form (over the test client), and
``import_notices``. Generated numbers only (checksums computed)."""

from __future__ import annotations

import json
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from catalog import guard, services
from catalog.demo import build_pdf
from catalog.models import Notice, NoticeEvent
from portal import roles
from portal.validators import id_check_char
from tests.catalog.test_admin import _with_upload, form_data
from tests.factories import AgencyFactory, NoticeFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
CHANGELIST = "admin:catalog_notice_changelist"


def at(year, month, day, hour=9, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def make_id(body17: str = "43020319850612301") -> str:
    return body17 + id_check_char(body17)


ID = make_id()  # 430203198506123013
ID_MASK = "430203********3013"
WRONG_ID = ID[:-1] + ("0" if ID[-1] != "0" else "1")


@pytest.fixture
def approver(agency):
    return StaffFactory(
        username="dora", agency=agency, roles=[roles.ADMIN, roles.APPROVER]
    )


@pytest.fixture
def approver_client(client, approver):
    client.force_login(approver)
    return client


def draft(agency, **fields):
    return NoticeFactory(owner_agency=agency, title="关于某事项的处理决定", **fields)


# --- services ---------------------------------------------------------------------------


def test_publish_refused_for_an_id_number_naming_where_it_is(agency, staff_user):
    notice = draft(agency, body=f"<p>第一段。</p><p>当事人身份证号 {ID}。</p>")
    with pytest.raises(guard.PersonalDataFound) as exc:
        services.notice_publish(notice=notice, by=staff_user, now=at(2026, 3, 2))
    message = exc.value.messages[0]
    assert f"正文第 2 段：身份证号 {ID_MASK}" in message
    assert ID not in message
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT
    assert notice.index_number is None


def test_title_summary_keywords_are_scanned(agency, staff_user):
    for fields in (
        {"title": "关于 13812345678 的通知"},
        {"summary": f"涉及 {ID}"},
        {"keywords": ["13812345678"]},
    ):
        notice = NoticeFactory(owner_agency=agency, **{"title": "通知", **fields})
        with pytest.raises(guard.PersonalDataFound):
            services.notice_publish(notice=notice, by=staff_user, now=at(2026, 3, 2))


def test_wrong_checksum_id_is_not_a_finding(agency, staff_user):
    notice = draft(agency, body=f"<p>订单编号 {WRONG_ID}</p>")
    services.notice_publish(notice=notice, by=staff_user, now=at(2026, 3, 2))
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED


def test_agency_own_numbers_and_its_allowed_list_are_not_findings():
    agency = AgencyFactory(
        name="天元区民政局",
        phone="0731-22881234",
        fax="(0731)22881235",
        email="xxgk@mz.example.gov.cn",
        pii_allowed="0731-22881299\n13907330000",
    )
    # only the lead agency's staff may publish its notices (catalog.publishing)
    staff_user = StaffFactory(username="mz-clerk", agency=agency, roles=[roles.ADMIN])
    body = (
        "<p>联系电话 0731-22881234，传真 0731-22881235，邮箱 xxgk@mz.example.gov.cn，"
        "值守手机 13907330000，夜间 0731-22881299。</p>"
    )
    notice = draft(agency, body=body)
    services.notice_publish(notice=notice, by=staff_user, now=at(2026, 3, 2))
    other = draft(agency, body="<p>联系电话 0731-22881288</p>")
    with pytest.raises(guard.PersonalDataFound):
        services.notice_publish(notice=other, by=staff_user, now=at(2026, 3, 2))


def test_override_needs_an_approver_and_a_reason(agency, staff_user, approver):
    notice = draft(agency, body=f"<p>当事人 {ID}</p>")
    with pytest.raises(ValidationError, match="只有审核人可以放行"):
        services.notice_publish(
            notice=notice, by=staff_user, now=at(2026, 3, 2), override_reason="依法公开"
        )
    with pytest.raises(guard.PersonalDataFound):
        services.notice_publish(
            notice=notice, by=approver, now=at(2026, 3, 2), override_reason="  "
        )
    services.notice_publish(
        notice=notice,
        by=approver,
        now=at(2026, 3, 2),
        override_reason="行政处罚决定书依法公开",
    )
    event = NoticeEvent.objects.get(
        notice=notice, action=NoticeEvent.Action.PII_OVERRIDE
    )
    assert event.actor == approver
    assert event.reason == "行政处罚决定书依法公开"
    assert event.changes["findings"] == [f"正文第 1 段：身份证号 {ID_MASK}"]
    assert len(event.changes["fingerprints"]) == 1
    assert ID not in json.dumps(event.changes, ensure_ascii=False)


def test_override_is_specific_a_later_edit_adding_a_mobile_is_refused(
    agency, staff_user, approver
):
    notice = draft(agency, body=f"<p>当事人 {ID}</p>")
    services.notice_publish(
        notice=notice, by=approver, now=at(2026, 3, 2), override_reason="依法公开"
    )
    # the overridden number may stay, also written differently
    spaced = f"{ID[:6]} {ID[6:14]} {ID[14:]}"
    services.notice_update(
        notice=notice,
        by=staff_user,
        body=f"<p>当事人 {spaced}，已处罚。</p>",
        security_review_confirmed=True,
    )
    with pytest.raises(guard.PersonalDataFound) as exc:
        services.notice_update(
            notice=notice,
            by=staff_user,
            body=f"<p>当事人 {spaced}，联系手机 138-1234-5678。</p>",
            security_review_confirmed=True,
        )
    assert "手机号 138****5678" in exc.value.messages[0]
    assert "身份证号" not in exc.value.messages[0]
    notice.refresh_from_db()
    assert "138" not in notice.body


def test_override_covers_only_what_was_shown(agency, approver):
    notice = draft(agency, body=f"<p>{ID}</p><p>13812345678</p>")
    shown = [f.fingerprint for f in guard.personal_data_findings(notice)][:1]
    with pytest.raises(guard.PersonalDataFound) as exc:
        services.notice_publish(
            notice=notice,
            by=approver,
            now=at(2026, 3, 2),
            override_reason="依法公开",
            override_shown=shown,
        )
    assert "手机号" in exc.value.messages[0]
    assert not NoticeEvent.objects.filter(
        notice=notice, action=NoticeEvent.Action.PII_OVERRIDE
    ).exists()


def test_attachment_text_is_scanned_by_page(agency, staff_user):
    notice = draft(agency)
    services.attachment_add(
        notice=notice,
        by=staff_user,
        name="名单.txt",
        content=f"第一页\f第二页：张某 {ID}".encode(),
    )
    with pytest.raises(guard.PersonalDataFound) as exc:
        services.notice_publish(notice=notice, by=staff_user, now=at(2026, 3, 2))
    assert f"附件“名单.txt”第 2 页：身份证号 {ID_MASK}" in exc.value.messages[0]


def test_attachment_added_to_a_published_notice_is_refused(agency, staff_user):
    notice = draft(agency, published_at=at(2026, 3, 2))
    with pytest.raises(guard.PersonalDataFound, match=r"附件“名单\.txt”"):
        services.attachment_add(
            notice=notice,
            by=staff_user,
            name="名单.txt",
            content=ID.encode(),
            security_review_confirmed=True,
        )
    assert notice.attachments.count() == 0


def test_internal_fields_are_not_scanned(agency, staff_user):
    # 公开部门 and 公开对象 are shown, but a withdrawal reason typed by staff is not scanned
    # by this guard; only title, 摘要, 正文, keywords and attachments are
    notice = draft(agency, body="<p>正文</p>")
    assert guard.personal_data_findings(notice) == []
    assert [name for name, _, _ in guard.PUBLIC_FIELDS] == [
        "title",
        "summary",
        "keywords",
        "body",
    ]


# --- admin (over the test client) ---------------------------------------------------------


def test_admin_publish_action_refused_for_a_handler(staff_client, agency):
    notice = draft(agency, body=f"<p>{ID}</p>")
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        response = staff_client.post(
            reverse(CHANGELIST),
            {"action": "publish_selected", ACTION_CHECKBOX_NAME: [notice.pk]},
            follow=True,
        )
    page = response.content.decode()
    assert "未能发布" in page
    assert ID_MASK in page
    assert ID not in page
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT


def test_admin_publish_action_lets_an_approver_override_with_a_reason(
    approver_client, approver, agency
):
    notice = draft(agency, body=f"<p>{ID}</p>")
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        page = approver_client.post(
            reverse(CHANGELIST),
            {"action": "publish_selected", ACTION_CHECKBOX_NAME: [notice.pk]},
        )
        assert page.status_code == 200
        assert "发布前发现个人信息" in page.content.decode()
        assert ID_MASK in page.content.decode()
        data = form_data(page)
        # no reason: the page comes back with the error, still not published
        again = approver_client.post(reverse(CHANGELIST), data)
        assert "请填写放行理由" in again.content.decode()
        notice.refresh_from_db()
        assert notice.status == Notice.Status.DRAFT
        data.update(reason="行政处罚决定书依法公开", confirm="on")
        done = approver_client.post(reverse(CHANGELIST), data)
    assert done.status_code == 302
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED
    assert notice.events.filter(
        action=NoticeEvent.Action.PII_OVERRIDE, actor=approver
    ).exists()


def test_admin_change_form_refuses_new_personal_data_and_keeps_the_input(
    staff_client, agency
):
    notice = draft(agency, body="<p>原文</p>", published_at=at(2026, 3, 2))
    url = reverse("admin:catalog_notice_change", args=[notice.pk])
    data = form_data(staff_client.get(url))
    assert "pii_override" not in data  # the override section is for approvers only
    data["body"] = "<p>补充：联系人手机 13812345678</p>"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "手机号 138****5678" in page
    assert "补充：联系人手机 13812345678" in page  # what was typed is kept
    notice.refresh_from_db()
    assert notice.body == "<p>原文</p>"


def test_admin_change_form_override_by_an_approver(approver_client, agency):
    notice = draft(agency, body="<p>原文</p>", published_at=at(2026, 3, 2))
    url = reverse("admin:catalog_notice_change", args=[notice.pk])
    data = form_data(approver_client.get(url))
    data["body"] = f"<p>当事人 {ID}</p>"
    data["security_review_confirmed"] = "on"  # 条例第十七条: a published notice
    # ticking 放行 before anything was shown overrides nothing
    data.update(pii_override="on", pii_override_reason="行政处罚决定书依法公开")
    refused = approver_client.post(url, data)
    assert "如需放行" in refused.content.decode()
    assert Notice.objects.get(pk=notice.pk).body == "<p>原文</p>"
    # the refusal displayed the finding: the next submission may override it
    shown = form_data(refused)["pii_shown"]
    assert shown
    data["pii_shown"] = shown
    response = approver_client.post(url, data)
    assert response.status_code == 302
    notice.refresh_from_db()
    assert ID in notice.body
    assert notice.events.filter(action=NoticeEvent.Action.PII_OVERRIDE).count() == 1


def test_admin_attachment_upload_to_a_published_notice(
    staff_client, approver_client, agency
):
    notice = draft(agency, body="<p>原文</p>", published_at=at(2026, 3, 2))
    url = reverse("admin:catalog_notice_change", args=[notice.pk])
    pdf = build_pdf("名单", ["获奖人员", f"张某 {ID}"])
    ticked = {**form_data(staff_client.get(url)), "security_review_confirmed": "on"}
    refused = staff_client.post(url, _with_upload(ticked, "名单.pdf", pdf))
    assert refused.status_code == 200
    assert f"附件“名单.pdf”：身份证号 {ID_MASK}" in refused.content.decode()
    assert not notice.attachments.exists()
    # an approver overrides with the form's 个人信息放行 section, once the finding was
    # shown to them (a tick before that overrides nothing)
    data = form_data(approver_client.get(url))
    data.update(
        pii_override="on",
        pii_override_reason="获奖名单依法公示",
        security_review_confirmed="on",
    )
    shown_page = approver_client.post(url, _with_upload(dict(data), "名单.pdf", pdf))
    assert shown_page.status_code == 200
    assert not notice.attachments.exists()
    data["pii_shown"] = form_data(shown_page)["pii_shown"]
    done = approver_client.post(url, _with_upload(dict(data), "名单.pdf", pdf))
    assert done.status_code == 302
    assert notice.attachments.get().name == "名单.pdf"
    event = notice.events.get(action=NoticeEvent.Action.PII_OVERRIDE)
    assert event.changes["findings"] == [f"附件“名单.pdf”：身份证号 {ID_MASK}"]


# --- import_notices ------------------------------------------------------------------------


def run_import(path, *args):
    # a superuser confirms the 保密审查, so only the personal-data guard holds lines back
    UserFactory(username="baomi", is_staff=True, is_superuser=True)
    args = (*args, "--security-reviewed-by", "baomi")
    out, err = StringIO(), StringIO()
    call_command("import_notices", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write_lines(tmp_path, records):
    path = tmp_path / "notices.jsonl"
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
        encoding="utf-8",
    )
    return path


def line(n, **extra):
    return {
        "index_no": f"00001434-9/2024-{n:05d}",
        "title": f"关于第{n}项工作的通知",
        "publisher": "天元区教育局",
        "published_at": "2024-03-01T09:00:00",
        **extra,
    }


def test_import_keeps_a_line_with_personal_data_as_a_draft(tmp_path, agency):
    (tmp_path / "名单.txt").write_text(f"第一页\f{ID}", encoding="utf-8")
    path = write_lines(
        tmp_path,
        [
            line(1, body="<p>干净的正文</p>"),
            line(2, body="<p>联系 138-1234-5678</p>"),
            line(3, attachments=[{"name": "名单.txt", "path": "名单.txt"}]),
        ],
    )
    out, err = run_import(path)
    assert (
        "第 2 行含个人信息（正文第 1 段：手机号 138****5678），已作为草稿导入，未发布"
        in err
    )
    assert f"第 3 行含个人信息（附件“名单.txt”第 2 页：身份证号 {ID_MASK}）" in err
    assert ID not in err
    assert "2 条含个人信息，作为草稿导入、未发布" in out
    statuses = dict(Notice.objects.values_list("index_number", "status"))
    assert statuses == {
        "00001434-9/2024-00001": "published",
        "00001434-9/2024-00002": "draft",
        "00001434-9/2024-00003": "draft",
    }
    # re-running the same file does not publish it either
    run_import(path)
    assert Notice.objects.get(index_number="00001434-9/2024-00002").status == "draft"


def test_import_allow_personal_data_publishes_and_logs(tmp_path, agency):
    path = write_lines(tmp_path, [line(1, body=f"<p>当事人 {ID}</p>")])
    _out, err = run_import(path, "--allow-personal-data")
    assert "警告：第 1 行含个人信息" in err
    assert "--allow-personal-data" in err
    notice = Notice.objects.get()
    assert notice.status == Notice.Status.PUBLISHED
    event = notice.events.get(action=NoticeEvent.Action.PII_OVERRIDE)
    assert event.reason == services.IMPORT_OVERRIDE_REASON
    assert event.changes["findings"] == [f"正文第 1 段：身份证号 {ID_MASK}"]


# --- demo data (seeded in bulk, past the services) must be clean anyway ------------------


def test_demo_catalog_shows_no_personal_data():
    from datetime import datetime as dt

    with time_machine.travel(dt(2026, 11, 25, 10, 0, tzinfo=TZ), tick=False):
        call_command("seed_demo", stdout=StringIO())
    public = Notice.objects.exclude(status=Notice.Status.DRAFT).prefetch_related(
        "attachments"
    )
    assert public.count() >= 1000
    dirty = {
        n.index_number: [f.describe() for f in guard.personal_data_findings(n)]
        for n in public
    }
    assert {k: v for k, v in dirty.items() if v} == {}
