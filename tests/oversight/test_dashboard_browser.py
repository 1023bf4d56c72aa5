"""The dashboards in a real browser: the leader reads the city and drills into a township, the
township officer opens their own on a phone. ECharts draws both charts; screenshots are saved."""

import pytest
from playwright.sync_api import expect

from tests.browser import login, screenshot
from tests.oversight.test_dashboard import year  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


def test_city_and_township_dashboards(page, phone_page, live_server, world, year):  # noqa: F811
    login(page, live_server, world.user("leader"))
    page.get_by_role("link", name="仪表板", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("全市2013年度仪表板")
    expect(page.locator("#total-coverage")).to_have_text("投保率 66.67%")
    row = page.locator("#dashboard-table tbody tr", has_text="海门镇")
    expect(row).to_contain_text("80.00%")
    expect(row).to_contain_text("保单已出具")
    # ECharts drew into both chart boxes.
    expect(page.locator("#chart-coverage canvas")).to_have_count(1)
    expect(page.locator("#chart-money canvas")).to_have_count(1)
    screenshot(page, "dashboard_city")

    row.get_by_role("link", name="海门镇").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("海门镇2013年度仪表板")
    village = page.locator("#dashboard-table tbody tr", has_text="新河村")
    expect(village).to_contain_text("50.00%")
    expect(page.locator("#chart-coverage canvas")).to_have_count(1)
    screenshot(page, "dashboard_township")

    page.get_by_role("link", name="考核", exact=True).click()
    expect(page.locator("#assessment-table tbody tr").first).to_contain_text("海门镇")

    login(phone_page, live_server, world.user("township_a"))
    phone_page.goto(f"{live_server.url}/dashboard/")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("海门镇2013年度仪表板")
    expect(phone_page.locator("#dashboard-totals")).to_contain_text("80.00%")
    screenshot(phone_page, "dashboard_township_phone")
