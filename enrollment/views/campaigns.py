"""Campaign set-up by the city officer (市人口计生委): the years, their dates and age rule, the
products and premiums, and the insurer of each township; opening a year, or deleting one still
being prepared. Every role may look at an open campaign; one being prepared is the city's."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from haimen_insurance.jobs.models import Job, JobKind
from haimen_insurance.jobs.services import job_checked
from haimen_insurance.models import Area, Insurer

from .. import access
from ..forms.campaigns import (
    CampaignForm,
    PremiumSharesForm,
    ProductForm,
    TownshipInsurersForm,
    new_campaign_initial,
    ratio_as_percent,
)
from ..models import (
    REPORT_TRANSITIONS,
    Campaign,
    CountyReport,
    PremiumShare,
    Product,
    Roster,
    TownshipInsurer,
    TownshipReport,
)
from ..models.campaigns import campaign_areas, latest_year
from ..selectors.campaigns import phase_calendar
from ..selectors.reports import year_progress
from ..selectors.shares import ShareTerms
from ..services import campaigns as services
from ..services.rollover import campaign_roll_over
from ..tasks import (
    policy_list_scope,
    roll_over_message,
    roll_over_size,
    start_policy_list,
    start_roll_over,
)


class CampaignListView(PermissionRequiredMixin, ListView):
    permission_required = "enrollment.view_campaign"
    template_name = "enrollment/campaign_list.html"
    context_object_name = "campaigns"
    paginate_by = 20

    def get_queryset(self):
        return Campaign.objects.for_user(self.request.user).order_by("-year")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = access.may_set_up_campaigns(self.request.user)
        context["today"] = timezone.localdate()
        # The current year is the newest open one (the page is newest first).
        page = context["page_obj"]
        current = None
        if page.number == 1:
            current = next((c for c in context["campaigns"] if c.is_open), None)
        context["current_pk"] = current.pk if current else None
        return context


class CampaignDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "enrollment.view_campaign"
    template_name = "enrollment/campaign_detail.html"
    context_object_name = "campaign"

    def get_queryset(self):
        return Campaign.objects.for_user(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, campaign = self.request.user, self.object
        products = list(Product.objects.for_user(user).filter(campaign=campaign).order_by("code"))
        terms = ShareTerms.load([campaign.pk])
        for product in products:
            product.reimbursement_percent = ratio_as_percent(product.reimbursement_ratio)
            product.share_rows = terms.described(product.pk)
        insurer_of = {
            row.township_id: row.insurer
            for row in TownshipInsurer.objects.for_user(user)
            .filter(campaign=campaign)
            .select_related("insurer")
        }
        townships = list(
            campaign_areas(user, campaign).townships().select_related("parent").order_by("code")
        )
        today = timezone.localdate()
        can_change = access.may_set_up_campaigns(user)
        reports = []
        if user.has_perm("enrollment.view_townshipreport"):
            reports = list(
                TownshipReport.objects.for_user(user)
                .filter(campaign=campaign)
                .select_related("township")
                .order_by("township__code")
            )
        progress = year_progress(campaign, townships, reports)
        context.update(
            reports=[report for report in reports if access.may_list_report(user, report)],
            # The townships whose year is not finished, named before the city rolls it over.
            unfinished=progress.unfinished_text() if access.may_see_city_overview(user) else "",
            products=products,
            township_insurers=[(township, insurer_of.get(township.pk)) for township in townships],
            products_editable=not services.campaign_has_submissions(campaign),
            can_change=can_change,
            can_roll_over=can_change
            and campaign.is_open
            and campaign.year < latest_year(today)
            and not Campaign.objects.filter(year=campaign.year + 1).exists(),
            calendar=phase_calendar(campaign, today),
        )
        if access.may_see_county_reports(user):
            context.update(county_reports(user, campaign, townships, reports))
        if can_change and not campaign.is_open:
            context["hangers_on"] = services.campaign_hangers_on(campaign)
        context.update(self._jobs(user, campaign, exportable=bool(progress.issued)))
        if any(job.kind == JobKind.ROLL_OVER and job.is_active for job in context.get("jobs", [])):
            context["can_roll_over"] = False  # under way in the background
        return context

    def _jobs(self, user, campaign, *, exportable: bool) -> dict:
        """The background jobs of this year the user sees on its page: the latest policy list
        of their scope (city or company) and the latest roll-over, in one query."""
        if not access.may_export_year_policy_list(user):
            return {}  # nobody else starts a job of a year
        targets = {f"campaign:{campaign.pk}": JobKind.ROLL_OVER}
        can_export = exportable
        if can_export:
            targets[policy_list_scope(user, campaign)[0]] = JobKind.POLICY_LIST
        latest = {}
        for job in (
            Job.objects.for_user(user)
            .filter(target__in=targets, kind__in=set(targets.values()))
            .select_related("started_by")
        ):
            latest.setdefault(job.kind, job)
        latest = {kind: job_checked(job) for kind, job in latest.items()}
        return {"can_export_policies": can_export, "jobs": list(latest.values())}


@dataclass
class CountyRow:
    """A county on the campaign page: its townships reported so far, and its county report."""

    county: Area
    townships: int = 0
    reported: int = 0
    report: CountyReport | None = None

    @property
    def stage(self) -> str:
        if self.report is not None:
            return self.report.get_status_display()
        if self.townships and self.reported == self.townships:
            return "各乡镇已上报，待县级汇总"
        return f"乡镇已上报 {self.reported}/{self.townships}"


def county_reports(user, campaign, townships: list[Area], reports: list[TownshipReport]) -> dict:
    """Where the townships belong to counties: each county in the user's scope with its
    townships' reports counted (``townships`` with their parents, ``reports`` as the page read
    them) and its county report, and the counties not yet reported to the city. One query,
    and none where there are no counties (Haimen)."""
    rows: dict[int, CountyRow] = {}
    for township in townships:
        if township.parent.is_county:
            rows.setdefault(township.parent_id, CountyRow(township.parent)).townships += 1
    if not rows:
        return {}
    for report in reports:
        row = rows.get(report.township.parent_id)
        if row is not None and report.is_reported:
            row.reported += 1
    for report in CountyReport.objects.for_user(user).filter(
        campaign=campaign, county__in=list(rows)
    ):
        rows[report.county_id].report = report
    return {
        "county_rows": list(rows.values()),
        "counties_not_reported": "、".join(
            row.county.name
            for row in rows.values()
            if row.report is None or not row.report.is_reported
        ),
    }


def _form_errors(form, error: ValidationError) -> None:
    """The service's Chinese reasons, above the form."""
    form.add_error(None, error.messages)


