"""The register file upload: .xlsx, .xls, .ods or .csv, at most 20 MB."""

from pathlib import Path

from django import forms

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ALLOWED_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")


class RegisterUploadForm(forms.Form):
    file = forms.FileField(
        label="登记文件",
        help_text=(
            "Excel（.xlsx 或旧版 .xls）、WPS / LibreOffice（.ods）或 CSV 文件，不超过 20 MB。"
            "请使用下方的模板，第一行为列名。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_SUFFIXES)}),
        error_messages={
            "required": "请选择要上传的登记文件。",
            "empty": "上传的文件是空的。",
            "invalid": "没有收到文件，请重新选择。",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            raise forms.ValidationError("只能上传 .xlsx、.xls、.ods 或 .csv 文件。")
        if upload.size > MAX_UPLOAD_BYTES:
            size = upload.size / 1024 / 1024
            raise forms.ValidationError(f"文件太大（{size:.1f} MB），不能超过 20 MB。")
        return upload
