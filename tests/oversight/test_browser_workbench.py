"""In a real browser: logging in, each role's workbench, the phone layout, creating a user."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import allow_http_error, login, screenshot

pytestmark = pytest.mark.browser

TITLE = "海门市独生子女保险参保管理系统"


def main_nav(page):
    """The role's page links in the header (not the user menu)."""
    return page.locator("#hm-nav ul.navbar-nav").first


def test_village_cadre_is_sent_to_login_and_lands_on_their_workbench(page, live_server, world):
    page.goto(f"{live_server.url}/")

    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("button", name="登录")).to_be_visible()

    login(page, live_server, world.user("cadre_a1"))

    expect(page).to_have_url(re.compile(r"/workbench/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("东兴村")
    nav = main_nav(page)
    expect(nav.get_by_role("link", name="工作台", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="用户", exact=True)).to_have_count(0)
    expect(nav.get_by_role("link", name="审计日志", exact=True)).to_have_count(0)
    expect(page.locator("main")).to_contain_text("参保名册")
    screenshot(page, "village_cadre_workbench")


def test_village_cadre_workbench_on_a_phone(phone_page, live_server, world):
    page = phone_page
    login(page, live_server, world.user("cadre_a1"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("东兴村")

    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    logout = page.get_by_role("button", name="退出登录")
    expect(logout).to_be_hidden()
    toggler.click()
    # Bootstrap swaps "collapsing" for "show" once the menu has finished sliding open.
    expect(page.locator("#hm-nav")).to_have_class(re.compile(r"\bshow\b"))
    page.locator("#hm-nav .dropdown-toggle").click()
    expect(page.locator("#hm-nav .dropdown-menu")).to_have_class(re.compile(r"\bshow\b"))
    expect(logout).to_be_visible()
    expect(logout).to_be_in_viewport()

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "village_cadre_workbench_phone")


def test_wrong_password_shows_a_chinese_error(page, live_server, world):
    login(page, live_server, world.user("cadre_a1"), password="not-the-password")

    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.locator(".alert-danger")).to_contain_text("用户名或密码不正确")


def test_city_officer_creates_a_village_cadre_who_then_logs_in(page, live_server, world):
    login(page, live_server, world.user("city"))
    main_nav(page).get_by_role("link", name="用户", exact=True).click()
    page.get_by_role("link", name="新建用户").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新建用户")

    page.locator("#id_username").fill("cadre_new")
    page.locator("#id_full_name").fill("新河村专干")
    page.locator("#id_role").select_option(label="村（社区）计生专干")
    page.locator("#id_area").select_option(label="海门镇 / 新河村")
    page.get_by_role("button", name="保存").click()

    message = page.locator(".alert-success")
    expect(message).to_contain_text("已新建用户 cadre_new")
    match = re.search(r"初始密码：(\S+)", message.inner_text())
    assert match, message.inner_text()
    password = match.group(1)
    screenshot(page, "city_user_create")

    page.locator("#hm-nav .dropdown-toggle").click()
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/login/"))

    login(page, live_server, "cadre_new", password=password)
    # An initial password: every page sends the new cadre to change it first.
    expect(page).to_have_url(re.compile(r"/password/change/$"))
    expect(page.locator("#password-change-required")).to_contain_text("请先修改密码")
    page.goto(f"{live_server.url}/workbench/")
    expect(page).to_have_url(re.compile(r"/password/change/$"))
    screenshot(page, "new_cadre_must_change_password")
    page.locator("#id_old_password").fill(password)
    page.locator("#id_new_password1").fill("Xinhe-2013-mima")
    page.locator("#id_new_password2").fill("Xinhe-2013-mima")
    page.get_by_role("button", name="保存新密码").click()
    expect(page).not_to_have_url(re.compile(r"/password/change/$"))
    page.goto(f"{live_server.url}/workbench/")
    expect(page).to_have_url(re.compile(r"/workbench/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("新河村")
    screenshot(page, "new_cadre_workbench")

    other_village = f"/areas/{world.village_a1.pk}/"
    allow_http_error(page, other_village, 404)
    response = page.goto(f"{live_server.url}{other_village}")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("找不到您要的页面")
