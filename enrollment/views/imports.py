"""Register import in the browser: upload, preview, confirm; the template download."""

import csv
import io
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views import View
from django.views.generic import DetailView, FormView

from haimen_insurance.jobs.models import Job, JobKind
from haimen_insurance.jobs.services import job_checked
from haimen_insurance.models import Area
from haimen_insurance.programmes import programme
from haimen_insurance.xlsx import DATE, TEXT, Column, XlsxWriter

from ..forms.imports import RegisterUploadForm
from ..models import RegisterImport
from ..register_files import (
    CERTIFICATE_DATE,
    CHILD_BIRTH_DATE,
    EXAMPLE_CERTIFICATE_NO,
    HEADERS,
    ID_HEADERS,
    REQUIRED_HEADERS,
    VILLAGE_PAYS,
)
from ..resident_ids import check_character
from ..services.register_import import register_import_confirm, register_import_upload
from ..tasks import start_register_check, start_register_import

PERMISSION = "enrollment.import_register"
TEMPLATE_NAME = "独生子女证登记导入模板"
_WIDTHS = dict.fromkeys(ID_HEADERS, 22) | {"家庭住址": 30, "奖励金发放单位": 18}


class RegisterImportView(PermissionRequiredMixin, FormView):
    """GET: the upload form and the user's recent imports; POST: check the file, keep it, and
    go to its preview."""

    permission_required = PERMISSION
    form_class = RegisterUploadForm
    template_name = "enrollment/import_upload.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["headers"] = HEADERS
        context["required_headers"] = REQUIRED_HEADERS
        context["recent_imports"] = (
            RegisterImport.objects.for_user(self.request.user)
            .select_related("uploaded_by")
            .defer("content", "report")[:10]
        )
        # Large files are checked in the background: the last day's checks, newest first.
        jobs = Job.objects.filter(
            started_by=self.request.user,
            kind=JobKind.REGISTER_CHECK,
            created_at__gte=timezone.now() - timedelta(days=1),
        ).select_related("started_by")[:3]
        context["jobs"] = [job_checked(job) for job in jobs]
        return context

    def form_valid(self, form):
        file = form.cleaned_data["file"]
        if file.size > settings.JOBS_IMMEDIATE_BYTES:
            job, _ = start_register_check(actor=self.request.user, file=file, filename=file.name)
            messages.info(
                self.request, "文件较大，正在后台检查；检查完毕后自动打开预览，也可以先离开本页。"
            )
            return redirect(f"{self.request.path}#job-{job.pk}")
        try:
            upload = register_import_upload(actor=self.request.user, file=file, filename=file.name)
        except ValidationError as error:
            form.add_error("file", error.messages)
            return self.form_invalid(form)
        return redirect(upload)


class RegisterImportPreviewView(PermissionRequiredMixin, DetailView):
    """What the check found: counts, every bad row, notices, a sample of what would change."""

    permission_required = PERMISSION
    template_name = "enrollment/import_preview.html"
    context_object_name = "upload"

    def get_queryset(self):
        return (
            RegisterImport.objects.for_user(self.request.user)
            .select_related("uploaded_by", "applied_by")
            .defer("content")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.object.report or {}
        context["report"] = report
        context["errors_cut"] = report.get("error_count", 0) - len(report.get("errors", []))
        context["notices_cut"] = report.get("notice_count", 0) - len(report.get("notices", []))
        status = self.object.status
        context["can_confirm"] = status == RegisterImport.Status.PENDING
        if status != RegisterImport.Status.DISCARDED:
            # A large file is imported in the background: its job, running, failed or done.
            job = job_checked(
                Job.objects.for_user(self.request.user)
                .filter(kind=JobKind.REGISTER_IMPORT, target=f"register_import:{self.object.pk}")
                .select_related("started_by")
                .first()
            )
            context["job"] = job
            context["can_confirm"] &= job is None or not job.is_active
        # A change of this column shows the birth dates as the reader may see them.
        context["birth_date_label"] = CHILD_BIRTH_DATE
        return context


class RegisterImportConfirmView(PermissionRequiredMixin, View):
    """POST: check the stored file again and import it."""

    permission_required = PERMISSION
    http_method_names = ["post"]

    def post(self, request, pk):
        upload = get_object_or_404(
            RegisterImport.objects.for_user(request.user).defer("content"), pk=pk
        )
        large = upload.row_count > settings.JOBS_IMMEDIATE_ROWS
        if large and upload.status == RegisterImport.Status.PENDING:
            try:
                job, _ = start_register_import(actor=request.user, upload=upload)
            except ValidationError as error:
                messages.error(request, "；".join(error.messages))
                return redirect(upload)
            if job.is_active:
                messages.info(request, "正在后台导入；完成前可以离开本页，稍后回来查看结果。")
            return redirect(upload)
        try:
            result = register_import_confirm(actor=request.user, upload=upload)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, result.message)
        return redirect(upload)


