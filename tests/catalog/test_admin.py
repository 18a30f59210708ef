"""The catalog admin: scoped to the staff user's agency, saving through the services."""

from __future__ import annotations

from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.demo import build_pdf
from catalog.models import Attachment, InterpretationLinkRequest, Notice
from tests.factories import NoticeFactory, UserFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
CHANGELIST = "admin:catalog_notice_changelist"


def at(year, month, day, hour=9, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


class _FormParser(HTMLParser):
    """The values a browser would submit for the page's main form (no file inputs)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(
                a.get("value", "on" if kind == "checkbox" else "")
            )
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.setdefault(self._select, []).append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data.removeprefix("\n")


def form_data(response) -> dict[str, list[str] | str]:
    parser = _FormParser()
    parser.feed(response.content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return dict(parser.data)


@pytest.fixture
def own_draft(agency):
    return NoticeFactory(owner_agency=agency, title="教育局的草稿")


@pytest.fixture
def other_draft(other_agency):
    return NoticeFactory(owner_agency=other_agency, title="财政局的草稿")


def test_changelist_shows_only_the_staff_users_agency(
    staff_client, own_draft, other_draft
):
    response = staff_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    content = response.content.decode()
    assert "教育局的草稿" in content
    assert "财政局的草稿" not in content


def test_other_agencies_change_url_is_unreachable_and_unchanged(
    staff_client, other_draft
):
    url = reverse("admin:catalog_notice_change", args=[other_draft.pk])
    response = staff_client.get(url)
    assert response.status_code in (302, 404)
    assert "财政局的草稿" not in response.content.decode()
    response = staff_client.post(url, {"title": "被改掉了"})
    assert response.status_code in (302, 404)
    other_draft.refresh_from_db()
    assert other_draft.title == "财政局的草稿"
    assert staff_client.get(
        reverse("admin:catalog_notice_history", args=[other_draft.pk])
    ).status_code in (302, 404)


def test_outsider_sees_the_other_side_the_same_way(
    other_agency_staff_client, own_draft, other_draft
):
    content = other_agency_staff_client.get(reverse(CHANGELIST)).content.decode()
    assert "财政局的草稿" in content
    assert "教育局的草稿" not in content


def test_staff_without_the_admin_role_cannot_open_the_catalog_admin(
    client, teammate_user, own_draft
):
    client.force_login(teammate_user)  # 承办人 only
    assert client.get(reverse(CHANGELIST)).status_code == 403


def test_superuser_sees_every_agency(client, own_draft, other_draft):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    content = client.get(reverse(CHANGELIST)).content.decode()
    assert "教育局的草稿" in content
    assert "财政局的草稿" in content


def test_adding_a_notice_goes_through_the_service_with_the_users_agency(
    staff_client, staff_user, agency
):
    add_url = reverse("admin:catalog_notice_add")
    page = staff_client.get(add_url)
    assert "owner_agency" not in form_data(page)  # forced to the user's agency
    data = form_data(page)
    data.update(
        title="关于做好2024年招生工作的通知",
        doc_number="株天教发（2024）05号",
        body="<p>正文</p><script>alert(1)</script>",
        keywords="招生，入学",
        validity="effective",
        disclosure_mode="active",
        audience="面向社会",
    )
    response = staff_client.post(add_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    notice = Notice.objects.get(title="关于做好2024年招生工作的通知")
    assert notice.owner_agency == agency
    assert notice.doc_number == "株天教发〔2024〕5号"
    assert "<script>" not in notice.body
    assert notice.keywords == ["招生", "入学"]
    assert [link.agency for link in notice.publisher_links.all()] == [agency]
    event = notice.events.get()
    assert (event.action, event.actor) == ("created", staff_user)


def test_malformed_doc_number_is_a_form_error_and_keeps_the_input(staff_client):
    add_url = reverse("admin:catalog_notice_add")
    data = form_data(staff_client.get(add_url))
    data.update(
        title="有错误字号的通知",
        doc_number="株天教发2024五号",
        validity="effective",
        disclosure_mode="active",
        audience="面向社会",
    )
    response = staff_client.post(add_url, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "发文字号格式不正确" in content
    assert "有错误字号的通知" in content
    assert not Notice.objects.exists()


def test_editing_records_the_change_and_keeps_the_index_number(
    staff_client, staff_user, agency
):
    notice = NoticeFactory(
        owner_agency=agency, title="旧标题", published_at=at(2024, 3, 1)
    )
    url = reverse("admin:catalog_notice_change", args=[notice.pk])
    page = staff_client.get(url)
    assert "变更记录" in page.content.decode()
    data = form_data(page)
    data["title"] = "新标题"
    data["security_review_confirmed"] = "on"  # 条例第十七条: the notice is published
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    notice.refresh_from_db()
    assert notice.title == "新标题"
    assert notice.index_number == "00001434-9/2024-00001"
    event = notice.events.latest("id")
    assert (event.action, event.actor, event.changes["title"]) == (
        "updated",
        staff_user,
        ["旧标题", "新标题"],
    )


def test_publish_action_issues_the_index_number(
    staff_client, staff_user, own_draft, other_draft
):
    with time_machine.travel(at(2024, 3, 1, 10), tick=False):
        response = staff_client.post(
            reverse(CHANGELIST),
            {
                "action": "publish_selected",
                ACTION_CHECKBOX_NAME: [own_draft.pk, other_draft.pk],
            },
        )
    assert response.status_code == 302
    own_draft.refresh_from_db()
    other_draft.refresh_from_db()
    assert own_draft.status == Notice.Status.PUBLISHED
    assert own_draft.index_number == "00001434-9/2024-00001"
    assert own_draft.published_at == at(2024, 3, 1, 10)
    assert own_draft.events.latest("id").actor == staff_user
    assert other_draft.status == Notice.Status.DRAFT
    assert other_draft.index_number is None


def test_withdraw_action_asks_for_a_reason_category(staff_client, agency):
    notice = NoticeFactory(
        owner_agency=agency, title="要撤销的通知", published_at=at(2024, 3, 1)
    )
    url = reverse(CHANGELIST)
    first = staff_client.post(
        url, {"action": "withdraw_selected", ACTION_CHECKBOX_NAME: [notice.pk]}
    )
    assert first.status_code == 200
    assert "撤回原因类别" in first.content.decode()
    assert "要撤销的通知" in first.content.decode()
    empty = staff_client.post(
        url,
        {
            "action": "withdraw_selected",
            ACTION_CHECKBOX_NAME: [notice.pk],
            "confirm": "yes",
            "reason": "已被新文件替代",
        },
    )
    assert empty.status_code == 200
    assert "请选择撤回原因类别" in empty.content.decode()
    assert "已被新文件替代" in empty.content.decode()  # nothing typed is lost
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED
    with time_machine.travel(at(2024, 4, 1, 9), tick=False):
        done = staff_client.post(
            url,
            {
                "action": "withdraw_selected",
                ACTION_CHECKBOX_NAME: [notice.pk],
                "confirm": "yes",
                "category": "mistake",
                "reason": "已被新文件替代",
            },
        )
    assert done.status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.withdrawn_category, notice.withdrawn_reason) == (
        Notice.Status.WITHDRAWN,
        "mistake",
        "已被新文件替代",
    )
    assert notice.withdrawn_at == at(2024, 4, 1, 9)
    assert notice.index_number == "00001434-9/2024-00001"


def _with_upload(data: dict, name: str, content: bytes) -> dict:
    total = int(data["attachments-TOTAL_FORMS"][0])
    data[f"attachments-{total - 1}-upload"] = SimpleUploadedFile(name, content)
    return data


def test_attachment_upload_in_the_admin_is_checked_and_extracted(
    staff_client, agency, settings
):
    notice = NoticeFactory(owner_agency=agency, title="带附件的通知")
    url = reverse("admin:catalog_notice_change", args=[notice.pk])

    bad = _with_upload(
        form_data(staff_client.get(url)),
        "伪装.pdf",
        b"<html><script>alert(1)</script></html>",
    )
    response = staff_client.post(url, bad)
    assert response.status_code == 200
    assert "网页（HTML）" in response.content.decode()
    assert not Attachment.objects.exists()

    good = _with_upload(
        form_data(staff_client.get(url)),
        "细则.pdf",
        build_pdf("招生细则", ["报名时间：7月1日"]),
    )
    response = staff_client.post(url, good)
    assert response.status_code == 302, response.content.decode()[:3000]
    attachment = notice.attachments.get()
    assert attachment.name == "细则.pdf"
    assert "报名时间" in attachment.text
    notice.refresh_from_db()
    assert "报名时间" in notice.search_text


def test_changelist_query_count_does_not_grow_with_rows(
    staff_client, agency, django_assert_max_num_queries
):
    for i in range(3):
        NoticeFactory(
            owner_agency=agency, title=f"通知{i}", published_at=at(2024, 3, i + 1)
        )
    with django_assert_max_num_queries(20) as small:
        staff_client.get(reverse(CHANGELIST))
    for i in range(3, 30):
        NoticeFactory(
            owner_agency=agency, title=f"通知{i}", published_at=at(2024, 4, 1)
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        staff_client.get(reverse(CHANGELIST))


def test_deleting_an_attachment_in_the_admin_goes_through_the_service(
    staff_client, staff_user, agency
):
    from catalog import services

    notice = NoticeFactory(owner_agency=agency, title="带附件的通知")
    services.attachment_add(
        notice=notice, by=None, name="旧附件.txt", content="旧附件独有内容".encode()
    )
    url = reverse("admin:catalog_notice_change", args=[notice.pk])
    data = form_data(staff_client.get(url))
    data["attachments-0-DELETE"] = "on"
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not notice.attachments.exists()
    notice.refresh_from_db()
    assert "旧附件独有内容" not in notice.search_text
    event = notice.events.latest("id")
    assert (event.actor, event.changes["attachments"][0]["name"]) == (
        staff_user,
        "旧附件.txt",
    )


def test_linking_another_agencys_interpretation_in_the_admin_waits_for_it(
    staff_client, staff_user, agency, other_agency, other_staff_user
):
    from catalog.models import Genre

    policy = NoticeFactory(
        owner_agency=agency, title="关于印发某办法的通知", published_at=at(2024, 3, 1)
    )
    reading = NoticeFactory(
        owner_agency=other_agency,
        title="某办法政策解读",
        genre=Genre.objects.get(name="解读"),
        published_at=at(2024, 3, 1, 10),
    )
    url = reverse("admin:catalog_notice_change", args=[policy.pk])
    data = form_data(staff_client.get(url))
    data["interpretation_notices"] = [str(reading.pk)]
    response = staff_client.post(url, data, follow=True)
    assert "须经对方机关接受后才会公开显示" in response.content.decode()
    # reading is another agency's notice: nothing is linked until that agency accepts
    assert list(policy.interpretations.all()) == []
    pending = InterpretationLinkRequest.objects.get()
    assert (pending.status, pending.deciding_agency) == ("pending", other_agency)
    assert policy.events.latest("id").action == "link_asked"
    assert policy.events.latest("id").actor == staff_user
    # saving again asks nothing new
    events = policy.events.count()
    assert staff_client.post(url, form_data(staff_client.get(url))).status_code == 302
    assert policy.events.count() == events
    # the asking agency cannot accept its own request
    changelist = reverse("admin:catalog_interpretationlinkrequest_changelist")
    staff_client.post(
        changelist, {"action": "accept_selected", ACTION_CHECKBOX_NAME: [pending.pk]}
    )
    assert list(policy.interpretations.all()) == []
    # the other agency accepts: now it is linked
    staff_client.force_login(other_staff_user)
    staff_client.post(
        changelist, {"action": "accept_selected", ACTION_CHECKBOX_NAME: [pending.pk]}
    )
    assert list(policy.interpretations.all()) == [reading]
    pending.refresh_from_db()
    assert pending.status == "accepted"
    assert reading.events.latest("id").actor == other_staff_user
