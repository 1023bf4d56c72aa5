from .navigation import current_item, items_for
from .programmes import programme as current_programme


def programme(request):
    """The programme's city, for the page frame (no query)."""
    return {"programme": current_programme()}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # The URL the request resolved to; None on a page that matched nothing (the 404 page), so
    # the navigation never resolves the path again.
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else None
    items = items_for(user)
    return {"nav_items": items, "nav_current": current_item(items, current)}
