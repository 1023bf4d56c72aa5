"""The township side: the city's overview of rosters, a township's villages, the township report
(乡镇汇总上报) and the 「一个不多，一个不漏」 reconciliation.

Every page is about one campaign: the current one, or the year named by ``?campaign=<year>``.
"""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import DetailView, TemplateView

from haimen_insurance.models import Area
from haimen_insurance.money import format_yuan, to_capital_yuan
from haimen_insurance.privacy import shown_id

from .. import access
from ..eligibility import Reason
from ..models import (
    PAYER_OFFICE,
    Campaign,
    FundTransfer,
    Product,
    Roster,
    TownshipInsurer,
    TownshipReport,
)
from ..selectors.campaigns import chosen_campaign
from ..selectors.reports import (
    city_overview,
    report_breakdown,
    township_rosters,
)
from ..selectors.rosters import roster_figures, township_reconciliation
from ..selectors.shares import ShareTerms, lines_shares, money_reconciliation
from ..services import rosters as services


def _with_campaign(url: str, campaign: Campaign | None) -> str:
    return f"{url}?campaign={campaign.year}" if campaign else url


def _same_query(url: str, request) -> str:
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url


class _CampaignPage(PermissionRequiredMixin):
    """A page of one campaign about a township's rosters (``access.may_see_township_rosters``)."""

    permission_required = "enrollment.view_roster"

    def has_permission(self):
        return super().has_permission() and access.may_see_township_rosters(self.request.user)

    @cached_property
    def campaign(self) -> Campaign | None:
        return chosen_campaign(self.request.user, self.request.GET.get("campaign", ""))

    def campaign_context(self) -> dict:
        years = list(
            Campaign.objects.for_user(self.request.user).order_by("-year").values_list("year")
        )
        return {"campaign": self.campaign, "years": [year for (year,) in years]}


class RostersOverviewView(_CampaignPage, TemplateView):
    """Every township with its rosters' progress and figures; a township officer is sent to
    their own township's page."""

    template_name = "enrollment/township_overview.html"

    def get(self, request, *args, **kwargs):
        if access.sees_one_township(request.user):
            url = reverse("enrollment:township_rosters", args=[request.user.area_id])
            return redirect(_same_query(url, request))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.campaign_context())
        if self.campaign is not None:
            context["overview"] = city_overview(campaign=self.campaign, user=self.request.user)
        return context


class TownshipRostersView(_CampaignPage, TemplateView):
    """A township's villages with their roster status and figures, the reconciliation count and
    the township report box."""

    template_name = "enrollment/township_rosters.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        township = get_object_or_404(Area.objects.for_user(user).townships(), pk=self.kwargs["pk"])
        context.update(self.campaign_context(), township=township)
        if self.campaign is None:
            return context
        data = township_rosters(campaign=self.campaign, township=township, user=user)
        reconciliation = township_reconciliation(
            campaign=self.campaign, township=township, user=user
        )
        context.update(
            data=data,
            reconciliation=reconciliation,
            duplicate_count=len(reconciliation.duplicates),
            can_draft=access.may_draft_report(user, township.pk, data.report),
            ready=bool(data.rows) and not data.waiting and reconciliation.empty,
            city_link=access.may_see_city_overview(user),
            can_review=access.may_review_rosters(user, township.pk),
            can_fill_in=access.may_fill_in_for_villages(user, township.pk),
        )
        return context


def _chosen_rosters(user, township: Area, values: list[str]) -> list[Roster]:
    """The rosters ``values`` name (their keys), each of ``township`` and in the user's scope;
    a key that names no such roster makes the whole request a page that does not exist."""
    if not all(value.isdigit() for value in values):
        raise Http404("没有这本名册。")
    keys = {int(value) for value in values}
    rosters = list(
        Roster.objects.for_user(user)
        .filter(pk__in=keys, village__parent=township)
        .select_related("campaign", "village")
        .order_by("campaign__year", "village__code")
    )
    if len(rosters) != len(keys):
        raise Http404("没有这本名册。")
    return rosters


