from django.urls import Resolver404, resolve

from .navigation import current_item, items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    try:  # an error page (404, 400) has a path that resolves to nothing
        match = resolve(request.path_info) if request.path_info else None
    except Resolver404:
        match = None
    current = match.view_name if match else None
    items = items_for(user)
    return {"nav_items": items, "nav_current": current_item(items, current)}
