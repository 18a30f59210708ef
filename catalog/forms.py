"""The notice form: one set of fields and checks for the admin (``NoticeAdminForm``)
and the staff editor (``StaffNoticeForm``, /staff/xinxi/).

The checks are the services' own (``catalog.publishing.check_publishers``,
``portal.validators.normalise_doc_number``, ``catalog.services.normalise_keywords``,
``catalog.guard``), run here first so that each problem is an error on its field and
nothing typed is lost; the services check again when saving.

Personal data (``catalog.guard``): on a public notice the form refuses what the public
would see holding findings not overridden before. An approver (审核人) overrides the
findings shown with a reason: the refusal writes their fingerprints into the hidden
``pii_shown`` field, and the override covers exactly those (issue 10 §1).
"""

from __future__ import annotations

import re
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from catalog import guard, publishing, revisions
from catalog.attachments import inspect_upload
from catalog.models import Attachment, Notice, Theme
from catalog.sanitize import body_for_public, body_for_staff, clean_body
from catalog.services import normalise_keywords
from portal.models import Agency
from portal.pii import LocatedFinding
from portal.roles import APPROVER, has_role, staff_agency
from portal.validators import normalise_doc_number

NOTICE_FORM_FIELDS = (
    "title",
    "owner_agency",
    "doc_number",
    "written_date",
    "theme",
    "genre",
    "column",
    "validity",
    "valid_from",
    "valid_until",
    "disclosure_mode",
    "audience",
    "department",
    "keywords",
    "summary",
    "body",
)


def may_override_personal_data(user) -> bool:
    return user is not None and has_role(user, APPROVER)


def shown_fingerprints(data) -> list[str]:
    return [p for p in (data.get("pii_shown") or "").split(",") if p]


def record_shown(target, findings: list[LocatedFinding]) -> None:
    """Add the fingerprints of ``findings`` to ``target["pii_shown"]`` (a POST or a
    form's data): what the approver has now been shown."""
    mutable = getattr(target, "_mutable", True)
    if hasattr(target, "_mutable"):
        target._mutable = True
    target["pii_shown"] = ",".join(
        dict.fromkeys([*shown_fingerprints(target), *(f.fingerprint for f in findings)])
    )
    if hasattr(target, "_mutable"):
        target._mutable = mutable


def refuse_unless_overridden(form, findings: list[LocatedFinding], *, action: str):
    """Form errors for ``findings`` unless an approver ticked the override with a reason
    after these very findings were displayed to them.

    ``form`` is the notice form or an admin attachment row; both read the override
    fields of the notice form from the same POST. A refusal records the fingerprints it
    displays in that POST's ``pii_shown`` (the notice form's hidden field re-renders
    them), so the next submission can override exactly what was shown and nothing else."""
    user = form.request_user
    ticked = form.data.get("pii_override") in ("on", "true", "1")
    reason = (form.data.get("pii_override_reason") or "").strip()
    shown = shown_fingerprints(form.data)
    prints = [f.fingerprint for f in findings]
    if (
        ticked
        and reason
        and may_override_personal_data(user)
        and set(prints) <= set(shown)
    ):
        return
    # written into the request's POST, which is the notice form's data (its hidden
    # pii_shown field re-renders it); the attachment rows only hold a copy
    post = getattr(form, "request_post", None)
    record_shown(post if post is not None else form.data, findings)
    form.add_error(None, personal_data_message(findings, user, ticked, action=action))
    form.pii_findings = [*getattr(form, "pii_findings", []), *findings]


def personal_data_message(
    findings: list[LocatedFinding], user, ticked: bool, *, action: str
) -> str:
    message = guard.findings_message(findings, action=action)
    if may_override_personal_data(user):
        message += "如需放行，请在“个人信息放行”一栏勾选并填写理由。"
    elif ticked:
        message += "只有审核人可以放行个人信息。"
    return message


SECURITY_REVIEW_LABEL = "我已对修改后的内容进行保密审查（条例第十七条）"


def second_review_required(notice: Notice) -> bool:
    return publishing.second_security_review_required(notice.owner_agency)


