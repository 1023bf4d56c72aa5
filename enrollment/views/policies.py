"""The township report's last two steps and what follows from them: the finance office records
the premium transfer and prints the voucher; the insurer downloads the policy list and issues
policies; everyone in scope searches policies and prints a family's 参保凭证."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from haimen_insurance.audit import audit_download
from haimen_insurance.money import format_yuan, to_capital_yuan
from haimen_insurance.pdf import pdf_response
from haimen_insurance.programmes import programme

from .. import access
from ..exports import employer_dues_workbook, policy_list_workbook
from ..filters import PolicyFilter
from ..forms.policies import PolicyNumbersForm, TransferForm
from ..models import PAYER_OFFICE, FundTransfer, PayerOffice, Policy, TownshipReport
from ..pdf import household_certificate_pdf, transfer_voucher_pdf
from ..policy_numbers import read_policy_numbers
from ..selectors.policies import household_policies, policy_list_rows, report_policy_rows
from ..selectors.reports import report_breakdown
from ..selectors.shares import report_shares
from ..services import policies as services
from ..tables import PolicyTable
from ..tasks import start_report_policy_list


class _ReportStep(PermissionRequiredMixin):
    """A page about one township report in the user's scope."""

    @cached_property
    def report(self) -> TownshipReport:
        reports = TownshipReport.objects.for_user(self.request.user).select_related(
            "campaign", "township__parent"
        )
        return get_object_or_404(reports, pk=self.kwargs["pk"])


