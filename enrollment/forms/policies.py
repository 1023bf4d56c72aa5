"""Forms of the last two steps: the finance office's transfer and the insurer's policy-number file.
The services check the rules; these forms only parse what was typed."""

from django import forms

from haimen_insurance.forms import TextField, date_field, yuan_field

MAX_NUMBERS_FILE = 20 * 1024 * 1024
NUMBERS_FILE_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")


def _text_field(label: str, max_length: int, **kwargs) -> forms.CharField:
    return TextField(
        label=label,
        max_length=max_length,
        error_messages={
            "required": f"请填写{label}。",
            "max_length": f"{label}最长 {max_length} 个字。",
        },
        **kwargs,
    )


class TransferForm(forms.Form):
    transfer_date = date_field("划拨日期")
    voucher_no = _text_field("凭证号", 40)
    amount = yuan_field("划拨金额（元）", max_digits=14, help_text="须与应划拨保费一分不差。")
    payer_name = _text_field("付款单位", 100)
    payer_account = _text_field("付款账号", 40)
    payer_bank = _text_field("付款开户行", 100)
    payee_name = _text_field("收款单位（保险公司）", 100)
    payee_account = _text_field("收款账号", 40)
    payee_bank = _text_field("收款开户行", 100)

    GROUPS = (
        ("划拨", ("transfer_date", "voucher_no", "amount")),
        ("付款方", ("payer_name", "payer_account", "payer_bank")),
        ("收款方（承保公司）", ("payee_name", "payee_account", "payee_bank")),
    )

    def groups(self):
        """(legend, bound fields) for each fieldset of the page."""
        return [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]


class PolicyNumbersForm(forms.Form):
    file = forms.FileField(
        label="保单号文件（.xlsx、.xls、.ods 或 .csv）",
        error_messages={"required": "请选择保单号文件。", "empty": "文件是空的。"},
        help_text="可直接在下载的保单清单中填写「保单号」列后上传；须有「证号」「险种」「保单号」三列。",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(NUMBERS_FILE_SUFFIXES)}),
    )
    confirm = forms.BooleanField(
        label="我已核对：按此文件出具保单，出具后不能修改",
        error_messages={"required": "请勾选确认后再出具。"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith(NUMBERS_FILE_SUFFIXES):
            raise forms.ValidationError("只接受 .xlsx、.xls、.ods 或 .csv 文件。")
        if upload.size > MAX_NUMBERS_FILE:
            raise forms.ValidationError("文件超过 20 MB，请分乡镇上传。")
        return upload