class NoticeFormBase(forms.ModelForm):
    """Every statutory field of a notice and the checks shared by the admin and the
    staff editor. Set ``request_user`` and ``request_post`` on the class or instance."""

    publisher_agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        label="发文机关",
        help_text="联合发文时选择多个机关；不选则为主办机关。主办机关排在第一位。",
    )
    interpretation_notices = forms.ModelMultipleChoiceField(
        queryset=Notice.objects.none(),
        required=False,
        label="相关解读",
        help_text="本文件的政策解读（体裁为“解读”的已发布信息），在两个页面上互相显示。",
    )
    keywords = forms.CharField(
        label="关键词",
        required=False,
        max_length=500,
        help_text="多个关键词用逗号、顿号或空格分隔",
    )
    pii_override = forms.BooleanField(
        label="放行个人信息",
        required=False,
        help_text="我已逐条核对检查发现的个人信息，确属依法应当公开（仅审核人可用）。",
    )
    # the fingerprints of the findings this form has displayed (set when it refuses):
    # an override covers exactly those (issue 10 §1)
    pii_shown = forms.CharField(required=False, widget=forms.HiddenInput)
    pii_override_reason = forms.CharField(
        label="放行理由",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="例如：行政处罚决定书依法公开当事人姓名。记入变更记录。",
    )
    security_review_confirmed = forms.BooleanField(
        label=SECURITY_REVIEW_LABEL,
        required=False,
        help_text="该信息已经发布，修改后的标题、正文、发文字号、关键词、发文机关或附件"
        "保存后立即公开；只改分类、有效性等属性无需勾选。",
    )
    request_user = None
    request_post = None  # the request's POST (see refuse_unless_overridden)

    class Meta:
        model = Notice
        fields = NOTICE_FORM_FIELDS
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 16}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pii_findings: list[LocatedFinding] = []
        current_publishers: list[int] = []
        self.current_interpretations: list[int] = []
        if self.instance.pk:
            current_publishers = [
                link.agency_id for link in self.instance.publisher_links.all()
            ]
            self.current_interpretations = [
                n.pk for n in self.instance.interpretations.all()
            ]
            self.initial.setdefault("publisher_agencies", current_publishers)
            self.initial.setdefault(
                "interpretation_notices", self.current_interpretations
            )
        self.fields["interpretation_notices"].queryset = self.interpretation_choices()
        self.fields["publisher_agencies"].queryset = Agency.objects.filter(
            Q(is_active=True) | Q(pk__in=current_publishers)
        )
        self.initial["keywords"] = "，".join(self.instance.keywords or [])
        if "theme" in self.fields:
            self.fields["theme"].queryset = Theme.objects.select_related(
                "parent"
            ).order_by("parent__sort_order", "parent_id", "sort_order")

    def interpretation_choices(self):
        """Published 解读, and whatever is linked already (even another 体裁)."""
        return (
            Notice.objects.filter(
                Q(
                    status__in=[Notice.Status.PUBLISHED, Notice.Status.WITHDRAWN],
                    genre__name="解读",
                )
                | Q(pk__in=self.current_interpretations)
            )
            .exclude(pk=self.instance.pk)
            .order_by("-published_at", "-id")
        )

    def lead_agency(self) -> Agency | None:
        if self.instance.pk:
            return self.instance.owner_agency
        if self.request_user is not None and self.request_user.is_superuser:
            return getattr(self, "cleaned_data", {}).get("owner_agency")
        return staff_agency(self.request_user)

    def ordered_publishers(self) -> list[Agency]:
        """The lead (主办机关) first, then the other chosen 发文机关."""
        owner = self.lead_agency()
        chosen = list(self.cleaned_data.get("publisher_agencies") or [])
        return [owner, *(a for a in chosen if a != owner)] if owner else chosen

    def check_publishers(self, cleaned: dict) -> None:
        """The 发文机关 rule (catalog.publishing) as a form error on its field."""
        owner = self.lead_agency()
        chosen = list(cleaned.get("publisher_agencies") or [])
        if owner is None:
            return
        if chosen and owner not in chosen and self.publishers_must_include_lead:
            self.add_error(
                "publisher_agencies",
                f"发文机关必须包含主办机关“{owner}”，且由其牵头（排在第一位）；"
                "不能只以其他机关的名义发文",
            )
            return
        try:
            publishing.check_publishers(
                user=self.request_user,
                owner_agency=owner,
                publishers=self.ordered_publishers(),
            )
        except ValidationError as exc:
            for message in exc.messages:
                self.add_error("publisher_agencies", message)

    # the admin picks all 发文机关 (the lead among them); the staff editor only the others
    publishers_must_include_lead = True

    def clean_doc_number(self) -> str:
        # normalised here so a malformed 发文字号 is an error on its own field
        return normalise_doc_number(self.cleaned_data.get("doc_number", ""))

    def clean_keywords(self) -> list[str]:
        words = normalise_keywords(self.cleaned_data.get("keywords", ""))
        if any(len(w) > 50 for w in words):
            raise ValidationError("每个关键词最多 50 个字符")
        return words

    def shown_fingerprints(self) -> list[str]:
        return shown_fingerprints(self.data)

    def override_reason(self) -> str:
        """The approver's reason when the override box is ticked, else ''."""
        data = getattr(self, "cleaned_data", {})
        if not data.get("pii_override"):
            return ""
        return (data.get("pii_override_reason") or "").strip()

    def reviewed_changes(self, cleaned: dict) -> list[str]:
        """The labels of the content that this save would change on a published notice
        and that needs a new 保密审查 (catalog.revisions.REVIEWED_FIELDS)."""
        notice = self.instance
        new = {
            "title": (cleaned.get("title") or "").strip(),
            "doc_number": cleaned.get("doc_number", notice.doc_number),
            "keywords": cleaned.get("keywords", notice.keywords),
            "summary": (cleaned.get("summary") or "").strip(),
            "body": clean_body(cleaned.get("body") or ""),
        }
        out = [
            revisions.LABELS[name]
            for name, value in new.items()
            if value != getattr(notice, name)
        ]
        if "publisher_agencies" in cleaned:
            current = [link.agency_id for link in notice.publisher_links.all()]
            if [a.pk for a in self.ordered_publishers()] != current:
                out.append(revisions.LABELS["publishers"])
        if cleaned.get("uploads") or cleaned.get("remove_attachments"):
            out.append(revisions.LABELS.get("attachments", "附件"))
        return out

    def check_security_review(self, cleaned: dict) -> None:
        """条例 第十七条: content changes of a published notice need the reviewer's tick
        (a second-person agency's change waits for the second person instead)."""
        notice = self.instance
        if notice.pk is None or notice.status != Notice.Status.PUBLISHED:
            return
        if second_review_required(notice) or cleaned.get("security_review_confirmed"):
            return
        changed = self.reviewed_changes(cleaned)
        if changed:
            self.add_error(
                "security_review_confirmed"
                if "security_review_confirmed" in self.fields
                else None,
                f"本次修改了{'、'.join(changed)}，保存后将直接公开：请先对修改后的内容"
                f"进行保密审查，再勾选“{SECURITY_REVIEW_LABEL}”。",
            )

    def clean(self):
        cleaned = super().clean()
        self.check_publishers(cleaned)
        self.check_security_review(cleaned)
        notice = self.instance
        if notice.pk is None or notice.status == Notice.Status.DRAFT:
            return cleaned  # a draft is checked when it is published
        # the guard on what the public would see after this save (the service checks again)
        fields = {
            name: cleaned.get(name, getattr(notice, name))
            for name, _, _ in guard.PUBLIC_FIELDS
        }
        fields["body"] = clean_body(fields["body"] or "")
        agencies = [notice.owner_agency, *(cleaned.get("publisher_agencies") or [])]
        findings = guard.scan_texts(
            fields=fields,
            attachments=notice.attachments.values_list("name", "text"),
            names=guard.known_names(notice),
            allowed=guard.agency_allowed(agencies),
        )
        done = guard.overridden_fingerprints(notice)
        findings = [f for f in findings if f.fingerprint not in done]
        if findings:
            refuse_unless_overridden(self, findings, action="保存")
        return cleaned


