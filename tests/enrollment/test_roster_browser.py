"""The roster year in a real browser: the cadre decides and submits (refused first, with every
problem listed), the township returns it, the cadre fixes it and resubmits, the township approves
and reports the township total."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enrollment.models import Roster, TownshipReport
from enrollment.services.rosters import roster_approve, roster_enrol_all, roster_submit
from tests.browser import login, screenshot
from tests.enrollment.conftest import build_campaign, build_household

pytestmark = pytest.mark.browser


def accept_dialogs(page, questions):
    def accept(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)


def test_decide_submit_return_resubmit_approve_and_report(browser, live_server, world):
    campaign = build_campaign()
    first = build_household(world.village_a1, child_name="陈小雨")
    build_household(world.village_a1, child_name="王一鸣")
    build_household(world.village_a1, child_name="李佳怡", employer_name="海门纺织厂")
    # The neighbouring village is done and approved already.
    build_household(world.village_a2)
    other = Roster.objects.get(campaign=campaign, village=world.village_a2)
    roster_enrol_all(actor=world.user("cadre_a2"), roster=other)
    roster_submit(actor=world.user("cadre_a2"), roster=other)
    roster_approve(actor=world.user("township_a"), roster=other)
    roster = Roster.objects.get(campaign=campaign, village=world.village_a1)

    cadre = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = cadre.new_page()
    questions = []
    accept_dialogs(page, questions)
    login(page, live_server, world.user("cadre_a1"))
    page.get_by_role("link", name="打开本村名册").click()
    expect(page.locator("#roster-figures")).to_contain_text("未处理")

    # One family declines.
    page.locator(f"#household-{first.pk}").get_by_role("link", name="登记").click()
    page.get_by_label("自愿放弃").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator("main")).to_contain_text("请填写自愿放弃的原因。")
    page.get_by_label("原因").fill("家庭自愿放弃")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").first).to_contain_text("陈小雨 家：自愿放弃，已保存。")

    # Submitting with two undecided families is refused, each listed with a link.
    page.get_by_role("button", name="提交乡镇审核").click()
    problems = page.locator("#submit-problems")
    expect(problems).to_contain_text("名册还有 2 个问题，不能提交")
    expect(problems.get_by_role("link")).to_have_count(2)
    screenshot(page, "roster_submit_refused_phone")

    page.get_by_role("button", name=re.compile("一键登记全部未处理家庭")).click()
    expect(page.get_by_role("alert").first).to_contain_text("已为 2 户符合条件的家庭登记参保")
    screenshot(page, "roster_cadre_phone")
    page.get_by_role("button", name="提交乡镇审核").click()
    expect(page.get_by_role("alert").first).to_contain_text("名册已提交乡镇（园区）计生办审核")
    assert any("确定提交本村名册（参保 2 户，保费 80.00 元）" in question for question in questions)

    # The township officer returns it with a reason.
    officer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk = officer.new_page()
    accept_dialogs(desk, [])
    login(desk, live_server, world.user("township_a"))
    desk.goto(live_server.url + reverse("enrollment:township_rosters", args=[world.town_a.pk]))
    desk.get_by_role("link", name=world.village_a1.name).click()
    desk.get_by_placeholder("退回原因").fill("陈小雨家请再动员一次")
    desk.get_by_role("button", name="退回").click()
    expect(desk.get_by_role("alert").first).to_contain_text("名册已退回")

    # The cadre sees why, enrols that family after all, and resubmits.
    page.goto(live_server.url + roster.get_absolute_url())
    expect(page.locator("main")).to_contain_text("乡镇退回：陈小雨家请再动员一次")
    page.locator(f"#household-{first.pk}").get_by_role("link", name="修改").click()
    page.get_by_label("参保", exact=True).check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").first).to_contain_text("陈小雨 家：参保，已保存。")
    page.get_by_role("button", name="提交乡镇审核").click()
    expect(page.get_by_role("alert").first).to_contain_text("名册已提交")

    # The township approves, makes the township report and reports it.
    desk.goto(live_server.url + roster.get_absolute_url())
    desk.get_by_role("button", name="审核通过").click()
    expect(desk.get_by_role("alert").first).to_contain_text("名册已审核通过")
    desk.goto(live_server.url + reverse("enrollment:township_rosters", args=[world.town_a.pk]))
    desk.get_by_role("button", name="生成乡镇汇总表").click()
    expect(desk.locator("main")).to_contain_text("160.00")  # 3 + 1 families, 2 policies each
    screenshot(desk, "township_summary")
    desk.get_by_role("button", name="上报财政所和保险公司").click()
    expect(desk.get_by_role("alert").first).to_contain_text("各村（社区）名册已锁定")
    report = TownshipReport.objects.get(campaign=campaign, township=world.town_a)
    assert report.status == TownshipReport.Status.REPORTED
    assert report.premium == 160
    cadre.close()
    officer.close()
