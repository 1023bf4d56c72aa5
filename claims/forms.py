"""Forms of the claims pages. They parse what was typed; the services check the rules."""

from django import forms

from haimen_insurance.forms import TextField, date_field, yuan_field

from .models import Claim

MAX_SCAN = 10 * 1024 * 1024
# What a scan may be, and the first bytes each kind of file starts with.
SCAN_KINDS = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}


def _text(label: str, max_length: int, **kwargs) -> forms.CharField:
    return TextField(
        label=label,
        max_length=max_length,
        error_messages={
            "required": f"请填写{label}。",
            "max_length": f"{label}最长 {max_length} 个字。",
        },
        **kwargs,
    )


class ClaimForm(forms.Form):
    benefit = forms.ChoiceField(
        label="保险责任",
        choices=Claim.Benefit.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "请选择保险责任。"},
    )
    incident_date = date_field("出险日期")
    incident_place = _text("出险地点", 200)
    description = _text(
        "事故经过",
        2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="出险超过 48 小时才报案的，请一并写明延迟报案的原因。",
    )
    amount_claimed = yuan_field("申请金额（元）", minimum="0.00")
    disability_grade = forms.TypedChoiceField(
        label="伤残等级（意外伤残时填写）",
        choices=[("", "—")] + [(grade, f"{grade} 级") for grade in range(1, 11)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    expenses = yuan_field("医疗费用（元，意外医疗时填写）", minimum="0.00", required=False)
    paid_elsewhere = yuan_field("其他途径已报销（元）", minimum="0.00", required=False)


class DocumentForm(forms.Form):
    item = forms.CharField(widget=forms.HiddenInput)
    received_on = date_field("收到日期")
    file = forms.FileField(
        label="扫描件（可选，PDF / JPG / PNG，10 MB 以内）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        name = upload.name.lower()
        suffix = name[name.rfind(".") :] if "." in name else ""
        if suffix not in SCAN_KINDS:
            raise forms.ValidationError("扫描件只接受 PDF、JPG 或 PNG 文件。")
        if upload.size > MAX_SCAN:
            raise forms.ValidationError("扫描件不能超过 10 MB。")
        head = upload.read(8)
        upload.seek(0)
        if not head.startswith(SCAN_KINDS[suffix]):
            raise forms.ValidationError("文件内容与扩展名不符，请上传真实的 PDF、JPG 或 PNG 文件。")
        return upload


class EscalateForm(forms.Form):
    reason = _text("疑难上报原因", 300)


class ApproveForm(forms.Form):
    amount = yuan_field("核定赔付金额（元）")


class RejectForm(forms.Form):
    code = forms.ChoiceField(
        label="拒赔原因",
        choices=[("", "请选择")] + Claim.Rejection.choices,
        error_messages={"required": "请选择拒赔原因。"},
    )
    text = _text("拒赔说明（告知参保家庭）", 500, widget=forms.Textarea(attrs={"rows": 2}))


class PayForm(forms.Form):
    paid_on = date_field("赔付日期")
    amount = yuan_field("赔付金额（元）")
    account = _text("收款账户（户名、开户行、账号）", 60)
    delivered_on = date_field("送达日期", required=False)
    delivered_by = _text("送达人", 100, required=False)
    received_by_family = _text("家属签收人", 50, required=False)
