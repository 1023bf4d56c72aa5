"""In a real browser, in Ji'an's shape: the township's finance office transfers its part, the
report page says what is still awaited, the county's finance office records the county share
on a phone, and the city's closes the report."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from enrollment.models import TownshipReport
from enrollment.selectors.shares import report_shares
from enrollment.services.policies import transfer_record
from tests.browser import login, screenshot
from tests.enrollment.conftest import (
    build_campaign,
    build_household,
    build_reported_report,
    transfer_values,
)
from tests.enrollment.test_premium_shares import jian_shares

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("world", ["jian"], indirect=True)]


@pytest.fixture
def reported(world):
    """敦厚镇 (吉安县: 8 yuan a share): three families, 6 share units, 120 yuan: the city 12,
    the county 48, the township 60."""
    campaign = build_campaign(opened=False)
    jian_shares(campaign, world)
    from enrollment.services.campaigns import campaign_open

    campaign = campaign_open(actor=None, campaign=campaign)
    for _ in range(3):
        build_household(world.village_a1)
    return build_reported_report(campaign, world.town_a)


def _fill_transfer(page, amount: str):
    page.get_by_label("凭证号").fill("JXCZ-2013-0001")
    page.get_by_label("划拨金额（元）").fill(amount)
    page.get_by_label("付款账号").fill("3608210100012345")
    page.get_by_label("付款开户行").fill("吉安农村商业银行")
    page.get_by_label("收款账号").fill("1105020109000123456")
    page.get_by_label("收款开户行").fill("中国工商银行吉安分行")


def test_each_finance_office_transfers_its_share(phone_page, live_server, world, reported):
    assert report_shares(reported).by_office["county"] == Decimal("48.00")
    transfer_record(
        actor=world.user("finance_a"),
        report=reported,
        **transfer_values(reported, amount=Decimal("60.00")),
    )
    page = phone_page
    login(page, live_server, world.user("county_finance_a"))
    page.goto(live_server.url + reported.get_absolute_url())
    expect(page.locator("#report-awaited")).to_contain_text("待县（区）财政划拨、待市财政划拨")
    expect(page.locator("#report-share-table")).to_contain_text("县（区）财政 48.00")
    screenshot(page, "report_shares_phone")
    page.get_by_role("link", name="登记保费划拨").click()
    expect(page.locator("#amount-due")).to_have_text("48.00")
    _fill_transfer(page, "48.10")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="登记划拨").click()
    expect(page.get_by_role("alert").first).to_contain_text("多 0.10 元")
    page.get_by_label("划拨金额（元）").fill("48.00")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="登记划拨").click()
    expect(page).to_have_url(re.compile(rf"/reports/{reported.pk}/$"))
    expect(page.locator("#report-awaited")).to_contain_text("尚待：待市财政划拨")
    screenshot(page, "report_shares_county_paid_phone")
    reported.refresh_from_db()
    assert reported.status == TownshipReport.Status.REPORTED
