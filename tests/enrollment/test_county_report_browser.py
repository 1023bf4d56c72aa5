"""In a real browser, on a phone: the county officer of a city with counties (Ji'an's shape)
follows its workbench's 「县级汇总待上报」 to the county report, rolls its townships' reports up,
checks the confirmation page and reports the county report to the city."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import login, screenshot
from tests.enrollment.conftest import build_campaign, build_household, build_reported_report

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("world", ["jian"], indirect=True)]


@pytest.fixture
def reported(world):
    """敦厚镇 (county A): two families enrolled and the township report reported."""
    build_household(world.village_a1)
    build_household(world.village_a2)
    campaign = build_campaign()
    build_reported_report(campaign, world.town_a)
    return campaign


def test_the_county_officer_rolls_up_and_reports_the_county_report(
    phone_page, live_server, world, reported
):
    page = phone_page
    login(page, live_server, world.user("county_a"))
    page.goto(live_server.url + reverse("workbench"))
    item = page.locator("#todo li", has_text="县级汇总待上报")
    expect(item).to_contain_text("2013年度吉安县县级汇总待上报")
    item.get_by_role("link", name="去县级汇总").click()
    expect(page).to_have_url(re.compile(rf"/counties/{world.county_a.pk}/report/\?campaign=2013$"))
    expect(page.locator("#county-report-townships tfoot")).to_contain_text("80.00")
    screenshot(page, "county_report_ready_phone")

    page.get_by_role("button", name="县级汇总").click()
    expect(page.get_by_role("alert").first).to_contain_text("已生成吉安县2013年度县级汇总表")
    expect(page.locator("#county-report-lines tfoot")).to_contain_text("80.00")
    expect(page.locator("main")).to_contain_text("捌拾元整")
    screenshot(page, "county_report_drafted_phone")

    page.get_by_role("link", name="上报市计生委").click()
    expect(page).to_have_url(re.compile(r"/county-reports/\d+/submit/$"))
    expect(page.locator("#county-report-confirm")).to_contain_text("上报后县级汇总表不能再修改")
    screenshot(page, "county_report_confirm_phone")
    page.get_by_role("button", name="确认上报市计生委").click()
    expect(page.get_by_role("alert").first).to_contain_text("县级汇总表已上报市计生委")
    expect(page.locator("h1")).to_contain_text("已上报")
    expect(page.get_by_role("link", name="上报市计生委")).to_have_count(0)
