"""The county report (县级汇总上报): a county's page of one campaign (its townships with their
reports, and the county report once drafted), drafting it, the confirmation page before
reporting it to the city (irreversible), and its PDF (to print, sign and stamp) and workbook.

Read by the county's officer and finance office and by the city roles; made and reported by the
county's officer alone. Another county answers 404 (``Area.objects.for_user``,
``CountyReport.objects.for_user``), every other role 403 (the permissions).
"""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from haimen_insurance.models import Area
from haimen_insurance.money import format_yuan, to_capital_yuan
from haimen_insurance.pdf import pdf_response

from .. import access
from ..exports import county_report_workbook
from ..models import Campaign, CountyReport
from ..pdf import county_report_pdf
from ..selectors.campaigns import chosen_campaign
from ..selectors.county_reports import county_progress
from ..selectors.shares import county_premium_by_payer
from ..services import county_reports as services

VIEW = "enrollment.view_countyreport"
MAKE = "enrollment.make_county_report"


def _county(user, pk: int) -> Area:
    """The county ``pk`` in the user's scope (another county, or a township: 404)."""
    return get_object_or_404(Area.objects.for_user(user).counties(), pk=pk)


def _page(county: Area, campaign: Campaign | None) -> str:
    url = reverse("enrollment:county_report", args=[county.pk])
    return f"{url}?campaign={campaign.year}" if campaign else url


def _lines(report: CountyReport) -> list:
    return list(report.lines.select_related("township", "township_report"))


class CountyReportView(PermissionRequiredMixin, TemplateView):
    """The county's townships in one campaign with their reports' status and figures, and the
    county report: its lines and totals once drafted, the buttons of the county's officer."""

    permission_required = VIEW
    template_name = "enrollment/county_report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        county = _county(user, self.kwargs["pk"])
        campaign = chosen_campaign(user, self.request.GET.get("campaign", ""))
        years = Campaign.objects.for_user(user).order_by("-year").values_list("year", flat=True)
        context.update(county=county, campaign=campaign, years=list(years))
        if campaign is None:
            return context
        progress = county_progress(campaign_ids=[campaign.pk], county=county, user=user)[
            campaign.pk
        ]
        report = progress.report
        context.update(
            progress=progress,
            report=report,
            lines=_lines(report) if report is not None else [],
            totals=progress.reported_totals,
            by_payer=county_premium_by_payer(report) if report is not None else [],
            capital=to_capital_yuan(report.premium) if report is not None else "",
            can_draft=access.may_draft_county_report(user, county.pk, report),
            can_submit=report is not None and access.may_submit_county_report(user, report),
            dashboard_link=user.has_perm("oversight.view_dashboard"),
        )
        return context


class CountyReportDraftView(PermissionRequiredMixin, View):
    """Roll the county's township reports up into its county report (POST, county pk)."""

    permission_required = MAKE
    http_method_names = ["post"]

    def post(self, request, pk):
        county = _county(request.user, pk)
        campaign = chosen_campaign(request.user, request.POST.get("campaign", ""))
        if campaign is None:
            messages.error(request, "还没有建立参保年度，不能县级汇总。")
            return redirect(_page(county, None))
        try:
            report = services.county_report_draft(
                actor=request.user, campaign=campaign, county=county
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(_page(county, campaign))
        messages.success(
            request,
            f"已生成{county.name}{campaign}县级汇总表：乡镇（园区）{report.lines.count()} 个，"
            f"参保 {report.households} 户，保单 {report.policies} 份，"
            f"被保险人 {report.persons} 人，"
            f"保费合计 {format_yuan(report.premium)} 元。请核对无误后上报市计生委。",
        )
        return redirect(_page(county, campaign))


class CountyReportSubmitView(PermissionRequiredMixin, TemplateView):
    """Report the county report to the city: the GET is the confirmation page (reporting is
    irreversible), the POST with ``confirm`` reports it."""

    permission_required = MAKE
    template_name = "enrollment/county_report_submit.html"

    @cached_property
    def report(self) -> CountyReport:
        reports = CountyReport.objects.for_user(self.request.user).select_related(
            "campaign", "county"
        )
        return get_object_or_404(reports, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        if not self.report.allows("report"):
            messages.info(
                request, f"{self.report.county.name}县级汇总表{self.report.get_status_display()}。"
            )
            return redirect(self.report)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        report = self.report
        return super().get_context_data(
            report=report,
            lines=_lines(report),
            capital=to_capital_yuan(report.premium),
            can_submit=access.may_submit_county_report(self.request.user, report),
            **kwargs,
        )

    def post(self, request, pk):
        report = self.report
        if not request.POST.get("confirm"):
            return redirect("enrollment:county_report_submit", report.pk)
        try:
            report = services.county_report_submit(actor=request.user, report=report)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                f"{report.county.name}{report.campaign}县级汇总表已上报市计生委，"
                f"保费合计 {format_yuan(report.premium)} 元。",
            )
        return redirect(report)


class _CountyReportFile(PermissionRequiredMixin, View):
    permission_required = VIEW

    def get(self, request, pk):
        reports = CountyReport.objects.for_user(request.user).select_related(
            "campaign", "county", "drafted_by", "reported_by"
        )
        report = get_object_or_404(reports, pk=pk)
        name = f"{report.campaign.year}年度县级汇总表_{report.county.name}"
        return self.respond(report, _lines(report), name)


class CountyReportPdfView(_CountyReportFile):
    def respond(self, report, lines, name):
        by_payer = county_premium_by_payer(report)
        return pdf_response(county_report_pdf(report, lines, by_payer), quote(f"{name}.pdf"))


class CountyReportXlsxView(_CountyReportFile):
    def respond(self, report, lines, name):
        by_payer = county_premium_by_payer(report)
        return county_report_workbook(report, lines, by_payer).response(f"{name}.xlsx")


urlpatterns = [
    path("counties/<int:pk>/report/", CountyReportView.as_view(), name="county_report"),
    path(
        "counties/<int:pk>/report/draft/",
        CountyReportDraftView.as_view(),
        name="county_report_draft",
    ),
    path(
        "county-reports/<int:pk>/submit/",
        CountyReportSubmitView.as_view(),
        name="county_report_submit",
    ),
    path(
        "county-reports/<int:pk>/summary.pdf",
        CountyReportPdfView.as_view(),
        name="county_report_pdf",
    ),
    path(
        "county-reports/<int:pk>/summary.xlsx",
        CountyReportXlsxView.as_view(),
        name="county_report_xlsx",
    ),
]
