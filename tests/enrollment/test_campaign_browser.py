"""In a real browser: the city officer sets up next year's campaign on a phone and opens it."""

import re

import pytest
from playwright.sync_api import expect

from enrollment.models import Campaign, Roster
from tests.browser import login, screenshot
from tests.enrollment.conftest import build_campaign

pytestmark = pytest.mark.browser


def test_city_officer_sets_up_a_campaign_on_a_phone(phone_page, live_server, world):
    page = phone_page
    build_campaign(2013)
    login(page, live_server, world.user("city"))

    page.goto(f"{live_server.url}/enrollment/campaigns/")
    expect(page.get_by_role("heading", level=1)).to_have_text("参保年度")
    screenshot(page, "campaign_list_phone")
    page.get_by_role("link", name="新建参保年度").click()

    expect(page.get_by_label("参保年度")).to_have_value("2014")
    expect(page.get_by_label("年龄判定日")).to_have_value("2014-01-01")
    screenshot(page, "campaign_create_phone")
    # Saying no to the confirmation leaves everything as it was.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="建立参保年度").click()
    expect(page).to_have_url(re.compile(r"/campaigns/new/$"))
    assert not Campaign.objects.filter(year=2014).exists()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="建立参保年度").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "已建立2014年度：2 个险种，为 3 个村（社区）各建立了一本参保名册。"
    )
    expect(page.locator("main")).to_contain_text("10,000.00")
    screenshot(page, "campaign_detail_phone")
    assert Roster.objects.filter(campaign__year=2014).count() == 3

    page.get_by_role("link", name="更换承保公司").click()
    page.get_by_label("三星镇").select_option(label="甲保险公司海门支公司")
    screenshot(page, "campaign_insurers_phone")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "已更换 1 个乡镇的承保公司（三星镇：甲保险公司海门支公司）。"
    )

    # Being prepared, it is nobody's year yet; saying no to opening leaves it so.
    campaign = Campaign.objects.get(year=2014)
    expect(page.locator("main")).to_contain_text("本年度筹备中，尚未开放")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="开放本年度").click()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PREPARING
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="开放本年度").click()
    expect(page.get_by_role("alert").first).to_contain_text("已开放2014年度")
    expect(page.get_by_role("button", name="删除本年度")).to_have_count(0)
    screenshot(page, "campaign_opened_phone")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN
