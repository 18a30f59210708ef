"""Staff notice pages (/staff/xinxi/): list, editor, preview, 提交审核, 定时发布."""

from __future__ import annotations

import re
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from catalog import services
from catalog.models import Notice, NoticeEvent
from portal import roles
from tests.catalog.public_data import draft, publish
from tests.catalog.test_personal_data_guard import ID, ID_MASK
from tests.factories import NoticeFactory, StaffFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
LIST = "catalog:staff_notice_list"
NEW = "catalog:staff_notice_new"


def at(year, month, day, hour=9, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def approver(agency):
    return StaffFactory(
        username="dora", agency=agency, roles=[roles.ADMIN, roles.APPROVER]
    )


def form(**overrides):
    data = {
        "title": "关于做好2026年义务教育招生工作的通知",
        "doc_number": "株天教发〔2026〕3号",
        "written_date": "2026-03-01",
        "validity": "effective",
        "disclosure_mode": "active",
        "audience": "面向社会",
        "keywords": "招生，入学",
        "summary": "招生安排。",
        "body": "<h2>一、时间</h2><p>7月1日起报名。</p>",
        "action": "save",
    }
    data.update(overrides)
    return data


# --- list -------------------------------------------------------------------------------


def test_list_filters_by_state_and_text(staff_client, agency, other_agency):
    publish(agency=agency, title="已发布的通知", published_at=at(2025, 3, 1))
    draft(agency=agency, title="普通草稿")
    pending = draft(agency=agency, title="待审的草稿")
    services.notice_submit_for_review(
        notice=pending,
        by=StaffFactory(username="fay", agency=agency, roles=[roles.ADMIN]),
        now=at(2026, 3, 2),
    )
    expired = publish(
        agency=agency,
        title="过期的办法",
        published_at=at(2020, 1, 1),
        valid_until=at(2021, 1, 1).date(),
    )
    publish(agency=other_agency, title="别的机关的通知", published_at=at(2025, 3, 1))

    def titles(**params):
        page = staff_client.get(reverse(LIST), params).content.decode()
        return {
            t
            for t in (
                "已发布的通知",
                "普通草稿",
                "待审的草稿",
                "过期的办法",
                "别的机关的通知",
            )
            if t in page
        }

    assert titles() == {"已发布的通知", "普通草稿", "待审的草稿", "过期的办法"}
    assert titles(state="pending") == {"待审的草稿"}
    assert titles(state="draft") == {"普通草稿"}
    assert titles(state="lapsed") == {expired.title}
    assert titles(state="published") == {"已发布的通知"}
    assert titles(q="办法") == {"过期的办法"}
    assert titles(year="2025") == {"已发布的通知"}


def _user(agency):
    return StaffFactory(username="erin", agency=agency, roles=[roles.HANDLER])


def test_list_query_count_is_constant(
    staff_client, agency, other_agency, django_assert_max_num_queries
):
    for i in range(5):
        publish(
            agency=agency,
            publishers=[agency, other_agency],
            title=f"通知{i}",
            published_at=at(2025, 3, 1),
        )
    with django_assert_max_num_queries(40) as small:
        assert staff_client.get(reverse(LIST)).status_code == 200
    for i in range(5, 30):
        publish(
            agency=agency,
            publishers=[agency, other_agency],
            title=f"通知{i}",
            published_at=at(2025, 3, 1),
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = staff_client.get(reverse(LIST))
    assert "通知29" in response.content.decode()


def test_bulk_publish_names_each_refusal(staff_client, agency, settings):
    settings.NOTICE_SECOND_SECURITY_REVIEW = False
    ok = draft(agency=agency, title="可以发布")
    with_id = draft(agency=agency, title="含身份证号", body=f"<p>{ID}</p>")
    response = staff_client.post(
        reverse(LIST),
        {"bulk_action": "publish", "ids": [ok.pk, with_id.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "已发布 1 条信息" in page
    assert "“含身份证号”未能发布" in page
    assert ID_MASK in page
    ok.refresh_from_db()
    with_id.refresh_from_db()
    assert ok.status == Notice.Status.PUBLISHED
    assert with_id.status == Notice.Status.DRAFT


# --- editor -----------------------------------------------------------------------------


def test_create_through_the_form(staff_client, agency, staff_user):
    response = staff_client.post(reverse(NEW), form())
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert notice.owner_agency == agency
    assert notice.doc_number == "株天教发〔2026〕3号"
    assert notice.keywords == ["招生", "入学"]
    assert "<h2>一、时间</h2>" in notice.body
    assert notice.events.get(action=NoticeEvent.Action.CREATED).actor == staff_user
    page = staff_client.get(response["Location"]).content.decode()
    assert "已保存" in page
    # the next number of the agency's 机关代字 is suggested
    assert "株天教发〔2026〕4号" in staff_client.get(reverse(NEW)).content.decode()


def test_validation_errors_keep_what_was_typed(staff_client):
    response = staff_client.post(
        reverse(NEW),
        form(doc_number="乱写的文号", written_date="2026-13-40", summary="我写的概述"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "发文字号格式不正确" in page
    assert "日期格式不正确" in page
    assert "我写的概述" in page
    assert "关于做好2026年义务教育招生工作的通知" in page
    assert not Notice.objects.exists()


def test_another_agencys_notice_is_404(staff_client, other_agency):
    theirs = draft(agency=other_agency, title="别人的草稿")
    assert (
        staff_client.get(
            reverse("catalog:staff_notice_edit", args=[theirs.pk])
        ).status_code
        == 404
    )
    assert (
        staff_client.post(
            reverse("catalog:staff_notice_edit", args=[theirs.pk]), form()
        ).status_code
        == 404
    )
    assert (
        staff_client.get(
            reverse("catalog:staff_notice_preview", args=[theirs.pk])
        ).status_code
        == 404
    )


def test_publish_refused_for_personal_data_then_overridden_by_approver(
    client, agency, staff_user, approver, settings
):
    settings.NOTICE_SECOND_SECURITY_REVIEW = False
    notice = draft(agency=agency, title="处罚决定", body=f"<p>一</p><p>当事人 {ID}</p>")
    url = reverse("catalog:staff_notice_edit", args=[notice.pk])
    client.force_login(staff_user)
    response = client.post(
        url, form(title="处罚决定", body=notice.body, action="publish")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "内容已保存，但未能发布" in page
    assert "正文第 2 段" in page
    assert ID_MASK in page
    assert "请审核人放行" in page
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT

    client.force_login(approver)
    first = client.post(url, form(title="处罚决定", body=notice.body, action="publish"))
    shown = first.context["form"].data["pii_shown"]
    assert shown
    response = client.post(
        url,
        form(
            title="处罚决定",
            body=notice.body,
            action="publish",
            pii_shown=shown,
            pii_override="on",
            pii_override_reason="行政处罚决定书依法公开",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED
    assert notice.events.filter(
        action=NoticeEvent.Action.PII_OVERRIDE, actor=approver
    ).exists()


def test_editing_a_published_notice_needs_the_security_confirmation(
    staff_client, agency
):
    notice = publish(agency=agency, title="旧标题", published_at=at(2025, 3, 1))
    url = reverse("catalog:staff_notice_edit", args=[notice.pk])
    response = staff_client.post(url, form(title="新标题"))
    assert response.status_code == 400
    assert "保密审查" in response.content.decode()
    response = staff_client.post(
        url, form(title="新标题", security_review_confirmed="on")
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.title == "新标题"


def test_attachment_upload_and_bad_file_refused_in_chinese(staff_client, agency):
    notice = draft(agency=agency, title="带附件")
    url = reverse("catalog:staff_notice_edit", args=[notice.pk])
    bad = SimpleUploadedFile("伪装.pdf", b"<html><script>alert(1)</script></html>")
    response = staff_client.post(
        url, {**form(title="带附件", summary="保留我"), "uploads": [bad]}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "“伪装.pdf”未能上传" in page
    assert "保留我" in page
    assert not notice.attachments.exists()
    good = SimpleUploadedFile("细则.txt", "报名时间：7月1日".encode())
    response = staff_client.post(url, {**form(title="带附件"), "uploads": [good]})
    assert response.status_code == 302
    attachment = notice.attachments.get()
    assert attachment.name == "细则.txt"
    assert "报名时间" in attachment.text
    response = staff_client.post(
        url, {**form(title="带附件"), "remove_attachments": [attachment.pk]}
    )
    assert response.status_code == 302
    assert not notice.attachments.exists()


# --- preview, 提交审核 --------------------------------------------------------------------


def test_preview_uses_the_public_template(staff_client, agency):
    notice = draft(agency=agency, title="预览的草稿", body="<p>正文内容</p>")
    response = staff_client.get(
        reverse("catalog:staff_notice_preview", args=[notice.pk])
    )
    assert response.status_code == 200
    assert "catalog/notice_detail.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "预览，尚未发布" in page
    assert "正文内容" in page
    assert '<meta name="robots" content="noindex">' in page
    assert (
        "no-cache" in response["Cache-Control"]
        or "max-age=0" in response["Cache-Control"]
    )
    # unsaved form data: nothing is written
    response = staff_client.post(
        reverse("catalog:staff_notice_preview_unsaved"),
        form(title="还没保存的标题", notice_pk=str(notice.pk)),
    )
    assert response.status_code == 200
    assert "还没保存的标题" in response.content.decode()
    notice.refresh_from_db()
    assert notice.title == "预览的草稿"


def test_submit_for_review_records_who_and_when(staff_client, agency, staff_user):
    notice = draft(agency=agency, title="请审核")
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        response = staff_client.post(
            reverse("catalog:staff_notice_edit", args=[notice.pk]),
            form(title="请审核", action="submit"),
        )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.submitted_by == staff_user
    assert notice.submitted_at == at(2026, 3, 2, 10)
    assert notice.events.filter(action=NoticeEvent.Action.SUBMITTED).exists()
    with time_machine.travel(at(2026, 3, 2, 10, 5), tick=False):
        page = staff_client.get(reverse(LIST), {"state": "pending"}).content.decode()
    assert "请审核" in page


# --- 定时发布 --------------------------------------------------------------------------------


def test_schedule_then_command_publishes_at_the_minute(staff_client, agency, settings):
    settings.NOTICE_SECOND_SECURITY_REVIEW = False
    notice = draft(agency=agency, title="定时的通知")
    url = reverse("catalog:staff_notice_edit", args=[notice.pk])
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        past = staff_client.post(
            url,
            form(
                title="定时的通知", action="schedule", scheduled_at="2026-03-02T09:00"
            ),
        )
        assert "已经过去" in past.content.decode()
        response = staff_client.post(
            url,
            form(
                title="定时的通知", action="schedule", scheduled_at="2026-03-02T18:30"
            ),
        )
        assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.scheduled_at == at(2026, 3, 2, 18, 30)
    assert notice.status == Notice.Status.DRAFT
    with time_machine.travel(at(2026, 3, 2, 18, 29), tick=False):
        call_command("publish_scheduled", stdout=StringIO())
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT
    # the public page does not show it yet
    assert (
        staff_client.get(
            reverse("catalog:notice_detail", args=[notice.uuid])
        ).status_code
        == 404
    )
    out = StringIO()
    with time_machine.travel(
        at(
            2026,
            3,
            2,
            18,
            30,
        ),
        tick=False,
    ):
        call_command("publish_scheduled", stdout=out)
        call_command("publish_scheduled", stdout=out)  # idempotent
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED
    assert notice.published_at == at(2026, 3, 2, 18, 30)
    assert notice.scheduled_at is None
    assert notice.events.filter(action=NoticeEvent.Action.PUBLISHED).count() == 1
    assert out.getvalue().count("已发布：定时的通知") == 1


def test_unschedule_and_failed_checks_at_publication(agency, staff_user, settings):
    settings.NOTICE_SECOND_SECURITY_REVIEW = False
    notice = draft(agency=agency, title="取消定时")
    services.notice_schedule(
        notice=notice, by=staff_user, at=at(2026, 3, 3), now=at(2026, 3, 2)
    )
    services.notice_unschedule(notice=notice, by=staff_user)
    notice.refresh_from_db()
    assert notice.scheduled_at is None
    assert services.notice_publish_due(now=at(2026, 3, 4)) == []

    services.notice_schedule(
        notice=notice, by=staff_user, at=at(2026, 3, 3), now=at(2026, 3, 2)
    )
    # the second-person rule switched on meanwhile: refused at publication, stays a draft
    settings.NOTICE_SECOND_SECURITY_REVIEW = True
    err = StringIO()
    with time_machine.travel(at(2026, 3, 3, 9, 1), tick=False):
        call_command("publish_scheduled", stdout=StringIO(), stderr=err)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT
    assert notice.scheduled_at is None
    assert "未能发布：取消定时" in err.getvalue()
    assert notice.events.filter(action=NoticeEvent.Action.SCHEDULE_FAILED).exists()


def test_editing_a_scheduled_draft_drops_the_schedule(agency, staff_user, settings):
    settings.NOTICE_SECOND_SECURITY_REVIEW = False
    notice = draft(agency=agency, title="会被修改")
    services.notice_schedule(
        notice=notice, by=staff_user, at=at(2026, 3, 3), now=at(2026, 3, 2)
    )
    services.notice_update(notice=notice, by=staff_user, title="改过了")
    notice.refresh_from_db()
    assert notice.scheduled_at is None


def test_the_desk_asks_the_admins_model_permissions(client, agency):
    """A 承办人 (requests only) holds no catalog permission: the desk refuses them what
    the admin would refuse, whatever the page or method."""
    notice = NoticeFactory(owner_agency=agency, title="本机关草稿")
    client.force_login(_user(agency))
    for method, url in (
        ("get", reverse(LIST)),
        ("get", reverse(NEW)),
        ("post", reverse(NEW)),
        ("get", reverse("catalog:staff_notice_edit", args=[notice.pk])),
        ("post", reverse("catalog:staff_notice_edit", args=[notice.pk])),
        ("get", reverse("catalog:staff_notice_preview", args=[notice.pk])),
        ("post", reverse("catalog:staff_notice_withdraw", args=[notice.pk])),
        ("post", reverse(LIST)),
    ):
        response = getattr(client, method)(url, {"action": "publish"})
        assert response.status_code == 403, (method, url)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT


def test_a_reviewer_confirms_from_the_list(client, agency):
    """A 审核人 without the catalog's edit rights sees the list and confirms the 保密审查
    in bulk, and can do nothing else there."""
    notice = draft(agency=agency, title="待确认的草稿")
    reviewer = StaffFactory(username="gus", agency=agency, roles=[roles.APPROVER])
    client.force_login(reviewer)
    assert client.get(reverse(LIST)).status_code == 200
    assert client.get(reverse(NEW)).status_code == 403
    response = client.post(
        reverse(LIST), {"bulk_action": "publish", "ids": [notice.pk]}
    )
    assert response.status_code == 403
    client.post(reverse(LIST), {"bulk_action": "review", "ids": [notice.pk]})
    notice.refresh_from_db()
    assert (notice.status, notice.security_reviewed_by) == ("draft", reviewer)


def test_a_reviewer_reads_the_editor_and_confirms_only_the_review_there(
    client, agency, other_agency
):
    """The list links a 审核人 to the editor: every field read-only, one action
    (确认保密审查); saving, publishing or another agency's notice are refused."""
    notice = draft(agency=agency, title="待确认的草稿")
    reviewer = StaffFactory(username="gus", agency=agency, roles=[roles.APPROVER])
    client.force_login(reviewer)
    url = reverse("catalog:staff_notice_edit", args=[notice.pk])
    html = client.get(url).content.decode()
    assert "本页内容只读" in html
    assert 'name="title"' in html
    assert re.search(r'<input [^>]*name="title"[^>]*disabled', html), html
    assert 'value="review" class="primary">确认保密审查</button>' in html
    for label in ("保存草稿", "保存并发布", "保存并提交审核", "预览（新窗口）"):
        assert label not in html, label
    for action in ("save", "publish", "submit", "schedule"):
        response = client.post(url, {"action": action, "title": "改过的标题"})
        assert response.status_code == 403, action
        assert "只能确认保密审查" in response.content.decode()
    notice.refresh_from_db()
    assert (notice.title, notice.security_reviewed_by) == ("待确认的草稿", None)
    response = client.post(url, {"action": "review", "title": "改过的标题"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.title, notice.status) == ("待确认的草稿", "draft")
    assert notice.security_reviewed_by == reviewer
    other = draft(agency=other_agency, title="别的机关的草稿")
    edit_other = reverse("catalog:staff_notice_edit", args=[other.pk])
    assert client.get(edit_other).status_code == 404
    assert client.post(edit_other, {"action": "review"}).status_code == 404
