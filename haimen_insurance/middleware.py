"""Request and response rules that hold for every page.

- ``ControlCharacterMiddleware``: requests with control characters are answered with a 400 page
  before any view runs. PostgreSQL refuses a NUL in a text value, so a NUL in a search box or a
  form used to end as a 500 (or, worse, in a database error halfway through a change); the other
  control characters are invisible everywhere they would be shown. No page needs them, so a
  request whose path, query or form parameters (names or values) hold one is refused as a whole,
  with a Chinese page. Tab, newline and carriage return are left to the forms: a multi-line text
  may have them.
- ``NoStoreMiddleware``: no browser or proxy keeps a copy of a signed-in user's page.
- ``PasswordChangeRequiredMiddleware``: a user signed in with a password the system made (a new
  account, a reset) is sent to the password change page from every other page until they set
  their own.
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control

from .text import control_characters, has_control_characters

REASON = (
    "您填写或搜索的内容中含有控制字符（{characters}），系统无法处理。"
    "请删除这些字符后重试：从其他软件复制来的文字有时会带上它们。"
)


def _parameters(request):
    yield request.path_info
    queries = [request.GET, request.POST] if request.method == "POST" else [request.GET]
    for query in queries:
        for name, values in query.lists():
            yield name
            yield from values


class ControlCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for text in _parameters(request):
            if has_control_characters(text, multiline=True):
                characters = "、".join(control_characters(text, multiline=True)[:3])
                return render(
                    request,
                    "400.html",
                    {"reason": REASON.format(characters=characters)},
                    status=400,
                )
        return self.get_response(request)


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


class PasswordChangeRequiredMiddleware:
    """Every page but the password change itself, logout and static files redirects a user
    whose ``must_change_password`` is set to the password change page, which says why."""

    OPEN = ("password_change", "password_change_done", "logout", "login")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not self._open(request.path_info)
        ):
            return redirect("password_change")
        return self.get_response(request)

    def _open(self, path: str) -> bool:
        if settings.STATIC_URL and path.startswith(settings.STATIC_URL):
            return True
        return path in {reverse(name) for name in self.OPEN}
