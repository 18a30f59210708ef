"""Legal review of the 依申请公开 letters (docs/requests.md "Fees", "Letters"):

* the 缴费期限 runs from the day after the applicant RECEIVES the 收费通知 (its 送达):
  online the day it is issued, by post the recorded receipt; expiry follows;
* the fee letter cites 条例 第四十二条第一款 and 109号, plus the provincial rule when set,
  and states how to pay (缴费方式, required on the form);
* every stated deadline says "（含当日）";
* a bare “您” of an old stored template reads 你单位 for an organisation, and a new
  template must use {称谓}; the failure-to-reply text follows the applicant type;
* procedural templates keep a version row on each save.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.workdays import load_calendar
from requests_app import deadlines, letters, remedies, services
from requests_app.models import (
    EventKind,
    FeeNotice,
    Letter,
    LetterKind,
    ProceduralTemplate,
    ProceduralTemplateVersion,
    ReplyTemplate,
    Status,
)
from requests_app.services import letters as letter_svc
from tests.factories import InfoRequestFactory
from tests.requests_app.conftest import at

pytestmark = pytest.mark.django_db


def _wd_after(day: date, n: int) -> date:
    years = range(day.year - 1, day.year + 2)
    return deadlines.fee_pay_by(day, load_calendar(years=years), n).due_date


def _fee(req, by, day="2026-03-05", **kw):
    kw.setdefault("payment_method", "转账至天元区财政非税收入汇缴账户 4300 0000 0000")
    return services.request_send_fee_notice(
        info_request=req, by=by, method="by_item", quantity=11, now=at(day), **kw
    )


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.com", "x")


@pytest.fixture
def posted_request(agency, staff_user):
    # no e-mail: the notice goes by post and its receipt is recorded later
    return InfoRequestFactory(agency=agency, confirm_by=staff_user, email="")


# --- 1. the payment period runs from delivery ----------------------------------------------


def test_online_fee_notice_is_delivered_the_day_it_is_issued(
    confirmed_request, staff_user
):
    notice = _fee(confirmed_request, staff_user)
    letter = notice.letter
    assert letter.kind == LetterKind.FEE
    assert letter.delivery_method == "online"
    assert letter.delivered_date == date(2026, 3, 5)
    assert notice.delivered_date == date(2026, 3, 5)
    assert notice.pay_by_date == _wd_after(date(2026, 3, 5), 20)
    pay_by = letters.fmt_date(notice.pay_by_date)
    assert "自收到本通知的次日起20个工作日内缴纳" in letter.body
    assert f"（即{pay_by}前，含当日）" in letter.body
    assert "缴费方式：转账至天元区财政非税收入汇缴账户 4300 0000 0000。" in letter.body


def test_posted_fee_notice_counts_from_the_recorded_receipt(posted_request, staff_user):
    notice = _fee(posted_request, staff_user)
    assert notice.pay_by_date is None
    assert notice.delivered_date is None
    letter = notice.letter
    assert letter.delivered_date is None
    assert "自收到本通知的次日起20个工作日内缴纳（含第20个工作日当日）" in letter.body
    assert "即" not in letter.body.split("缴费方式")[0].split("工作日内缴纳")[1]
    # not delivered: it cannot expire, whatever the day
    with pytest.raises(ValidationError, match="登记送达"):
        services.request_expire_fee(
            info_request=posted_request, by=staff_user, now=at("2026-06-30")
        )
    # received by post a week later: 20 working days from the day after the receipt
    letter_svc.letter_record_delivery(
        letter=letter,
        by=staff_user,
        method="ems",
        tracking_number="ems123",
        delivered_date=date(2026, 3, 12),
        now=at("2026-03-13"),
    )
    notice.refresh_from_db()
    expected = _wd_after(date(2026, 3, 12), 20)
    assert notice.delivered_date == date(2026, 3, 12)
    assert notice.pay_by_date == expected
    assert expected > _wd_after(date(2026, 3, 5), 20)
    event = posted_request.events.filter(kind=EventKind.LETTER_DELIVERED).get()
    assert f"缴费期限至{letters.fmt_date(expected)}（含当日）" in event.note
    # the last day is inclusive: payment on it is accepted, expiry only after it
    with pytest.raises(ValidationError, match="尚未届满"):
        services.request_expire_fee(
            info_request=posted_request, by=staff_user, now=at(expected.isoformat())
        )
    services.request_record_payment(
        info_request=posted_request,
        by=staff_user,
        now=at(expected.isoformat()),
        paid_date=expected,
    )
    posted_request.refresh_from_db()
    assert posted_request.status == Status.PROCESSING


def test_posted_fee_notice_expires_the_day_after_its_last_day(
    posted_request, staff_user
):
    notice = _fee(posted_request, staff_user)
    letter_svc.letter_record_delivery(
        letter=notice.letter,
        by=staff_user,
        method="in_person",
        delivered_date=date(2026, 3, 9),
        now=at("2026-03-09"),
    )
    notice.refresh_from_db()
    day_after = date.fromordinal(notice.pay_by_date.toordinal() + 1)
    req = services.request_expire_fee(
        info_request=posted_request, by=staff_user, now=at(day_after.isoformat())
    )
    assert req.status == Status.ABANDONED
    assert FeeNotice.objects.get(pk=notice.pk).expired_date == day_after


def test_delivery_of_a_settled_fee_notice_leaves_it_alone(posted_request, staff_user):
    notice = _fee(posted_request, staff_user)
    services.request_record_payment(
        info_request=posted_request, by=staff_user, now=at("2026-03-06")
    )
    letter_svc.letter_record_delivery(
        letter=notice.letter,
        by=staff_user,
        method="in_person",
        delivered_date=date(2026, 3, 9),
        now=at("2026-03-09"),
    )
    notice.refresh_from_db()
    assert notice.pay_by_date is None
    assert notice.paid_date == date(2026, 3, 6)


# --- 2 and 7. legal basis, provincial rule, how to pay ----------------------------------------


def test_fee_letter_cites_article_42_and_the_provincial_rule(
    confirmed_request, staff_user, settings
):
    settings.REQUESTS_FEE_PROVINCIAL_RULE = (
        "《某省财政厅关于政府信息公开信息处理费有关事项的通知》"
    )
    letter = _fee(confirmed_request, staff_user).letter
    assert (
        "根据《中华人民共和国政府信息公开条例》第四十二条第一款、《政府信息公开信息处理费"
        "管理办法》（国办函〔2020〕109号）、《某省财政厅关于政府信息公开信息处理费有关"
        "事项的通知》的规定"
    ) in letter.body


def test_fee_letter_without_provincial_rule_cites_the_national_texts(
    confirmed_request, staff_user
):
    letter = _fee(confirmed_request, staff_user).letter
    assert "（国办函〔2020〕109号）的规定" in letter.body
    assert "第四十二条第一款" in letter.body
    assert letters.GROUNDS["unpaid_fee"].legal_basis.startswith(
        "《中华人民共和国政府信息公开条例》第四十二条第一款"
    )


@pytest.fixture
def on_march_5th():
    with time_machine.travel(at("2026-03-05"), tick=False):
        yield


def test_fee_form_requires_how_to_pay_and_shows_it_in_the_letter(
    client, confirmed_request, staff_user, on_march_5th
):
    client.force_login(staff_user)
    url = reverse("requests_app:staff_request_fee", args=[confirmed_request.code])
    data = {
        "action": "send",
        "fee-method": "by_item",
        "fee-quantity": "11",
        "fee-payment_method": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "请填写缴费方式" in response.content.decode()
    assert not FeeNotice.objects.filter(info_request=confirmed_request).exists()
    # the case page offers the agency's counter as a starting text
    page = client.get(
        reverse("requests_app:staff_request_detail", args=[confirmed_request.code])
    ).content.decode()
    assert "持本通知到本机关当面缴纳" in page
    data["fee-payment_method"] = "通过“湖南省非税收入缴费平台”网上缴纳"
    response = client.post(url, data)
    assert response.status_code == 302, re.findall(
        r'class="error-summary".*?</div>', response.content.decode(), re.S
    )
    letter = Letter.objects.get(info_request=confirmed_request, kind=LetterKind.FEE)
    assert "缴费方式：通过“湖南省非税收入缴费平台”网上缴纳。" in letter.body


# --- 3. inclusive deadlines -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["acceptance", "correction", "extension"])
def test_every_stated_deadline_is_inclusive(kind):
    body = letters.PROCEDURAL[kind].body
    # every "{…期限}前" is followed by （含当日）
    for name in ("答复期限", "补正期限", "原答复期限"):
        marker = "{" + name + "}前"
        if marker in body:
            rest = body.split(marker)[1:]
            assert all(part.startswith("（含当日）") for part in rest), name


def test_correction_letter_and_event_say_inclusive(confirmed_request, staff_user):
    services.request_ask_correction(
        info_request=confirmed_request,
        by=staff_user,
        items="请写明学校名称",
        now=at("2026-03-03"),
    )
    letter = Letter.objects.get(info_request=confirmed_request, kind="correction")
    confirmed_request.refresh_from_db()
    due = letters.fmt_date(confirmed_request.correction_due_date)
    assert f"于{due}前（含当日）补正" in letter.body
    event = confirmed_request.events.get(kind=EventKind.CORRECTION_ASKED)
    assert f"{due}前（含当日）" in event.note or "（含当日）" in event.note


# --- 5. 您 / 你单位 --------------------------------------------------------------------------


@pytest.fixture
def org_request(agency, staff_user):
    return InfoRequestFactory(
        agency=agency,
        confirm_by=staff_user,
        applicant_type="organisation",
        applicant_kind="commercial",
        applicant_name="天元区某某科技有限公司",
        uscc="91430211MA4L0000AH",
        contact_name="李联系",
        email="",
        description="您好，请公开立项批复",
    )


def test_old_stored_template_with_bare_nin_reads_nidanwei(org_request, staff_user):
    # a template saved before {称谓} existed (written directly, as an old admin edit)
    ReplyTemplate.objects.filter(ground="not_exist").update(
        body="经检索，本机关没有您申请公开的政府信息，现告知您该信息不存在。{理由}"
    )
    letter = letter_svc.reply_draft(
        info_request=org_request,
        by=staff_user,
        ground="not_exist",
        now=at("2026-03-05"),
    )
    assert "您" not in letter.body
    assert "没有你单位申请公开的政府信息，现告知你单位该信息不存在" in letter.body


def test_bare_nin_never_touches_what_the_applicant_wrote():
    text = letters.render_body(
        "您申请获取“{申请内容}”。", {"称谓": "你单位", "申请内容": "您好"}
    )
    assert text == "你单位申请获取“您好”。"


def test_a_new_template_must_address_the_applicant_by_placeholder():
    problems = letters.template_problems("经审查，您申请的信息不存在。")
    assert any("{称谓}" in p for p in problems)
    assert not letters.template_problems("经审查，{称谓}申请的信息不存在。")


def test_failure_to_reply_text_follows_the_applicant_type():
    text = remedies.failure_to_reply_remedy(
        agency="区教育局",
        due_date=date(2026, 3, 30),
        review_body="株洲市天元区人民政府",
        court="株洲市天元区人民法院",
        term="你单位",
    )
    assert "您" not in text
    assert "你单位可以" in text or "你单位应当先" in text
    assert "含当日" in text


# --- 8. procedural template versions ---------------------------------------------------------


def test_procedural_template_edits_keep_versions(superuser):
    row = ProceduralTemplate.objects.get(kind="correction")
    old_body = row.body
    new_body = old_body.replace("经审查，", "经审查认为，")
    letter_svc.procedural_template_update(
        template=row,
        by=superuser,
        title=row.title,
        legal_basis=row.legal_basis,
        body=new_body,
    )
    letter_svc.procedural_template_update(
        template=row,
        by=superuser,
        title=row.title,
        legal_basis=row.legal_basis,
        body=new_body,
    )  # nothing changed: no second version
    versions = list(ProceduralTemplateVersion.objects.filter(template=row))
    assert len(versions) == 1
    assert versions[0].actor == superuser
    assert versions[0].changes == {"body": [old_body, new_body]}
    assert versions[0].values["body"] == new_body


def test_procedural_template_history_shows_in_the_admin(client, superuser):
    row = ProceduralTemplate.objects.get(kind="fee")
    client.force_login(superuser)
    url = reverse("admin:requests_app_proceduraltemplate_change", args=[row.pk])
    data = {
        "title": row.title,
        "legal_basis": row.legal_basis,
        "body": row.body + "\n特此通知。",
    }
    response = client.post(url, data)
    assert response.status_code == 302, re.findall(
        r'class="error-summary".*?</div>', response.content.decode(), re.S
    )
    page = client.get(url).content.decode()
    assert "修改记录" in page
    assert ProceduralTemplateVersion.objects.filter(template=row).count() == 1


def test_migrated_templates_carry_the_new_texts():
    fee = ProceduralTemplate.objects.get(kind="fee")
    assert fee.body == letters.PROCEDURAL["fee"].body
    assert ReplyTemplate.objects.get(ground="third_party").body == (
        letters.GROUNDS["third_party"].body
    )
    assert ReplyTemplate.objects.get(ground="not_ours").body == (
        letters.GROUNDS["not_ours"].body
    )