class CampaignCreateView(PermissionRequiredMixin, TemplateView):
    """A new year: its dates and age rule, and both products pre-filled with docs/design.md's terms.
    Creating it also makes a draft roster for every village, so the page asks first."""

    permission_required = "enrollment.add_campaign"
    template_name = "enrollment/campaign_create.html"

    def forms(self, data=None):
        newest = Campaign.objects.for_user(self.request.user).order_by("-year").first()
        campaign_form = CampaignForm(
            data, initial=new_campaign_initial(newest, today=timezone.localdate())
        )
        product_forms = {
            code: ProductForm(
                data,
                prefix=code,
                initial=ProductForm.defaults_for(code),
                product_label=label,
            )
            for code, label in Product.Code.choices
        }
        return campaign_form, product_forms

    def render_forms(self, campaign_form, product_forms):
        return self.render_to_response(
            self.get_context_data(
                form=campaign_form,
                product_forms=list(product_forms.values()),
                village_count=Area.objects.for_user(self.request.user).villages().count(),
            )
        )

    def get(self, request, *args, **kwargs):
        return self.render_forms(*self.forms())

    def post(self, request, *args, **kwargs):
        campaign_form, product_forms = self.forms(request.POST)
        # Every form is checked, so that every reason shows in one go.
        checked = [campaign_form.is_valid(), *(f.is_valid() for f in product_forms.values())]
        if not all(checked):
            return self.render_forms(campaign_form, product_forms)
        try:
            campaign = services.campaign_create(
                actor=request.user,
                year=campaign_form.cleaned_data["year"],
                products={code: form.service_fields() for code, form in product_forms.items()},
                **campaign_form.service_fields(),
            )
        except ValidationError as error:
            _form_errors(campaign_form, error)
            return self.render_forms(campaign_form, product_forms)
        products = Product.objects.for_user(request.user).filter(campaign=campaign).count()
        rosters = Roster.objects.for_user(request.user).filter(campaign=campaign).count()
        messages.success(
            request,
            f"已建立{campaign}：{products} 个险种，为 {rosters} 个村（社区）各建立了一本参保名册。",
        )
        return redirect(campaign)


