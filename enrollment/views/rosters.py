"""The village roster (名册): the cadre's decisions and submit, the township's approve / return.

The township officer may also fill in and submit a village's roster on its behalf (乡镇代村填报),
for a village without a cadre account or computer; the services mark every such decision.
"""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView

from haimen_insurance.privacy import mask

from .. import access
from ..eligibility import Reason
from ..forms.rosters import (
    DECLINE_SUGGESTIONS,
    NOT_ELIGIBLE_SUGGESTIONS,
    EntryDecisionForm,
    RosterReturnForm,
    RosterSearchForm,
)
from ..models import Household, Roster, RosterEntry
from ..selectors.campaigns import current_campaign
from ..selectors.rosters import (
    UNDECIDED,
    Figures,
    entries_prefetch,
    entry_lines,
    listed_households,
    on_behalf_note,
    roster_page_households,
    village_figures,
)
from ..services import rosters as services
from .roster_rows import ListedRow, rows_html

PER_PAGE = 50


def _scoped_roster(user, pk) -> Roster:
    rosters = Roster.objects.for_user(user).select_related(
        "campaign", "village__parent", "submitted_by", "reviewed_by"
    )
    return get_object_or_404(rosters, pk=pk)


class _FillsInRosters(PermissionRequiredMixin):
    """The cadre who keeps the roster, or the township officer filling it in on the village's
    behalf (the services check which village or township)."""

    permission_required = ("enrollment.submit_roster", "enrollment.review_roster")

    def has_permission(self):
        user = self.request.user
        return any(user.has_perm(permission) for permission in self.get_permission_required())


class RosterMineView(PermissionRequiredMixin, TemplateView):
    """The cadre's own roster of the current campaign."""

    permission_required = "enrollment.submit_roster"
    template_name = "enrollment/roster_none.html"

    def get(self, request, *args, **kwargs):
        campaign = current_campaign()
        if campaign is not None:
            roster = (
                Roster.objects.for_user(request.user)
                .filter(campaign=campaign, village=request.user.area_id)
                .first()
            )
            if roster is not None:
                return redirect(roster)
        return super().get(request, *args, campaign=campaign, **kwargs)


def _shown_count(figures: Figures, form: RosterSearchForm) -> int | None:
    """How many households the list shows, when the roster's figures already say it (no text
    searched for: all of them, or those in one state), so the page need not count them again;
    None when only counting will tell."""
    if not form.is_valid():
        return figures.households
    if form.cleaned_data["q"].strip():
        return None
    state = form.cleaned_data["state"] or "households"
    return getattr(figures, state)


def _filtered(households, form: RosterSearchForm):
    if not form.is_valid():
        return households
    query = form.cleaned_data["q"].strip()
    if query:
        households = households.filter(
            Q(child_name__contains=query)
            | Q(father_name__contains=query)
            | Q(mother_name__contains=query)
            | Q(certificate_no__icontains=query)
            | Q(child_id_number__iexact=query)
            | Q(father_id_number__iexact=query)
            | Q(mother_id_number__iexact=query)
        )
    eligible = Q(eligibility=Reason.ELIGIBLE.value)
    state = form.cleaned_data["state"]
    if state == "undecided":
        households = households.filter(eligible, decision=UNDECIDED)
    elif state == RosterEntry.Decision.NOT_ELIGIBLE:
        households = households.filter(Q(decision=state) | (Q(decision=UNDECIDED) & ~eligible))
    elif state:
        households = households.filter(decision=state)
    return households


class RosterRow:
    """One household as its entry form shows it."""

    def __init__(self, household: Household, *, full_ids: bool):
        self.household = household
        self.entry = household.roster_entries[0] if household.roster_entries else None
        self.eligible = household.eligibility == Reason.ELIGIBLE
        self.eligibility_label = Reason(household.eligibility).label
        self.full_ids = full_ids

    @property
    def state_label(self) -> str:
        if self.entry:
            return self.entry.get_decision_display()
        return "未处理" if self.eligible else "不符合条件"

    @property
    def reason(self) -> str:
        if self.entry:
            return self.entry.reason
        return "" if self.eligible else self.eligibility_label

    def shown_id(self, number: str) -> str:
        return number if self.full_ids or not number else mask(number)

    @property
    def child_id(self) -> str:
        return self.shown_id(self.household.child_id_number)

    @property
    def parents(self) -> list[str]:
        return [f"{name} {self.shown_id(number)}" for name, number in self.household.parents]


class RosterDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "enrollment.view_roster"
    template_name = "enrollment/roster_detail.html"
    problems = None

    @cached_property
    def roster(self) -> Roster:
        return _scoped_roster(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        user = self.request.user
        roster = self.roster
        figures = village_figures(roster)
        search = RosterSearchForm(self.request.GET or None)
        households = _filtered(roster_page_households(roster), search)
        paginator = Paginator(households, PER_PAGE)
        shown = _shown_count(figures, search)
        if shown is not None:
            paginator.count = shown
        page = paginator.get_page(self.request.GET.get("page"))
        households = list(page)
        lines = entry_lines([household.entry_pk for household in households if household.entry_pk])
        rows = [
            ListedRow(household, lines.get(household.entry_pk, []), full_ids=user.sees_full_ids)
            for household in households
        ]
        can_edit = access.may_edit_roster(user, roster)
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            roster=roster,
            campaign=roster.campaign,
            figures=figures,
            search=search,
            page=page,
            rows_html=rows_html(rows, roster=roster, can_edit=can_edit),
            query=query.urlencode(),
            can_edit=can_edit,
            on_behalf=access.fills_on_behalf(user, roster),
            on_behalf_note=on_behalf_note(roster),
            can_review=access.may_approve_roster(user, roster)
            or access.may_return_roster(user, roster),
            rosters_link=access.may_see_township_rosters(user),
            return_form=RosterReturnForm(),
            problems=self.problems,
            **kwargs,
        )


