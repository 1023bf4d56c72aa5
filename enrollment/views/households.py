"""Households: the register list, detail, add, edit, revoke; the duplicates page."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from haimen_insurance.audit import readable_changes
from haimen_insurance.models import AuditEvent
from haimen_insurance.privacy import shown_id

from .. import access
from ..filters import HouseholdFilter
from ..forms.households import HouseholdForm, HouseholdLeaveForm
from ..models import Household, Policy
from ..selectors.duplicates import duplicate_groups, duplicate_parent_ids
from ..services import households as services
from ..tables import HouseholdTable

ID_FIELDS = ("child_id_number", "father_id_number", "mother_id_number")


def _apply_errors(form, error: ValidationError) -> None:
    """Put the service's Chinese reasons beside the fields they are about."""
    if hasattr(error, "error_dict"):
        for field, reasons in error.message_dict.items():
            form.add_error(field if field in form.fields else None, reasons)
    else:
        form.add_error(None, error.messages)


def household_history(user, household: Household) -> list[dict]:
    """The audit events of this household that ``user`` may see, with readable changes."""
    events = (
        AuditEvent.objects.for_user(user)
        .filter(object_type=Household._meta.label_lower, object_id=str(household.pk))
        .select_related("actor")[:50]
    )
    return [
        {"event": event, "changes": readable_changes(event, full_ids=user.sees_full_ids)}
        for event in events
    ]


class HouseholdListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    permission_required = "enrollment.view_household"
    table_class = HouseholdTable
    filterset_class = HouseholdFilter
    template_name = "enrollment/household_list.html"
    table_pagination = {"per_page": 50}  # the table paginates; the list view must not count too

    def get_queryset(self):
        return Household.objects.for_user(self.request.user).select_related("village__parent")

    def get_table_kwargs(self):
        user = self.request.user
        exclude = []
        if access.sees_one_village(user):
            exclude = ["township", "village"]
        elif access.sees_one_township(user):
            exclude = ["township"]
        return {"sees_full_ids": user.sees_full_ids, "exclude": exclude}


class HouseholdDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "enrollment.view_household"
    template_name = "enrollment/household_detail.html"
    context_object_name = "household"

    def get_queryset(self):
        return Household.objects.for_user(self.request.user).select_related("village__parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, household = self.request.user, self.object
        context["ids"] = {
            field: shown_id(getattr(household, field), full=user.sees_full_ids)
            for field in ID_FIELDS
        }
        context["can_edit"] = access.may_write_household(user, household.village_id)
        context["history"] = household_history(user, household)
        context["policies"] = (
            Policy.objects.for_user(user)
            .filter(household=household)
            .select_related("campaign", "product")
            .order_by("-campaign__year", "product__code")
        )
        # The household's claims are listed by claims' template tag (``household_claims``).
        return context


class _HouseholdFormView(FormView):
    form_class = HouseholdForm
    template_name = "enrollment/household_form.html"

    def report(self, household: Household, notices: list[str], done: str):
        messages.success(
            self.request, f"{done}：证号 {household.certificate_no}（{household.child_name}）。"
        )
        for notice in notices:
            messages.info(self.request, notice)
        return redirect(household)


class HouseholdCreateView(PermissionRequiredMixin, _HouseholdFormView):
    permission_required = "enrollment.add_household"

    @cached_property
    def village(self):
        village = self.request.user.area
        if village is None or not village.is_village:
            raise PermissionDenied("只有村（社区）计生专干可以登记本村的独生子女证。")
        return village

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "village": self.village}

    def form_valid(self, form):
        try:
            household, notices = services.household_create(
                actor=self.request.user, village=self.village, **form.service_fields()
            )
        except ValidationError as error:
            _apply_errors(form, error)
            return self.form_invalid(form)
        return self.report(household, notices, "已登记")


class HouseholdUpdateView(PermissionRequiredMixin, _HouseholdFormView):
    permission_required = "enrollment.change_household"

    @cached_property
    def household(self):
        return get_object_or_404(
            Household.objects.for_user(self.request.user).select_related("village"),
            pk=self.kwargs["pk"],
        )

    def get_initial(self):
        return HouseholdForm.initial_from(self.household)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "household": self.household,
            "village": self.household.village,
        }

    def form_valid(self, form):
        try:
            household, notices = services.household_update(
                actor=self.request.user, household=self.household, **form.service_fields()
            )
        except ValidationError as error:
            _apply_errors(form, error)
            return self.form_invalid(form)
        return self.report(household, notices, "已保存修改")


class HouseholdLeaveView(PermissionRequiredMixin, FormView):
    """Revoke (注销) or record moving away (迁出): asks for the reason first."""

    permission_required = "enrollment.change_household"
    form_class = HouseholdLeaveForm
    template_name = "enrollment/household_revoke.html"

    @cached_property
    def household(self):
        return get_object_or_404(
            Household.objects.for_user(self.request.user).select_related("village"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "household": self.household}

    def form_valid(self, form):
        data = form.cleaned_data
        service, done = {
            HouseholdLeaveForm.REVOKE: (services.household_revoke, "已注销"),
            HouseholdLeaveForm.MOVE_AWAY: (services.household_move_away, "已登记迁出"),
        }[data["kind"]]
        try:
            household = service(
                actor=self.request.user, household=self.household, reason=data["reason"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{done}：证号 {household.certificate_no}（{household.child_name}），"
            f"原因：{household.status_reason}",
        )
        return redirect(household)


class HouseholdRestoreView(PermissionRequiredMixin, View):
    permission_required = "enrollment.change_household"
    http_method_names = ["post"]

    def post(self, request, pk):
        household = get_object_or_404(Household.objects.for_user(request.user), pk=pk)
        try:
            household = services.household_restore(actor=request.user, household=household)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, f"证号 {household.certificate_no} 已恢复为有效的独生子女证。")
        return redirect(household)


class DuplicatesView(PermissionRequiredMixin, TemplateView):
    """The same parent on two or more valid certificates, grouped for review."""

    permission_required = "enrollment.view_household"
    template_name = "enrollment/duplicates.html"
    paginate_by = 30

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        paginator = Paginator(duplicate_parent_ids(user), self.paginate_by)
        page = paginator.get_page(self.request.GET.get("page"))
        context["page"] = page
        context["group_count"] = paginator.count
        context["groups"] = [
            {
                "shown_id": shown_id(group.id_number, full=user.sees_full_ids),
                "names": "、".join(group.names) or "—",
                "certificates": group.certificates,
            }
            for group in duplicate_groups(user, list(page.object_list))
        ]
        return context


urlpatterns = [
    path("households/", HouseholdListView.as_view(), name="household_list"),
    path("households/new/", HouseholdCreateView.as_view(), name="household_create"),
    path("households/duplicates/", DuplicatesView.as_view(), name="duplicates"),
    path("households/<int:pk>/", HouseholdDetailView.as_view(), name="household_detail"),
    path("households/<int:pk>/edit/", HouseholdUpdateView.as_view(), name="household_update"),
    path("households/<int:pk>/revoke/", HouseholdLeaveView.as_view(), name="household_revoke"),
    path("households/<int:pk>/restore/", HouseholdRestoreView.as_view(), name="household_restore"),
]
