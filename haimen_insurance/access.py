"""Who may do what, for the floor's own objects, and the one way a service refuses.

Each app has an ``access.py`` of ``may_<verb>(user, obj) -> bool`` functions answering every
"who may" question of that app: the services refuse with ``deny_unless``, the views pass the
answers to their templates as flags, the navigation reads the roles' permissions. No template
compares role strings.
"""

from django.core.exceptions import PermissionDenied


def active(user) -> bool:
    """A signed-in, active person (``None`` is the system itself: the demo seed, a roll-over)."""
    return user is not None and user.is_authenticated and user.is_active


def deny_unless(allowed: bool, message: str) -> None:
    """Raise ``PermissionDenied(message)`` unless ``allowed``; ``message`` is Chinese and says
    who may."""
    if not allowed:
        raise PermissionDenied(message)


# --- the floor's own questions: areas, users, insurers of townships, the audit trail ---
#
# Which rows a person sees is the scoping door's (``objects.for_user``); the object passed in
# here was read through it. ``None`` as the user is the system itself (a management command, the
# demo seed, the test builders).

VIEW_AREAS = "haimen_insurance.view_area"
VIEW_USERS = "haimen_insurance.view_user"
MANAGE_USERS = "haimen_insurance.manage_users"
ASSIGN_INSURER = "haimen_insurance.change_area"
VIEW_AUDIT = "haimen_insurance.view_auditevent"

USER_MANAGERS_ONLY = "只有市人口计生委可以管理用户。"
INSURER_ASSIGNERS_ONLY = "只有市人口计生委可以指定乡镇（园区）的承保公司。"


def may_view_areas(user) -> bool:
    """The area list and an area's page (each person sees the areas of their scope)."""
    return active(user) and user.has_perm(VIEW_AREAS)


def may_view_users(user) -> bool:
    """The user list, a user's page and an area's users: the city roles and the township
    officer (who sees the users of its township and villages)."""
    return active(user) and user.has_perm(VIEW_USERS)


def may_manage_users(user) -> bool:
    """Create users (the 新建用户 button): the city officer. A township officer sees its
    township's users but manages none of them."""
    return user is None or (active(user) and user.has_perm(MANAGE_USERS))


def may_manage_user(user, person) -> bool:
    """Edit ``person``, deactivate or re-activate them, reset their password: a user manager,
    for a person with one of the six roles. A break-glass account (superuser or staff, no role)
    is managed by nobody in the app."""
    managed = bool(person.role) and not (person.is_superuser or person.is_staff)
    return managed and may_manage_users(user)


def may_assign_insurer(user, township) -> bool:
    """Name the insurer of a township (``insurer_assign_townships``): the city officer, and the
    system (the demo seed, the loading of a city's areas)."""
    return user is None or (active(user) and user.has_perm(ASSIGN_INSURER))


def may_view_audit(user) -> bool:
    """The whole audit trail and its export: the city roles. (Everyone sees the events of the
    objects they work on, on those objects' own pages.)"""
    return active(user) and user.has_perm(VIEW_AUDIT)
