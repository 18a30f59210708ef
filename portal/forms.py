"""Forms of the portal app. They parse input; the rules live in portal.validators."""

from __future__ import annotations

from django import forms

from portal.validators import agency_profile_errors, parse_leader_lines


class AgencyProfileForm(forms.Form):
    """机构信息 (条例 第二十条第（二）项), edited by the agency's administrator."""

    functions = forms.CharField(
        label="机构职能", widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    internal_units = forms.CharField(
        label="内设机构",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="每行一个内设机构，可写“名称：职责”。",
    )
    leaders = forms.CharField(
        label="负责人",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="每行一人：姓名｜职务｜分工（分工可省略），按显示顺序填写。",
    )
    address = forms.CharField(label="办公地址", required=False)
    office_hours = forms.CharField(label="办公时间", required=False)
    phone = forms.CharField(label="联系电话", required=False)
    fax = forms.CharField(label="传真", required=False)
    postcode = forms.CharField(label="邮政编码", required=False)
    email = forms.CharField(label="电子邮箱", required=False)
    note = forms.CharField(
        label="变更说明",
        required=False,
        max_length=200,
        help_text="选填，例如：机构改革后职能调整。记入变更记录。",
    )

    def clean(self):
        data = super().clean()
        leaders, line_errors = parse_leader_lines(data.get("leaders", ""))
        for message in line_errors:
            self.add_error("leaders", message)
        if line_errors:
            return data
        data["leader_list"] = leaders
        for field, messages in agency_profile_errors(
            {**data, "leaders": leaders}
        ).items():
            for message in messages:
                self.add_error(field, message)
        return data
