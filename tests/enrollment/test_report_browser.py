"""In a real browser: a township officer makes the township report on a phone and reports it;
the city officer reads the overview and the reconciliation."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enrollment.models import Roster, TownshipReport
from enrollment.services.rosters import roster_approve, roster_enrol_all, roster_submit
from tests.browser import login, screenshot
from tests.enrollment.conftest import build_campaign, build_household

pytestmark = pytest.mark.browser


@pytest.fixture
def approved(world):
    """海门镇: both villages enrolled in full and approved; 南星村 has one undecided household."""
    campaign = build_campaign()
    build_household(world.village_a1)
    build_household(world.village_a1, employer_name="海门纺织厂")
    build_household(world.village_a2)
    build_household(world.village_b1)
    for village, cadre in ((world.village_a1, "cadre_a1"), (world.village_a2, "cadre_a2")):
        roster = Roster.objects.get(campaign=campaign, village=village)
        roster_enrol_all(actor=world.user(cadre), roster=roster)
        roster_submit(actor=world.user(cadre), roster=roster)
        roster_approve(actor=world.user("township_a"), roster=roster)
    return campaign


def test_township_officer_makes_and_reports_the_township_report(
    phone_page, live_server, world, approved
):
    page = phone_page
    login(page, live_server, world.user("township_a"))
    page.goto(live_server.url + reverse("enrollment:rosters_overview"))
    expect(page).to_have_url(re.compile(rf"/townships/{world.town_a.pk}/rosters/$"))
    expect(page.locator("#township-rosters tfoot")).to_contain_text("120.00")
    screenshot(page, "township_rosters_phone")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="生成乡镇汇总表").click()
    expect(page).to_have_url(re.compile(r"/reports/\d+/$"))
    expect(page.get_by_role("alert").first).to_contain_text("已生成海门镇2013年度汇总表")
    expect(page.locator("main")).to_contain_text("壹佰贰拾元整")
    screenshot(page, "township_report_phone")

    questions = []

    def accept(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="上报财政所和保险公司").click()
    expect(page.get_by_role("alert").first).to_contain_text("各村（社区）名册已锁定")
    assert "名册将被锁定" in questions[0]
    expect(page.get_by_role("button", name="上报财政所和保险公司")).to_have_count(0)
    assert TownshipReport.objects.get().status == TownshipReport.Status.REPORTED


def test_city_officer_reads_the_overview_and_the_reconciliation(page, live_server, world, approved):
    login(page, live_server, world.user("city"))
    page.goto(live_server.url + reverse("enrollment:rosters_overview"))
    expect(page.locator("#township-overview tfoot")).to_contain_text("120.00")
    screenshot(page, "rosters_overview")
    page.get_by_role("link", name="一个不多，一个不漏").click()
    expect(page.locator("#undecided tbody tr")).to_have_count(1)
    expect(page.locator("#undecided")).to_contain_text("南星村")
    screenshot(page, "reconciliation")
