from django.urls import resolve

from .navigation import current_item, items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = resolve(request.path_info) if request.path_info else None
    current = match.view_name if match else None
    items = items_for(user)
    return {"nav_items": items, "nav_current": current_item(items, current)}
