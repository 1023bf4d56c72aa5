"""The roof's pages: each role's workbench, the dashboards (the city's townships, a township's
villages), the assessment (考核: the city's, and a county's of its townships) and the year's
review (点评总结), for one campaign."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views import View
from django.views.generic import TemplateView

from claims.models import Claim
from claims.selectors import AWAITING_DECISION, OPEN_FOR_INSURER, SETTLED
from enrollment.access import may_see_campaigns_being_prepared, may_see_county_reports
from enrollment.models import Campaign, Roster, TownshipReport
from enrollment.selectors.campaigns import chosen_campaign, current_campaign, phase_calendar
from enrollment.selectors.rosters import village_figures
from haimen_insurance.jobs.models import Job, JobKind
from haimen_insurance.jobs.services import job_checked
from haimen_insurance.models import Area, Insurer, User
from haimen_insurance.pdf import pdf_response

from . import access
from .assessment import assessment
from .dashboard import dashboard
from .forms import AssessmentRuleForm, ReviewNoteForm
from .pdf import year_review_pdf
from .review import review_notes, review_workbook, year_review
from .services import (
    assessment_rule_delete,
    assessment_rule_set,
    assessment_rules_default,
    has_counties,
    review_note_save,
)
from .tasks import (
    REVIEW_KINDS,
    review_file_name,
    review_in_background,
    review_page,
    review_target,
    start_review,
)
from .todo import TodoList, todo_list

PERMISSION = "oversight.view_dashboard"


def _same_query(url: str, request) -> str:
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url


def campaign_progress(user, todo: TodoList) -> dict:
    """The current campaign as this user's workbench shows it: the cadre's roster with its
    figures; for everyone else the rosters in scope counted by status, and township reports
    (finance and insurer: those of every open year, from ``todo``)."""
    if todo.campaigns is None:
        campaign = current_campaign()
    else:  # the newest open one of those the to-do list read (every open campaign)
        campaign = max(
            (each for each in todo.campaigns if each.is_open),
            key=lambda each: each.year,
            default=None,
        )
    # The city also sees the years being prepared, which nobody works in until opened.
    prepared = []
    if may_see_campaigns_being_prepared(user):
        prepared = sorted(
            (each for each in todo.campaigns or () if each.status == Campaign.Status.PREPARING),
            key=lambda each: -each.year,
        )
    if campaign is None:
        return {"campaign": None, "prepared": prepared}
    rosters = Roster.objects.for_user(user).filter(campaign=campaign)
    progress = {"campaign": campaign, "prepared": prepared}
    if access.may_fill_own_roster(user):
        roster = rosters.select_related("campaign").first()
        progress["roster"] = roster
        if roster is not None:
            progress["figures"] = village_figures(roster)
        return progress
    counts = dict(rosters.order_by().values_list("status").annotate(n=Count("pk")))
    progress["roster_counts"] = [
        (status, label, counts.get(status, 0)) for status, label in Roster.Status.choices
    ]
    progress["roster_total"] = sum(counts.values())
    if access.may_process_reports(user):
        # Their reports of every open year (newest first), from the to-do list.
        progress["reports"] = todo.reports
        progress["reported_townships"] = len(todo.reports)
        progress["waiting"] = todo.waiting
    else:
        progress["reported_townships"] = (
            TownshipReport.objects.for_user(user)
            .filter(campaign=campaign)
            .exclude(status=TownshipReport.Status.DRAFTED)
            .count()
        )
    return progress


def claim_counts(user) -> dict:
    """Open claims in the user's scope; for an insurer, its queue and how much of it is overdue."""
    claims = Claim.objects.for_user(user)
    today = timezone.localdate()
    counts = claims.aggregate(
        open=Count("pk", filter=~Q(status__in=SETTLED)),
        queue=Count("pk", filter=Q(status__in=OPEN_FOR_INSURER)),
        overdue=Count("pk", filter=Q(status__in=AWAITING_DECISION, due_date__lt=today)),
    )
    return {"claims_" + key: value for key, value in counts.items()}