class TownshipRostersApproveView(PermissionRequiredMixin, TemplateView):
    """Approve several village rosters of a township at once: the GET is the confirmation page
    listing the chosen rosters (``?roster=<pk>&roster=…``, ticked on the township's rosters
    page) and naming any not submitted for review; the POST with ``confirm`` approves them all
    or none (``services.rosters_approve``)."""

    permission_required = "enrollment.review_roster"
    template_name = "enrollment/township_rosters_approve.html"

    @cached_property
    def township(self) -> Area:
        return get_object_or_404(
            Area.objects.for_user(self.request.user).townships(), pk=self.kwargs["pk"]
        )

    def back(self, rosters=()) -> str:
        url = reverse("enrollment:township_rosters", args=[self.township.pk])
        return _with_campaign(url, rosters[0].campaign if rosters else None)

    def get_context_data(self, **kwargs):
        rosters = _chosen_rosters(
            self.request.user, self.township, self.request.GET.getlist("roster")
        )
        figures = {}
        for campaign in {roster.campaign for roster in rosters}:
            villages = [roster.village_id for roster in rosters if roster.campaign == campaign]
            figures.update(roster_figures(campaign, Area.objects.filter(pk__in=villages)))
        refused = services.not_approvable(rosters)
        return super().get_context_data(
            township=self.township,
            rows=[(roster, figures.get(roster.village_id)) for roster in rosters],
            rosters=rosters,
            refused=refused,
            back=self.back(rosters),
            **kwargs,
        )

    def post(self, request, pk):
        rosters = _chosen_rosters(request.user, self.township, request.POST.getlist("roster"))
        if not rosters:
            messages.error(request, "请先勾选要审核通过的名册。")
            return redirect(self.back())
        query = "&".join(f"roster={roster.pk}" for roster in rosters)
        confirm_page = f"{request.path}?{query}"
        if not request.POST.get("confirm"):
            return redirect(confirm_page)
        try:
            approved = services.rosters_approve(actor=request.user, rosters=rosters)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(confirm_page)
        names = "、".join(roster.village.name for roster in approved)
        messages.success(request, f"已审核通过 {len(approved)} 本名册：{names}。")
        return redirect(self.back(rosters))


