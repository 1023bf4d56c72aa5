"""Signing in: Django's model backend, loading the signed-in user with the area every page
shows (its township and the township's insurer) in the same query."""

from django.contrib.auth.backends import ModelBackend, UserModel


class UserAreaBackend(ModelBackend):
    def get_user(self, user_id):
        users = UserModel._default_manager.select_related("area__parent", "area__insurer")
        try:
            user = users.get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
