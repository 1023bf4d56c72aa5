"""The township report's last two steps in a real browser, each role in its own browser: the
finance office is refused a transfer one fen short, records the right amount and prints the
voucher; the insurer downloads the policy list and issues the policies (once); the township
officer finds a child's policy by name; the village cadre, on a phone, sees only the village's
policies and prints a family's 参保凭证."""

import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from enrollment.models import FundTransfer, Policy, TownshipReport
from haimen_insurance.money import format_yuan
from tests.browser import fill_transfer, login, open_page, screenshot
from tests.enrollment.conftest import build_campaign, build_household, build_reported_report

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True}
POLICY_NUMBER = re.compile(r"^INA2013100\d{6}$")
# The report page's link; its name starts with the icon's glyph.
ISSUE_LINK = re.compile(r"^\W*出具保单$")


def test_transfer_issue_search_and_certificate(browser, live_server, world, tmp_path):
    campaign = build_campaign()
    chen = build_household(world.village_a1, child_name="陈小雨")
    build_household(world.village_a1, child_name="王一鸣")
    build_household(world.village_a1, child_name="李佳怡", employer_name="海门纺织厂")
    build_household(world.village_a2, child_name="张子涵")
    build_household(world.village_a2, child_name="刘思远")
    report = build_reported_report(campaign, world.town_a)
    # 5 families, 2 policies each (平安 for the child, 安康 for the parents), 20.00 a policy.
    assert (report.households, report.policies, report.premium) == (5, 10, Decimal("200.00"))
    short = report.premium - Decimal("0.01")
    pages = []

    # ------------------------------------------------------------ finance: transfer
    questions = []
    finance, page, problems = open_page(browser, live_server, questions, **DESKTOP)
    pages.append(problems)
    login(page, live_server, world.user("finance_a"))
    row = page.locator("#workbench-reports tbody tr", has_text=world.town_a.name)
    expect(row).to_contain_text("已上报")
    expect(row).to_contain_text("200.00")
    row.get_by_role("link", name="核对并登记划拨").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("海门镇2013年度参保汇总表")
    expect(page.locator("main")).to_contain_text("等待海门镇财政所核对并划拨保费")
    page.get_by_role("link", name="登记保费划拨").click()
    expect(page.locator("#amount-due")).to_have_text(format_yuan(report.premium))
    expect(page.locator("main")).to_contain_text("人民币贰佰元整")

    fill_transfer(page, "HMCZ-2012-0088", f"{short:.2f}")
    page.get_by_role("button", name="登记划拨").click()
    refusal = page.get_by_role("alert").first
    expect(refusal).to_contain_text("没有登记。")
    expect(refusal).to_contain_text("划拨金额 199.99 元与应划拨保费 200.00 元不符，少 0.01 元")
    assert questions[-1].startswith("确定登记划拨吗？")
    report.refresh_from_db()
    assert report.status == TownshipReport.Status.REPORTED
    assert report.get_status_display() == "已上报"
    assert not FundTransfer.objects.filter(report=report).exists()
    # What was typed is kept; only the amount needs changing.
    expect(page.get_by_label("凭证号")).to_have_value("HMCZ-2012-0088")
    expect(page.get_by_label("收款账号")).to_have_value("1105020109000123456")
    screenshot(page, "transfer_refused_short")

    due = page.locator("#amount-due").inner_text()
    page.get_by_label("划拨金额").fill(due.replace(",", ""))
    page.get_by_role("button", name="登记划拨").click()
    expect(page).to_have_url(live_server.url + report.get_absolute_url())
    expect(page.get_by_role("alert").first).to_contain_text(
        "已登记划拨：凭证号 HMCZ-2012-0088，金额 200.00 元（人民币贰佰元整）。"
        "汇总表状态：保费已划拨。"
    )
    transfer_card = page.locator("#report-transfer")
    expect(transfer_card).to_contain_text("划拨日期：2012-12-30")
    expect(transfer_card).to_contain_text("凭证号：HMCZ-2012-0088")
    expect(transfer_card).to_contain_text("江苏海门农村商业银行 3206840100012345")
    expect(page.locator("main")).to_contain_text("保费已划拨，等待保险公司出具保单。")
    expect(page.get_by_role("link", name="登记保费划拨")).to_have_count(0)
    voucher = page.get_by_role("link", name="打印资金划拨单（PDF）")
    response = page.request.get(live_server.url + voucher.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    screenshot(page, "transfer_recorded")
    report.refresh_from_db()
    assert report.status == TownshipReport.Status.FUNDED
    finance.close()

    # ------------------------------------------------------------ insurer: list and issue
    questions = []
    insurer, page, problems = open_page(browser, live_server, questions, **DESKTOP)
    pages.append(problems)
    login(page, live_server, world.user("insurer_a"))
    expect(page.locator("#waiting-count")).to_have_text("1")
    row = page.locator("#workbench-reports tbody tr", has_text=world.town_a.name)
    expect(row).to_contain_text("保费已划拨")
    row.get_by_role("link", name="下载清单、出具保单").click()
    page.get_by_role("link", name=ISSUE_LINK).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("出具保单：海门镇2013年度")
    expect(page.locator("#issued-count")).to_have_text("0")
    expect(page.locator("main")).to_contain_text("本乡镇第一份保单号为 INA2013100000001")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载保单清单（Excel）").click()
    download = download_info.value
    assert download.suggested_filename == "2013年度保单清单_海门镇.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved).active
    header, *data, totals = list(sheet.iter_rows(values_only=True))
    assert "身份证号" in header
    assert "保单号" in header
    assert len(data) == report.policies
    assert totals[0] == "合计" and f"保单 {report.policies} 份" in totals
    id_columns = [i for i, name in enumerate(header) if name and name.endswith("身份证号")]
    first_ids = [line[header.index("身份证号")] for line in data]
    assert all(isinstance(value, str) and len(value) == 18 for value in first_ids), first_ids
    for line in data:
        for index in id_columns:
            value = line[index]
            # The parents' policy names both parents; the child's has no second person.
            assert value is None or (isinstance(value, str) and len(value) == 18), line
    assert chen.child_id_number in first_ids
    assert {line[header.index("保单号")] for line in data} == {None}  # not issued yet

    page.get_by_role("button", name="按系统编号出具保单").click()
    expect(page).to_have_url(live_server.url + report.get_absolute_url())
    expect(page.get_by_role("alert").first).to_contain_text(
        "已出具海门镇2013年度保单 10 份（系统编号），保险期间 2013-01-01 至 2013-12-31。"
    )
    assert questions[-1] == "确定按系统编号出具海门镇的 10 份保单吗？出具后不能修改。"
    expect(page.locator("#report-issued")).to_contain_text("保单已出具 10 份")
    screenshot(page, "policies_issued")

    page.get_by_role("link", name=ISSUE_LINK).click()
    expect(page.locator("main")).to_contain_text("本乡镇保单已出具（10 份），不会重复出具。")
    expect(page.locator("#issued-count")).to_have_text("10")
    expect(page.get_by_role("button", name="按系统编号出具保单")).to_have_count(0)
    assert Policy.objects.filter(report=report).count() == 10
    numbers = sorted(Policy.objects.filter(report=report).values_list("number", flat=True))
    assert all(POLICY_NUMBER.match(number) for number in numbers), numbers
    assert numbers[0] == "INA2013100000001" and numbers[-1] == "INA2013100000010"
    # Numbered by village code, certificate number, product: 陈小雨's family comes first.
    assert dict(Policy.objects.filter(household=chen).values_list("product__code", "number")) == {
        "child_safety": "INA2013100000001",
        "parent_health": "INA2013100000002",
    }
    insurer.close()

    # ------------------------------------------------------------ township officer: search
    officer, page, problems = open_page(browser, live_server, [], **DESKTOP)
    pages.append(problems)
    login(page, live_server, world.user("township_a"))
    page.get_by_role("navigation").get_by_role("link", name="保单查询").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("10 份")
    page.get_by_label("姓名、身份证号、保单号或证号").fill("陈小雨")
    page.get_by_role("button", name="查询").click()
    table = page.locator("#policies")
    expect(page.get_by_role("heading", level=1)).to_contain_text("1 份")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr").first).to_contain_text("INA2013100000001")
    expect(table).to_contain_text("陈小雨（子女）")
    expect(table).to_contain_text(world.village_a1.name)
    screenshot(page, "policy_search_township")
    officer.close()

    # ------------------------------------------------------------ village cadre: phone
    cadre, page, problems = open_page(browser, live_server, [], **PHONE)
    pages.append(problems)
    login(page, live_server, world.user("cadre_a1"))
    page.get_by_role("button", name="展开菜单").click()
    page.get_by_role("navigation").get_by_role("link", name="保单查询").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("6 份")
    table = page.locator("#policies")
    expect(table.locator("tbody tr")).to_have_count(6)
    for name in ("陈小雨", "王一鸣", "李佳怡"):
        expect(table).to_contain_text(name)
    expect(table).not_to_contain_text("张子涵")
    expect(table).not_to_contain_text("刘思远")
    expect(table).not_to_contain_text(world.village_a2.name)
    expect(table).to_contain_text("INA2013100000001")
    expect(table).not_to_contain_text("INA2013100000007")  # 新河村's first policy
    # The wide table scrolls inside its box; the page itself stays phone-wide.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "policy_search_cadre_phone")
    row = table.locator("tbody tr", has_text="INA2013100000001")
    certificate = row.get_by_role("link", name="参保凭证")
    response = page.request.get(live_server.url + certificate.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    cadre.close()

    for problems in pages:
        assert not problems.problems, problems.problems
