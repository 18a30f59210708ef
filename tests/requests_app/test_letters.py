"""Letters in the agency's name (issue 9 §1, §2, §5, §6): one template per legal ground,
clean text, the 文号 issued at 签发, 签发 by another 审核人, material, 送达."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from portal import roles
from portal.models import Agency
from portal.validators import letter_number_template_problem
from requests_app import letters, selectors
from requests_app.models import (
    EventKind,
    InfoRequest,
    Letter,
    LetterKind,
    LetterStatus,
    ReplyTemplate,
    RequestEvent,
    Status,
)
from requests_app.outcomes import Outcome
from requests_app.services import letters as letter_svc
from tests.factories import (
    AgencyFactory,
    InfoRequestFactory,
    StaffFactory,
    reply_approver,
    send_reply,
)
from tests.requests_app.conftest import at

# --- pure ---------------------------------------------------------------------------


def _values(applicant_type: str) -> dict[str, str]:
    return {
        "称谓": letters.address_term(applicant_type),
        "申请人": "王小明",
        "申请编号": "YSQ-2026-000001",
        "收到日期": letters.fmt_date(date(2026, 3, 2)),
        "申请内容": letters.quote_description("学校立项批复"),
        "机关名称": "天元区教育局",
        "答复日期": letters.fmt_date(date(2026, 3, 5)),
        "获取途径": "现将该信息随本告知书提供（见附件）。",
        "信息标题": "",
        "信息网址": "",
        "其他机关": "天元区住房和城乡建设局",
        "其他机关联系方式": "0731-22000000",
        "理由": "该信息属于过程性信息。",
    }


@pytest.mark.parametrize("ground", list(letters.GROUNDS))
@pytest.mark.parametrize("applicant_type", ["citizen", "organisation"])
def test_every_ground_renders_clean_for_every_applicant_type(ground, applicant_type):
    text = letters.render_body(letters.GROUNDS[ground].body, _values(applicant_type))
    assert "{" not in text
    assert "}" not in text
    assert letters.UNIT_MARK not in text
    assert letters.leftover_problems(text) == []
    if applicant_type == "organisation":
        assert "你单位提出" in text
        assert "您" not in text
    else:
        assert "您提出" in text
    assert "行政诉讼" not in text  # the remedy clause is added by remedies only


def test_old_unit_mark_becomes_the_address_term():
    body = "收到您（单位）提出的申请，（单位）"
    assert (
        letters.render_body(body, _values("organisation")) == "收到你单位提出的申请，"
    )
    assert letters.render_body(body, _values("citizen")) == "收到您提出的申请，"


def test_grounds_are_separate_with_their_exact_item():
    g = letters.GROUNDS
    assert g["not_exist"].outcome == g["not_ours"].outcome == Outcome.NOT_HELD
    assert "第三十六条第（四）项" in g["not_exist"].body
    assert "第（五）项" not in g["not_exist"].body
    assert "第三十六条第（五）项" in g["not_ours"].body
    assert "{负责机关告知}" in g["not_ours"].body
    assert g["not_ours"].needs_other_agency
    assert "第三十六条第（一）项" in g["disclosed_public"].body
    assert "第（二）项" not in g["disclosed_public"].body
    assert "第三十六条第（二）项" in g["disclosed_provide"].body
    assert "第（一）项" not in g["disclosed_provide"].body
    assert g["admin_query"].title == "行政查询事项告知书"
    assert "第三十六条第（七）项" in g["admin_query"].body
    assert "第三十八条" in g["confirmation"].legal_basis
    for key in ("partial", "state_secret", "process_info", "third_party"):
        assert g[key].needs_reason
        assert "第三十六条第（三）项" in g[key].body


@pytest.mark.parametrize(
    ("raw", "quoted"),
    [
        ("请公开学校立项批复。", "请公开学校立项批复"),
        ("请公开“天元小学”改扩建文件！！", "请公开‘天元小学’改扩建文件"),
        ('请公开"天元小学"改扩建文件？', "请公开‘天元小学’改扩建文件"),
        ("“学校立项批复”", "学校立项批复"),
        ('只有一个"引号。', "只有一个引号"),
        ("第一行\n第二行；", "第一行 第二行"),
    ],
)
def test_description_is_quoted_once_without_nested_double_quotes(raw, quoted):
    out = letters.quote_description(raw)
    assert out == quoted
    assert "“" not in out
    assert "”" not in out
    assert '"' not in out


def test_long_description_is_cut_with_an_ellipsis():
    out = letters.quote_description("甲" * 300)
    assert out == "甲" * 200 + "……"


def test_dates_are_written_the_chinese_way():
    assert letters.fmt_date(date(2026, 3, 5)) == "2026年3月5日"


def test_unknown_placeholder_is_named():
    problems = letters.template_problems("申请人：{申请人}，事由：{事由}")
    assert len(problems) == 1
    assert "{事由}" in problems[0]
    with pytest.raises(ValueError, match="事由"):
        letters.render_body("{事由}", _values("citizen"))
    assert "花括号" in letters.template_problems("未闭合 {申请人")[0]
    assert "行政复议" in letters.template_problems("可以申请行政复议")[0]


@pytest.mark.parametrize(
    ("template", "ok"),
    [
        ("{short_name}依申〔{year}〕{seq}号", True),
        ("天教依复〔{year}〕{seq:03d}号", True),
        ("天教依复〔{year}〕号", False),
        ("天教依复〔{year}〕{seq}号{month}", False),
        ("天教依复〔{year}〕{seq号", False),
    ],
)
def test_letter_number_template_rule(template, ok):
    assert (letter_number_template_problem(template) is None) is ok


@pytest.mark.django_db
def test_review_body_defaults_to_the_parent_government():
    gov = AgencyFactory(
        name="天元区人民政府", kind=Agency.Kind.GOVERNMENT, review_body=""
    )
    dept = AgencyFactory(name="天元区卫健局", parent=gov, review_body="")
    assert dept.effective_review_body == "天元区人民政府"
    assert gov.effective_review_body == ""  # a 区人民政府 must be configured
    dept.review_body = "株洲市卫生健康委员会"
    assert dept.effective_review_body == "株洲市卫生健康委员会"


# --- drafting and the rules of §5 ---------------------------------------------------------


def draft(req, by, ground, **kw):
    kw.setdefault("now", at("2026-03-05"))
    return letter_svc.reply_draft(info_request=req, by=by, ground=ground, **kw)


@pytest.mark.django_db
def test_rendered_letter_uses_the_applicant_type_and_quotes_once(agency, staff_user):
    req = InfoRequestFactory(
        agency=agency,
        confirm_by=staff_user,
        applicant_type="organisation",
        applicant_kind="commercial",
        applicant_name="株洲某科技有限公司",
        uscc="91430211MA4L0000AH",
        contact_name="李联系",
        description="请公开“天元小学”立项批复。",
    )
    letter = draft(req, staff_user, "not_exist")
    assert "你单位提出的政府信息公开申请" in letter.body
    assert "申请获取“请公开‘天元小学’立项批复”。" in letter.body
    assert "2026年3月2日" in letter.body
    assert letter.salutation == "株洲某科技有限公司："
    assert "应当先" in letter.remedy or "可以" in letter.remedy
    assert "株洲市天元区人民政府" in letter.remedy
    assert "株洲市天元区人民法院" in letter.remedy


@pytest.mark.django_db
@pytest.mark.parametrize("ground", ["partial", "state_secret", "process_info"])
def test_withholding_without_a_written_reason_is_refused(
    confirmed_request, staff_user, ground
):
    kw = {"material_kind": "post", "material_date": date(2026, 3, 5)}
    letter = draft(confirmed_request, staff_user, ground, **kw)
    with pytest.raises(ValidationError, match="第三十六条第（三）项"):
        letter_svc.letter_submit(letter=letter, by=staff_user, now=at("2026-03-05"))
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.DRAFT


@pytest.mark.django_db
def test_not_ours_needs_the_competent_agency_and_its_contact(
    confirmed_request, staff_user
):
    letter = draft(
        confirmed_request, staff_user, "not_ours", other_agency="天元区住建局"
    )
    with pytest.raises(ValidationError, match="该机关的联系方式"):
        letter_svc.letter_submit(letter=letter, by=staff_user, now=at("2026-03-05"))
    letter = draft(
        confirmed_request,
        staff_user,
        "not_ours",
        other_agency="天元区住建局",
        other_agency_contact="0731-22000000",
    )
    assert "负责公开该政府信息的行政机关为天元区住建局，联系方式：0731-22000000" in (
        letter.body
    )
    # 第三十六条第（五）项: 告知申请人并说明理由
    with pytest.raises(ValidationError, match="理由"):
        letter_svc.letter_submit(letter=letter, by=staff_user, now=at("2026-03-05"))
    letter = draft(
        confirmed_request,
        staff_user,
        "not_ours",
        other_agency="天元区住建局",
        other_agency_contact="0731-22000000",
        reason="该项目由区住建局立项审批。",
    )
    letter_svc.letter_submit(letter=letter, by=staff_user, now=at("2026-03-05"))


@pytest.mark.django_db
def test_not_ours_without_a_determinable_agency_needs_an_explanation(
    confirmed_request, staff_user
):
    """条例 第三十六条第（五）项 names the agency only "能够确定…的": no agency is
    accepted with an explanation, and the letter says so instead of an empty name."""
    letter = draft(
        confirmed_request,
        staff_user,
        "not_ours",
        reason="该信息不是本机关制作或者获取的。",
    )
    with pytest.raises(ValidationError, match="无法确定负责机关的说明"):
        letter_svc.letter_submit(letter=letter, by=staff_user, now=at("2026-03-05"))
    letter = draft(
        confirmed_request,
        staff_user,
        "not_ours",
        reason="该信息不是本机关制作或者获取的。",
        other_agency_undetermined="经检索本区机关职责清单，未能查明制作或保存该信息的机关",
    )
    assert "行政机关为，" not in letter.body
    assert "联系方式：。" not in letter.body
    assert (
        "告知您：本机关无法确定负责公开该政府信息的行政机关。"
        "经检索本区机关职责清单，未能查明制作或保存该信息的机关。"
    ) in letter.body
    assert "第三十六条第（五）项" in letter.body
    letter_svc.letter_submit(letter=letter, by=staff_user, now=at("2026-03-05"))
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.PENDING


@pytest.mark.django_db
def test_not_ours_form_keeps_the_explanation(confirmed_request, staff_user):
    from requests_app.forms import ReplyForm

    form = ReplyForm(
        {
            "reply-ground": "not_ours",
            "reply-reason": "不是本机关的信息。",
            "reply-other_agency_undetermined": "无法查明",
        },
        prefix="reply",
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["other_agency_undetermined"] == "无法查明"


@pytest.mark.django_db
def test_third_party_cites_article_32_only_after_a_consultation(
    confirmed_request, staff_user
):
    """第十五条 is the ground; 第三十二条 (书面征求第三方的意见) is cited only when the
    third party was in fact asked."""
    from requests_app import services

    kw = {"reason": "含有他人身份证号码、家庭住址。"}
    letter = draft(confirmed_request, staff_user, "third_party", **kw)
    assert "第十五条、第三十六条第（三）项" in letter.body
    assert "第三十二条" not in letter.body
    services.request_start_consultation(
        info_request=confirmed_request,
        by=staff_user,
        party_type="third_party",
        party_name="张某",
        now=at("2026-03-04"),
    )
    services.request_end_consultation(
        info_request=confirmed_request,
        by=staff_user,
        opinion="不同意公开",
        now=at("2026-03-05"),
    )
    letter = draft(confirmed_request, staff_user, "third_party", **kw)
    assert (
        "已依照《中华人民共和国政府信息公开条例》第三十二条的规定书面征求第三方的意见"
        in (letter.body)
    )
    assert "第十五条、第三十六条第（三）项" in letter.body


@pytest.mark.django_db
def test_disclosure_without_material_is_refused(confirmed_request, staff_user):
    letter = draft(confirmed_request, staff_user, "disclosed_provide")
    with pytest.raises(ValidationError, match="必须提供信息"):
        letter_svc.letter_submit(letter=letter, by=staff_user, now=at("2026-03-05"))
    # promising 附件 with none attached
    letter = draft(
        confirmed_request, staff_user, "disclosed_provide", material_kind="attachment"
    )
    assert "见附件" in letter.body
    with pytest.raises(ValidationError, match="没有上传附件"):
        letter_svc.letter_submit(letter=letter, by=staff_user, now=at("2026-03-05"))
    # post without its date
    letter = draft(
        confirmed_request, staff_user, "disclosed_provide", material_kind="post"
    )
    with pytest.raises(ValidationError, match="邮寄日期"):
        letter_svc.letter_submit(letter=letter, by=staff_user, now=at("2026-03-05"))
    letter = draft(
        confirmed_request,
        staff_user,
        "disclosed_provide",
        material_kind="post",
        material_date=date(2026, 3, 5),
    )
    assert "本机关已于2026年3月5日将该信息以纸质形式邮寄给您" in letter.body
    letter_svc.letter_submit(letter=letter, by=staff_user, now=at("2026-03-05"))


@pytest.mark.django_db
def test_unconfigured_review_body_is_refused_naming_the_setting(staff_user):
    agency = staff_user.staff_profile.agency
    Agency.objects.filter(pk=agency.pk).update(review_body="")
    req = InfoRequestFactory(
        agency=Agency.objects.get(pk=agency.pk), confirm_by=staff_user
    )
    with pytest.raises(ValidationError, match="行政复议机关") as exc:
        draft(req, staff_user, "not_exist")
    assert "后台" in str(exc.value)
    assert not Letter.objects.filter(info_request=req, kind=LetterKind.REPLY).exists()


@pytest.mark.django_db
def test_edited_template_with_unknown_placeholder_is_refused_at_render(
    confirmed_request, staff_user
):
    ReplyTemplate.objects.filter(ground="not_exist").update(body="经查 {查无此项}")
    with pytest.raises(ValidationError, match="查无此项"):
        draft(confirmed_request, staff_user, "not_exist")


@pytest.mark.django_db
def test_template_update_refuses_unknown_placeholder(staff_user):
    tpl = ReplyTemplate.objects.get(ground="not_exist")
    with pytest.raises(ValidationError, match="查无此项"):
        letter_svc.reply_template_update(
            template=tpl, by=staff_user, title="t", legal_basis="b", body="{查无此项}"
        )
    assert ReplyTemplate.objects.get(pk=tpl.pk).body == tpl.body


@pytest.mark.django_db
def test_a_body_with_its_own_remedy_words_is_refused(confirmed_request, staff_user):
    # refused when drafting or when submitting: either is right
    with pytest.raises(ValidationError):  # noqa: PT012
        letter = draft(
            confirmed_request,
            staff_user,
            "not_exist",
            body="经检索没有该信息。可以提起行政诉讼。",
        )
        letter_svc.letter_submit(letter=letter, by=staff_user, now=at("2026-03-05"))


# --- 签发 ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_approver_signs_off_with_a_number_and_the_request_closes(
    confirmed_request, staff_user, approver_user
):
    letter = draft(confirmed_request, staff_user, "not_exist")
    letter = letter_svc.letter_submit(
        letter=letter, by=staff_user, now=at("2026-03-05")
    )
    assert letter.status == LetterStatus.PENDING
    assert letter.number == ""
    assert InfoRequest.objects.get(pk=confirmed_request.pk).status == Status.PROCESSING
    letter = letter_svc.letter_approve(
        letter=letter, by=approver_user, now=at("2026-03-06")
    )
    assert letter.status == LetterStatus.SENT
    assert letter.number == "区教育局依申〔2026〕2号"
    assert letter.letter_date == date(2026, 3, 6)
    assert letter.approved_by == approver_user
    req = InfoRequest.objects.get(pk=confirmed_request.pk)
    assert (req.status, req.outcome, req.closed_date) == (
        Status.REPLIED,
        Outcome.NOT_HELD,
        date(2026, 3, 6),
    )
    assert letter.reply.replied_date == date(2026, 3, 6)
    assert letter.number not in letter.reply.letter_text  # number is the letter's
    kinds = list(
        RequestEvent.objects.filter(info_request=req)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    for k in (
        EventKind.LETTER_DRAFTED,
        EventKind.LETTER_SUBMITTED,
        EventKind.LETTER_APPROVED,
        EventKind.LETTER_SENT,
        EventKind.REPLIED,
    ):
        assert k in kinds
    sent = RequestEvent.objects.filter(
        info_request=req, kind=EventKind.LETTER_SENT
    ).last()  # after the 受理回执's
    assert sent.data["number"] == "区教育局依申〔2026〕2号"
    assert "区教育局依申〔2026〕2号" in sent.note
    assert sent.is_public


@pytest.mark.django_db
def test_drafter_can_never_approve_their_own_letter_superuser_included(
    agency, confirmed_request
):
    boss = StaffFactory(
        username="boss", agency=agency, roles=[roles.HANDLER, roles.APPROVER]
    )
    boss.is_superuser = True
    boss.save(update_fields=["is_superuser"])
    letter = draft(confirmed_request, boss, "not_exist")
    letter = letter_svc.letter_submit(letter=letter, by=boss, now=at("2026-03-05"))
    with pytest.raises(ValidationError, match="不能签发自己起草的文书"):
        letter_svc.letter_approve(letter=letter, by=boss, now=at("2026-03-05"))
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.PENDING


@pytest.mark.django_db
def test_only_an_approver_of_the_same_agency_signs(
    confirmed_request, staff_user, teammate_user, other_approver_user
):
    letter = draft(confirmed_request, staff_user, "not_exist")
    letter = letter_svc.letter_submit(
        letter=letter, by=staff_user, now=at("2026-03-05")
    )
    for user in (teammate_user, other_approver_user):
        with pytest.raises(ValidationError):
            letter_svc.letter_approve(letter=letter, by=user, now=at("2026-03-05"))
    assert Letter.objects.get(pk=letter.pk).number == ""


@pytest.mark.django_db
def test_an_unsubmitted_draft_cannot_be_sent(
    confirmed_request, staff_user, approver_user
):
    letter = draft(confirmed_request, staff_user, "not_exist")
    with pytest.raises(ValidationError, match="尚未提交签发"):
        letter_svc.letter_approve(letter=letter, by=approver_user, now=at("2026-03-05"))
    assert InfoRequest.objects.get(pk=confirmed_request.pk).status == Status.PROCESSING


@pytest.mark.django_db
def test_send_back_with_comment_then_fix_and_approve(
    confirmed_request, staff_user, approver_user
):
    letter = draft(confirmed_request, staff_user, "not_exist")
    letter = letter_svc.letter_submit(
        letter=letter, by=staff_user, now=at("2026-03-05")
    )
    with pytest.raises(ValidationError, match="退回意见"):
        letter_svc.letter_return(
            letter=letter, by=approver_user, comment=" ", now=at("2026-03-05")
        )
    # a letter waiting for 签发 cannot be edited
    with pytest.raises(ValidationError, match="已提交签发"):
        draft(confirmed_request, staff_user, "not_exist", body="改")
    letter = letter_svc.letter_return(
        letter=letter, by=approver_user, comment="请写明检索范围", now=at("2026-03-05")
    )
    assert (letter.status, letter.review_comment) == (
        LetterStatus.DRAFT,
        "请写明检索范围",
    )
    fixed = draft(
        confirmed_request,
        staff_user,
        "not_exist",
        body=letter.body + "\n本机关检索了2020年以来的全部发文。",
    )
    assert fixed.pk == letter.pk  # the same draft, edited
    fixed = letter_svc.letter_submit(letter=fixed, by=staff_user, now=at("2026-03-06"))
    fixed = letter_svc.letter_approve(
        letter=fixed, by=approver_user, now=at("2026-03-06")
    )
    assert "检索了2020年以来" in fixed.reply.letter_text
    assert RequestEvent.objects.filter(
        info_request=confirmed_request, kind=EventKind.LETTER_RETURNED
    ).exists()


@pytest.mark.django_db
def test_agency_setting_lets_handlers_send_disclosures_directly(
    agency, confirmed_request, staff_user
):
    Agency.objects.filter(pk=agency.pk).update(handlers_may_send_disclosed=True)
    confirmed_request.agency.refresh_from_db()
    letter = draft(
        confirmed_request,
        staff_user,
        "disclosed_provide",
        material_kind="post",
        material_date=date(2026, 3, 5),
    )
    letter = letter_svc.letter_submit(
        letter=letter, by=staff_user, now=at("2026-03-05")
    )
    assert letter.status == LetterStatus.SENT
    assert letter.approved_by is None
    assert letter.number == "区教育局依申〔2026〕2号"
    # 部分公开 still needs review
    other = InfoRequestFactory(agency=confirmed_request.agency, confirm_by=staff_user)
    letter = draft(
        other,
        staff_user,
        "partial",
        reason="涉及个人隐私",
        material_kind="post",
        material_date=date(2026, 3, 5),
    )
    letter = letter_svc.letter_submit(
        letter=letter, by=staff_user, now=at("2026-03-05")
    )
    assert letter.status == LetterStatus.PENDING


@pytest.mark.django_db
def test_remedy_clause_follows_the_outcome(confirmed_request, staff_user, agency):
    withheld = draft(
        confirmed_request, staff_user, "process_info", reason="讨论记录"
    ).remedy
    assert "应当先" in withheld
    assert "申请行政复议" in withheld
    other = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    disclosed = draft(
        other,
        staff_user,
        "disclosed_provide",
        material_kind="post",
        material_date=date(2026, 3, 5),
    ).remedy
    assert "或者自收到本告知书之日起六个月内" in disclosed


# --- 文号 under concurrency ----------------------------------------------------------------

N = 50


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_signoffs_get_distinct_gapless_numbers():
    agency = AgencyFactory(
        name="并发签发局",
        short_name="并发局",
        letter_number_template="并发依复〔{year}〕{seq}号",
    )
    handler = StaffFactory(username="h50", agency=agency, roles=[roles.HANDLER])
    approver = reply_approver(agency)
    pending = []
    for i in range(N):
        req = InfoRequestFactory(
            agency=agency, confirm_by=handler, applicant_name=f"并发{i}"
        )
        letter = draft(req, handler, "not_exist")
        pending.append(
            letter_svc.letter_submit(letter=letter, by=handler, now=at("2026-03-05"))
        )
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(N)

    def sign(letter: Letter) -> None:
        try:
            start.wait()
            done = letter_svc.letter_approve(
                letter=letter, by=approver, now=at("2026-03-06")
            )
            with lock:
                numbers.append(done.number)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(x,)) for x in pending]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # 1..N went to the N 受理回执 (one series per agency and year across kinds)
    assert sorted(numbers, key=lambda n: int(re.search(r"〕(\d+)号", n)[1])) == [
        f"并发依复〔2026〕{i}号" for i in range(N + 1, 2 * N + 1)
    ]
    assert sorted(
        Letter.objects.filter(agency=agency).values_list("number_serial", flat=True)
    ) == list(range(1, 2 * N + 1))


# --- 送达 ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_delivery_is_recorded_and_the_post_queue_empties(
    agency, staff_user, approver_user
):
    req = InfoRequestFactory(agency=agency, confirm_by=staff_user, email="")
    reply = send_reply(
        info_request=req,
        by=staff_user,
        outcome=Outcome.NOT_HELD,
        now=at("2026-03-05"),
        approver=approver_user,
    )
    letter = reply.letter
    # the 受理回执 (1号) waits for post too
    assert letter in list(selectors.letters_to_post(agency.pk))
    with pytest.raises(ValidationError, match="单号"):
        letter_svc.letter_record_delivery(
            letter=letter,
            by=staff_user,
            method="ems",
            delivered_date=date(2026, 3, 6),
            now=at("2026-03-06"),
        )
    with pytest.raises(ValidationError, match="不能早于签发日期"):
        letter_svc.letter_record_delivery(
            letter=letter,
            by=staff_user,
            method="in_person",
            delivered_date=date(2026, 3, 4),
            now=at("2026-03-06"),
        )
    letter = letter_svc.letter_record_delivery(
        letter=letter,
        by=staff_user,
        method="ems",
        tracking_number="ea123456789cn",
        delivered_date=date(2026, 3, 6),
        now=at("2026-03-06"),
    )
    assert (letter.delivery_method, letter.delivery_number) == ("ems", "EA123456789CN")
    assert letter not in list(selectors.letters_to_post(agency.pk))
    event = RequestEvent.objects.get(info_request=req, kind=EventKind.LETTER_DELIVERED)
    assert "EA123456789CN" in event.note
    assert event.is_public


@pytest.mark.django_db
def test_applicants_with_email_are_not_queued_for_post(agency, staff_user):
    req = InfoRequestFactory(agency=agency, confirm_by=staff_user, email="a@b.cn")
    send_reply(
        info_request=req, by=staff_user, outcome=Outcome.NOT_HELD, now=at("2026-03-05")
    )
    assert list(selectors.letters_to_post(agency.pk)) == []


# --- the annual report counts a reply in the year it was sent -----------------------------


@pytest.mark.django_db
def test_annual_report_counts_a_reviewed_reply_in_the_year_it_was_sent(
    agency, staff_user, approver_user
):
    from disclosure import stats

    req = InfoRequestFactory(agency=agency, confirm_by=staff_user, now=at("2026-12-21"))
    letter = draft(req, staff_user, "not_exist", now=at("2026-12-30"))
    letter_svc.letter_submit(letter=letter, by=staff_user, now=at("2026-12-30"))
    letter_svc.letter_approve(letter=letter, by=approver_user, now=at("2027-01-04"))
    row = "1.本机关不掌握相关政府信息"
    table_2026, _ = stats.table3([agency.pk], 2026)
    table_2027, _ = stats.table3([agency.pk], 2027)
    assert table_2026[row]["总计"] == 0
    assert table_2026["四、结转下年度继续办理"]["总计"] == 1
    assert table_2027[row]["总计"] == 1
    assert table_2027["二、上年结转政府信息公开申请数量"]["总计"] == 1


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_draft_submit_approve_and_the_applicant_reads_it(
    client, agency, staff_user, approver_user
):
    req = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    client.force_login(staff_user)
    url = reverse("requests_app:staff_request_reply", args=[req.code])
    # 不予公开 without reason: refused, everything typed stays
    body = "经审查，该信息属于过程性信息。我写的这一段必须保留。"
    r = client.post(
        url,
        {"reply-ground": "process_info", "reply-letter_text": body, "action": "submit"},
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "第三十六条第（三）项" in html
    assert "我写的这一段必须保留" in html
    # draft with a reason, then submit
    r = client.post(
        url,
        {
            "reply-ground": "process_info",
            "reply-reason": "讨论记录尚未定稿",
            "reply-letter_text": body,
            "action": "submit",
        },
    )
    assert r.status_code == 302
    letter = Letter.objects.get(info_request=req, kind=LetterKind.REPLY)
    assert letter.status == LetterStatus.PENDING
    # the drafter's page has no 签发 button; the approver's has
    page = client.get(reverse("requests_app:staff_request_detail", args=[req.code]))
    assert "审核同意并签发" not in page.content.decode()
    client.force_login(approver_user)
    page = client.get(reverse("requests_app:staff_request_detail", args=[req.code]))
    assert "审核同意并签发" in page.content.decode()
    r = client.post(
        reverse("requests_app:staff_letter_approve", args=[req.code, letter.pk])
    )
    assert r.status_code == 302
    letter.refresh_from_db()
    assert letter.number == "区教育局依申〔2026〕2号"
    # the applicant sees the letter on the case page and opens it
    client.logout()
    client.post(
        reverse("requests_app:lookup"),
        {"tracking_no": req.tracking_no, "query_code": req.query_code},
    )
    case = client.get(reverse("requests_app:case")).content.decode()
    assert "区教育局依申〔2026〕2号" in case
    page = client.get(reverse("requests_app:case_letter", args=[letter.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "我写的这一段必须保留" in text
    assert "应当先" in text
    assert "（印章）" in text


@pytest.mark.django_db
def test_applicant_cannot_open_a_draft_or_another_case_letter(
    client, agency, staff_user
):
    req = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    letter = draft(req, staff_user, "not_exist")
    client.post(
        reverse("requests_app:lookup"),
        {"tracking_no": req.tracking_no, "query_code": req.query_code},
    )
    r = client.get(reverse("requests_app:case_letter", args=[letter.pk]))
    assert r.status_code == 404


@pytest.mark.django_db
def test_other_agency_staff_get_404_for_letters(
    other_agency_staff_client, agency, staff_user
):
    req = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    letter = draft(req, staff_user, "not_exist")
    r = other_agency_staff_client.get(
        reverse("requests_app:staff_letter", args=[req.code, letter.pk])
    )
    assert r.status_code == 404


@pytest.mark.django_db
def test_workbench_lists_letters_to_sign_and_to_post(
    client, agency, staff_user, approver_user
):
    req = InfoRequestFactory(agency=agency, confirm_by=staff_user, email="")
    letter = draft(req, staff_user, "not_exist")
    letter_svc.letter_submit(letter=letter, by=staff_user, now=at("2026-03-05"))
    client.force_login(approver_user)
    html = client.get(reverse("requests_app:staff_letters")).content.decode()
    assert req.tracking_no in html
    assert "待签发（1）" in html
    client.post(
        reverse("requests_app:staff_letter_approve", args=[req.code, letter.pk])
    )
    html = client.get(reverse("requests_app:staff_letters")).content.decode()
    assert (
        "待邮寄（申请人未留电子邮箱的文书、征求意见函，2）" in html
    )  # 受理回执, reply


@pytest.mark.django_db
def test_seeded_templates_one_per_ground():
    grounds = set(ReplyTemplate.objects.values_list("ground", flat=True))
    assert grounds == set(letters.GROUNDS)
    for row in ReplyTemplate.objects.all():
        assert letters.template_problems(row.body) == [], row.ground


@pytest.mark.django_db
def test_migration_keeps_admin_edits_and_replaces_untouched_seed_text():
    from importlib import import_module

    from django.apps import apps

    mod = import_module("requests_app.migrations.0009_letters_and_ground_templates")
    old = import_module("requests_app.migrations.0003_seed_reply_templates")
    ReplyTemplate.objects.all().delete()
    for outcome, (title, basis, middle) in old.TEMPLATES.items():
        ReplyTemplate.objects.create(
            outcome=outcome,
            title=title,
            legal_basis=basis,
            body=old.HEAD + middle + old.REMEDY,
        )
    ReplyTemplate.objects.filter(outcome="petition").update(
        body=old.HEAD + "本机关自定义的文字：{理由}" + old.REMEDY, title="自定义标题"
    )
    mod.seed_grounds(apps, None)
    assert set(ReplyTemplate.objects.values_list("ground", flat=True)) == set(
        letters.GROUNDS
    )
    edited = ReplyTemplate.objects.get(ground="petition")
    assert edited.title == "自定义标题"
    assert "本机关自定义的文字：{理由}" in edited.body
    assert not edited.body.startswith("{申请人}")  # the old salutation line went
    assert "行政诉讼" not in edited.body  # the old remedy paragraph went
    provide = ReplyTemplate.objects.get(ground="disclosed_provide")
    assert provide.body == letters.GROUNDS["disclosed_provide"].body
    assert provide.legal_basis.endswith("第三十六条第（二）项")
    assert ReplyTemplate.objects.get(ground="not_exist").body == (
        letters.GROUNDS["not_exist"].body
    )


@pytest.mark.django_db
def test_pdf_of_a_sent_letter_holds_the_letter_text(
    client, agency, staff_user, approver_user
):
    from io import BytesIO

    from pypdf import PdfReader

    from portal.documents import document_text

    req = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    letter = draft(req, staff_user, "not_exist")
    client.force_login(staff_user)
    pdf_url = reverse("requests_app:staff_letter_pdf", args=[req.code, letter.pk])
    assert client.get(pdf_url).status_code == 404  # a draft has no PDF
    letter_svc.letter_submit(letter=letter, by=staff_user, now=at("2026-03-05"))
    letter = letter_svc.letter_approve(
        letter=letter, by=approver_user, now=at("2026-03-05")
    )
    response = client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    squash = lambda t: re.sub(r"\s+", "", t)  # noqa: E731
    text = re.sub(r"—\s*\d+\s*—", "", text)  # the page number (GB/T 9704 7.5)
    assert squash(text) == squash(document_text(letters.official_document(letter)))
    for part in (
        "区教育局依申〔2026〕2号",
        "第三十六条第（四）项",
        "株洲市天元区人民法院",
    ):
        assert part in squash(text)
    # the applicant downloads the same PDF from the case page
    client.logout()
    client.post(
        reverse("requests_app:lookup"),
        {"tracking_no": req.tracking_no, "query_code": req.query_code},
    )
    case = client.get(reverse("requests_app:case")).content.decode()
    assert reverse("requests_app:case_letter_pdf", args=[letter.pk]) in case
    mine = client.get(reverse("requests_app:case_letter_pdf", args=[letter.pk]))
    assert mine.status_code == 200
    assert mine["Content-Disposition"].startswith("attachment")


@pytest.mark.django_db
def test_admin_refuses_a_template_with_an_unknown_placeholder(admin_client):
    tpl = ReplyTemplate.objects.get(ground="not_exist")
    url = reverse("admin:requests_app_replytemplate_change", args=[tpl.pk])
    typed = "经检索查找，没有该信息。{检索范围}"
    response = admin_client.post(
        url, {"title": tpl.title, "legal_basis": tpl.legal_basis, "body": typed}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "占位符 {检索范围} 无法识别" in html
    assert "经检索查找，没有该信息。{检索范围}" in html  # what was typed is kept
    assert ReplyTemplate.objects.get(pk=tpl.pk).body == tpl.body
    ok = "经检索查找，本机关没有{称谓}申请的信息。{理由}"
    response = admin_client.post(
        url, {"title": tpl.title, "legal_basis": tpl.legal_basis, "body": ok}
    )
    assert response.status_code == 302
    assert ReplyTemplate.objects.get(pk=tpl.pk).body == ok


@pytest.mark.django_db
def test_letters_are_read_only_in_the_admin(admin_client, agency, staff_user):
    req = InfoRequestFactory(agency=agency, confirm_by=staff_user)
    letter = draft(req, staff_user, "not_exist")
    change = reverse("admin:requests_app_letter_change", args=[letter.pk])
    assert admin_client.get(change).status_code == 200  # view only
    admin_client.post(change, {"status": "sent", "number": "伪造〔2026〕1号"})
    letter.refresh_from_db()
    assert (letter.status, letter.number) == (LetterStatus.DRAFT, "")
    assert admin_client.get(reverse("admin:requests_app_letter_add")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("edited", [False, True])
def test_system_letter_is_clean_and_carries_the_remedy_clause(
    confirmed_request, staff_user, edited
):
    from requests_app import services

    if edited:  # an admin template the renderer refuses: the built-in text is used
        ReplyTemplate.objects.filter(ground="no_correction").update(body="{未知}")
    req = services.request_ask_correction(
        info_request=confirmed_request,
        by=staff_user,
        items="补充",
        due_date=date(2026, 3, 10),
        now=at("2026-03-03"),
    )
    services.request_expire_correction(info_request=req, now=at("2026-03-11", 1))
    text = req.replies.get().letter_text
    assert "逾期未补正" in text
    assert letters.leftover_problems(text) == []
    assert "株洲市天元区人民政府申请行政复议" in text
    assert text.endswith("2026年3月11日")
