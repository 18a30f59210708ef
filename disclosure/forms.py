from __future__ import annotations

from datetime import date

from django import forms

from disclosure import layout
from disclosure.checks import MAX_FEE_DECIMALS
from disclosure.models import AnnualReport, AppealCase

COUNT_ERRORS = {
    "invalid": "请填写整数（不能含小数点或文字）",
    "min_value": "不能为负数",
    "max_value": "数值过大，请核对",
}
FEE_ERRORS = {
    "invalid": "请填写数字，例如 12.5",
    "min_value": "不能为负数",
    "max_decimal_places": f"最多 {MAX_FEE_DECIMALS} 位小数（单位：万元）",
    "max_digits": "数值过大，请核对",
    "max_whole_digits": "数值过大，请核对",
}
YUAN_ERRORS = {**FEE_ERRORS, "max_decimal_places": "最多 2 位小数（单位：元）"}


def _count(label: str, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=10**9,
        error_messages=COUNT_ERRORS,
        help_text=help_text or "留空按 0 计。",
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
    )


class ReportEditForm(forms.Form):
    """Narratives and the manual cells. Blank numbers mean 0 (and are flagged)."""

    licensing_count = _count("行政许可 本年处理决定数量")
    penalty_count = _count("行政处罚 本年处理决定数量")
    coercion_count = _count("行政强制 本年处理决定数量")
    fee_amount = forms.DecimalField(
        label="行政事业性收费 本年收费金额（单位：万元）",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=MAX_FEE_DECIMALS,
        error_messages=FEE_ERRORS,
        help_text="单位：万元，可填小数，最多 4 位小数；留空按 0 计。",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    section_overview = forms.CharField(
        label=layout.SECTIONS[0][1],
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="主动公开、依申请公开、政府信息管理、平台建设、监督保障等情况。",
    )
    section_active = forms.CharField(
        label=layout.SECTIONS[1][1],
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="表二之外需要说明的主动公开情况（可留空）。",
    )
    section_requests = forms.CharField(
        label=layout.SECTIONS[2][1],
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="表三之外需要说明的依申请公开情况（可留空）。",
    )
    section_appeals = forms.CharField(
        label=layout.SECTIONS[3][1],
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="表四之外需要说明的复议、诉讼情况（可留空）。",
    )
    section_problems = forms.CharField(
        label=layout.SECTIONS[4][1],
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    section_other = forms.CharField(
        label=layout.SECTIONS[5][1],
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="信息处理费收取情况、年度政务公开工作要点落实情况等。",
    )
    fee_notice_count = _count("发出收费通知件数", "留空则按本平台的收费通知记录统计。")
    fee_notified_amount = forms.DecimalField(
        label="收费通知总金额（元）",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        error_messages=YUAN_ERRORS,
        help_text="留空则按本平台的收费通知记录统计。",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    fee_collected_amount = forms.DecimalField(
        label="实际收取金额（元）",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        error_messages=YUAN_ERRORS,
        help_text="留空则按本平台的缴费记录统计。",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    MANUAL_CELLS = ("licensing_count", "penalty_count", "coercion_count", "fee_amount")
    SECTION_FIELDS = tuple(f"section_{key}" for key in layout.SECTION_KEYS)
    FEE_FIGURES = ("fee_notice_count", "fee_notified_amount", "fee_collected_amount")

    @classmethod
    def initial_from(cls, report: AnnualReport) -> dict:
        return {name: getattr(report, name) for name in cls.base_fields}

    def group(self, names: tuple[str, ...]) -> list:
        return [self[name] for name in names]

    def manual_fields(self) -> list:
        return self.group(self.MANUAL_CELLS)

    def section_fields(self) -> list:
        return self.group(self.SECTION_FIELDS)

    def fee_fields(self) -> list:
        return self.group(self.FEE_FIGURES)


class OpenReportForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, choices=())

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        years = range(today.year, today.year - 6, -1)
        self.fields["year"].choices = [(y, f"{y}年") for y in years]
        self.fields["year"].initial = today.year - 1
        self.fields["year"].error_messages["invalid_choice"] = "请选择列表中的年度"


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label="退回意见",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "请填写退回意见，说明需要修改的内容"},
    )


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label="审核意见（可选）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class PublishForm(forms.Form):
    correction_note = forms.CharField(
        label="更正说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="发布更正版本时必填：更正了哪些内容、为什么更正。",
    )
    pii_override_reason = forms.CharField(
        label="个人信息放行理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=300,
        help_text="仅当检查发现的个人信息确属依法应当公开时，由审核人填写；记入发布记录。",
    )


class AppealCaseForm(forms.ModelForm):
    tracking_no = forms.CharField(
        label="相关申请编号",
        required=False,
        max_length=40,
        help_text="已知时填写本平台的申请编号，例如 YSQ-2025-000123。",
    )

    class Meta:
        model = AppealCase
        fields = [
            "kind",
            "case_number",
            "filed_year",
            "filed_date",
            "result",
            "decided_date",
            "note",
        ]
        widgets = {
            "filed_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "decided_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "filed_year": {
                "invalid": "请填写 4 位年份",
                "required": "请填写申请/立案年度",
            },
            "filed_date": {"invalid": "日期格式应为 YYYY-MM-DD"},
            "decided_date": {"invalid": "日期格式应为 YYYY-MM-DD"},
        }

    def __init__(self, *args, agency, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.today = today
        self.fields["filed_year"].widget.attrs.update({"min": 2008, "max": today.year})
        if self.instance.pk and self.instance.info_request_id:
            self.fields["tracking_no"].initial = self.instance.info_request.tracking_no

    def clean_filed_year(self) -> int:
        year = self.cleaned_data["filed_year"]
        if year < 2008 or year > self.today.year:
            raise forms.ValidationError(f"年度应在 2008 至 {self.today.year} 之间")
        return year

    def clean(self):
        from disclosure.services import appeal_case_errors

        data = super().clean()
        errors = appeal_case_errors(
            filed_year=data.get("filed_year"),
            filed_date=data.get("filed_date"),
            result=data.get("result") or "",
            decided_date=data.get("decided_date"),
        )
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name, message)
        return data

    def clean_tracking_no(self):
        from requests_app.models import InfoRequest

        number = (self.cleaned_data.get("tracking_no") or "").strip()
        if not number:
            return None
        found = InfoRequest.objects.filter(
            tracking_no=number, agency=self.agency
        ).first()
        if found is None:
            raise forms.ValidationError("本机关没有这个申请编号，请核对")
        return found
