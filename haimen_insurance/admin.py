from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Area, AuditEvent, Insurer, User


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "insurer"]
    list_filter = ["kind", "insurer"]
    search_fields = ["code", "name"]
    list_select_related = ["parent", "insurer"]
    raw_id_fields = ["parent"]


@admin.register(Insurer)
class InsurerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "phone"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "role", "area", "insurer", "is_active"]
    list_filter = ["role", "is_active"]
    list_select_related = ["area", "insurer"]
    search_fields = ["username", "full_name"]
    raw_id_fields = ["area"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("角色与范围", {"fields": ["full_name", "phone", "role", "area", "insurer"]}),
    ]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: nobody adds, changes or deletes an audit event here."""

    list_display = ["at", "actor", "action", "object_type", "object_repr", "area"]
    list_filter = ["action", "object_type"]
    list_select_related = ["actor", "area"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
