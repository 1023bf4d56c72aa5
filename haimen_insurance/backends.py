"""Signing in: Django's model backend, loading the signed-in user with the area every page
shows (its township and the township's insurer) in the same query, and their permissions (their
own and their groups') in one query rather than two."""

from django.contrib.auth.backends import ModelBackend, UserModel
from django.contrib.auth.models import Permission
from django.db.models import Q


class UserAreaBackend(ModelBackend):
    def get_user(self, user_id):
        users = UserModel._default_manager.select_related("area__parent", "area__insurer")
        try:
            user = users.get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        """ModelBackend's answer, the union of the user's permissions and their groups', read
        in one query (every page checks a permission)."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj)
        if not hasattr(user_obj, "_perm_cache"):
            held = (
                Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
                .values_list("content_type__app_label", "codename")
                .order_by()
            )
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in held}
        return user_obj._perm_cache