class WorkbenchView(TemplateView):
    """Each role lands here after login and sees its own workbench."""

    def get_template_names(self):
        role = self.request.user.role or "none"
        return [f"oversight/workbench/{role}.html", "oversight/workbench/none.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        areas = Area.objects.for_user(user)
        # Counted when a workbench shows it (not the cadre's or the finance office's).
        context["area_counts"] = SimpleLazyObject(
            lambda: areas.aggregate(
                townships=Count("pk", filter=Q(kind__in=Area.TOWNSHIP_KINDS)),
                villages=Count("pk", filter=Q(kind__in=Area.VILLAGE_KINDS)),
            )
        )
        if access.may_set_up_city(user):
            context["user_count"] = User.objects.for_user(user).filter(is_active=True).count()
            context["insurers"] = Insurer.objects.for_user(user).annotate(
                township_count=Count("townships")
            )
        if access.may_issue_policies(user):
            context["townships"] = areas.townships()
        if access.may_oversee_county(user):
            # The county's townships with the figures of the county's dashboard.
            campaign = current_campaign()
            if campaign is not None:
                context["county_board"] = dashboard(campaign=campaign, user=user, county=user.area)
        todo = todo_list(user)
        context["todo"] = todo
        context.update(campaign_progress(user, todo))
        if user.has_perm("claims.view_claim"):
            context.update(claim_counts(user))
        return context


class _DashboardPage(PermissionRequiredMixin, TemplateView):
    permission_required = PERMISSION
    template_name = "oversight/dashboard.html"
    township = None
    county = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        campaign = chosen_campaign(user, self.request.GET.get("campaign", ""))
        context.update(
            campaign=campaign,
            township=self.township,
            campaigns=Campaign.objects.for_user(user).order_by("-year"),
            county=self.county,
            city_link=(self.township or self.county) is not None
            and access.may_view_city_dashboard(user),
            county_link=self._county_link(user),
            county_report_link=may_see_county_reports(user),
            can_write_review=self.township is not None
            and access.may_write_review_note(user, self.township),
        )
        if campaign is not None:
            board = dashboard(
                campaign=campaign, user=user, township=self.township, county=self.county
            )
            context.update(board=board, phases=phase_calendar(campaign, timezone.localdate()))
        return context

    def _county_link(self, user) -> Area | None:
        """On a township's dashboard, the county above it, where the user may open the
        county's dashboard (the township's parent, read with it)."""
        if self.township is None:
            return None
        parent = self.township.parent
        if parent is None or not parent.is_county:
            return None
        return parent if access.may_view_county_dashboard(user, parent) else None


class DashboardView(_DashboardPage):
    """The city dashboard; a township (or county) officer is sent to their own township's (or
    county's)."""

    def get(self, request, *args, **kwargs):
        own = access.own_dashboard_township(request.user)
        if own is not None:
            return redirect("dashboard_township", own)
        own = access.own_dashboard_county(request.user)
        if own is not None:
            return redirect(_same_query(reverse("dashboard_county", args=[own]), request))
        if not access.may_view_city_dashboard(request.user):
            raise PermissionDenied
        return super().get(request, *args, **kwargs)


class CountyDashboardView(_DashboardPage):
    """A county's dashboard: its townships, with the figures the city's shows for each."""

    def get(self, request, *args, **kwargs):
        if not access.may_view_county_dashboards(request.user):
            raise PermissionDenied
        self.county = get_object_or_404(
            Area.objects.for_user(request.user).counties(), pk=kwargs["pk"]
        )
        if not access.may_view_county_dashboard(request.user, self.county):
            raise PermissionDenied
        return super().get(request, *args, **kwargs)


class TownshipDashboardView(_DashboardPage):
    def get(self, request, *args, **kwargs):
        self.township = get_object_or_404(
            Area.objects.for_user(request.user).townships().select_related("parent"),
            pk=kwargs["pk"],
        )
        if not access.may_view_township_dashboard(request.user, self.township):
            raise PermissionDenied
        return super().get(request, *args, **kwargs)


class _CityCampaignPage(PermissionRequiredMixin, View):
    """A city page about one campaign (``?campaign=<year>``, else the current one)."""

    permission_required = PERMISSION

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.may_view_city_dashboard(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def chosen(self) -> Campaign:
        campaign = chosen_campaign(self.request.user, self.request.GET.get("campaign", ""))
        if campaign is None:
            raise Http404("尚未建立参保年度。")
        return campaign


class AssessmentView(_CityCampaignPage, TemplateView):
    """考核: the rules (the city officer edits them), the ranked counties (where the city has
    counties) and the ranked townships. A county officer is sent to their own county's."""

    template_name = "oversight/assessment.html"

    def dispatch(self, request, *args, **kwargs):
        own = access.own_assessment_county(request.user)
        if own is not None and request.method == "GET":
            return redirect(_same_query(reverse("assessment_county", args=[own]), request))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = chosen_campaign(self.request.user, self.request.GET.get("campaign", ""))
        if campaign is None:
            return context
        result = assessment(campaign=campaign, user=self.request.user)
        city_note, township_notes = review_notes(campaign=campaign, user=self.request.user)
        context.update(
            campaign=campaign,
            campaigns=Campaign.objects.for_user(self.request.user).order_by("-year"),
            result=result,
            can_edit=access.may_manage_assessment_rules(self.request.user),
            can_write_review=access.may_write_city_review(self.request.user),
            form=kwargs.get("form") or AssessmentRuleForm(counties=result.has_counties),
            city_note=city_note,
            township_notes=[note for note in township_notes if note.written],
            note_form=kwargs.get("note_form") or _note_form(city_note),
            review_in_background=review_in_background(campaign),
            jobs=_review_jobs(self.request.user, campaign),
        )
        return context

    def post(self, request, *args, **kwargs):
        """Write the city's review, or set a rule, delete one, or start from the default rules
        (the city officer)."""
        writes_review = "review_note" in request.POST
        if not (
            access.may_write_city_review(request.user)
            if writes_review
            else access.may_manage_assessment_rules(request.user)
        ):
            raise PermissionDenied
        campaign = self.chosen()
        try:
            if writes_review:
                form = ReviewNoteForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(note_form=form))
                city = get_object_or_404(Area.objects.filter(kind=Area.Kind.CITY))
                review_note_save(
                    actor=request.user, campaign=campaign, area=city, **form.cleaned_data
                )
                messages.success(request, "已保存全市点评总结。")
            elif "defaults" in request.POST:
                assessment_rules_default(actor=request.user, campaign=campaign)
                messages.success(request, "已采用默认评分规则。")
            elif "delete" in request.POST:
                rule = get_object_or_404(campaign.assessment_rules, pk=request.POST["delete"])
                assessment_rule_delete(actor=request.user, rule=rule)
                messages.success(request, f"已删除{_rule_name(rule)}。")
            else:
                form = AssessmentRuleForm(request.POST, counties=has_counties())
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form))
                rule = assessment_rule_set(
                    actor=request.user, campaign=campaign, **form.cleaned_data
                )
                messages.success(request, f"已保存{_rule_name(rule)}。")
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(f"{reverse('assessment')}?campaign={campaign.year}")


