"""Request and response rules that hold for every page."""

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """Pages and files for a signed-in user carry personal data (names, resident IDs, money):
    no browser or proxy keeps a copy (``Cache-Control: no-store, private``). Static files,
    served before this middleware runs, stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True, max_age=0)
        return response
