"""条例 第四十四条 drafts: every personal-data form masked before the draft exists, the
title cut only after masking, and the catalog guard still knowing the applicant's name
(issue 10 §1, §6). Generated numbers only."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from catalog import guard
from catalog import services as catalog_services
from catalog.models import Notice
from portal.pii import find_personal_data
from portal.validators import id_check_char
from requests_app import services
from requests_app.outcomes import Outcome
from tests.factories import InfoRequestFactory, send_reply
from tests.requests_app.conftest import at

pytestmark = pytest.mark.django_db

BODY = "43020319850612301"
ID = BODY + id_check_char(BODY)  # the applicant's stored ID
ID_SPACED = f"{ID[:6]} {ID[6:14]} {ID[14:]}"
OLD_ID = "430203850612301"  # 15 digits, first generation
MOBILE = "138-1234-5678"
LANDLINE = "0731-28812345"
EMAIL = "zhaodayong@example.com"


def answered(agency, staff_user, description, **extra):
    req = InfoRequestFactory(
        agency=agency,
        confirm_by=staff_user,
        applicant_name="赵大勇",
        id_number=ID,
        phone="13812345678",
        description=description,
        **extra,
    )
    send_reply(
        info_request=req,
        by=staff_user,
        outcome=Outcome.DISCLOSED,
        letter_text="答复",
        now=at("2026-03-05"),
    )
    return req


def test_journey_five_forms_end_in_a_clean_draft_that_publishes(agency, staff_user):
    # the spaced ID straddles character 60, where the title is cut
    lead = "请公开天元区2025年义务教育学校校车采购合同、车辆验收报告及运营补贴明细，本人赵大勇身份证"
    description = (
        f"{lead}{ID_SPACED}（旧证 {OLD_ID}），手机 {MOBILE}，家中电话 {LANDLINE}，"
        f"邮箱 {EMAIL}，请邮寄纸质件。"
    )
    assert len(lead) < 60 < len(lead) + len(ID_SPACED)
    req = answered(agency, staff_user, description)
    notice = services.request_to_notice_draft(
        info_request=req, by=staff_user, now=at("2026-03-06")
    )
    notice = Notice.objects.get(pk=notice.pk)
    text = notice.title + "\n" + notice.summary
    for raw in (
        ID,
        ID_SPACED,
        ID[:6],
        ID[-4:],
        OLD_ID,
        MOBILE,
        LANDLINE,
        EMAIL,
        "赵大勇",
    ):
        assert raw not in text, raw
    assert find_personal_data(text) == []
    assert notice.title.startswith("请公开天元区2025年义务教育学校校车采购合同")
    assert "校车采购合同" in notice.summary
    assert guard.personal_data_findings(notice) == []
    catalog_services.notice_publish(
        notice=notice,
        by=staff_user,
        now=datetime(2026, 3, 9, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.PUBLISHED


def test_staff_title_and_summary_are_masked_too(agency, staff_user):
    req = answered(agency, staff_user, "请公开校车采购合同")
    notice = services.request_to_notice_draft(
        info_request=req,
        by=staff_user,
        now=at("2026-03-06"),
        title=f"赵大勇（{MOBILE}）申请的校车采购合同",
        summary=f"申请人身份证 {ID_SPACED}",
    )
    assert "赵大勇" not in notice.title
    assert "1234" not in notice.title
    assert ID[-4:] not in notice.summary


def test_the_guard_knows_the_applicants_name_when_staff_type_it_back(
    agency, staff_user
):
    req = answered(agency, staff_user, "请公开校车采购合同")
    notice = services.request_to_notice_draft(
        info_request=req, by=staff_user, now=at("2026-03-06")
    )
    catalog_services.notice_update(
        notice=notice, by=staff_user, body="<p>应赵大勇的申请，现予公开。</p>"
    )
    with pytest.raises(guard.PersonalDataFound, match="正文第 1 段：姓名 赵\\*\\*"):
        catalog_services.notice_publish(
            notice=notice,
            by=staff_user,
            now=datetime(2026, 3, 9, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
        )