class CampaignUpdateView(PermissionRequiredMixin, FormView):
    permission_required = "enrollment.change_campaign"
    template_name = "enrollment/campaign_form.html"

    @cached_property
    def campaign(self):
        return get_object_or_404(Campaign.objects.for_user(self.request.user), pk=self.kwargs["pk"])

    def get_form(self, form_class=None):
        return CampaignForm(year=self.campaign.year, **self.get_form_kwargs())

    def get_initial(self):
        return CampaignForm.initial_from(self.campaign)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "campaign": self.campaign,
            "has_submissions": services.campaign_has_submissions(self.campaign),
        }

    def form_valid(self, form):
        if not form.has_changed():
            messages.info(self.request, "没有修改。")
            return redirect(self.campaign)
        try:
            campaign = services.campaign_update(
                actor=self.request.user, campaign=self.campaign, **form.service_fields()
            )
        except ValidationError as error:
            _form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{campaign}的日期和年龄条件已保存。")
        return redirect(campaign)


class _ProductFormView(PermissionRequiredMixin, FormView):
    """A form on one product of a campaign the city officer sees: its terms or its shares, both
    fixed once a roster of the campaign is submitted (the page says so: ``locked``)."""

    permission_required = "enrollment.change_campaign"

    @cached_property
    def product(self):
        return get_object_or_404(
            Product.objects.for_user(self.request.user).select_related("campaign"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "product": self.product,
            "campaign": self.product.campaign,
            "locked": services.campaign_has_submissions(self.product.campaign),
        }


class ProductUpdateView(_ProductFormView):
    template_name = "enrollment/campaign_product_form.html"

    def get_form(self, form_class=None):
        return ProductForm(product_label=str(self.product), **self.get_form_kwargs())

    def get_initial(self):
        return ProductForm.initial_from_product(self.product)

    def form_valid(self, form):
        if not form.has_changed():
            messages.info(self.request, "没有修改。")
            return redirect(self.product.campaign)
        try:
            product = services.product_update(
                actor=self.request.user, product=self.product, **form.service_fields()
            )
        except ValidationError as error:
            _form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.product.campaign}{product}的保费和保额已保存。")
        return redirect(self.product.campaign)


class ProductSharesView(_ProductFormView):
    """A product's premium shares by payer (保费分担): fixed once a roster is submitted, like
    the premium; the service refuses shares that do not add up, for any county."""

    template_name = "enrollment/campaign_shares_form.html"

    @cached_property
    def counties(self):
        return list(Area.objects.for_user(self.request.user).counties().order_by("code"))

    def get_form(self, form_class=None):
        return PremiumSharesForm(counties=self.counties, **self.get_form_kwargs())

    def get_initial(self):
        shares = PremiumShare.objects.filter(product=self.product).prefetch_related(
            "county_amounts"
        )
        return PremiumSharesForm.initial_from(shares)

    def form_valid(self, form):
        if not form.has_changed():
            messages.info(self.request, "没有修改。")
            return redirect(self.product.campaign)
        try:
            services.premium_shares_set(
                actor=self.request.user, product=self.product, shares=form.share_inputs()
            )
        except ValidationError as error:
            _form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.product.campaign}{self.product}的保费分担已保存。")
        return redirect(self.product.campaign)


class CampaignInsurersView(PermissionRequiredMixin, FormView):
    """Each township with a select of insurers; the changed ones are saved together or not at
    all, and a township that has already reported keeps its insurer."""

    permission_required = "enrollment.change_campaign"
    template_name = "enrollment/campaign_insurers.html"

    @cached_property
    def campaign(self):
        return get_object_or_404(Campaign.objects.for_user(self.request.user), pk=self.kwargs["pk"])

    def get_form(self, form_class=None):
        user = self.request.user
        rows = TownshipInsurer.objects.for_user(user).filter(campaign=self.campaign)
        return TownshipInsurersForm(
            townships=Area.objects.for_user(user).townships().order_by("code"),
            insurers=Insurer.objects.for_user(user).order_by("code"),
            current=dict(rows.values_list("township_id", "insurer_id")),
            **self.get_form_kwargs(),
        )

    def get_context_data(self, **kwargs):
        reported = (
            TownshipReport.objects.for_user(self.request.user)
            .filter(campaign=self.campaign)
            .exclude(status__in=REPORT_TRANSITIONS.sources("draft"))
            .values_list("township_id", flat=True)
        )
        return {
            **super().get_context_data(**kwargs),
            "campaign": self.campaign,
            "reported": set(reported),
        }

    def form_valid(self, form):
        changed = form.changed_rows()
        if not changed:
            messages.info(self.request, "没有修改。")
            return redirect(self.campaign)
        with transaction.atomic():
            for township, field, insurer in changed:
                try:
                    services.township_insurer_set(
                        actor=self.request.user,
                        campaign=self.campaign,
                        township=township,
                        insurer=insurer,
                    )
                except ValidationError as error:
                    form.add_error(field, error.messages)
            if form.errors:
                transaction.set_rollback(True)  # all the changes, or none of them
        if form.errors:
            form.add_error(None, "有乡镇不能更换承保公司，本次修改均未保存。")
            return self.form_invalid(form)
        summary = "；".join(f"{township.name}：{insurer.name}" for township, _, insurer in changed)
        messages.success(self.request, f"已更换 {len(changed)} 个乡镇的承保公司（{summary}）。")
        return redirect(self.campaign)


