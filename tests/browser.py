"""Browser tests: Playwright (sync API) drives Debian's Chromium against pytest-django's server.

Registered from tests/conftest.py (``pytest_plugins = ["tests.browser"]``).

Fixtures
    browser      one Chromium per session (/usr/bin/chromium; never downloads a browser)
    page         a fresh context per test, 1280×900, zh-CN
    phone_page   the same at 375×812 with is_mobile=True
Both pages record console errors, uncaught page errors and same-origin responses with
status >= 400, and fail the test at teardown if there were any: a missing static file or a
Content-Security-Policy violation (Chromium reports those as console errors) breaks the test.
A test that means to reach an error page says so first with ``allow_http_error(page, path)``.

Helpers
    login(page, live_server, user, password=PASSWORD)   fill the login form and submit
    open_page(browser, live_server, questions, **options)   a page of its own for one person
    screenshot(page, name)   full-page PNG at <repo>/test-artifacts/screenshots/<name>.png
    fill_transfer(page, voucher, amount)   the transfer form as a township finance clerk fills it

Any test that uses these fixtures gets the ``browser`` marker, so ``-m "not browser"`` skips them.
Requesting ``live_server`` makes pytest-django give the test a transactional database, so the
``world`` fixture (which asks for ``db``) can be used together with it; its data is committed and
visible to the live server thread.
"""

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 10_000
REPO_ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"

BROWSER_FIXTURES = {"browser", "page", "phone_page"}


# ---------------------------------------------------------------- marker and failure reports


def pytest_collection_modifyitems(items):
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # The page fixtures look at this to save a screenshot of a failed test.
    setattr(item, f"_browser_report_{report.when}", report)
    return report


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def _playwright() -> Iterator:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop registered as running on this thread, so
    # Django's async-safety check would refuse every ORM call made by the test itself while
    # Playwright is up. The ORM is used synchronously here, so that check is switched off
    # for as long as Playwright runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        yield playwright
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(_playwright) -> Iterator:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"浏览器测试需要 {CHROMIUM}（apt install chromium）")
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


# ---------------------------------------------------------------- problems seen by a page


@dataclass
class PageProblems:
    """Console errors, page errors and failed same-origin requests seen during one test."""

    origin: str
    problems: list[str] = field(default_factory=list)
    allowed: list[tuple[str, int]] = field(default_factory=list)  # (path, status)

    def _same_origin(self, url: str) -> bool:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def _is_allowed(self, url: str, status: int | None) -> bool:
        path = urlsplit(url).path
        return any(
            path == allowed_path and (status is None or status == allowed_status)
            for allowed_path, allowed_status in self.allowed
        )

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        # Chromium logs every 4xx/5xx response as a console error too; an expected one is fine.
        if message.text.startswith("Failed to load resource") and self._is_allowed(url, None):
            return
        self.problems.append(f"console error: {message.text} ({url or 'no url'})")

    def on_page_error(self, error) -> None:
        self.problems.append(f"uncaught page error: {error}")

    def on_response(self, response) -> None:
        if response.status < 400 or not self._same_origin(response.url):
            return
        if self._is_allowed(response.url, response.status):
            return
        request = response.request
        self.problems.append(f"HTTP {response.status} for {request.method} {response.url}")

    def on_request_failed(self, request) -> None:
        failure = request.failure or ""
        # A navigation that replaces a still-loading request aborts it; that is not a bug.
        if not self._same_origin(request.url) or "ERR_ABORTED" in failure:
            return
        self.problems.append(f"request failed: {request.method} {request.url} ({failure})")


_PROBLEMS: dict[int, PageProblems] = {}


def allow_http_error(page, path: str, status: int = 404) -> None:
    """Declare that ``path`` answering with ``status`` is what this test expects."""
    _PROBLEMS[id(page)].allowed.append((path, status))


def _open_page(browser, live_server, request, **context_options) -> Iterator:
    context = browser.new_context(locale="zh-CN", **context_options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    problems = PageProblems(origin=live_server.url.rstrip("/"))
    _PROBLEMS[id(page)] = problems
    page.on("console", problems.on_console)
    page.on("pageerror", problems.on_page_error)
    page.on("response", problems.on_response)
    page.on("requestfailed", problems.on_request_failed)
    try:
        yield page
        report = getattr(request.node, "_browser_report_call", None)
        if report is not None and report.failed:
            _save_failure_screenshot(page, request.node)
    finally:
        _PROBLEMS.pop(id(page), None)
        context.close()
    if problems.problems:
        pytest.fail(
            "浏览器报告了问题（缺少静态文件、违反 CSP、脚本错误或 4xx/5xx 响应）：\n  "
            + "\n  ".join(problems.problems),
            pytrace=False,
        )


@pytest.fixture
def page(browser, live_server, request) -> Iterator:
    """A desktop page (1280×900, zh-CN) that fails the test on console errors and 4xx/5xx."""
    yield from _open_page(browser, live_server, request, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone_page(browser, live_server, request) -> Iterator:
    """A phone page (375×812, is_mobile) with the same checks as ``page``."""
    yield from _open_page(
        browser, live_server, request, viewport={"width": 375, "height": 812}, is_mobile=True
    )


# ---------------------------------------------------------------- helpers


def open_page(browser, live_server, questions: list, **options):
    """A page in a context of its own, for a test that plays several people at once: it accepts
    every confirm dialog (noting its question in ``questions``) and notes console errors and
    4xx/5xx responses as the ``page`` fixture does. Returns (context, page, problems)."""
    context = browser.new_context(locale="zh-CN", **options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    problems = PageProblems(origin=live_server.url.rstrip("/"))
    page.on("console", problems.on_console)
    page.on("pageerror", problems.on_page_error)
    page.on("response", problems.on_response)
    page.on("requestfailed", problems.on_request_failed)

    def accept(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return context, page, problems


def login(page, live_server, user, password: str | None = None):
    """Log in through the login form as ``user`` (a User or a username); returns the page.

    Waits for the form submission's navigation; the page is then either where Django
    redirected (the workbench) or the login page again with its error message.
    """
    from tests.conftest import PASSWORD

    username = user if isinstance(user, str) else user.get_username()
    if urlsplit(page.url).path != "/login/":
        page.goto(f"{live_server.url}/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD if password is None else password)
    with page.expect_navigation(wait_until="load"):
        page.locator("form").get_by_role("button", name="登录").click()
    return page


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG as test-artifacts/screenshots/<name>.png; returns its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def fill_transfer(page, voucher: str, amount: str) -> None:
    """Fill the premium transfer form (dated 2012-12-30, Haimen town's finance office paying
    insurer A) with ``voucher`` and ``amount``; the caller submits it."""
    page.get_by_label("划拨日期").fill("2012-12-30")
    page.get_by_label("凭证号").fill(voucher)
    page.get_by_label("划拨金额").fill(amount)
    page.get_by_label("付款单位").fill("海门镇财政所")
    page.get_by_label("付款账号").fill("3206840100012345")
    page.get_by_label("付款开户行").fill("江苏海门农村商业银行")
    page.get_by_label("收款单位").fill("甲保险公司海门支公司")
    page.get_by_label("收款账号").fill("1105020109000123456")
    page.get_by_label("收款开户行").fill("中国工商银行海门支行")


def _save_failure_screenshot(page, node) -> None:
    name = "FAILED-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", node.nodeid)
    # A failed screenshot must not hide the test's real failure.
    with contextlib.suppress(Exception):
        screenshot(page, name)
