"""The township officer in a real browser: fills in a village's roster on its behalf, then ticks
every submitted roster (select all) and approves them at once after the confirmation page."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enrollment.models import Roster
from enrollment.services.rosters import roster_enrol_all, roster_submit
from haimen_insurance.models import AuditEvent
from tests.browser import login, screenshot
from tests.enrollment.conftest import build_campaign, build_household
from tests.enrollment.test_roster_browser import accept_dialogs

pytestmark = pytest.mark.browser


def test_fill_in_for_a_village_then_approve_both_at_once(page, live_server, world):
    campaign = build_campaign()
    build_household(world.village_a1)
    first = Roster.objects.get(campaign=campaign, village=world.village_a1)
    roster_enrol_all(actor=world.user("cadre_a1"), roster=first)
    roster_submit(actor=world.user("cadre_a1"), roster=first)
    build_household(world.village_a2, child_name="张小军")
    questions = []
    accept_dialogs(page, questions)
    login(page, live_server, world.user("township_a"))
    rosters_page = live_server.url + reverse("enrollment:township_rosters", args=[world.town_a.pk])

    # 新河村 has no cadre at a computer: the township fills in and submits its roster.
    page.goto(rosters_page)
    page.get_by_role("link", name="代填").click()
    expect(page.locator("#on-behalf-notice")).to_contain_text("代新河村填报")
    page.get_by_role("button", name=re.compile("一键登记全部未处理家庭")).click()
    expect(page.get_by_role("alert").first).to_contain_text("已为 1 户")
    page.get_by_role("button", name="代村提交审核").click()
    expect(page.get_by_role("alert").first).to_contain_text("名册已代新河村提交")
    expect(page.locator("#roster-on-behalf")).to_contain_text("由海门镇计生办代填")
    screenshot(page, "roster_on_behalf")

    # Both rosters are waiting: tick all and approve them after the confirmation page.
    page.goto(rosters_page)
    page.get_by_label("全选待审核名册").check()
    expect(page.locator('input[name="roster"]:checked')).to_have_count(2)
    page.get_by_role("button", name="批量审核通过所选名册").click()
    expect(page.locator("#bulk-approve-rosters tbody tr")).to_have_count(2)
    expect(page.locator("main")).to_contain_text("全部通过或全部不通过")
    screenshot(page, "rosters_bulk_approve_confirm")
    page.get_by_role("button", name="确认审核通过 2 本名册").click()
    expect(page.get_by_role("alert").first).to_contain_text("已审核通过 2 本名册：东兴村、新河村")
    assert any("一并审核通过" in question for question in questions)
    ours = Roster.objects.filter(campaign=campaign, village__parent=world.town_a)
    assert set(ours.values_list("status", flat=True)) == {"approved"}
    assert AuditEvent.objects.filter(action="roster.approve").count() == 2