class CampaignOpenView(PermissionRequiredMixin, View):
    """Open a campaign being prepared (the detail page asks first)."""

    permission_required = "enrollment.change_campaign"
    http_method_names = ["post"]

    def post(self, request, pk):
        campaign = get_object_or_404(Campaign.objects.for_user(request.user), pk=pk)
        try:
            campaign = services.campaign_open(actor=request.user, campaign=campaign)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(campaign)
        messages.success(
            request,
            f"已开放{campaign}：各村（社区）现在可以在本年度的名册中登记，"
            "它也成为各工作台的当前年度。",
        )
        return redirect(campaign)


class CampaignDeleteView(PermissionRequiredMixin, View):
    """Delete a campaign being prepared that nothing hangs off (the detail page asks first)."""

    permission_required = "enrollment.add_campaign"
    http_method_names = ["post"]

    def post(self, request, pk):
        campaign = get_object_or_404(Campaign.objects.for_user(request.user), pk=pk)
        try:
            services.campaign_delete(actor=request.user, campaign=campaign)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(campaign)
        messages.success(request, f"已删除{campaign}及其草稿名册和险种。")
        return redirect("enrollment:campaign_list")


class CampaignRollOverView(PermissionRequiredMixin, View):
    """Next year's campaign from this one, with last year's families proposed."""

    permission_required = "enrollment.add_campaign"
    http_method_names = ["post"]

    def post(self, request, pk):
        campaign = get_object_or_404(Campaign.objects.for_user(request.user), pk=pk)
        if roll_over_size(campaign) > settings.JOBS_IMMEDIATE_ROWS:
            try:
                job, started = start_roll_over(actor=request.user, campaign=campaign)
            except ValidationError as error:
                messages.error(request, "；".join(error.messages))
            else:
                if job.is_active:
                    messages.info(
                        request,
                        "正在后台续保生成下一年度；可以离开本页，完成后在本页或「后台任务」中查看。",
                    )
            return redirect(campaign)
        try:
            rolled = campaign_roll_over(actor=request.user, campaign=campaign)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(campaign)
        messages.success(request, roll_over_message(rolled))
        return redirect(rolled.campaign)


class CampaignPolicyListView(PermissionRequiredMixin, View):
    """POST: start the year's policy list of the city (city roles) or of the user's company
    (insurer staff) as a background job; the campaign page shows its progress."""

    permission_required = "enrollment.view_policy"
    http_method_names = ["post"]

    def post(self, request, pk):
        if not access.may_export_year_policy_list(request.user):
            raise PermissionDenied("只有市计生委、市领导和保险公司可以导出整年度的保单清单。")
        campaign = get_object_or_404(Campaign.objects.for_user(request.user), pk=pk)
        job, started = start_policy_list(actor=request.user, campaign=campaign)
        if started:
            messages.info(request, "已开始导出保单清单，完成后可在本页或「后台任务」中下载。")
        else:
            messages.info(request, "保单清单正在导出中，请等待完成。")
        return redirect(f"{campaign.get_absolute_url()}#job-{job.pk}")


urlpatterns = [
    path("campaigns/", CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", CampaignUpdateView.as_view(), name="campaign_update"),
    path("campaigns/<int:pk>/insurers/", CampaignInsurersView.as_view(), name="campaign_insurers"),
    path("campaigns/products/<int:pk>/edit/", ProductUpdateView.as_view(), name="product_update"),
    path("campaigns/products/<int:pk>/shares/", ProductSharesView.as_view(), name="product_shares"),
    path(
        "campaigns/<int:pk>/roll-over/", CampaignRollOverView.as_view(), name="campaign_roll_over"
    ),
    path(
        "campaigns/<int:pk>/policy-list/",
        CampaignPolicyListView.as_view(),
        name="campaign_policy_list",
    ),
    path("campaigns/<int:pk>/open/", CampaignOpenView.as_view(), name="campaign_open"),
    path("campaigns/<int:pk>/delete/", CampaignDeleteView.as_view(), name="campaign_delete"),
]
