"""The dashboards (the city's townships, a township's villages), the assessment (考核) and the
year's review (点评总结), for one campaign."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from enrollment.models import Campaign
from enrollment.pdf import year_review_pdf
from enrollment.selectors.campaigns import phase_calendar
from enrollment.services.assessment import assessment_rule_delete as rule_delete
from enrollment.services.assessment import assessment_rule_set as rule_set
from enrollment.services.assessment import assessment_rules_default as rules_default
from enrollment.services.review import review_note_save
from enrollment.views.reports import chosen_campaign
from haimen_insurance.pdf import pdf_response

from .assessment import assessment
from .dashboard import dashboard
from .forms import AssessmentRuleForm, ReviewNoteForm
from .models import Area
from .review import review_notes, review_workbook, year_review
from .roles import CITY_ROLES, Role


class _DashboardPage(PermissionRequiredMixin, TemplateView):
    permission_required = "haimen_insurance.view_dashboard"
    template_name = "haimen_insurance/dashboard.html"
    township = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        campaign = chosen_campaign(user, self.request.GET.get("campaign", ""))
        context.update(
            campaign=campaign,
            township=self.township,
            campaigns=Campaign.objects.for_user(user).order_by("-year"),
            city_link=self.township is not None and user.role in CITY_ROLES,
        )
        if campaign is not None:
            board = dashboard(campaign=campaign, user=user, township=self.township)
            context.update(board=board, phases=phase_calendar(campaign, timezone.localdate()))
        return context


class DashboardView(_DashboardPage):
    """The city dashboard; a township officer is sent to their own township's."""

    def get(self, request, *args, **kwargs):
        if request.user.role == Role.TOWNSHIP_OFFICER:
            return redirect("dashboard_township", request.user.area_id)
        if request.user.role not in CITY_ROLES:
            raise PermissionDenied
        return super().get(request, *args, **kwargs)


class TownshipDashboardView(_DashboardPage):
    def get(self, request, *args, **kwargs):
        self.township = get_object_or_404(
            Area.objects.for_user(request.user).townships(), pk=kwargs["pk"]
        )
        return super().get(request, *args, **kwargs)


class _CityCampaignPage(PermissionRequiredMixin, View):
    """A city page about one campaign (``?campaign=<year>``, else the current one)."""

    permission_required = "haimen_insurance.view_dashboard"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role not in CITY_ROLES:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def chosen(self) -> Campaign:
        campaign = chosen_campaign(self.request.user, self.request.GET.get("campaign", ""))
        if campaign is None:
            raise Http404("尚未建立参保年度。")
        return campaign


class AssessmentView(_CityCampaignPage, TemplateView):
    """考核: the rules (the city officer edits them) and the ranked townships."""

    template_name = "haimen_insurance/assessment.html"

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
            can_edit=self.request.user.has_perm("enrollment.change_campaign"),
            form=kwargs.get("form") or AssessmentRuleForm(),
            city_note=city_note,
            township_notes=[note for note in township_notes if note.written],
            note_form=kwargs.get("note_form") or _note_form(city_note),
        )
        return context

    def post(self, request, *args, **kwargs):
        """Set a rule, delete one, or start from the default rules (city officer)."""
        if not request.user.has_perm("enrollment.change_campaign"):
            raise PermissionDenied
        campaign = self.chosen()
        try:
            if "review_note" in request.POST:
                form = ReviewNoteForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(note_form=form))
                city = get_object_or_404(Area.objects.filter(kind=Area.Kind.CITY))
                review_note_save(
                    actor=request.user, campaign=campaign, area=city, **form.cleaned_data
                )
                messages.success(request, "已保存全市点评总结。")
            elif "defaults" in request.POST:
                rules_default(actor=request.user, campaign=campaign)
                messages.success(request, "已采用默认评分规则。")
            elif "delete" in request.POST:
                rule = get_object_or_404(campaign.assessment_rules, pk=request.POST["delete"])
                rule_delete(actor=request.user, rule=rule)
                messages.success(request, f"已删除评分项目：{rule.get_metric_display()}。")
            else:
                form = AssessmentRuleForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form))
                rule = rule_set(actor=request.user, campaign=campaign, **form.cleaned_data)
                messages.success(request, f"已保存评分项目：{rule.get_metric_display()}。")
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(f"{reverse('assessment')}?campaign={campaign.year}")


class AssessmentXlsxView(_CityCampaignPage):
    def get(self, request, *args, **kwargs):
        review = year_review(campaign=self.chosen(), user=request.user)
        return review_workbook(review).response(f"{review.campaign.year}年度考核与点评总结.xlsx")


class ReviewPdfView(_CityCampaignPage):
    def get(self, request, *args, **kwargs):
        review = year_review(campaign=self.chosen(), user=request.user)
        name = quote(f"{review.campaign.year}年度点评总结.pdf")
        return pdf_response(year_review_pdf(review), name)


def _note_form(note) -> ReviewNoteForm:
    initial = {name: getattr(note, name) for name in note.FIELDS} if note else None
    return ReviewNoteForm(initial=initial)


class TownshipReviewView(PermissionRequiredMixin, TemplateView):
    """A township officer's review of their own township (肯定成绩 / 找出不足 / 完善措施),
    printed in the city's review; beside it, the township's figures and score."""

    permission_required = "haimen_insurance.view_dashboard"
    template_name = "haimen_insurance/township_review.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role != Role.TOWNSHIP_OFFICER:
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