class TransferRecordView(_ReportStep, FormView):
    """A finance office records its transfer of the report's shares it owes (the township's
    finance office, a county's or the city's: the user's own); an amount off by a fen is
    refused, and an office that owes nothing is told so."""

    permission_required = "enrollment.record_transfer"
    template_name = "enrollment/transfer_form.html"
    form_class = TransferForm

    @cached_property
    def office(self) -> PayerOffice:
        return PayerOffice(access.transfer_office(self.request.user) or PayerOffice.TOWNSHIP)

    @cached_property
    def shares(self):
        return report_shares(self.report)

    def get(self, request, *args, **kwargs):
        if not self.report.allows("fund"):
            messages.info(request, f"汇总表{self.report.get_status_display()}，无需登记划拨。")
            return redirect(self.report)
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        covering = services.report_insurer(self.report)
        return {
            "transfer_date": timezone.localdate(),
            "payer_name": office_payer_name(self.report, self.office, self.request.user),
            "payee_name": covering.insurer.name if covering else "",
        }

    def get_context_data(self, **kwargs):
        due = self.shares.office_due(self.office)
        return super().get_context_data(
            report=self.report,
            office=self.office,
            due=due,
            capital=to_capital_yuan(due),
            office_shares=[
                (label, amount)
                for payer, label, amount in self.shares.payer_amounts
                if PAYER_OFFICE[payer] == self.office
            ],
            recorded=self.shares.transferred.get(self.office),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            transfer = services.transfer_record(
                actor=self.request.user, report=self.report, payer=self.office, **form.cleaned_data
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        self.report.refresh_from_db(fields=["status"])
        messages.success(
            self.request,
            f"已登记划拨：凭证号 {transfer.voucher_no}，金额 {format_yuan(transfer.amount)} 元"
            f"（人民币{to_capital_yuan(transfer.amount)}）。汇总表状态："
            f"{self.report.get_status_display()}。",
        )
        return redirect(self.report)


def office_payer_name(report, office: str, user) -> str:
    """Who pays, as the form suggests it: 「某镇财政所」, 「某县财政局」, 「某市财政局」."""
    if office == PayerOffice.TOWNSHIP:
        return f"{report.township.name}财政所"
    if office == PayerOffice.COUNTY and user.area_id is not None:
        return f"{user.area.name}财政局"
    return f"{programme().city}财政局"


class TransferVoucherPdfView(PermissionRequiredMixin, View):
    """The voucher of one office's transfer (the township finance office's unless the address
    names another office)."""

    permission_required = "enrollment.view_fundtransfer"

    def get(self, request, pk, payer=PayerOffice.TOWNSHIP):
        if payer not in PayerOffice.values:
            raise Http404("没有这张划拨单。")
        transfers = FundTransfer.objects.for_user(request.user).select_related(
            "report__campaign", "report__township__parent"
        )
        transfer = get_object_or_404(transfers, report=pk, payer=payer)
        breakdown = report_breakdown(report=transfer.report, user=request.user)
        name = f"资金划拨单_{transfer.report.township.name}_{transfer.voucher_no}.pdf"
        return pdf_response(
            transfer_voucher_pdf(
                transfer=transfer, breakdown=breakdown, shares=report_shares(transfer.report)
            ),
            quote(name),
        )


class EmployerDuesXlsxView(_ReportStep, View):
    """What each employer unit owes, for the finance office to collect."""

    permission_required = "enrollment.view_townshipreport"

    def get(self, request, pk):
        breakdown = report_breakdown(report=self.report, user=request.user)
        name = f"{self.report.campaign.year}年度企事业单位应缴_{self.report.township.name}.xlsx"
        return employer_dues_workbook(self.report, breakdown).response(name)


class PolicyListXlsxView(_ReportStep, View):
    """The insurer's policy list of a funded report (with the numbers once issued)."""

    permission_required = "enrollment.issue_policy"

    def get(self, request, pk):
        report = self.report
        if not report.policy_list_ready:
            messages.error(request, "保费划拨到账后才能下载保单清单。")
            return redirect(report)
        if (report.policies or 0) > settings.JOBS_IMMEDIATE_ROWS:
            job, _ = start_report_policy_list(actor=request.user, report=report)
            messages.info(request, "保单较多，正在后台生成保单清单；完成后在「后台任务」中下载。")
            return redirect(job)
        rows = policy_list_rows(campaign_id=report.campaign_id, report=report)
        name = f"{report.campaign.year}年度保单清单_{report.township.name}.xlsx"
        writer = policy_list_workbook(rows, title="保单清单")
        response = writer.response(name)
        audit_download(
            actor=request.user,
            export="保单清单（Excel）",
            obj=report,
            rows=writer.rows_written,
            area=report.township,
        )
        return response


class PolicyIssueView(_ReportStep, TemplateView):
    """Issue the report's policies: numbered by the system (POST here) or from the insurer's own
    numbers (``PolicyNumbersUploadView``)."""

    permission_required = "enrollment.issue_policy"
    template_name = "enrollment/policy_issue.html"

    def get_context_data(self, **kwargs):
        report = self.report
        covering = services.report_insurer(report)
        example = ""
        if covering is not None:
            example = services.system_policy_number(
                insurer_code=covering.insurer.code,
                year=report.campaign.year,
                township_code=report.township.code,
                sequence=1,
                in_county=report.township.county is not None,
            )
        return super().get_context_data(
            report=report,
            insurer=covering.insurer if covering else None,
            example_number=example,
            issued=report.issued_policies.count(),
            form=kwargs.pop("form", None) or PolicyNumbersForm(),
            **kwargs,
        )

    def post(self, request, pk):
        return _issue(request, self.report, numbers=None)


def _issue(request, report, *, numbers):
    try:
        count = services.policies_issue(actor=request.user, report=report, numbers=numbers)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("enrollment:policy_issue", report.pk)
    if count == 0:
        messages.info(request, "本乡镇的保单已经出具，未重复出具。")
    else:
        messages.success(
            request,
            f"已出具{report.township.name}{report.campaign}保单 {count} 份"
            f"（{'系统编号' if numbers is None else '按导入的保单号'}），"
            f"保险期间 {report.campaign.coverage_start:%Y-%m-%d} 至 "
            f"{report.campaign.coverage_end:%Y-%m-%d}。",
        )
    return redirect(report)


class PolicyNumbersUploadView(PolicyIssueView):
    """Issue with the insurer's own numbers: every bad row listed, nothing issued until clean."""

    http_method_names = ["post"]

    def post(self, request, pk):
        report = self.report
        form = PolicyNumbersForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        content, keys = upload.read(), {row.key for row in report_policy_rows(report)}
        result = read_policy_numbers(content, filename=upload.name, expected=keys, taken=set())
        taken = set(
            Policy.objects.filter(number__in=list(result.numbers.values())).values_list(
                "number", flat=True
            )
        )
        if taken:  # read again so that each number in use is listed at its row
            result = read_policy_numbers(content, filename=upload.name, expected=keys, taken=taken)
        if result.errors:
            return self.render_to_response(
                self.get_context_data(form=form, file_errors=result.errors, filename=upload.name)
            )
        return _issue(request, report, numbers=result.numbers)


class PolicyListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    """Policy search, scoped: a village's, a township's, an insurer's or the whole city's."""

    permission_required = "enrollment.view_policy"
    template_name = "enrollment/policy_list.html"
    table_class = PolicyTable
    filterset_class = PolicyFilter
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return (
            Policy.objects.for_user(self.request.user)
            .select_related("product", "village", "household", "insurer", "entry_product")
            .prefetch_related("entry_product__persons")
            .order_by("number")
        )

    def get_table_kwargs(self):
        return {"full_ids": self.request.user.sees_full_ids}


class PolicyCertificateView(PermissionRequiredMixin, View):
    """The family's 参保凭证: every policy of the household in that campaign."""

    permission_required = "enrollment.view_policy"

    def get(self, request, pk):
        policy = get_object_or_404(Policy.objects.for_user(request.user), pk=pk)
        policies = list(household_policies(policy, request.user))
        content = household_certificate_pdf(policies=policies, full_ids=request.user.sees_full_ids)
        certificate_no = policies[0].entry_product.entry.certificate_no
        if request.user.sees_full_ids:
            audit_download(
                actor=request.user,
                export="参保凭证（PDF）",
                obj=policy,
                rows=len(policies),
                area=policy.village,
            )
        return pdf_response(content, quote(f"参保凭证_{certificate_no}.pdf"))


urlpatterns = [
    path("reports/<int:pk>/transfer/", TransferRecordView.as_view(), name="transfer_record"),
    path("reports/<int:pk>/voucher.pdf", TransferVoucherPdfView.as_view(), name="transfer_voucher"),
    path(
        "reports/<int:pk>/voucher/<slug:payer>.pdf",
        TransferVoucherPdfView.as_view(),
        name="transfer_voucher_of",
    ),
    path("reports/<int:pk>/employers.xlsx", EmployerDuesXlsxView.as_view(), name="employer_dues"),
    path("reports/<int:pk>/policies.xlsx", PolicyListXlsxView.as_view(), name="policy_list_xlsx"),
    path("reports/<int:pk>/issue/", PolicyIssueView.as_view(), name="policy_issue"),
    path(
        "reports/<int:pk>/issue/upload/",
        PolicyNumbersUploadView.as_view(),
        name="policy_numbers_upload",
    ),
    path("policies/", PolicyListView.as_view(), name="policy_list"),
    path(
        "policies/<int:pk>/certificate.pdf",
        PolicyCertificateView.as_view(),
        name="policy_certificate",
    ),
]