class TownshipReportDraftView(PermissionRequiredMixin, View):
    """Roll the township's approved rosters up into its report (POST, township pk)."""

    permission_required = "enrollment.make_township_report"
    http_method_names = ["post"]

    def post(self, request, pk):
        township = get_object_or_404(Area.objects.for_user(request.user).townships(), pk=pk)
        campaign = chosen_campaign(request.user, request.POST.get("campaign", ""))
        back = reverse("enrollment:township_rosters", args=[township.pk])
        if campaign is None:
            messages.error(request, "还没有建立参保年度，不能汇总。")
            return redirect(back)
        try:
            report = services.township_report_draft(
                actor=request.user, campaign=campaign, township=township
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(_with_campaign(back, campaign))
        messages.success(
            request,
            f"已生成{township.name}{campaign}汇总表：参保 {report.households} 户，"
            f"保单 {report.policies} 份，被保险人 {report.persons} 人，"
            f"保费合计 {format_yuan(report.premium)} 元。请核对无误后上报。",
        )
        return redirect(report)


class TownshipReportView(PermissionRequiredMixin, DetailView):
    permission_required = "enrollment.view_townshipreport"
    template_name = "enrollment/township_report.html"
    context_object_name = "report"

    def get_queryset(self):
        named = TownshipInsurer.objects.filter(
            campaign=OuterRef("campaign"), township=OuterRef("township")
        )
        return (
            TownshipReport.objects.for_user(self.request.user)
            .select_related("campaign", "township__parent", "drafted_by", "reported_by")
            .annotate(insurer_named=Subquery(named.values("insurer_id")[:1]))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, report = self.request.user, self.object
        breakdown = report_breakdown(report=report, user=user)
        summed = breakdown.total.amounts
        shares = lines_shares(report, breakdown.lines, ShareTerms.load([report.campaign_id]))
        transfers = []
        if user.has_perm("enrollment.view_fundtransfer"):
            transfers = list(FundTransfer.objects.filter(report=report).order_by("pk"))
            shares.transferred = {transfer.payer: transfer.amount for transfer in transfers}
        by_office = {transfer.payer: transfer for transfer in transfers}
        office = access.transfer_office(user)
        context.update(
            shares=shares,
            office_rows=[
                {
                    "office": each,
                    "label": label,
                    "due": due,
                    "transfer": by_office.get(each),
                    "shares": [
                        (share_label, amount)
                        for payer, share_label, amount in shares.payer_amounts
                        if PAYER_OFFICE[payer] == each
                    ],
                }
                for each, label, due, _ in shares.office_rows
            ],
            transfers=transfers,
            # policies × premium = Σ shares = Σ transfers (once every share is in)
            shares_mismatch=shares.shares_total != report.premium
            or (report.policy_list_ready and shares.transferred_total != report.premium),
            breakdown=breakdown,
            # The stored totals were copied from the same rows; a difference means the report
            # must be made again, so it is shown rather than hidden.
            mismatch=(summed.policies, summed.persons, summed.premium)
            != (report.policies, report.persons, report.premium),
            capital=to_capital_yuan(report.premium),
            can_submit=access.may_submit_report(user, report),
            rosters_link=access.may_see_township_rosters(user),
            city_link=access.may_see_city_overview(user),
            transfer=transfers[0] if len(transfers) == 1 else None,
            can_record_transfer=access.may_record_transfer(user, report)
            and shares.office_due(office) > 0
            and office not in shares.transferred,
            can_issue=access.may_see_policy_list(user, report, report.insurer_named),
            issued_count=report.issued_policies.count()
            if report.status == TownshipReport.Status.ISSUED
            else 0,
        )
        return context


class TownshipReportSubmitView(PermissionRequiredMixin, View):
    """Report the township total to the finance office and the insurer; the rosters lock."""

    permission_required = "enrollment.make_township_report"
    http_method_names = ["post"]

    def post(self, request, pk):
        report = get_object_or_404(
            TownshipReport.objects.for_user(request.user).select_related("township", "campaign"),
            pk=pk,
        )
        try:
            report = services.township_report_submit(actor=request.user, report=report)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                f"{report.township.name}{report.campaign}汇总表已上报财政所和保险公司，"
                f"保费合计 {format_yuan(report.premium)} 元；各村（社区）名册已锁定。",
            )
        return redirect(report)


class _ReconciliationPage(_CampaignPage, TemplateView):
    """「一个不多，一个不漏」: eligible households without a decision, people insured for two
    households, enrolled households that are no longer eligible."""

    template_name = "enrollment/reconciliation.html"
    township = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.campaign_context(), township=self.township)
        if self.campaign is None:
            return context
        user = self.request.user
        reconciliation = township_reconciliation(
            campaign=self.campaign, township=self.township, user=user
        )
        products = {
            product.pk: product
            for product in Product.objects.for_user(user).filter(campaign=self.campaign)
        }
        townships = dict(Area.objects.for_user(user).townships().values_list("pk", "name"))
        duplicates = []
        for person, other in reconciliation.duplicates:
            duplicates.append(
                {
                    "name": person.name,
                    "relation": person.get_relation_display(),
                    "id_number": shown_id(person.id_number, full=user.sees_full_ids),
                    "product": products.get(person.product_id),
                    "holders": [
                        {
                            "township": townships.get(entry.roster.village.parent_id, ""),
                            "village": entry.roster.village.name,
                            "certificate_no": entry.certificate_no,
                            "household_id": entry.household_id,
                        }
                        for entry in (person.entry_product.entry, other.entry_product.entry)
                    ],
                }
            )
        context.update(
            money=money_reconciliation(campaign=self.campaign, user=user, township=self.township),
            reconciliation=reconciliation,
            duplicates=duplicates,
            ineligible=[
                {"entry": entry, "reason": Reason(entry.eligibility_now).label}
                for entry in reconciliation.ineligible_enrolled
            ],
            problem_count=len(reconciliation.undecided)
            + len(duplicates)
            + len(reconciliation.ineligible_enrolled),
            city_link=self.township is not None and access.may_see_city_overview(user),
        )
        return context


class ReconciliationView(_ReconciliationPage):
    """The city's reconciliation; a township officer is sent to their own township's."""

    def get(self, request, *args, **kwargs):
        if access.sees_one_township(request.user):
            url = reverse("enrollment:township_reconciliation", args=[request.user.area_id])
            return redirect(_same_query(url, request))
        return super().get(request, *args, **kwargs)


class TownshipReconciliationView(_ReconciliationPage):
    def get(self, request, *args, **kwargs):
        self.township = get_object_or_404(
            Area.objects.for_user(request.user).townships(), pk=kwargs["pk"]
        )
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("rosters/", RostersOverviewView.as_view(), name="rosters_overview"),
    path("townships/<int:pk>/rosters/", TownshipRostersView.as_view(), name="township_rosters"),
    path(
        "townships/<int:pk>/rosters/approve/",
        TownshipRostersApproveView.as_view(),
        name="township_rosters_approve",
    ),
    path(
        "townships/<int:pk>/report/",
        TownshipReportDraftView.as_view(),
        name="township_report_draft",
    ),
    path("reports/<int:pk>/", TownshipReportView.as_view(), name="township_report"),
    path(
        "reports/<int:pk>/submit/",
        TownshipReportSubmitView.as_view(),
        name="township_report_submit",
    ),
    path("reconciliation/", ReconciliationView.as_view(), name="reconciliation"),
    path(
        "townships/<int:pk>/reconciliation/",
        TownshipReconciliationView.as_view(),
        name="township_reconciliation",
    ),
]
