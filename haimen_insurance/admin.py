"""The Django admin, for break-glass reading only.

Every write to the domain goes through a service function, which checks the rules and writes the
audit event; the admin has no such door. So every model shown here is read-only, for superusers
too: nothing is added, changed or deleted through the admin (a test checks every registered
model). Users are created and managed in the app (用户) or with ``manage.py create_user``.
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group

from .models import Area, AuditEvent, Insurer, Job, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows rows and never writes them: no add, change or delete, no bulk actions."""

    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "parent", "insurer"]
    list_filter = ["kind", "insurer"]
    search_fields = ["code", "name"]
    list_select_related = ["parent", "insurer"]


@admin.register(Insurer)
class InsurerAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "phone"]


@admin.register(User)
class UserAdmin(ReadOnlyAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "role", "area", "insurer", "is_active"]
    list_filter = ["role", "is_active"]
    list_select_related = ["area", "insurer"]
    search_fields = ["username", "full_name"]
    fieldsets = [
        (None, {"fields": ["username"]}),
        ("角色与范围", {"fields": ["full_name", "phone", "role", "area", "insurer"]}),
        ("状态", {"fields": ["is_active", "is_staff", "is_superuser", "last_login"]}),
    ]


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(ReadOnlyAdmin, DjangoGroupAdmin):
    pass


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_repr", "area"]
    list_filter = ["action", "object_type"]
    list_select_related = ["actor", "area"]


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "started_by", "target_label", "status", "done", "total"]
    list_filter = ["status", "kind"]
    list_select_related = ["started_by"]
