"""Who may do what, for the floor's own objects, and the one way a service refuses.

Each app has an ``access.py`` of ``may_<verb>(user, obj) -> bool`` functions answering every
"who may" question of that app: the services refuse with ``deny_unless``, the views pass the
answers to their templates as flags, the navigation reads the roles' permissions. No template
compares role strings.
"""

from django.core.exceptions import PermissionDenied

from .roles import TOWNSHIP_ROLES, VILLAGE_ROLES, Role


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
COUNTY_USERS_ONLY = (
    "县（区）计生委只能管理本县（区）乡镇（园区）和村（社区）的用户，以及本县财政局的用户。"
)
INSURER_ASSIGNERS_ONLY = "只有市人口计生委可以指定乡镇（园区）的承保公司。"


def may_view_areas(user) -> bool:
    """The area list and an area's page (each person sees the areas of their scope)."""
    return active(user) and user.has_perm(VIEW_AREAS)


def may_view_users(user) -> bool:
    """The user list, a user's page and an area's users: the city roles, the county officer
    (the users of its county) and the township officer (who sees the users of its township and
    villages)."""
    return active(user) and user.has_perm(VIEW_USERS)


def may_manage_users(user) -> bool:
    """Create users (the 新建用户 button): the city officer, and a county officer for its
    county (``roles_given_by``). A township officer sees its township's users but manages none
    of them."""
    return user is None or (active(user) and user.has_perm(MANAGE_USERS))


# The roles a county officer gives, in its own county: the townships' and villages' people and
# the county's finance office; another county officer (or a city role, or an insurer's staff)
# is the city officer's to make.
_COUNTY_GIVES = frozenset({*VILLAGE_ROLES, *TOWNSHIP_ROLES, Role.COUNTY_FINANCE})


def _manages_one_county(user) -> bool:
    return user is not None and user.role == Role.COUNTY_OFFICER


def _in_county(user, area) -> bool:
    """Whether ``area`` is the county officer's county or under it (by its code's prefix)."""
    return area is not None and user.area_id is not None and area.code.startswith(user.area.prefix)


def roles_given_by(user) -> list[str]:
    """The roles ``user`` may give a person (the user form's choices), in ``Role`` order: every
    role for the city officer and the system, the county's own for a county officer, none for
    anyone else."""
    if not may_manage_users(user):
        return []
    if _manages_one_county(user):
        return [role for role in Role if role in _COUNTY_GIVES]
    return list(Role)


def may_give_scope(user, role: str, area) -> bool:
    """Make a person ``role`` in ``area`` (a new user, or an edit): a role ``roles_given_by``
    gives, and for a county officer an area of its county."""
    if role not in roles_given_by(user):
        return False
    return not _manages_one_county(user) or _in_county(user, area)


def may_manage_user(user, person) -> bool:
    """Edit ``person``, deactivate or re-activate them, reset their password: a user manager,
    for a person with one of the roles (a county officer: one it could have made, in its
    county). A break-glass account (superuser or staff, no role) is managed by nobody in the
    app."""
    managed = bool(person.role) and not (person.is_superuser or person.is_staff)
    if not (managed and may_manage_users(user)):
        return False
    return not _manages_one_county(user) or (
        person.role in _COUNTY_GIVES and _in_county(user, person.area)
    )


def user_management_refusal(user) -> str:
    """The message a refused user service gives ``user``."""
    return COUNTY_USERS_ONLY if _manages_one_county(user) else USER_MANAGERS_ONLY


def may_assign_insurer(user, township) -> bool:
    """Name the insurer of a township (``insurer_assign_townships``): the city officer, and the
    system (the demo seed, the loading of a city's areas)."""
    return user is None or (active(user) and user.has_perm(ASSIGN_INSURER))


def may_view_audit(user) -> bool:
    """The whole audit trail and its export: the city roles. (Everyone sees the events of the
    objects they work on, on those objects' own pages.)"""
    return active(user) and user.has_perm(VIEW_AUDIT)
