"""Two years in a real browser: 海门镇's 2013 premium has been transferred but its policies not
issued when the city officer rolls 2013 over (the confirmation names 海门镇 as waiting for its
policies and 三星镇 as not reported) and opens 2014. The insurer then finishes last year's work
from the workbench alone: the to-do item for 2013 海门镇 with its deadline, followed to the issue
page, the policies issued, the item gone. Finance reaches last year's voucher from its workbench.

Screenshots: test-artifacts/screenshots/two_years_*.png."""

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from enrollment.models import Campaign, Policy
from enrollment.services.policies import transfer_record
from tests.browser import login, screenshot
from tests.enrollment.conftest import (
    build_campaign,
    build_household,
    build_reported_report,
    transfer_values,
)

pytestmark = pytest.mark.browser


def switch_user(page, live_server, user):
    page.context.clear_cookies()
    login(page, live_server, user)
    expect(page).to_have_url(f"{live_server.url}/workbench/")


def test_last_years_insurer_work_is_finished_after_the_roll_over(page, live_server, world):
    last = build_campaign(2013)
    build_household(world.village_a1, child_name="陈小雨")
    build_household(world.village_a2, child_name="张子涵")
    report = build_reported_report(last, world.town_a)
    transfer_record(actor=None, report=report, **transfer_values(report))
    questions = []

    def accept(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)

    # ------------------------------------------------------------ city: roll over, open 2014
    login(page, live_server, world.user("city"))
    page.goto(f"{live_server.url}{last.get_absolute_url()}")
    expect(page.locator("#campaign-unfinished")).to_contain_text("待出具保单：海门镇")
    expect(page.locator("#campaign-reports tbody tr", has_text="海门镇")).to_contain_text(
        "保费已划拨"
    )
    page.get_by_role("button", name=re.compile("续保：生成下一年度")).click()
    expect(page.get_by_role("alert").first).to_contain_text("已生成2014年度")
    assert "尚未上报：三星镇" in questions[-1]
    assert "待出具保单：海门镇" in questions[-1]
    page.get_by_role("button", name="开放本年度").click()
    expect(page.get_by_role("alert").first).to_contain_text("已开放2014年度")
    assert Campaign.objects.get(year=2014).is_open
    page.locator("#hm-nav").get_by_role("link", name="工作台", exact=True).click()
    todo = page.locator("#todo")
    expect(todo).to_contain_text("2013年度已上报、尚未出具保单的乡镇（园区） 1 个")
    expect(todo).to_contain_text("2014年度尚未上报的乡镇（园区） 2 个")
    screenshot(page, "two_years_1_city")

    # ------------------------------------------------------------ insurer: last year's policies
    switch_user(page, live_server, world.user("insurer_a"))
    expect(page.locator("#waiting-count")).to_have_text("1")
    item = page.locator("#todo li", has_text="出具保单：2013年度海门镇")
    overdue = (timezone.localdate() - date(2012, 12, 31)).days
    expect(item).to_contain_text("2012-12-31 前")
    expect(item).to_contain_text(f"已逾期 {overdue} 天")
    screenshot(page, "two_years_2_insurer_todo")
    item.get_by_role("link", name="下载清单、出具保单").click()
    expect(page.locator("#issued-count")).to_have_text("0")
    page.get_by_role("button", name="按系统编号出具保单").click()
    expect(page.get_by_role("alert").first).to_have_text(
        "已出具海门镇2013年度保单 4 份（系统编号），保险期间 2013-01-01 至 2013-12-31。"
    )
    assert Policy.objects.filter(report=report).count() == 4
    page.locator("#hm-nav").get_by_role("link", name="工作台", exact=True).click()
    expect(page.locator("#waiting-count")).to_have_text("0")
    expect(page.locator("#todo li", has_text="出具保单：2013年度海门镇")).to_have_count(0)
    expect(page.locator("#workbench-reports tbody tr", has_text="2013年度")).to_contain_text(
        "保单已出具"
    )
    screenshot(page, "two_years_3_insurer_done")

    # ------------------------------------------------------------ finance: last year's voucher
    switch_user(page, live_server, world.user("finance_a"))
    row = page.locator("#workbench-reports tbody tr", has_text="2013年度")
    voucher = row.get_by_role("link", name=re.compile("划拨单"))
    expect(voucher).to_be_visible()
    response = page.request.get(f"{live_server.url}{voucher.get_attribute('href')}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    screenshot(page, "two_years_4_finance")
