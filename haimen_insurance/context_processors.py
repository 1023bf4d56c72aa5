from django.urls import resolve

from .navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = resolve(request.path_info) if request.path_info else None
    current = match.view_name if match else None
    return {"nav_items": items_for(user), "nav_current": current}
