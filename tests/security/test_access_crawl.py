"""Access-leak crawl over the whole URLconf (security.md §3 and §9 tests 10–11; issue 5 §3).

Every URL pattern of ``portal.urls`` — the catalog, 依申请公开, the annual reports and
the Django admin — is classified in ``URLS`` (named URLs) and ``ADMIN_MODELS`` (one
row per model registered in the admin). A URL or admin model added later without a
row here fails ``test_every_url_is_classified``: classify it, and the crawl covers it.

Two departments, 甲 (A) and 乙 (B), each get: a published, a DRAFT and a WITHDRAWN
notice, each with an attachment; three requests with ID proofs (one replied with a
reply file, an internal note and a logged look at the full personal data, one still
pending, one replied and turned into a published 主动公开 notice under 条例 第四十四条);
a published and a draft annual report; a 复议 case; staff with profiles. Then every URL
of every object is requested — GET, and for POST actions a POST with a plausible,
valid body (the test client does not enforce CSRF; the case actions, which all go
through the same access helper, are posted to one open case per department) — by five
actors:

* ``anon``       — anonymous visitor;
* ``A`` / ``B``  — staff of 甲 / 乙 holding every role (承办人, 审核人, 管理员), also
                   granted the admin's view permissions on the annual-report models,
                   as an operator might;
* ``applicant``  — a browser that looked up 甲's replied case (申请编号 + 查询码);
* ``superuser``  — positive control (GET only): every object URL built here is real.

and each answer must be exactly what the table says: another department's object
answers 404 (never 403) and, in the admin, exactly what a missing id answers (403 on
the models no role holds a permission for); a draft
never answers at its public URL; anonymous visitors are sent to a login page. No
response body (page, JSON, feed, CSV, file) may contain a marker of something the
actor may not see: draft titles and files, applicant names, 证件号码, phones,
addresses, e-mail addresses, tracking numbers, case codes, internal notes, reply
letters and files, report drafts, 复议 case numbers, staff names — and nobody, ever,
sees a 查询码. Withdrawn (撤回) notices answer at their own URL with only the title,
索引号, date and reason category (issue 10 §4): their body and attachment are secrets of
their agency, whose staff alone still read them; they are never listed, searched, fed or
mapped — and they are withdrawn only after an anonymous visitor has read every public
page, so a cached page or count that outlives the withdrawal fails too. Finally,
no row of the other department changes, whatever an outsider POSTs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from catalog import services as catalog_services
from catalog.attachments import attachment_add
from catalog.docx_views import hold_file
from catalog.models import Attachment, Column, Genre, Notice, NoticeEvent, Theme
from catalog.sitemaps import SITEMAPS
from disclosure import services as report_services
from disclosure.models import (
    AnnualReport,
    AnnualReportEvent,
    AnnualReportVersion,
    AppealCase,
)
from disclosure.views.staff import ACTIONS as REPORT_ACTIONS
from portal import roles
from portal.models import Agency, StaffProfile
from portal.validators import id_check_char
from requests_app import services as request_services
from requests_app.models import (
    FileKind,
    InfoRequest,
    InternalNote,
    Letter,
    PiiAccessLog,
    ReminderLog,
    Reply,
    ReplyTemplate,
    RequestEvent,
    RequestFile,
)
from requests_app.services import letters as letter_svc
from tests.catalog.docx_samples import gongwen
from tests.disclosure.helpers import NARRATIVES
from tests.factories import AgencyFactory, StaffFactory, send_reply

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
SUBMITTED = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # a Monday
CRAWL_AT = datetime(2026, 3, 10, 10, 0, tzinfo=TZ)
ACTORS = ("anon", "A", "B", "applicant", "superuser")
TAGS = {"A": "甲", "B": "乙"}
MISSING_ID = "987654321"
User = get_user_model()


def pdf(marker: str) -> bytes:
    return f"%PDF-1.4\n% {marker}\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n".encode()


# =========================================================================================
# the world
# =========================================================================================


@dataclass
class Obj:
    """One object of the world and who may see it."""

    key: str  # e.g. "A.notice.draft"
    kind: str  # notice | attachment | request | id_proof | reply_file | report | appeal | row
    agency: str | None  # "A", "B"; None for site-wide rows
    instance: Any
    public: bool = (
        False  # its public URL answers (published/withdrawn notice, published report)
    )
    case: str | None = (
        None  # request files: the request whose applicant may download it
    )
    applicant_visible: bool = False
    # a public URL that answers only the owning agency's staff (a withdrawn notice's file)
    staff_readable: bool = False


@dataclass
class World:
    agencies: dict[str, Agency]
    users: dict[str, Any]  # actor name → user (A, B, superuser)
    objects: list[Obj]
    secrets: dict[str, list[str]]  # "A"/"B" → markers only that department may see
    case_secrets: dict[
        str, list[str]
    ]  # request key → markers its applicant may also see
    never: list[str]  # markers nobody may see (查询码)
    unlisted: list[str]  # withdrawn titles: reachable by URL, never listed
    search_words: list[str]  # words only in draft/withdrawn bodies, searched for
    applicant_case: str  # request key of the applicant actor's case
    query_codes: dict[str, str]

    def of_kind(self, kind: str) -> list[Obj]:
        return [o for o in self.objects if o.kind == kind]

    def obj(self, key: str) -> Obj:
        return next(o for o in self.objects if o.key == key)


@dataclass(frozen=True)
class Held:
    """A Word file held for its uploader's review (not a model row)."""

    token: str


def _id_number(n: int) -> str:
    body = f"43021119850{n % 10}1{n % 10}{n:04d}"[:17]
    return body + id_check_char(body)


def _staff(agency: Agency, name: str, first_name: str, role_names: list[str]):
    return StaffFactory(
        username=name, first_name=first_name, agency=agency, roles=role_names
    )