def _rule_name(rule) -> str:
    """评分项目：投保率 (a township rule, as always), 县（区）评分项目：投保率 (a county's)."""
    if rule.level == rule.Level.COUNTY:
        return f"县（区）评分项目：{rule.get_metric_display()}"
    return f"评分项目：{rule.get_metric_display()}"


class CountyAssessmentView(PermissionRequiredMixin, TemplateView):
    """A county's assessment: its townships ranked among themselves by the township-level
    rules, and the county's own score on the county-level rules (read-only: the city officer
    sets the rules). The city roles reach it from the city's ranking of the counties."""

    permission_required = PERMISSION
    template_name = "oversight/county_assessment.html"

    def get(self, request, *args, **kwargs):
        if not access.may_view_county_assessments(request.user):
            raise PermissionDenied
        self.county = get_object_or_404(
            Area.objects.for_user(request.user).counties(), pk=kwargs["pk"]
        )
        if not access.may_view_county_assessment(request.user, self.county):
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        campaign = chosen_campaign(user, self.request.GET.get("campaign", ""))
        context.update(
            county=self.county,
            campaign=campaign,
            campaigns=Campaign.objects.for_user(user).order_by("-year"),
            city_link=access.may_view_city_dashboard(user),
        )
        if campaign is not None:
            context["result"] = assessment(campaign=campaign, user=user, county=self.county)
        return context


