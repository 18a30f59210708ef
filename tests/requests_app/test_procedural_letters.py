"""Issue 9 §1 last bullet: every other letter of a request is a numbered, printable
Letter, issued by the service that performs the act — 受理回执 (confirmation),
补正通知 (条例 第三十条), 延期告知 (第三十三条第二款), 征求意见函 (第三十二条 /
第三十四条), 收费通知 (国办函〔2020〕109号). One 文号 series per agency and year across
all kinds, the text from an editable per-kind template checked like the reply
templates, PDF text equal to the letter, and the third party's letter never shown to
the applicant."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from portal.documents import document_text
from requests_app import letters, selectors, services
from requests_app.models import Letter, LetterKind, LetterStatus, ProceduralTemplate
from requests_app.services import letters as letter_svc
from tests.factories import InfoRequestFactory
from tests.requests_app.conftest import at

pytestmark = pytest.mark.django_db


def _letters(req, kind=None):
    qs = Letter.objects.filter(info_request=req).order_by("number_serial")
    return list(qs.filter(kind=kind) if kind else qs)


def _clean(letter: Letter) -> None:
    text = "\n".join([letter.title, letter.salutation, *letter.paragraphs])
    assert "{" not in text
    assert "}" not in text
    assert "（单位）" not in text
    assert letter.status == LetterStatus.SENT
    assert letter.number
    assert letter.letter_date
    assert letter.event_id


def _all_acts(req, staff_user, approver_user):
    services.request_ask_correction(
        info_request=req, by=staff_user, items="请写明学校名称", now=at("2026-03-03")
    )
    req = services.request_receive_correction(
        info_request=req, text="天元区第一中学", now=at("2026-03-04")
    )
    services.request_start_consultation(
        info_request=req,
        by=staff_user,
        party_type="third_party",
        party_name="某建设有限公司",
        now=at("2026-03-05"),
    )
    services.request_end_consultation(
        info_request=req, by=staff_user, opinion="不同意", now=at("2026-03-06")
    )
    services.request_request_extension(
        info_request=req,
        by=staff_user,
        days=10,
        reason="需要调取档案。",
        now=at("2026-03-09"),
    )
    services.request_decide_extension(
        info_request=req, by=approver_user, approve=True, now=at("2026-03-10")
    )
    services.request_send_fee_notice(
        info_request=req,
        by=staff_user,
        method="by_item",
        quantity=11,
        now=at("2026-03-11"),
    )
    return req


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
    )


def test_each_act_issues_its_letter_numbered_gapless_across_kinds(
    org_request, staff_user, approver_user
):
    req = _all_acts(org_request, staff_user, approver_user)
    found = _letters(req)
    assert [x.kind for x in found] == [
        LetterKind.ACCEPTANCE,
        LetterKind.CORRECTION,
        LetterKind.CONSULTATION,
        LetterKind.EXTENSION,
        LetterKind.FEE,
    ]
    assert [x.number_serial for x in found] == [1, 2, 3, 4, 5]
    assert [x.number for x in found] == [
        f"区教育局依申〔2026〕{i}号" for i in range(1, 6)
    ]
    for letter in found:
        _clean(letter)
        assert letter.agency == req.agency
        assert letter.title == letters.PROCEDURAL[letter.kind].title
        assert letter.number in letter.event.note
    acceptance, correction, consultation, extension, fee = found
    # the applicant by type (你单位), the third party by its name
    assert acceptance.salutation == "天元区某某科技有限公司："
    assert "你单位" in acceptance.body
    assert "您" not in acceptance.body
    assert "2026年3月2日" in acceptance.body
    assert "第三十一条" in acceptance.body
    assert "请写明学校名称" in correction.body
    assert "第三十条" in correction.body
    assert letters.fmt_date(reload(req, "correction_due_date")) in correction.body
    assert consultation.salutation == "某建设有限公司："
    assert "第三十二条" in consultation.body
    assert "15个工作日" in consultation.body
    assert "收到本函之日" in consultation.body
    assert "天元区某某科技有限公司" not in consultation.body  # not the applicant's name
    assert not consultation.event.is_public
    assert "需要调取档案，" in extension.body  # its own full stop trimmed
    assert "第三十三条第二款" in extension.body
    assert "10个工作日" in extension.body
    assert extension.approved_by == approver_user
    assert letters.fmt_date(reload(req, "reply_due_date")) in extension.body
    assert "国办函〔2020〕109号" in fee.body
    assert "按件计收" in fee.body
    assert "缴费方式：持本通知到本机关当面缴纳" in fee.body
    # no remedy except on the fee notice, which imposes a payment
    assert [bool(x.remedy) for x in found] == [False, False, False, False, True]
    assert "申请行政复议" in fee.remedy
    assert "应当先" not in fee.remedy


def reload(req, field):
    return type(req).objects.values_list(field, flat=True).get(pk=req.pk)


def test_a_refused_act_issues_no_letter_and_burns_no_number(
    confirmed_request, staff_user
):
    with pytest.raises(ValidationError):
        services.request_ask_correction(
            info_request=confirmed_request,
            by=staff_user,
            items="补充",
            now=at("2026-03-12"),  # past the 7 working days
        )
    assert [x.kind for x in _letters(confirmed_request)] == [LetterKind.ACCEPTANCE]
    services.request_ask_correction(
        info_request=confirmed_request,
        by=staff_user,
        items="补充",
        now=at("2026-03-03"),
    )
    assert [x.number_serial for x in _letters(confirmed_request)] == [1, 2]


def test_edited_template_is_used_and_typed_braces_never_read_as_placeholders(
    confirmed_request, staff_user
):
    row = ProceduralTemplate.objects.get(kind=LetterKind.CORRECTION)
    letter_svc.procedural_template_update(
        template=row,
        by=staff_user,
        title="补正告知书",
        legal_basis=row.legal_basis,
        body="请{称谓}在{补正期限}前补正：{补正事项}",
    )
    services.request_ask_correction(
        info_request=confirmed_request,
        by=staff_user,
        items="写明{学校}名称",
        now=at("2026-03-03"),
    )
    (letter,) = _letters(confirmed_request, LetterKind.CORRECTION)
    assert letter.title == "补正告知书"
    assert letter.body.startswith("请您在2026年")
    assert "写明｛学校｝名称" in letter.body
    _clean(letter)


def test_procedural_templates_refuse_unknown_and_other_kinds_placeholders(staff_user):
    row = ProceduralTemplate.objects.get(kind=LetterKind.ACCEPTANCE)
    # {补正事项} belongs to the 补正通知, {理由} to the reply letters
    for body in ("{补正事项}", "{理由}", "{称呼}", "请于{答复期限前答复"):
        with pytest.raises(ValidationError):
            letter_svc.procedural_template_update(
                template=row, by=staff_user, title="x", legal_basis="x", body=body
            )
    with pytest.raises(ValidationError, match="行政复议"):
        letter_svc.procedural_template_update(
            template=row,
            by=staff_user,
            title="x",
            legal_basis="x",
            body="可以申请行政复议",
        )
    assert ProceduralTemplate.objects.get(pk=row.pk).body == row.body


def test_seeded_procedural_templates_equal_the_defaults():
    rows = {r.kind: r for r in ProceduralTemplate.objects.all()}
    assert set(rows) == set(letters.PROCEDURAL)
    for kind, default in letters.PROCEDURAL.items():
        assert (rows[kind].title, rows[kind].body) == (default.title, default.body)
        assert not letters.template_problems(
            default.body, letters.procedural_placeholders(kind)
        )


def test_other_agency_consultation_cites_article_34(confirmed_request, staff_user):
    services.request_start_consultation(
        info_request=confirmed_request,
        by=staff_user,
        party_type="other_agency",
        party_name="天元区财政局",
        now=at("2026-03-03"),
    )
    (letter,) = _letters(confirmed_request, LetterKind.CONSULTATION)
    assert letter.salutation == "天元区财政局："
    assert "第三十四条" in letter.body
    assert "视为同意公开" in letter.body
    _clean(letter)


def test_pdf_equals_letter_and_access(
    client, org_request, staff_user, approver_user, other_staff_user
):
    req = _all_acts(org_request, staff_user, approver_user)
    found = {x.kind: x for x in _letters(req)}
    other_agency = Client()
    other_agency.force_login(other_staff_user)
    client.force_login(staff_user)
    staff_case = client.get(
        reverse("requests_app:staff_request_detail", args=[req.code])
    ).content.decode()
    for letter in found.values():
        assert letter.number in staff_case
        r = client.get(
            reverse("requests_app:staff_letter_pdf", args=[req.code, letter.pk])
        )
        assert r.status_code == 200
        assert r["Content-Type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(BytesIO(r.content)).pages)
        squash = lambda t: re.sub(r"\s+", "", t)  # noqa: E731
        text = re.sub(r"—\s*\d+\s*—", "", text)
        assert squash(text) == squash(document_text(letters.official_document(letter)))
        assert letter.number in squash(text)
        assert (
            other_agency.get(
                reverse("requests_app:staff_letter", args=[req.code, letter.pk])
            ).status_code
            == 404
        )
    # the third party's letter waits for post
    assert found[LetterKind.CONSULTATION] in list(
        selectors.letters_to_post(req.agency_id)
    )
    client.logout()
    client.post(
        reverse("requests_app:lookup"),
        {"tracking_no": req.tracking_no, "query_code": org_request.query_code},
    )
    case = client.get(reverse("requests_app:case")).content.decode()
    for kind, letter in found.items():
        html_url = reverse("requests_app:case_letter", args=[letter.pk])
        pdf_url = reverse("requests_app:case_letter_pdf", args=[letter.pk])
        if kind == LetterKind.CONSULTATION:
            assert html_url not in case
            assert letter.number not in case
            assert client.get(html_url).status_code == 404
            assert client.get(pdf_url).status_code == 404
        else:
            assert html_url in case
            assert pdf_url in case
            assert client.get(html_url).status_code == 200
            assert client.get(pdf_url).status_code == 200


def test_admin_checks_a_procedural_template_against_its_kind(admin_client):
    tpl = ProceduralTemplate.objects.get(kind=LetterKind.EXTENSION)
    url = reverse("admin:requests_app_proceduraltemplate_change", args=[tpl.pk])
    page = admin_client.get(url).content.decode()
    assert "{延长工作日}" in page  # the placeholders of this kind are listed
    typed = "答复期限延长至{答复期限}。{补正事项}"
    response = admin_client.post(
        url, {"title": tpl.title, "legal_basis": tpl.legal_basis, "body": typed}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "占位符 {补正事项} 无法识别" in html
    assert typed in html  # what was typed is kept
    assert ProceduralTemplate.objects.get(pk=tpl.pk).body == tpl.body
    ok = "答复期限延长至{答复期限}。"
    response = admin_client.post(
        url, {"title": tpl.title, "legal_basis": tpl.legal_basis, "body": ok}
    )
    assert response.status_code == 302
    assert ProceduralTemplate.objects.get(pk=tpl.pk).body == ok