def _browse_public_pages(objects: list[Obj]) -> None:
    """An anonymous visitor reads every list and every published notice (filling the
    page cache and the search caches)."""
    client = Client()
    for name in (
        "catalog:home",
        "catalog:notice_list",
        "catalog:notice_feed",
        "catalog:directory",
        "catalog:guide",
        "catalog:api_notice_list",
        "catalog:sitemap_index",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    for section in SITEMAPS:
        assert (
            client.get(reverse("catalog:sitemap_section", args=[section])).status_code
            == 200
        )
    for o in objects:
        if o.kind == "notice" and o.public:
            for name in ("catalog:notice_detail", "catalog:api_notice_detail"):
                assert (
                    client.get(reverse(name, args=[o.instance.uuid])).status_code == 200
                )


def _standard_item(agency: Agency, name: str):
    from catalog.models import StandardItem
    from catalog.services import standard_item_upsert

    standard_item_upsert(
        domain="社会救助",
        source="",
        agency=agency,
        category="最低生活保障",
        name=name,
        content="",
        basis="",
        time_limit="10个工作日内",
        time_limit_working_days=10,
        disclosure_method="",
    )
    return StandardItem.objects.get(agency=agency, name=name)


def build_world() -> World:
    agencies = {
        "A": AgencyFactory(
            name="天元区教育局", short_name="区教育局", org_code="00001434-9"
        ),
        "B": AgencyFactory(
            name="天元区财政局", short_name="区财政局", org_code="014416330"
        ),
    }
    objects: list[Obj] = []
    secrets: dict[str, list[str]] = {"A": [], "B": []}
    case_secrets: dict[str, list[str]] = {}
    never: list[str] = []
    unlisted: list[str] = []
    search_words: list[str] = []
    query_codes: dict[str, str] = {}
    users: dict[str, Any] = {}
    report_perms = Permission.objects.filter(
        content_type__app_label="disclosure",
        codename__in=[
            "view_annualreport",
            "view_annualreportversion",
            "view_annualreportevent",
            "view_appealcase",
        ],
    )
    serial = 0
    to_withdraw: list[tuple[Notice, Any]] = []
    for code, agency in agencies.items():
        t = TAGS[code]
        actor = _staff(
            agency, f"{code.lower()}-chief", f"{t}秘员甲名", list(roles.ALL_ROLES)
        )
        actor.user_permissions.add(
            *report_perms
        )  # an operator's grant: the admin must still scope
        handler = _staff(
            agency,
            f"{code.lower()}-handler",
            f"{t}秘员乙名",
            [roles.HANDLER, roles.ADMIN],
        )
        approver = _staff(
            agency, f"{code.lower()}-approver", f"{t}秘员丙名", [roles.APPROVER]
        )
        users[code] = actor
        for user in (actor, handler, approver):
            secrets[code] += [user.username, user.first_name, user.email]
        for user in (actor, handler):
            objects.append(Obj(f"{code}.user.{user.username}", "row", code, user))
            objects.append(
                Obj(f"{code}.profile.{user.username}", "row", code, user.staff_profile)
            )
        objects.append(Obj(f"{code}.agency", "row", code, agency))

        # --- notices ---------------------------------------------------------------------
        with time_machine.travel(datetime(2026, 2, 2, 9, tzinfo=TZ), tick=False):
            published = catalog_services.notice_create(
                owner_agency=agency,
                by=handler,
                title=f"{t}局公开通知",
                body="<p>公开正文</p>",
            )
            published_file = attachment_add(
                notice=published,
                by=handler,
                name="公开附件.txt",
                content="公开".encode(),
            )
            published = catalog_services.notice_publish(
                notice=published, by=handler, now=datetime(2026, 2, 2, 9, tzinfo=TZ)
            )

            draft = catalog_services.notice_create(
                owner_agency=agency,
                by=handler,
                title=f"{t}局草稿秘题名",
                body=f"<p>{t}草检索词 {t}草稿正文秘</p>",
                summary=f"{t}草稿摘要秘",
            )
            draft_file = attachment_add(
                notice=draft,
                by=handler,
                name="草稿附件.txt",
                content=f"{t}草稿附件秘".encode(),
            )
            secrets[code] += [
                draft.title,
                f"{t}草稿正文秘",
                f"{t}草稿摘要秘",
                f"{t}草稿附件秘",
                str(draft.uuid),
            ]
            search_words.append(f"{t}草检索词")

            withdrawn = catalog_services.notice_create(
                owner_agency=agency,
                by=handler,
                title=f"{t}局已撤销通知题名",
                summary=f"{t}撤摘要秘",
                body=f"<p>{t}撤检索词 {t}撤正文秘</p>",
            )
            withdrawn_file = attachment_add(
                notice=withdrawn,
                by=handler,
                name="撤销附件.txt",
                content=f"{t}撤附件秘".encode(),
            )
            # after 撤回 only its agency's staff may read these (issue 10 §4)
            secrets[code] += [f"{t}撤摘要秘", f"{t}撤正文秘", f"{t}撤附件秘"]
            withdrawn = catalog_services.notice_publish(
                notice=withdrawn, by=handler, now=datetime(2026, 2, 2, 9, 30, tzinfo=TZ)
            )
            to_withdraw.append(
                (withdrawn, handler)
            )  # once the public pages have been seen
            unlisted.append(withdrawn.title)
            search_words.append(f"{t}撤检索词")
        # a Word file held for the import's review page: its uploader's alone
        token = hold_file(
            user=actor,
            name="通知.docx",
            data=gongwen(title=f"{t}局导入秘题名", extra_body=[f"{t}导入正文秘"]),
        )
        secrets[code] += [f"{t}局导入秘题名", f"{t}导入正文秘"]
        objects.append(Obj(f"{code}.docx", "docx", code, Held(token)))
        objects += [
            Obj(f"{code}.notice.published", "notice", code, published, public=True),
            Obj(f"{code}.notice.draft", "notice", code, draft),
            Obj(f"{code}.notice.withdrawn", "notice", code, withdrawn, public=True),
            Obj(
                f"{code}.attachment.published",
                "attachment",
                code,
                published_file,
                public=True,
            ),
            Obj(f"{code}.attachment.draft", "attachment", code, draft_file),
            Obj(
                f"{code}.attachment.withdrawn",
                "attachment",
                code,
                withdrawn_file,
                staff_readable=True,
            ),
        ]

        # --- requests --------------------------------------------------------------------
        def submit(
            key: str,
            *,
            description: str,
            id_type: str = "resident_id",
            id_number: str = "",
            t: str = t,  # bound now: this iteration's agency
            code: str = code,
            agency=agency,
        ):
            nonlocal serial
            serial += 1
            fields = {
                "applicant_type": "citizen",
                "applicant_kind": "natural",
                "applicant_name": f"{t}申请人秘{serial}号",
                "id_type": id_type,
                "id_number": id_number or _id_number(serial),
                "phone": f"1391234{serial:04d}",
                "address": f"湖南省株洲市天元区{t}秘路{serial}号",
                "email": f"{code.lower()}-secret-{serial}@example.com",
                "description": description,
                "provide_forms": ["paper"],
                "delivery_methods": ["post"],
            }
            submission = request_services.request_submit_online(
                agency=agency,
                now=SUBMITTED,
                id_proof=SimpleUploadedFile("证件.pdf", pdf(f"{t}证件秘{serial}")),
                **fields,
            )
            req = submission.info_request
            query_codes[f"{code}.{key}"] = submission.query_code
            never.append(submission.query_code)
            markers = [
                fields["applicant_name"],
                fields["id_number"],
                fields["phone"],
                f"{t}秘路{serial}号",
                fields["email"],
                req.tracking_no,
                str(req.code),
                f"{t}证件秘{serial}",
            ]
            return req, markers

        with time_machine.travel(SUBMITTED, tick=False):
            replied, markers = submit(
                "request.replied", description=f"请公开{t}秘事项甲的批复文件"
            )
            markers.append(f"{t}秘事项甲")
            request_services.request_confirm(
                info_request=replied, by=handler, now=SUBMITTED
            )
            request_services.request_assign(
                info_request=replied, by=handler, assignee=handler, now=SUBMITTED
            )
            request_services.request_add_note(
                info_request=replied, by=handler, text=f"{t}内部备注秘", now=SUBMITTED
            )
            request_services.request_reveal_pii(
                info_request=replied, by=handler, reason="核对身份", now=SUBMITTED
            )
            send_reply(
                info_request=replied,
                by=handler,
                outcome="disclosed",
                letter_text=f"{t}告知书正文秘，见附件。",
                now=SUBMITTED,
                files=[SimpleUploadedFile("答复.pdf", pdf(f"{t}答复文件秘"))],
            )
            markers += [f"{t}内部备注秘", f"{t}告知书正文秘", f"{t}答复文件秘"]
            case_secrets[f"{code}.request.replied"] = list(markers)
            secrets[code] += markers

            pending, markers = submit(
                "request.pending", description=f"请公开{t}秘事项乙的会议纪要"
            )
            markers.append(f"{t}秘事项乙")
            case_secrets[f"{code}.request.pending"] = list(markers)
            secrets[code] += markers

            # 条例 第四十四条: the described information becomes a 主动公开 notice; the
            # applicant wrote their passport number, address and name into the description
            passport = f"E{7700 + serial + 1:08d}"
            address_line = f"天元区{t}秘路{serial + 1}号"
            art44, markers = submit(
                "request.art44",
                id_type="passport",
                id_number=passport,
                description=f"本人{t}申请人秘{serial + 1}号（护照{passport}）请公开{address_line}地块房屋征收补偿方案",
            )
            case_secrets[f"{code}.request.art44"] = list(markers)
            secrets[code] += markers
            request_services.request_confirm(
                info_request=art44, by=handler, now=SUBMITTED
            )
            send_reply(
                info_request=art44,
                by=handler,
                outcome="disclosed",
                letter_text="经审查，予以公开。",
                now=SUBMITTED,
            )
            # a reply letter still waiting for 签发 (drafts never reach the applicant)
            drafting, markers = submit(
                "request.drafting", description=f"请公开{t}秘事项丙的验收报告"
            )
            markers.append(f"{t}秘事项丙")
            case_secrets[f"{code}.request.drafting"] = list(markers)
            secrets[code] += markers
            request_services.request_confirm(
                info_request=drafting, by=handler, now=SUBMITTED
            )
            draft_letter = letter_svc.reply_draft(
                info_request=drafting,
                by=handler,
                ground="not_exist",
                body=f"{t}草稿文书秘",
                now=SUBMITTED,
            )
            letter_svc.letter_submit(letter=draft_letter, by=handler, now=SUBMITTED)
            case_secrets[f"{code}.request.drafting"].append(f"{t}草稿文书秘")
            secrets[code].append(f"{t}草稿文书秘")
            art44_notice = request_services.request_to_notice_draft(
                info_request=art44,
                by=handler,
                now=SUBMITTED,
                title=f"{t}局房屋征收补偿方案",
            )
            art44_notice = catalog_services.notice_publish(
                notice=art44_notice, by=handler, now=SUBMITTED
            )
        ReminderLog.objects.create(  # what send_deadline_reminders claims before sending
            info_request=pending,
            recipient=handler,
            kind=ReminderLog.Kind.choices[0][0],
            due_date=date(2026, 3, 30),
            claimed_at=SUBMITTED,
        )
        for key, req in (
            ("replied", replied),
            ("pending", pending),
            ("art44", art44),
            ("drafting", drafting),
        ):
            objects.append(Obj(f"{code}.request.{key}", "request", code, req))
        objects.append(
            Obj(f"{code}.notice.art44", "notice", code, art44_notice, public=True)
        )
        for rf in RequestFile.objects.filter(
            info_request__agency=agency
        ).select_related("info_request"):
            req_key = next(
                o.key
                for o in objects
                if o.kind == "request" and o.instance.pk == rf.info_request_id
            )
            kind = "reply_file" if rf.kind == FileKind.REPLY else "id_proof"
            objects.append(
                Obj(
                    f"{req_key}.{kind}.{rf.pk}",
                    kind,
                    code,
                    rf,
                    case=req_key,
                    applicant_visible=kind == "reply_file" and rf.is_public,
                )
            )
        for letter in Letter.objects.filter(agency=agency):
            req_key = next(
                o.key
                for o in objects
                if o.kind == "request" and o.instance.pk == letter.info_request_id
            )
            objects.append(
                Obj(
                    f"{req_key}.letter.{letter.pk}",
                    "letter",
                    code,
                    letter,
                    case=req_key,
                    applicant_visible=letter.status == "sent",
                )
            )
            if letter.status == "sent":  # only a sent letter has a PDF
                objects.append(
                    Obj(
                        f"{req_key}.sent_letter.{letter.pk}",
                        "sent_letter",
                        code,
                        letter,
                        case=req_key,
                        applicant_visible=True,
                    )
                )
        objects.append(
            Obj(
                f"{code}.pii_log",
                "row",
                code,
                PiiAccessLog.objects.get(info_request=replied),
            )
        )
        objects.append(
            Obj(
                f"{code}.reminder_log",
                "row",
                code,
                ReminderLog.objects.get(info_request=pending),
            )
        )

        # --- annual reports and the 复议/诉讼 register ---------------------------------------
        with time_machine.travel(datetime(2025, 1, 9, 10, tzinfo=TZ), tick=False):
            old = report_services.report_open(
                agency=agency,
                year=2024,
                by=actor,
                now=datetime(2025, 1, 5, 9, tzinfo=TZ),
            )
            report_services.report_update(
                report=old,
                by=actor,
                now=datetime(2025, 1, 6, 9, tzinfo=TZ),
                licensing_count=12,
                penalty_count=3,
                fee_amount=Decimal("1.5"),
                **{**NARRATIVES, "section_overview": f"{t}局年报公开概述"},
            )
            report_services.report_submit(
                report=old, by=actor, now=datetime(2025, 1, 9, 9, tzinfo=TZ)
            )
            report_services.report_approve(
                report=old, by=approver, now=datetime(2025, 1, 9, 9, 30, tzinfo=TZ)
            )
            report_services.report_publish(
                report=old, by=actor, now=datetime(2025, 1, 9, 10, tzinfo=TZ)
            )
        with time_machine.travel(datetime(2026, 1, 6, 9, tzinfo=TZ), tick=False):
            draft_report = report_services.report_open(
                agency=agency,
                year=2025,
                by=actor,
                now=datetime(2026, 1, 5, 9, tzinfo=TZ),
            )
            report_services.report_update(
                report=draft_report,
                by=actor,
                now=datetime(2026, 1, 6, 9, tzinfo=TZ),
                section_overview=f"{t}年报草稿秘概述",
            )
            secrets[code].append(f"{t}年报草稿秘概述")
        with time_machine.travel(SUBMITTED, tick=False):
            appeal = report_services.appeal_case_save(
                agency=agency,
                by=actor,
                kind=AppealCase.Kind.RECONSIDERATION,
                case_number=f"{t}复〔2026〕秘1号",
                filed_year=2026,
                filed_date=date(2026, 3, 2),
                result=AppealCase.Result.PENDING,
                decided_date=None,
                note=f"{t}复议备注秘",
                info_request=replied,
            )
            secrets[code] += [f"{t}复〔2026〕秘1号", f"{t}复议备注秘"]
        old = AnnualReport.objects.get(pk=old.pk)
        secrets[code].append(
            f"{t}目录事项秘"
        )  # a 基层目录 item: its agency's staff only
        objects += [
            Obj(f"{code}.report.published", "report", code, old, public=True),
            Obj(
                f"{code}.report.draft",
                "report",
                code,
                AnnualReport.objects.get(pk=draft_report.pk),
            ),
            Obj(f"{code}.appeal", "appeal", code, appeal),
            Obj(
                f"{code}.standard_item",
                "standard_item",
                code,
                _standard_item(agency, f"{t}目录事项秘"),
            ),
            Obj(f"{code}.report_version", "row", code, old.versions.get(number=1)),
            Obj(
                f"{code}.report_event.published",
                "row",
                code,
                old.events.order_by("-id").first(),
            ),
            Obj(
                f"{code}.report_event.draft",
                "row",
                code,
                draft_report.events.order_by("-id").first(),
            ),
        ]

    # Derived copies (cached pages, search counts, feeds) must not outlive a withdrawal:
    # the public pages are seen while the notices are still published, then withdrawn.
    _browse_public_pages(objects)
    for notice, by in to_withdraw:
        catalog_services.notice_withdraw(
            notice=notice,
            by=by,
            now=datetime(2026, 3, 9, 9, tzinfo=TZ),
            category="mistake",
            reason="发布有误",
        )
    superuser = User.objects.create_superuser(
        "root-crawl", "root@example.gov.cn", "x" * 20
    )
    users["superuser"] = superuser
    for model in (Theme, Genre, Column, ReplyTemplate, Group):
        objects.append(
            Obj(
                f"site.{model._meta.model_name}",
                "row",
                None,
                model.objects.order_by("pk").first(),
            )
        )
    return World(
        agencies=agencies,
        users=users,
        objects=objects,
        secrets=secrets,
        case_secrets=case_secrets,
        never=never,
        unlisted=unlisted,
        search_words=search_words,
        applicant_case="A.request.replied",
        query_codes=query_codes,
    )


# =========================================================================================
# the classification of every URL
# =========================================================================================

# URL classes
PUBLIC = "public"  # no object; anyone
PUBLIC_OBJECT = (
    "public-object"  # a published object by id; unpublished → 404 for everyone
)
APPLICANT = "applicant"  # the session's own case (after a lookup); others are sent to the lookup
APPLICANT_FILE = (
    "applicant-file"  # a reply file of the session's case; anything else 404
)
STAFF = (
    "staff"  # staff page without an object; its content is scoped to the user's agency
)
STAFF_OBJECT = "staff-object"  # an object of the user's agency; another agency's → 404
ADMIN_SITE = "admin-site"  # admin pages without an object
ADMIN_VIEW_ON_SITE = "admin-view-on-site"
ADMIN_MODEL = "admin-model"  # changelist / add of a registered model
ADMIN_OBJECT = "admin-object"  # change / history / delete / redirect of one object
SESSION_END = "session-end"  # logout, case exit: requested last
SHADOWED = "shadowed"  # a name whose path resolves to another classified view


@dataclass(frozen=True)
class Url:
    cls: str
    methods: tuple[str, ...] = ("GET",)
    kind: str | None = None  # which world objects feed the arguments
    args: Callable[[Obj | None, World], list[dict]] | None = (
        None  # kwargs for reverse(); None: no args
    )
    query: Callable[[World], list[str]] | None = None  # extra query strings for GET
    # the POST body; or a function (obj, world) → body, for ids of the world's objects
    data: dict[str, Any] | Callable[[Obj | None, World], dict[str, Any]] = field(
        default_factory=dict
    )
    listing: bool = False  # a public list: withdrawn notices must not appear
    staff_status: int | None = (
        None  # expected status for department staff (no object), when not 200
    )
    post_status: int | None = None  # the same for a POST, when it differs from GET's
    # the superuser's answer to a GET of their "own" object, when not 200 (the Word
    # import's held file belongs to its uploader and to an agency a superuser lacks)
    superuser_status: int | None = None
    # what a visitor who is not signed in gets instead of the login page (a JSON
    # endpoint called by the editor's script answers 403 with a message)
    anon_status: int | None = None


def _uuid(o, w):
    return [{"uuid": o.instance.uuid}]


def _code(o, w):
    return [{"code": o.instance.code}]


def _search(w: World) -> list[str]:
    return ["q=" + word for word in w.search_words]


POST_DATA: dict[str, dict[str, Any]] = {
    "confirm": {"confirm-confirmed_date": "2026-03-10"},
    "assign": {"assign-assignee": "0"},
    "correction_ask": {"correction_ask-items": "请补充身份证明"},
    "correction_receive": {
        "correction_receive-received_date": "2026-03-10",
        "correction_receive-text": "已补正",
    },
    "consult_start": {
        "consult_start-party_type": "third_party",
        "consult_start-party_name": "某公司",
        "consult_start-sent_date": "2026-03-10",
    },
    "consult_receipt": {"consult_receipt-party_received_date": "2026-03-10"},
    "consult_end": {"consult_end-replied_date": "2026-03-10"},
    "extension_request": {
        "extension_request-days": "20",
        "extension_request-reason": "需要调取档案",
    },
    "extension_decide": {"extension_decide-decision": "approve"},
    "fee": {"fee-method": "per_item", "fee-quantity": "1"},
    "payment": {"payment-paid_date": "2026-03-10"},
    "fee_waive": {"fee_waive-reason": "经济困难"},
    "reply": {
        "reply-ground": "not_exist",
        "reply-letter_text": "经检索没有该信息。",
        "action": "submit",
    },
    "letter_return": {"return-comment": "外部退回尝试"},
    "note": {"note-text": "外部备注尝试"},
    "reveal": {"reveal-reason": "核对身份"},
    "file_open": {"file_open-reason": "核对身份"},
    "notice_draft": {"notice_draft-title": "转为主动公开尝试"},
}


def _letter(o, w):
    return [{"code": o.instance.info_request.code, "letter_id": o.instance.pk}]


def _staff_action(key: str | None) -> Url:
    return Url(
        STAFF_OBJECT, ("POST",), "request", _code, data=POST_DATA.get(key or "", {})
    )


URLS: dict[str, Url] = {
    # --- portal ---
    "portal:display": Url(PUBLIC, query=lambda w: ["font=large&next=/"]),
    "portal:login": Url(PUBLIC),
    "portal:logout": Url(SESSION_END, ("POST",)),
    "portal:staff_home": Url(STAFF),
    # the second sign-in step: a verified session goes straight on (302)
    "portal:second_factor": Url(STAFF, ("GET", "POST"), staff_status=302),
    # enrolment of an authenticator (voluntary for staff the policy does not cover)
    "portal:enrol": Url(STAFF, ("GET", "POST")),
    # 机构信息 of the user's own agency (管理员; the world's A/B actors are 管理员)
    "portal:staff_profile_edit": Url(STAFF),
    # per-department pages: agencies are public; only published content is listed
    "bumen:index": Url(PUBLIC, listing=True),
    "bumen:detail": Url(
        PUBLIC,
        listing=True,
        args=lambda o, w: [{"pk": a.pk} for a in w.agencies.values()],
    ),
    "bumen:profile": Url(
        PUBLIC, args=lambda o, w: [{"pk": a.pk} for a in w.agencies.values()]
    ),
    "robots_txt": Url(PUBLIC),
    "healthz": Url(PUBLIC),
    "admin_login": Url(PUBLIC),
    # --- catalog ---
    "catalog:home": Url(PUBLIC, listing=True),
    "catalog:notice_list": Url(PUBLIC, listing=True, query=_search),
    "catalog:notice_feed": Url(PUBLIC, listing=True, query=_search),
    "catalog:notice_detail": Url(PUBLIC_OBJECT, kind="notice", args=_uuid),
    "catalog:attachment_download": Url(
        PUBLIC_OBJECT,
        kind="attachment",
        args=lambda o, w: [
            {"uuid": o.instance.notice.uuid, "attachment_id": o.instance.pk}
        ],
    ),
    "catalog:directory": Url(
        PUBLIC,
        listing=True,
        query=lambda w: [f"publisher={a.pk}" for a in w.agencies.values()],
    ),
    "catalog:guide": Url(PUBLIC, listing=True),
    # 基层政务公开标准目录 items of the user's agency, and one item's linked notices
    "catalog:staff_standard_items": Url(STAFF),
    "catalog:staff_standard_item": Url(
        STAFF_OBJECT,
        ("GET", "POST"),
        "standard_item",
        lambda o, w: [{"pk": o.instance.pk}],
        data={"notices": []},
    ),
    # --- the staff notice desk (/staff/xinxi/) ---
    # the list; its bulk actions name every notice of the world by id: only the
    # actor's own agency's may change
    "catalog:staff_notice_list": Url(
        STAFF,
        ("GET", "POST"),
        query=lambda w: ["state=draft", "state=withdrawn", "q=秘", "sort=published"],
        data=lambda o, w: {
            "bulk_action": "publish",
            "ids": [n.instance.pk for n in w.of_kind("notice")],
            "query": "state=draft",
        },
        post_status=302,
    ),
    "catalog:staff_notice_new": Url(STAFF),
    # the editor's unsaved preview names the notice in the body (notice_pk)
    "catalog:staff_notice_preview_unsaved": Url(
        STAFF_OBJECT,
        ("POST",),
        "notice",
        lambda o, w: [{}],
        data=lambda o, w: {"notice_pk": str(o.instance.pk), "title": "预览尝试"},
    ),
    "catalog:staff_notice_edit": Url(
        STAFF_OBJECT,
        ("GET", "POST"),
        "notice",
        lambda o, w: [{"pk": o.instance.pk}],
        data={"action": "publish", "title": ""},  # invalid: the owner gets 400
    ),
    "catalog:staff_notice_preview": Url(
        STAFF_OBJECT, kind="notice", args=lambda o, w: [{"pk": o.instance.pk}]
    ),
    "catalog:staff_notice_history": Url(
        STAFF_OBJECT, kind="notice", args=lambda o, w: [{"pk": o.instance.pk}]
    ),
    "catalog:staff_notice_withdraw": Url(
        STAFF_OBJECT,
        ("POST",),
        "notice",
        lambda o, w: [{"pk": o.instance.pk}],
        data={"withdraw-category": "", "withdraw-reason": "撤回尝试"},
    ),
    "catalog:staff_notice_image": Url(
        STAFF_OBJECT,
        ("POST",),
        "notice",
        lambda o, w: [{"pk": o.instance.pk}],
        data={"alt": "插图尝试"},  # no file: the owner gets 400
        anon_status=403,
    ),
    "catalog:staff_attachment": Url(
        STAFF_OBJECT,
        kind="attachment",
        args=lambda o, w: [
            {"pk": o.instance.notice_id, "attachment_id": o.instance.pk}
        ],
    ),
    # Word import: the upload form, then the held file's review page and pictures,
    # whose token names the uploader (anyone else: 404)
    "catalog:staff_notice_import_docx": Url(STAFF, ("GET", "POST")),
    "catalog:staff_notice_import_docx_review": Url(
        STAFF_OBJECT,
        ("GET", "POST"),
        "docx",
        lambda o, w: [{"token": o.instance.token}],
        data={"title": ""},  # invalid: the owner sees the form again
        superuser_status=403,
    ),
    "catalog:staff_notice_import_docx_image": Url(
        STAFF_OBJECT,
        kind="docx",
        args=lambda o, w: [{"token": o.instance.token, "number": 1}],
        superuser_status=403,
    ),
    # 清理 decisions on a notice: the lead agency's staff only (validity_review links here)
    "catalog:staff_notice_cleanup": Url(
        STAFF_OBJECT,
        ("GET", "POST"),
        "notice",
        lambda o, w: [{"pk": o.instance.pk}],
        data={"decided_date": "", "result": "", "basis": ""},
    ),
    # the compliance monitor: own agency only for a department's 管理员
    "compliance:page": Url(STAFF, query=lambda w: ["sort=-score", "sort=findings"]),
    "compliance:export": Url(STAFF, query=lambda w: ["month=2026-03"]),
    "catalog:sitemap_page": Url(PUBLIC, listing=True),
    "catalog:open_data": Url(PUBLIC, listing=True),
    "catalog:api_notice_list": Url(PUBLIC, listing=True, query=_search),
    "catalog:api_notice_detail": Url(PUBLIC_OBJECT, kind="notice", args=_uuid),
    "catalog:sitemap_index": Url(PUBLIC, listing=True),
    "catalog:sitemap_section": Url(
        PUBLIC, listing=True, args=lambda o, w: [{"section": s} for s in SITEMAPS]
    ),
    # --- 依申请公开: applicants ---
    "requests_app:landing": Url(PUBLIC),
    "requests_app:apply": Url(PUBLIC, ("GET", "POST"), data={"name": "王小明"}),
    "requests_app:apply_submit": Url(PUBLIC, ("POST",), data={"holding": "x" * 32}),
    "requests_app:apply_done": Url(PUBLIC),
    "requests_app:lookup": Url(
        PUBLIC,
        ("GET", "POST"),
        data={"tracking_no": "YSQ-2026-000001", "query_code": "x"},
    ),
    # a lost 查询码: the same answer for any number (a number nobody has, so nothing
    # of the world changes)
    "requests_app:lookup_resend": Url(
        PUBLIC, ("GET", "POST"), data={"tracking_no": "YSQ-2099-999999"}
    ),
    "requests_app:case": Url(APPLICANT),
    "requests_app:case_correction": Url(
        APPLICANT, ("POST",), data={"text": "补正内容"}
    ),
    "requests_app:case_withdraw": Url(
        APPLICANT, ("GET", "POST"), data={"reason": "不需要了", "confirm": "on"}
    ),
    "requests_app:case_file": Url(
        APPLICANT_FILE,
        kind="request_file",
        args=lambda o, w: [{"file_id": o.instance.pk}],
    ),
    "requests_app:case_letter": Url(
        APPLICANT_FILE,
        kind="letter",
        args=lambda o, w: [{"letter_id": o.instance.pk}],
    ),
    "requests_app:case_letter_pdf": Url(
        APPLICANT_FILE,
        kind="letter",
        args=lambda o, w: [{"letter_id": o.instance.pk}],
    ),
    "requests_app:case_exit": Url(SESSION_END, ("POST",)),
    # --- 依申请公开: staff ---
    "requests_app:staff_queue": Url(
        STAFF,
        query=lambda w: (
            [f"show={s}" for s in ("open", "closed", "pending", "mine")] + ["q=YSQ"]
        ),
    ),
    "requests_app:staff_register": Url(STAFF),
    "requests_app:staff_request_detail": Url(STAFF_OBJECT, kind="request", args=_code),
    "requests_app:staff_request_confirm": _staff_action("confirm"),
    "requests_app:staff_request_assign": _staff_action("assign"),
    "requests_app:staff_request_correction_ask": _staff_action("correction_ask"),
    "requests_app:staff_request_correction_receive": _staff_action(
        "correction_receive"
    ),
    "requests_app:staff_request_correction_expire": _staff_action(None),
    "requests_app:staff_request_consult_start": _staff_action("consult_start"),
    "requests_app:staff_request_consult_receipt": _staff_action("consult_receipt"),
    "requests_app:staff_request_consult_end": _staff_action("consult_end"),
    "requests_app:staff_request_extend": _staff_action("extension_request"),
    "requests_app:staff_request_extension_decide": _staff_action("extension_decide"),
    "requests_app:staff_request_fee": _staff_action("fee"),
    "requests_app:staff_request_payment": _staff_action("payment"),
    "requests_app:staff_request_fee_waive": _staff_action("fee_waive"),
    "requests_app:staff_request_fee_expire": _staff_action(None),
    "requests_app:staff_request_reply": _staff_action("reply"),
    "requests_app:staff_request_archive": _staff_action(None),
    "requests_app:staff_request_note": _staff_action("note"),
    "requests_app:staff_request_notice_draft": _staff_action("notice_draft"),
    "requests_app:staff_request_reveal": _staff_action("reveal"),
    "requests_app:staff_request_file_open": Url(
        STAFF_OBJECT,
        ("POST",),
        "id_proof",
        lambda o, w: [{"code": o.instance.info_request.code, "file_id": o.instance.pk}],
        data=POST_DATA["file_open"],
    ),
    "requests_app:staff_request_file": Url(
        STAFF_OBJECT,
        kind="reply_file",
        args=lambda o, w: [
            {"code": o.instance.info_request.code, "file_id": o.instance.pk}
        ],
    ),
    "requests_app:staff_letters": Url(STAFF),
    "requests_app:staff_letter": Url(STAFF_OBJECT, kind="letter", args=_letter),
    "requests_app:staff_letter_pdf": Url(
        STAFF_OBJECT, kind="sent_letter", args=_letter
    ),
    "requests_app:staff_letter_approve": Url(
        STAFF_OBJECT, ("POST",), "letter", _letter
    ),
    "requests_app:staff_letter_return": Url(
        STAFF_OBJECT, ("POST",), "letter", _letter, data=POST_DATA["letter_return"]
    ),
    "requests_app:staff_letter_delivery": Url(
        STAFF_OBJECT,
        ("POST",),
        "letter",
        _letter,
        data={"method": "in_person", "delivered_date": "2026-03-10"},
    ),
    # --- annual reports: public ---
    "disclosure:report_list": Url(
        PUBLIC,
        query=lambda w: (
            [f"agency={a.pk}" for a in w.agencies.values()] + ["year=2025", "year=2024"]
        ),
    ),
    "disclosure:report_detail": Url(
        PUBLIC_OBJECT, kind="report", args=lambda o, w: [{"pk": o.instance.pk}]
    ),
    "disclosure:report_version": Url(
        PUBLIC_OBJECT,
        kind="report",
        args=lambda o, w: [{"pk": o.instance.pk, "number": 1}],
    ),
    "disclosure:report_download": Url(
        PUBLIC_OBJECT,
        kind="report",
        args=lambda o, w: [{"pk": o.instance.pk, "fmt": f} for f in ("json", "xlsx")],
    ),
    "disclosure:report_version_download": Url(
        PUBLIC_OBJECT,
        kind="report",
        args=lambda o, w: [
            {"pk": o.instance.pk, "number": 1, "fmt": f} for f in ("json", "xlsx")
        ],
    ),
    "disclosure:statistics": Url(
        PUBLIC,
        query=lambda w: [f"agency={a.pk}&year=2026" for a in w.agencies.values()],
    ),
    "disclosure:statistics_csv": Url(
        PUBLIC,
        query=lambda w: [f"agency={a.pk}&year=2026" for a in w.agencies.values()],
    ),
    # --- annual reports: staff ---
    "disclosure:staff_report_list": Url(STAFF),
    "disclosure:staff_dashboard": Url(
        STAFF, staff_status=403
    ),  # 人民政府 管理员 only; A and B are 部门
    "disclosure:staff_appeal_list": Url(STAFF),
    "disclosure:staff_appeal_edit": Url(
        STAFF_OBJECT,
        ("GET", "POST"),
        "appeal",
        lambda o, w: [{"pk": o.instance.pk}],
        data={
            "kind": "litigation",
            "case_number": "改写尝试",
            "filed_year": "2026",
            "filed_date": "2026-03-02",
            "result": "pending",
            "decided_date": "",
            "note": "",
            "tracking_no": "",
        },
    ),
    "disclosure:staff_report_detail": Url(
        STAFF_OBJECT, kind="report", args=lambda o, w: [{"pk": o.instance.pk}]
    ),
    "disclosure:staff_report_edit": Url(
        STAFF_OBJECT,
        ("GET", "POST"),
        "report",
        lambda o, w: [{"pk": o.instance.pk}],
        data={"section_overview": "改写尝试", "licensing_count": "1"},
    ),
    "disclosure:staff_report_download": Url(
        STAFF_OBJECT,
        kind="report",
        args=lambda o, w: [{"pk": o.instance.pk, "fmt": f} for f in ("json", "xlsx")],
    ),
    "disclosure:staff_report_action": Url(
        STAFF_OBJECT,
        ("POST",),
        "report",
        lambda o, w: [
            {"pk": o.instance.pk, "action": a} for a in sorted(REPORT_ACTIONS)
        ],
        data={"comment": "退回尝试", "correction_note": "更正尝试"},
    ),
    # --- the Django admin, apart from the per-model URLs (ADMIN_MODELS) ---
    "admin:index": Url(ADMIN_SITE),
    "admin:login": Url(
        PUBLIC
    ),  # the same path as admin_login: the portal's rate-limited login
    "admin:logout": Url(SESSION_END, ("POST",)),
    "admin:password_change": Url(ADMIN_SITE),
    "admin_password_change": Url(ADMIN_SITE),  # the same page, with the lockout
    "admin:password_change_done": Url(ADMIN_SITE),
    "admin:autocomplete": Url(
        ADMIN_SITE,
        query=lambda w: [
            urlencode(
                {
                    "app_label": "portal",
                    "model_name": "staffprofile",
                    "field_name": "agency",
                    "term": "天元",
                }
            )
        ],
    ),
    "admin:jsi18n": Url(ADMIN_SITE),
    "admin:view_on_site": Url(SHADOWED),  # the same path resolves to admin_view_on_site
    "admin_view_on_site": Url(ADMIN_VIEW_ON_SITE, kind="*"),
    "admin:app_list": Url(
        ADMIN_SITE,
        args=lambda o, w: [
            {"app_label": a}
            for a in ("auth", "portal", "catalog", "requests_app", "disclosure")
        ],
    ),
}
# the admin's unnamed catch-all (anything else under /admin/): 404 for staff, login otherwise
ADMIN_CATCH_ALL = "admin/(?P<url>.*)$"

# Every model registered in the admin: who may see its rows.
SCOPED = "agency-scoped"  # a department's staff see their own agency's rows only
SITE_WIDE = (
    "site-wide"  # reference lists shared by all (主题分类, 体裁, 栏目, 告知书模板)
)
SUPERUSER_ONLY = "superuser-only"  # no role group holds a permission on it
ADMIN_MODELS: dict[
    str, tuple[str, str | None]
] = {  # label → (class, path to the owning agency id)
    "catalog.notice": (SCOPED, "owner_agency_id"),
    "catalog.interpretationlinkrequest": (SCOPED, "deciding_agency_id"),
    "catalog.theme": (SITE_WIDE, None),
    "catalog.genre": (SITE_WIDE, None),
    "catalog.column": (SITE_WIDE, None),
    "requests_app.inforequest": (SCOPED, "agency_id"),
    "requests_app.piiaccesslog": (SCOPED, "info_request__agency_id"),
    "requests_app.reminderlog": (SCOPED, "info_request__agency_id"),
    "requests_app.replytemplate": (SITE_WIDE, None),
    "requests_app.letter": (SUPERUSER_ONLY, None),
    "requests_app.proceduraltemplate": (SUPERUSER_ONLY, None),
    "disclosure.annualreport": (SCOPED, "agency_id"),
    "disclosure.annualreportversion": (SCOPED, "report__agency_id"),
    "disclosure.annualreportevent": (SCOPED, "report__agency_id"),
    "disclosure.appealcase": (SCOPED, "agency_id"),
    "portal.agency": (SUPERUSER_ONLY, None),
    "portal.staffprofile": (SUPERUSER_ONLY, None),
    "portal.siteidentity": (SUPERUSER_ONLY, None),
    "portal.workcalendarday": (SUPERUSER_ONLY, None),
    "portal.workcalendaryear": (SUPERUSER_ONLY, None),
    "portal.workcalendarchange": (SUPERUSER_ONLY, None),
    "auth.user": (SUPERUSER_ONLY, None),
    "auth.group": (SUPERUSER_ONLY, None),
}
ADMIN_MODEL_VIEWS = {"changelist", "add"}
ADMIN_OBJECT_VIEWS = {"change", "history", "delete"}
ADMIN_EXTRA_OBJECT_URLS = {"auth_user_password_change": "auth.user"}


# =========================================================================================
# walking the URLconf
# =========================================================================================


@dataclass(frozen=True)
class Pattern:
    name: str | None  # namespaced, e.g. "catalog:notice_detail"
    route: str


def all_patterns(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[Pattern]:
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            ns = (
                ":".join(x for x in (namespace, p.namespace) if x)
                if p.namespace
                else namespace
            )
            yield from all_patterns(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield Pattern(name, prefix + str(p.pattern))


def admin_model_of(pattern: Pattern) -> tuple[str, str] | None:
    """(model label, view) for a per-model admin URL, else None."""
    for model in admin.site._registry:
        label, base = (
            model._meta.label_lower,
            f"{model._meta.app_label}_{model._meta.model_name}",
        )
        if pattern.name and pattern.name.startswith(f"admin:{base}_"):
            return label, pattern.name.removeprefix(f"admin:{base}_")
        if (
            pattern.name is None
            and pattern.route
            == f"admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/"
        ):
            return label, "redirect"
    return None


def test_every_url_is_classified():
    unclassified, seen = [], set()
    for pattern in all_patterns():
        if pattern.name in URLS:
            seen.add(pattern.name)
            continue
        if pattern.route == ADMIN_CATCH_ALL:
            continue
        owner = admin_model_of(pattern)
        if owner is not None:
            label, view = owner
            extra = (
                pattern.name
                and pattern.name.removeprefix("admin:") in ADMIN_EXTRA_OBJECT_URLS
            )
            if label in ADMIN_MODELS and (
                view in ADMIN_MODEL_VIEWS | ADMIN_OBJECT_VIEWS | {"redirect"} or extra
            ):
                continue
        unclassified.append(f"{pattern.name or '(unnamed)'}  /{pattern.route}")
    assert unclassified == [], (
        "classify these URLs in tests/security/test_access_crawl.py:\n"
        + "\n".join(unclassified)
    )
    assert set(URLS) - seen == set(), "stale rows in URLS"
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert registered == set(ADMIN_MODELS), registered ^ set(ADMIN_MODELS)
    for name, spec in URLS.items():
        if spec.cls == SHADOWED:
            url = reverse(name, kwargs={"content_type_id": 1, "object_id": 1})
            assert resolve(url).view_name == "admin_view_on_site", name


def test_superuser_only_admin_models_are_granted_to_no_role():
    """The crawl expects 403 for every staff user on these models: that holds only while
    no role group has a permission on them (granting one needs agency scoping first)."""
    labels = [
        label for label, (cls, _) in ADMIN_MODELS.items() if cls == SUPERUSER_ONLY
    ]
    granted = Permission.objects.filter(group__name__in=roles.ALL_ROLES).values_list(
        "content_type__app_label", "content_type__model", "codename"
    )
    assert [g for g in granted if f"{g[0]}.{g[1]}" in labels] == []


# =========================================================================================
# requests and expectations
# =========================================================================================


@dataclass
class Call:
    method: str
    url: str
    cls: str
    name: str
    obj: Obj | None = None
    data: dict[str, Any] = field(default_factory=dict)
    view: str = ""  # admin object view
    model: str = ""  # admin model label
    missing_url: str = ""  # the same admin URL for an id that does not exist
    listing: bool = False
    staff_status: int | None = None
    superuser_status: int | None = None
    anon_status: int | None = None


def _objects_for(kind: str | None, world: World) -> list[Obj | None]:
    if kind is None:
        return [None]
    if kind == "request_file":
        return world.of_kind("reply_file") + world.of_kind("id_proof")
    return world.of_kind(kind)


def planned_calls(world: World) -> list[Call]:
    calls: list[Call] = []
    for name, spec in URLS.items():
        if spec.cls == SHADOWED:
            continue
        if spec.cls == ADMIN_VIEW_ON_SITE:
            for o in world.objects:
                if isinstance(o.instance, Held):
                    continue
                ct = ContentType.objects.get_for_model(o.instance)
                url = reverse(
                    name, kwargs={"content_type_id": ct.pk, "object_id": o.instance.pk}
                )
                missing = reverse(
                    name, kwargs={"content_type_id": ct.pk, "object_id": MISSING_ID}
                )
                calls.append(Call("GET", url, spec.cls, name, o, missing_url=missing))
            continue
        for o in _objects_for(spec.kind, world):
            for kwargs in spec.args(o, world) if spec.args else [{}]:
                url = reverse(name, kwargs=kwargs)
                for method in spec.methods:
                    if (
                        method == "POST"
                        and spec.kind == "request"
                        and not o.key.endswith(".request.pending")
                    ):
                        continue  # case actions: posted to one open case per department
                    common = {
                        "cls": spec.cls,
                        "name": name,
                        "obj": o,
                        "listing": spec.listing,
                        "staff_status": spec.staff_status,
                        "superuser_status": spec.superuser_status,
                        "anon_status": spec.anon_status,
                    }
                    if method == "POST":
                        body = spec.data(o, world) if callable(spec.data) else spec.data
                        if spec.post_status is not None:
                            common["staff_status"] = spec.post_status
                        calls.append(Call("POST", url, data=dict(body), **common))
                        continue
                    calls.append(Call("GET", url, **common))
                    for query in spec.query(world) if spec.query else []:
                        calls.append(Call("GET", f"{url}?{query}", **common))
    calls.append(Call("GET", "/admin/no-such-page/", ADMIN_SITE, ADMIN_CATCH_ALL))
    for model in admin.site._registry:
        label = model._meta.label_lower
        base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for view in sorted(ADMIN_MODEL_VIEWS):
            calls.append(
                Call(
                    "GET",
                    reverse(f"{base}_{view}"),
                    ADMIN_MODEL,
                    f"{base}_{view}",
                    model=label,
                )
            )
        rows = [o for o in world.objects if type(o.instance) is model]
        for o in rows:
            for view in sorted(ADMIN_OBJECT_VIEWS):
                calls.append(
                    Call(
                        "GET",
                        reverse(f"{base}_{view}", args=[o.instance.pk]),
                        ADMIN_OBJECT,
                        f"{base}_{view}",
                        o,
                        view=view,
                        model=label,
                        missing_url=reverse(f"{base}_{view}", args=[MISSING_ID]),
                    )
                )
            calls.append(
                Call(
                    "GET",
                    f"/admin/{model._meta.app_label}/{model._meta.model_name}/{o.instance.pk}/",
                    ADMIN_OBJECT,
                    f"{base} redirect",
                    o,
                    view="redirect",
                    model=label,
                    missing_url=f"/admin/{model._meta.app_label}/{model._meta.model_name}/{MISSING_ID}/",
                )
            )
            for extra, extra_label in ADMIN_EXTRA_OBJECT_URLS.items():
                if extra_label == label:
                    calls.append(
                        Call(
                            "GET",
                            reverse(f"admin:{extra}", args=[o.instance.pk]),
                            ADMIN_OBJECT,
                            f"admin:{extra}",
                            o,
                            view="password",
                            model=label,
                            missing_url=reverse(f"admin:{extra}", args=[MISSING_ID]),
                        )
                    )
    # GETs first, then POSTs, then whatever ends the session
    order = {"GET": 0, "POST": 1}
    calls.sort(key=lambda c: (c.cls == SESSION_END, order[c.method]))
    return calls


@dataclass
class Answer:
    status: int
    location: str
    body: str
    context: Any
    exc: str = ""


def send(
    client: Client, call: Call, *, url: str | None = None, method: str | None = None
) -> Answer:
    method = method or call.method
    if method == "POST":
        response = client.post(url or call.url, call.data)
    else:
        response = client.get(url or call.url)
    # (the test client closes responses itself; closing again would close the DB connection)
    raw = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    exc = ""
    if getattr(response, "exc_info", None):
        exc = f"{response.exc_info[0].__name__}: {response.exc_info[1]}"
    return Answer(
        response.status_code,
        response.get("Location", ""),
        raw.decode("utf-8", errors="replace"),
        getattr(response, "context", None),
        exc,
    )


def _login_redirect(answer: Answer, login: str) -> bool:
    return answer.status == 302 and answer.location.startswith(login)


PORTAL_LOGIN, ADMIN_LOGIN, LOOKUP = "/staff/login/", "/admin/login/", "/ysq/lookup/"


def check(
    actor: str,
    call: Call,
    answer: Answer,
    world: World,
    client: Client,
    missing_cache: dict,
) -> list[str]:
    """What is wrong with this answer for this actor (empty: nothing)."""
    problems: list[str] = []
    s = answer.status
    if s >= 500:
        return [f"{s} {answer.exc}"]
    o = call.obj
    staff = actor in ("A", "B")
    signed_in = staff or actor == "superuser"
    mine = o is not None and (o.agency == actor or actor == "superuser")

    def expect(ok: bool, what: str) -> None:
        if not ok:
            problems.append(f"expected {what}, got {s} {answer.location}")

    if call.cls == PUBLIC:
        expect(s < 400, "an answer (< 400)")
    elif call.cls == PUBLIC_OBJECT:
        answers = o.public or (o.staff_readable and mine)
        expect(s == (200 if answers else 404), "200" if answers else "404")
    elif call.cls == APPLICANT:
        if actor == "applicant":
            expect(
                s in (200, 302) and not answer.location.startswith(LOOKUP),
                "the applicant's own case",
            )
        else:
            expect(_login_redirect(answer, LOOKUP), "a redirect to the lookup")
    elif call.cls == APPLICANT_FILE:
        own = (
            actor == "applicant"
            and o.case == world.applicant_case
            and o.applicant_visible
        )
        expect(s == (200 if own else 404), "200" if own else "404")
    elif call.cls == STAFF:
        if not signed_in:
            expect(_login_redirect(answer, PORTAL_LOGIN), "the login page")
        elif staff:
            wanted = call.staff_status or 200
            expect(s == wanted, str(wanted))
    elif call.cls == STAFF_OBJECT:
        if not signed_in and call.anon_status is not None:
            expect(s == call.anon_status, str(call.anon_status))
        elif not signed_in:
            expect(_login_redirect(answer, PORTAL_LOGIN), "the login page")
        elif mine:
            expect(
                s != 404 and not _login_redirect(answer, PORTAL_LOGIN),
                "the owner's page or action",
            )
            if call.method == "GET":
                wanted = (
                    call.superuser_status if actor == "superuser" else None
                ) or 200
                expect(s == wanted, str(wanted))
        else:
            expect(s == 404, "404 (another department's object)")
    elif call.cls in (ADMIN_SITE, ADMIN_MODEL):
        if not signed_in and call.name != ADMIN_CATCH_ALL:
            expect(_login_redirect(answer, ADMIN_LOGIN), "the admin login")
        if staff and call.cls == ADMIN_MODEL:
            problems += _changelist_scope(actor, call, answer, world)
    elif call.cls in (ADMIN_OBJECT, ADMIN_VIEW_ON_SITE):
        if not signed_in:
            expect(_login_redirect(answer, ADMIN_LOGIN), "the admin login")
        else:
            opts = o.instance._meta
            cls = ADMIN_MODELS.get(opts.label_lower, (SCOPED, None))[
                0
            ]  # not in the admin: 404 for all
            user = world.users[actor]
            if actor == "superuser" or (cls == SCOPED and mine):
                if call.view in ("change", "history") and user.has_perm(
                    f"{opts.app_label}.view_{opts.model_name}"
                ):
                    expect(s == 200, "200 (own object)")
            elif cls != SITE_WIDE:
                if call.missing_url not in missing_cache:
                    missing_cache[call.missing_url] = send(
                        client, call, url=call.missing_url
                    )
                missing = missing_cache[call.missing_url]
                same = (s, answer.location.replace(str(o.instance.pk), MISSING_ID)) == (
                    missing.status,
                    missing.location,
                )
                # no permission at all on the model: 403 (Django's history view checks the
                # permission after looking the id up, so only the id's existence shows)
                expect(
                    s != 200 and (same or (cls == SUPERUSER_ONLY and s == 403)),
                    f"what a missing id gets ({missing.status} {missing.location})",
                )
    return problems


def _changelist_scope(
    actor: str, call: Call, answer: Answer, world: World
) -> list[str]:
    """A scoped model's changelist holds the actor's agency's rows only."""
    cls, path = ADMIN_MODELS[call.model]
    if cls != SCOPED or not call.name.endswith("_changelist") or answer.status != 200:
        return []
    cl = answer.context.get("cl") if answer.context is not None else None
    if cl is None:
        return ["no changelist in the context"]
    outside = cl.queryset.exclude(**{path: world.agencies[actor].pk})
    return (
        [f"changelist shows other agencies' rows: {list(outside)}"]
        if outside.exists()
        else []
    )


def forbidden_markers(actor: str, world: World) -> list[str]:
    if actor == "superuser":
        return list(world.never)
    if actor in ("A", "B"):
        other = "B" if actor == "A" else "A"
        return world.secrets[other] + world.never
    markers = world.secrets["A"] + world.secrets["B"] + world.never
    if actor == "applicant":
        allowed = set(world.case_secrets[world.applicant_case])
        markers = [m for m in markers if m not in allowed]
    return markers


# the superuser is a positive control: every object URL built here answers
SUPERUSER_CHECKS = (STAFF_OBJECT, ADMIN_MODEL, ADMIN_OBJECT)


def crawl(actor: str, client: Client, world: World) -> list[str]:
    failures: list[str] = []
    forbidden = forbidden_markers(actor, world)
    missing_cache: dict[str, Answer] = {}
    for call in planned_calls(world):
        if actor == "superuser" and (
            call.method != "GET" or call.cls not in SUPERUSER_CHECKS
        ):
            continue
        answer = send(client, call)
        problems = check(actor, call, answer, world, client, missing_cache)
        # a marker the actor typed (in the URL or the form) may be echoed back
        typed = call.url + repr(call.data)
        leaked = [m for m in forbidden if m in answer.body and m not in typed]
        if leaked:
            problems.append(f"body shows {leaked}")
        if (
            call.obj is not None
            and call.obj.key.endswith(".notice.withdrawn")
            and answer.status == 200
        ):
            said = (
                '"withdrawn": true'
                if call.name == "catalog:api_notice_detail"
                else "已撤回"
            )
            if (
                call.name != "admin_view_on_site"
                and call.cls == PUBLIC_OBJECT
                and said not in answer.body
            ):
                problems.append(
                    "a withdrawn notice's page does not say it was withdrawn"
                )
        if call.listing and answer.status == 200:
            listed = [t for t in world.unlisted if t in answer.body]
            if listed:
                problems.append(f"withdrawn notice listed: {listed}")
        if call.name == "disclosure:report_list" and answer.status == 200:
            drafts = [
                r for r in answer.context["page"].object_list if r.current_version == 0
            ]
            if drafts:
                problems.append(f"unpublished reports listed: {drafts}")
        if (
            call.name == "disclosure:staff_report_list"
            and actor in ("A", "B")
            and answer.status == 200
        ):
            foreign = [
                r
                for r in answer.context["reports"]
                if r.agency_id != world.agencies[actor].pk
            ]
            if foreign:
                problems.append(f"other agencies' reports listed: {foreign}")
        failures += [
            f"{actor} {call.method} {call.url} [{call.name}]: {p}" for p in problems
        ]
    return failures


# =========================================================================================
# the crawl
# =========================================================================================


def snapshot(agency: Agency) -> dict[str, list[dict]]:
    """Every row of one department that an outsider's request could change."""
    tables = {
        "notice": Notice.objects.filter(owner_agency=agency),
        "attachment": Attachment.objects.filter(notice__owner_agency=agency),
        "notice_event": NoticeEvent.objects.filter(notice__owner_agency=agency),
        "request": InfoRequest.objects.filter(agency=agency),
        "request_event": RequestEvent.objects.filter(info_request__agency=agency),
        "request_file": RequestFile.objects.filter(info_request__agency=agency),
        "note": InternalNote.objects.filter(info_request__agency=agency),
        "pii_log": PiiAccessLog.objects.filter(info_request__agency=agency),
        "reply": Reply.objects.filter(info_request__agency=agency),
        "letter": Letter.objects.filter(agency=agency),
        "report": AnnualReport.objects.filter(agency=agency),
        "report_version": AnnualReportVersion.objects.filter(report__agency=agency),
        "report_event": AnnualReportEvent.objects.filter(report__agency=agency),
        "appeal": AppealCase.objects.filter(agency=agency),
        "staff": StaffProfile.objects.filter(agency=agency),
    }
    return {name: list(qs.order_by("pk").values()) for name, qs in tables.items()}


@pytest.fixture
def world():
    with time_machine.travel(CRAWL_AT, tick=False):
        return build_world()


def actor_client(actor: str, world: World) -> Client:
    client = Client(raise_request_exception=False)
    if actor in world.users:
        client.force_login(world.users[actor])
    elif actor == "applicant":
        req = world.obj(world.applicant_case).instance
        response = client.post(
            reverse("requests_app:lookup"),
            {
                "tracking_no": req.tracking_no,
                "query_code": world.query_codes[world.applicant_case],
            },
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("requests_app:case")
    return client


@pytest.mark.parametrize("actor", ACTORS)
def test_nobody_sees_what_is_not_theirs(actor, world):
    untouchable = [
        code for code in ("A", "B") if code != actor and actor != "superuser"
    ]
    before = {code: snapshot(world.agencies[code]) for code in untouchable}
    with time_machine.travel(CRAWL_AT, tick=False):
        client = actor_client(actor, world)
        failures = crawl(actor, client, world)
    after = {code: snapshot(world.agencies[code]) for code in untouchable}
    for code in untouchable:
        for table, rows in before[code].items():
            if after[code][table] != rows:
                failures.append(
                    f"{actor} changed {code}'s {table}: {rows} → {after[code][table]}"
                )
    assert failures == [], f"{len(failures)} problems:\n" + "\n".join(failures[:80])


def test_outsiders_cannot_publish_or_withdraw_through_admin_actions(world):
    """The admin's bulk actions run on the changelist's (scoped) queryset: selecting
    another department's notices by id does nothing."""
    changelist = reverse("admin:catalog_notice_changelist")
    for actor, other in (("A", "B"), ("B", "A")):
        before = snapshot(world.agencies[other])
        client = actor_client(actor, world)
        draft = world.obj(f"{other}.notice.draft").instance
        published = world.obj(f"{other}.notice.published").instance
        with time_machine.travel(CRAWL_AT, tick=False):
            client.post(
                changelist,
                {
                    "action": "publish_selected",
                    "_selected_action": [draft.pk],
                    "index": "0",
                },
            )
            client.post(
                changelist,
                {
                    "action": "withdraw_selected",
                    "_selected_action": [published.pk],
                    "confirm": "1",
                    "reason": "外部撤销尝试",
                    "index": "0",
                },
            )
        assert snapshot(world.agencies[other]) == before