class WithdrawForm(forms.Form):
    category = forms.ChoiceField(
        label="撤回原因类别",
        choices=[("", "——请选择——"), *Notice.WithdrawalCategory.choices],
        help_text="公开页面只显示“该信息已撤回”和这一类别；正文、附件等不再向公众提供。",
        error_messages={"required": "请选择撤回原因类别"},
    )
    reason = forms.CharField(
        label="内部说明",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="仅本机关工作人员可见，不公开。",
    )

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()


# --- the staff editor ---------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


DOC_NUMBER_PARTS = re.compile(r"^(?P<prefix>.+)〔(?P<year>\d{4})〕(?P<seq>\d+)号$")


def doc_number_suggestions(agency: Agency | None, year: int) -> list[str]:
    """发文字号 to offer: for each 机关代字 the agency used lately, the next number of
    ``year`` (代字〔年份〕序号号). Read from the agency's own notices, newest first."""
    if agency is None:
        return []
    recent = (
        Notice.objects.filter(owner_agency=agency)
        .exclude(doc_number="")
        .order_by("-created_at", "-id")
        .values_list("doc_number", flat=True)[:200]
    )
    last: dict[str, int] = {}
    for number in recent:
        m = DOC_NUMBER_PARTS.match(number)
        if not m:
            continue
        prefix = m["prefix"]
        last.setdefault(prefix, 0)
        if int(m["year"]) == year:
            last[prefix] = max(last[prefix], int(m["seq"]))
    return [f"{prefix}〔{year}〕{seq + 1}号" for prefix, seq in list(last.items())[:5]]


