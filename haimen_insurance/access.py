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
