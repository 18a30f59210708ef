"""Annual report publication refused while a narrative section holds personal data
(issue 10 §1, §6); an approver may override exactly the findings shown, with a reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from disclosure import services
from disclosure.models import AnnualReport, AnnualReportEvent
from portal import roles
from portal.validators import id_check_char
from tests.disclosure.conftest import at, travel
from tests.disclosure.helpers import NARRATIVES
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

ID = "43020319850612301" + id_check_char("43020319850612301")
ID_MASK = "430203********3013"


@pytest.fixture
def admin_approver(agency):
    return StaffFactory(
        username="erin", agency=agency, roles=[roles.ADMIN, roles.APPROVER]
    )


def approved_with(report, text, *, admin, approver):
    services.report_update(
        report=report,
        by=admin,
        now=at(2026, 1, 6),
        **{**NARRATIVES, "section_overview": text},
    )
    services.report_submit(report=report, by=admin, now=at(2026, 1, 7))
    services.report_approve(report=report, by=approver, now=at(2026, 1, 8))


def test_publication_refused_for_an_id_number_naming_the_section(
    draft, staff_user, approver_user
):
    approved_with(
        draft,
        f"本年度工作总体平稳。\n投诉人身份证号 {ID} 已处理。",
        admin=staff_user,
        approver=approver_user,
    )
    with pytest.raises(ValidationError) as exc:
        services.report_publish(report=draft, by=staff_user, now=at(2026, 1, 9))
    message = exc.value.message_dict["pii_override_reason"][0]
    assert f"“一、总体情况”第 2 段：身份证号 {ID_MASK}" in message
    assert AnnualReport.objects.get(pk=draft.pk).status == AnnualReport.Status.APPROVED
    # an admin who is not an approver cannot override
    with pytest.raises(ValidationError, match="只有审核人可以放行"):
        services.report_publish(
            report=draft, by=staff_user, now=at(2026, 1, 9), override_reason="依法"
        )


def test_agency_own_phone_is_not_a_finding(agency, draft, staff_user, approver_user):
    agency.phone = "0731-22881234"
    agency.save(update_fields=["phone"])
    approved_with(
        draft,
        "咨询请拨打本机关电话 0731-22881234。",
        admin=staff_user,
        approver=approver_user,
    )
    version = services.report_publish(report=draft, by=staff_user, now=at(2026, 1, 9))
    assert version.number == 1


def test_override_is_recorded_and_covers_only_those_findings(
    draft, admin_approver, approver_user
):
    approved_with(draft, f"当事人 {ID}", admin=admin_approver, approver=approver_user)
    services.report_publish(
        report=draft,
        by=admin_approver,
        now=at(2026, 1, 9),
        override_reason="行政处罚决定依法公开",
    )
    event = AnnualReportEvent.objects.get(
        report=draft, action=AnnualReportEvent.Action.PUBLISHED
    )
    assert event.changes["pii_override"]["findings"] == [
        f"“一、总体情况”第 1 段：身份证号 {ID_MASK}"
    ]
    assert event.changes["pii_override"]["reason"] == "行政处罚决定依法公开"
    # a correction that adds a mobile number is refused again; the ID stays allowed
    services.report_start_correction(
        report=draft, by=admin_approver, now=at(2026, 2, 1)
    )
    approved_with(
        draft,
        f"当事人 {ID}，手机 13812345678",
        admin=admin_approver,
        approver=approver_user,
    )
    with pytest.raises(ValidationError) as exc:
        services.report_publish(
            report=draft, by=admin_approver, now=at(2026, 2, 3), correction_note="补充"
        )
    message = exc.value.message_dict["pii_override_reason"][0]
    assert "手机号 138****5678" in message
    assert "身份证号" not in message


def test_publish_page_shows_the_findings_and_keeps_the_input(
    client, draft, staff_user, approver_user
):
    approved_with(draft, f"当事人 {ID}", admin=staff_user, approver=approver_user)
    client.force_login(staff_user)
    url = reverse("disclosure:staff_report_action", args=[draft.pk, "publish"])
    with travel(2026, 1, 9, 10):
        response = client.post(url, {"pii_override_reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert f"身份证号 {ID_MASK}" in page  # the refusal, beside the reason field
    assert "个人信息放行理由" in page
    assert AnnualReport.objects.get(pk=draft.pk).status == AnnualReport.Status.APPROVED
