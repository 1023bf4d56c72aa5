from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from . import access, services
from .audit import audit_download
from .exports import audit_workbook
from .filters import AreaFilter, AuditEventFilter, UserFilter
from .forms import UserForm
from .models import Area, AuditEvent, User
from .tables import AreaTable, AuditEventTable, UserTable
from .tasks import start_audit_export


def home(request):
    return redirect("workbench")  # the workbench is the roof's (oversight)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's form (old password, the new one twice, the password rules); the change itself
    goes through the service, which audits it."""

    def form_valid(self, form):
        user = services.user_password_change(
            actor=self.request.user, password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, user)
        return redirect(self.get_success_url())


class AreaListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    permission_required = access.VIEW_AREAS
    table_class = AreaTable
    filterset_class = AreaFilter
    template_name = "haimen_insurance/area_list.html"
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return Area.objects.for_user(self.request.user).select_related("parent", "insurer")


class AreaDetailView(PermissionRequiredMixin, DetailView):
    permission_required = access.VIEW_AREAS
    template_name = "haimen_insurance/area_detail.html"
    context_object_name = "area"

    def get_queryset(self):
        return Area.objects.for_user(self.request.user).select_related("parent", "insurer")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["children"] = Area.objects.for_user(user).filter(parent=self.object)
        context["users"] = (
            User.objects.for_user(user).filter(area=self.object).order_by("role", "username")
            if access.may_view_users(user)
            else User.objects.none()
        )
        context["can_view_areas"] = access.may_view_areas(user)
        return context


class UserListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    permission_required = access.VIEW_USERS
    table_class = UserTable
    filterset_class = UserFilter
    template_name = "haimen_insurance/user_list.html"
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return (
            User.objects.for_user(self.request.user)
            .select_related("area", "insurer")
            .order_by("-is_active", "role", "username")
        )

    def get_context_data(self, **kwargs):
        can_create = access.may_manage_users(self.request.user)
        return super().get_context_data(can_create=can_create, **kwargs)


class UserDetailView(PermissionRequiredMixin, DetailView):
    permission_required = access.VIEW_USERS
    template_name = "haimen_insurance/user_detail.html"
    context_object_name = "person"

    def get_queryset(self):
        return User.objects.for_user(self.request.user).select_related("area__parent", "insurer")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = (
            AuditEvent.objects.for_user(self.request.user)
            .filter(object_type="haimen_insurance.user", object_id=str(self.object.pk))
            .select_related("actor")[:20]
        )
        context["can_manage"] = access.may_manage_user(self.request.user, self.object)
        return context


class _UserFormView(PermissionRequiredMixin, FormView):
    permission_required = access.MANAGE_USERS
    form_class = UserForm
    template_name = "haimen_insurance/user_form.html"

    def apply_errors(self, form, error: ValidationError):
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
        return self.form_invalid(form)


class UserCreateView(_UserFormView):
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user, password = services.user_create(
                actor=self.request.user,
                username=data["username"],
                full_name=data["full_name"],
                phone=data["phone"],
                role=data["role"],
                area=data["area"],
                insurer=data["insurer"],
            )
        except ValidationError as error:
            return self.apply_errors(form, error)
        messages.success(
            self.request,
            f"已新建用户 {user.username}（{user.get_role_display()}）。初始密码：{password}"
            "  请当面或电话告知本人，并提醒登录后修改密码。此密码只显示这一次。",
        )
        return redirect(user)


class UserUpdateView(_UserFormView):
    @cached_property
    def person(self):
        return get_object_or_404(User.objects.for_user(self.request.user), pk=self.kwargs["pk"])

    def get_initial(self):
        person = self.person
        return {
            "username": person.username,
            "full_name": person.full_name,
            "phone": person.phone,
            "role": person.role,
            "area": person.area_id,
            "insurer": person.insurer_id,
        }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user, "editing": self.person}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "person": self.person}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.user_update(
                actor=self.request.user,
                user=self.person,
                full_name=data["full_name"],
                phone=data["phone"],
                role=data["role"],
                area=data["area"],
                insurer=data["insurer"],
            )
        except ValidationError as error:
            return self.apply_errors(form, error)
        messages.success(self.request, f"已保存用户 {self.person.username} 的修改。")
        return redirect(self.person)


class UserActionView(PermissionRequiredMixin, View):
    """POST-only actions on a user: deactivate, activate, reset the password."""

    permission_required = access.MANAGE_USERS
    http_method_names = ["post"]
    action = ""

    def post(self, request, pk):
        person = get_object_or_404(User.objects.for_user(request.user), pk=pk)
        try:
            if self.action == "deactivate":
                services.user_deactivate(actor=request.user, user=person)
                messages.success(request, f"已停用用户 {person.username}，该账号不能再登录。")
            elif self.action == "activate":
                services.user_activate(actor=request.user, user=person)
                messages.success(request, f"已重新启用用户 {person.username}。")
            else:
                password = services.user_reset_password(actor=request.user, user=person)
                messages.success(
                    request,
                    f"已重置 {person.username} 的密码，新密码：{password}  此密码只显示这一次。",
                )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect(reverse("user_detail", args=[person.pk]))


class AuditListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    permission_required = access.VIEW_AUDIT
    table_class = AuditEventTable
    filterset_class = AuditEventFilter
    template_name = "haimen_insurance/audit_list.html"
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return AuditEvent.objects.for_user(self.request.user).select_related("actor", "area")


class AuditExportView(AuditListView):
    """The filtered audit trail as a spreadsheet, streamed row by row."""

    def get(self, request, *args, **kwargs):
        events = AuditEventFilter(request.GET, queryset=self.get_queryset(), request=request).qs
        if events.count() > settings.JOBS_IMMEDIATE_ROWS:
            job, _ = start_audit_export(actor=request.user, query=request.GET.urlencode())
            messages.info(request, "审计记录较多，正在后台导出；完成后在「后台任务」中下载。")
            return redirect(job)
        name = f"审计日志_{timezone.localdate():%Y%m%d}.xlsx"
        writer = audit_workbook(events, full_ids=request.user.sees_full_ids)
        response = writer.response(name)
        if request.user.sees_full_ids:
            audit_download(actor=request.user, export="审计日志（Excel）", rows=writer.rows_written)
        return response