def _example_place(user) -> tuple[str, str, str]:
    """The example row's township, village and the region code of its ID numbers: the first
    village of ``user``'s scope; without one (a township whose villages are not loaded yet)
    the first township of it with the programme's example village; without either, the
    programme's example (``programmes.Programme``)."""
    areas = Area.objects.for_user(user)
    village = areas.villages().select_related("parent").order_by("code").first()
    if village is not None:
        return village.parent.name, village.name, village.code[:6]
    example = programme()
    township = areas.townships().order_by("code").first()
    if township is not None:
        return township.name, example.example_village, township.code[:6]
    return example.example_township, example.example_village, example.region


def _example_row(township_name: str, village_name: str, region: str) -> list:
    """One filled-in row; its certificate number marks it as the example, which reading skips."""

    def resident_id(birth: date, sequence: str) -> str:
        body = f"{region}{birth:%Y%m%d}{sequence}"
        return body + check_character(body)

    values = {
        "证号": EXAMPLE_CERTIFICATE_NO,
        "乡镇": township_name,
        "村（社区）": village_name,
        "父亲姓名": "张建华",
        "父亲身份证号": resident_id(date(1978, 3, 15), "031"),
        "母亲姓名": "李美芳",
        "母亲身份证号": resident_id(date(1980, 9, 2), "042"),
        "子女姓名": "张小明",
        "子女身份证号": resident_id(date(2008, 6, 1), "013"),
        "子女出生日期": date(2008, 6, 1),
        "子女性别": "男",
        "户籍性质": "农业",
        "领证日期": date(2009, 3, 1),
        "奖励金发放单位": VILLAGE_PAYS,
        "联系电话": "13912345678",
        "家庭住址": f"{township_name}{village_name}8组",
    }
    return [values[header] for header in HEADERS]


class RegisterTemplateView(PermissionRequiredMixin, View):
    """The template: the canonical headers and one example row, as .xlsx or (?format=csv) CSV."""

    permission_required = PERMISSION

    def get(self, request):
        row = _example_row(*_example_place(request.user))
        if request.GET.get("format") == "csv":
            return self._csv(row)
        columns = [
            Column(
                header,
                DATE if header in (CHILD_BIRTH_DATE, CERTIFICATE_DATE) else TEXT,
                width=_WIDTHS.get(header),
            )
            for header in HEADERS
        ]
        writer = XlsxWriter().sheet("独生子女证登记", columns)
        writer.row(row)
        return writer.response(f"{TEMPLATE_NAME}.xlsx")

    def _csv(self, row):
        buffer = io.StringIO()
        out = csv.writer(buffer)
        out.writerow(HEADERS)
        out.writerow([value.isoformat() if isinstance(value, date) else value for value in row])
        response = HttpResponse(
            ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{TEMPLATE_NAME}.csv"
        )
        return response


urlpatterns = [
    path("register-import/", RegisterImportView.as_view(), name="register_import"),
    path(
        "register-import/<int:pk>/",
        RegisterImportPreviewView.as_view(),
        name="register_import_preview",
    ),
    path(
        "register-import/<int:pk>/confirm/",
        RegisterImportConfirmView.as_view(),
        name="register_import_confirm",
    ),
    path("register-template/", RegisterTemplateView.as_view(), name="register_template"),
]
