"""The roster and the township summary as PDF (to print, sign and stamp) and as xlsx."""

from urllib.parse import quote

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views import View

from haimen_insurance.audit import audit_download
from haimen_insurance.pdf import pdf_response

from ..exports import roster_workbook, township_report_workbook
from ..models import Roster, TownshipReport
from ..pdf import roster_pdf, township_report_pdf
from ..selectors.reports import report_breakdown
from ..selectors.roster_exports import roster_lines, roster_returns
from ..selectors.rosters import village_figures


class _RosterExport(PermissionRequiredMixin, View):
    permission_required = "enrollment.view_roster"

    def get(self, request, pk):
        rosters = Roster.objects.for_user(request.user).select_related(
            "campaign", "village__parent"
        )
        roster = get_object_or_404(rosters, pk=pk)
        lines = roster_lines(roster, full_ids=request.user.sees_full_ids)
        figures = village_figures(roster)
        name = f"{roster.campaign.year}年度名册_{roster.village.parent.name}{roster.village.name}"
        response = self.respond(roster, lines, figures, name)
        if request.user.sees_full_ids:
            audit_download(
                actor=request.user,
                export=self.export,
                obj=roster,
                rows=len(lines),
                area=roster.village,
            )
        return response


class RosterPdfView(_RosterExport):
    export = "参保名册（PDF）"

    def respond(self, roster, lines, figures, name):
        returns = roster_returns(roster, full_ids=self.request.user.sees_full_ids)
        return pdf_response(roster_pdf(roster, lines, figures, returns), quote(f"{name}.pdf"))


class RosterXlsxView(_RosterExport):
    export = "参保名册（Excel）"

    def respond(self, roster, lines, figures, name):
        return roster_workbook(roster, lines, figures).response(f"{name}.xlsx")


class _ReportExport(PermissionRequiredMixin, View):
    permission_required = "enrollment.view_townshipreport"

    def get(self, request, pk):
        reports = TownshipReport.objects.for_user(request.user).select_related(
            "campaign", "township"
        )
        report = get_object_or_404(reports, pk=pk)
        breakdown = report_breakdown(report=report, user=request.user)
        name = f"{report.campaign.year}年度汇总表_{report.township.name}"
        return self.respond(report, breakdown, name)


class TownshipReportPdfView(_ReportExport):
    def respond(self, report, breakdown, name):
        return pdf_response(township_report_pdf(report, breakdown), quote(f"{name}.pdf"))


class TownshipReportXlsxView(_ReportExport):
    def respond(self, report, breakdown, name):
        return township_report_workbook(report, breakdown).response(f"{name}.xlsx")


urlpatterns = [
    path("rosters/<int:pk>/roster.pdf", RosterPdfView.as_view(), name="roster_pdf"),
    path("rosters/<int:pk>/roster.xlsx", RosterXlsxView.as_view(), name="roster_xlsx"),
    path(
        "reports/<int:pk>/summary.pdf", TownshipReportPdfView.as_view(), name="township_report_pdf"
    ),
    path(
        "reports/<int:pk>/summary.xlsx",
        TownshipReportXlsxView.as_view(),
        name="township_report_xlsx",
    ),
]