def _review_jobs(user, campaign) -> list[Job]:
    """The latest review workbook and PDF jobs of ``user`` for this year, as the page shows them."""
    latest = {}
    for job in Job.objects.filter(
        started_by=user, kind__in=REVIEW_KINDS, target=review_target(user, campaign)
    ).select_related("started_by"):
        latest.setdefault(job.kind, job)
    return [job_checked(job) for job in latest.values()]


class _ReviewFile(_CityCampaignPage):
    """The year's review as a file, made in the request while the year is small; a large
    year's is a background job (``ReviewJobView``), and its address sends there."""

    kind = ""

    def get(self, request, *args, **kwargs):
        campaign = self.chosen()
        if review_in_background(campaign):
            messages.info(
                request, "本年度数据较多，点评总结和考核表在后台生成：请点本页的「后台生成」按钮。"
            )
            return redirect(review_page(campaign))
        review = year_review(campaign=campaign, user=request.user)
        return self.response(review, review_file_name(campaign, self.kind))


class AssessmentXlsxView(_ReviewFile):
    kind = JobKind.REVIEW_WORKBOOK

    def response(self, review, name):
        return review_workbook(review).response(name)


class ReviewPdfView(_ReviewFile):
    kind = JobKind.REVIEW_PDF

    def response(self, review, name):
        return pdf_response(year_review_pdf(review), quote(name))


class ReviewJobView(_CityCampaignPage):
    """POST: make the year's review workbook or PDF (``kind``) as a background job; the
    assessment page shows its progress and then the download."""

    http_method_names = ["post"]
    kind = ""

    def post(self, request, *args, **kwargs):
        campaign = self.chosen()
        job, started = start_review(actor=request.user, campaign=campaign, kind=self.kind)
        what = job.get_kind_display().removeprefix("导出")
        if started:
            messages.info(request, f"已开始生成{what}，完成后可在本页或「后台任务」中下载。")
        else:
            messages.info(request, f"{what}正在生成中，请等待完成。")
        return redirect(f"{review_page(campaign)}#job-{job.pk}")


def _note_form(note) -> ReviewNoteForm:
    initial = {name: getattr(note, name) for name in note.FIELDS} if note else None
    return ReviewNoteForm(initial=initial)


class TownshipReviewView(PermissionRequiredMixin, TemplateView):
    """A township officer's review of their own township (肯定成绩 / 找出不足 / 完善措施),
    printed in the city's review; beside it, the township's figures and score."""

    permission_required = PERMISSION
    template_name = "oversight/township_review.html"

    def dispatch(self, request, *args, **kwargs):
        # The township officer's page: only they write a township's review.
        user = request.user
        if user.is_authenticated and not access.may_write_review_note(user, user.area):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def campaign(self) -> Campaign:
        campaign = chosen_campaign(self.request.user, self.request.GET.get("campaign", ""))
        if campaign is None:
            raise Http404("尚未建立参保年度。")
        return campaign

    def township(self) -> Area:
        return get_object_or_404(
            Area.objects.for_user(self.request.user).townships(), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        campaign, township = self.campaign(), self.township()
        _, notes = review_notes(campaign=campaign, user=user)
        note = next((each for each in notes if each.area_id == township.pk), None)
        rows = assessment(campaign=campaign, user=user).rows
        context.update(
            campaign=campaign,
            township=township,
            note=note,
            row=next((row for row in rows if row.figures.area.pk == township.pk), None),
            form=kwargs.get("form") or _note_form(note),
        )
        return context

    def post(self, request, *args, **kwargs):
        campaign, township = self.campaign(), self.township()
        form = ReviewNoteForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            review_note_save(
                actor=request.user, campaign=campaign, area=township, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, f"已保存{township.name}点评总结。")
        return redirect(
            f"{reverse('township_review', args=[township.pk])}?campaign={campaign.year}"
        )