def grouped_theme_choices(themes) -> list:
    """主题分类 as <optgroup> per top-level theme (its children inside); a top-level
    theme with children is offered as the group's first option."""
    top = [t for t in themes if t.parent_id is None]
    children: dict[int, list[Theme]] = {}
    for t in themes:
        if t.parent_id is not None:
            children.setdefault(t.parent_id, []).append(t)
    out: list = [("", "——请选择——")]
    for parent in top:
        kids = children.get(parent.pk)
        if not kids:
            out.append((parent.pk, parent.name))
            continue
        group = [(parent.pk, f"{parent.name}（不细分）")]
        group += [(kid.pk, kid.name) for kid in kids]
        out.append((parent.name, group))
    return out


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "日期格式不正确，请按 2026-03-05 的格式填写"}


class StaffNoticeForm(NoticeFormBase):
    """The staff editor: the lead 发文机关 is the user's agency (superusers choose it
    for a new notice), co-publishers are the other active agencies; 解读 are the
    agency's own notices; attachments upload with the form (checked here, stored by
    ``attachment_add``); a published notice's change needs the 保密审查 confirmation."""

    publishers_must_include_lead = False

    uploads = MultipleFileField(
        label="上传附件",
        required=False,
        help_text="可一次选择多个文件。PDF、Word、Excel、OFD、JPG、PNG 或 TXT；"
        "按文件内容检查类型，并提取文字供检索。",
    )
    remove_attachments = forms.ModelMultipleChoiceField(
        label="删除附件",
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scheduled_at = forms.DateTimeField(
        label="定时发布时间",
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="到时自动发布（按北京时间，精确到分钟）；点“定时发布”按钮生效。",
        error_messages={"invalid": "时间格式不正确，请按 2026-03-05 09:00 的格式填写"},
    )

    class Meta(NoticeFormBase.Meta):
        widgets = {
            **NoticeFormBase.Meta.widgets,
            "body": forms.Textarea(attrs={"rows": 16, "class": "rich-text"}),
            "written_date": DATE_INPUT,
            "valid_from": DATE_INPUT,
            "valid_until": DATE_INPUT,
        }
        error_messages = {
            "title": {"required": "请填写标题"},
            "written_date": DATE_ERRORS,
            "valid_from": DATE_ERRORS,
            "valid_until": DATE_ERRORS,
        }

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.request_user
        notice = self.instance
        if notice.pk or not (user is not None and user.is_superuser):
            del self.fields["owner_agency"]
        else:
            self.fields["owner_agency"].queryset = Agency.objects.filter(is_active=True)
            self.fields["owner_agency"].label = "主办机关（牵头发文机关）"
        lead = self.instance.owner_agency if notice.pk else staff_agency(user)
        publishers = self.fields["publisher_agencies"]
        publishers.label = "联合发文机关"
        publishers.help_text = (
            "联合发文时勾选其他发文机关；本机关为牵头发文机关，排在第一位。"
        )
        publishers.widget = forms.CheckboxSelectMultiple(
            attrs={"class": "scroll-choices"}
        )
        if lead is not None:
            publishers.queryset = publishers.queryset.exclude(pk=lead.pk)
        interpretations = self.fields["interpretation_notices"]
        interpretations.widget = forms.CheckboxSelectMultiple(
            attrs={"class": "scroll-choices"}
        )
        interpretations.help_text = (
            "本机关发布的解读（体裁为“解读”），在两个页面上互相显示。"
        )
        themes = list(self.fields["theme"].queryset)
        self.fields["theme"].choices = grouped_theme_choices(themes)
        self.fields["theme"].label = "主题分类"
        self.fields["genre"].empty_label = "——请选择——"
        self.fields["column"].empty_label = "——请选择——"
        if notice.pk:
            self.fields["remove_attachments"].queryset = notice.attachments.all()
        else:
            del self.fields["remove_attachments"]
        if notice.status != Notice.Status.PUBLISHED or second_review_required(notice):
            # a second-person agency's change waits for the second person instead
            del self.fields["security_review_confirmed"]
        if notice.pk is None or notice.status == Notice.Status.DRAFT:
            if notice.scheduled_at:
                self.initial.setdefault(
                    "scheduled_at", timezone.localtime(notice.scheduled_at)
                )
        else:
            del self.fields["scheduled_at"]
        year = (today or timezone.localdate()).year
        self.doc_number_suggestions = doc_number_suggestions(lead, year)
        self.fields["doc_number"].widget.attrs["list"] = "doc-number-suggestions"
        self.fields[
            "doc_number"
        ].help_text = "格式：机关代字〔年份〕序号号，例如 株天政发〔2026〕3号；可从下方建议中选择。"
        if notice.pk:
            # the draft's images show in the editor through the staff attachment URL
            self.initial["body"] = body_for_staff(
                notice.body, uuid=notice.uuid, pk=notice.pk
            )
        self.inspected = []

    def clean_body(self) -> str:
        """Back to the public attachment URLs the saved body holds (the services then
        sanitise it: an image from anywhere else is dropped)."""
        notice = self.instance
        return body_for_public(
            self.cleaned_data.get("body") or "", uuid=notice.uuid, pk=notice.pk
        )

    def interpretation_choices(self):
        """The agency's own published 解读 (and whatever is linked already)."""
        own = Notice.objects.editable_by(self.request_user)
        return (
            Notice.objects.filter(
                Q(
                    pk__in=own.filter(
                        status=Notice.Status.PUBLISHED, genre__name="解读"
                    ).values("pk")
                )
                | Q(pk__in=self.current_interpretations)
            )
            .exclude(pk=self.instance.pk)
            .order_by("-published_at", "-id")
        )

    def clean_uploads(self):
        files = self.cleaned_data.get("uploads") or []
        inspected, errors = [], []
        for upload in files:
            try:
                inspected.append(inspect_upload(upload))
            except ValidationError as exc:
                messages = (
                    exc.message_dict.get("file") if hasattr(exc, "error_dict") else None
                )
                for message in messages or exc.messages:
                    errors.append(f"“{upload.name}”未能上传：{message}")
        if errors:
            raise ValidationError(errors)
        self.inspected = inspected
        return files

    def clean_scheduled_at(self) -> datetime | None:
        value = self.cleaned_data.get("scheduled_at")
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value

    def wants_pii_section(self) -> bool:
        return may_override_personal_data(self.request_user)