class _RosterAction(PermissionRequiredMixin, View):
    """A POST on a roster that calls one service and goes back to the roster page."""

    http_method_names = ["post"]

    def post(self, request, pk):
        roster = _scoped_roster(request.user, pk)
        try:
            done = self.act(roster)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, done)
        return redirect(roster)


class RosterEnrolAllView(_FillsInRosters, _RosterAction):
    def act(self, roster):
        result = services.roster_enrol_all(actor=self.request.user, roster=roster)
        done = f"已为 {result.enrolled} 户符合条件的家庭登记参保（各险种 1 份）。"
        if result.skipped:
            done += f"另有 {len(result.skipped)} 户未登记：" + "；".join(result.skipped)
        return done


class RosterSubmitView(_FillsInRosters, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        roster = _scoped_roster(request.user, pk)
        try:
            services.roster_submit(actor=request.user, roster=roster)
        except services.RosterProblems as refusal:
            view = RosterDetailView()
            view.setup(request, pk=pk)
            view.problems = refusal.problems
            messages.error(request, refusal.messages[0])
            return render(request, view.template_name, view.get_context_data())
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            if access.fills_on_behalf(request.user, roster):
                messages.success(request, f"名册已代{roster.village.name}提交，请审核。")
            else:
                messages.success(request, "名册已提交乡镇（园区）计生办审核。")
        return redirect(roster)


class RosterApproveView(_RosterAction):
    permission_required = "enrollment.review_roster"

    def act(self, roster):
        services.roster_approve(actor=self.request.user, roster=roster)
        return f"{roster.village.name}名册已审核通过。"


class RosterReturnView(_RosterAction):
    permission_required = "enrollment.review_roster"

    def act(self, roster):
        form = RosterReturnForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError("退回名册请填写原因，村（社区）专干会看到它。")
        services.roster_return(
            actor=self.request.user, roster=roster, reason=form.cleaned_data["reason"]
        )
        return f"{roster.village.name}名册已退回，退回原因已告知村（社区）专干。"


class EntryDecideView(_FillsInRosters, FormView):
    """One household's decision: enrolled with shares, declined or not eligible with a reason."""

    template_name = "enrollment/roster_entry.html"
    form_class = EntryDecisionForm

    @cached_property
    def roster(self) -> Roster:
        return _scoped_roster(self.request.user, self.kwargs["pk"])

    @cached_property
    def household(self) -> Household:
        households = listed_households(self.roster)
        return get_object_or_404(households, pk=self.kwargs["household_pk"])

    @cached_property
    def products(self) -> list:
        return list(self.roster.campaign.products.all())

    @cached_property
    def row(self) -> RosterRow:
        # Its entry is read only for the form shown (a save that succeeds needs none).
        prefetch_related_objects([self.household], entries_prefetch(self.roster, persons=False))
        return RosterRow(self.household, full_ids=self.request.user.sees_full_ids)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "products": self.products}

    def get_initial(self):
        if self.request.method == "POST":
            return {}  # a bound form shows what was sent, never its initial values
        entry = self.row.entry
        if entry is None:
            decision = "enrolled" if self.row.eligible else "not_eligible"
            reason = "" if self.row.eligible else self.row.eligibility_label
            return {"decision": decision, "reason": reason}
        initial = {"decision": entry.decision, "reason": entry.reason}
        if entry.decision == RosterEntry.Decision.ENROLLED:
            shares = {line.product.code: line.shares for line in entry.products.all()}
            for product in self.products:
                initial[f"shares_{product.code}"] = shares.get(product.code, 0)
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            roster=self.roster,
            row=self.row,
            household=self.household,
            can_edit=access.may_edit_roster(self.request.user, self.roster),
            on_behalf=access.fills_on_behalf(self.request.user, self.roster),
            decline_suggestions=DECLINE_SUGGESTIONS,
            not_eligible_suggestions=NOT_ELIGIBLE_SUGGESTIONS,
            **kwargs,
        )

    def back(self):
        return redirect(f"{self.roster.get_absolute_url()}#household-{self.household.pk}")

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "clear":
            try:
                services.entry_clear(
                    actor=request.user, roster=self.roster, household=self.household
                )
            except ValidationError as error:
                messages.error(request, "；".join(error.messages))
            else:
                messages.success(request, f"已撤销 {self.household.child_name} 家的登记。")
            return self.back()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        decision = form.cleaned_data["decision"]
        try:
            services.entry_decide(
                actor=self.request.user,
                roster=self.roster,
                household=self.household,
                decision=decision,
                reason=form.cleaned_data["reason"],
                shares=form.shares() if decision == RosterEntry.Decision.ENROLLED else None,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.form_invalid(form)
        label = RosterEntry.Decision(decision).label
        messages.success(self.request, f"{self.household.child_name} 家：{label}，已保存。")
        return self.back()


urlpatterns = [
    path("rosters/mine/", RosterMineView.as_view(), name="roster_mine"),
    path("rosters/<int:pk>/", RosterDetailView.as_view(), name="roster_detail"),
    path(
        "rosters/<int:pk>/households/<int:household_pk>/",
        EntryDecideView.as_view(),
        name="entry_decide",
    ),
    path("rosters/<int:pk>/enrol-all/", RosterEnrolAllView.as_view(), name="roster_enrol_all"),
    path("rosters/<int:pk>/submit/", RosterSubmitView.as_view(), name="roster_submit"),
    path("rosters/<int:pk>/approve/", RosterApproveView.as_view(), name="roster_approve"),
    path("rosters/<int:pk>/return/", RosterReturnView.as_view(), name="roster_return"),
]
