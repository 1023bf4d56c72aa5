"""One whole year in a real browser, every role in turn: the city officer sets up the 2013 campaign
(a deductible and a reimbursement ratio of its own for the child's policy) and opens it; the
village cadres enrol every eligible family on a phone and submit; the township officer approves
both rosters and reports the township total; the finance office transfers exactly that; the
insurer downloads the policy list and issues the policies; a cadre reports a child's medical
claim and hands it over; the insurer approves the suggested amount, pays and closes; the
leader's dashboard shows the year as it was done. Only the register (the families) is made
without the browser.

Screenshots: test-artifacts/screenshots/year_*.png, one for each role's main page."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from claims.models import Claim
from enrollment.models import Campaign, Policy, Roster, TownshipReport
from tests.browser import fill_transfer, login, screenshot
from tests.enrollment.conftest import build_household

pytestmark = pytest.mark.browser

# What the city officer types for the year; the phases are those of docs/design.md.
CAMPAIGN_DATES = {
    "保险期间起": "2013-01-01",
    "保险期间止": "2013-12-31",
    "年龄判定日": "2013-01-01",
    "核查准备截止": "2012-12-21",
    "宣传发动截止": "2012-12-26",
    "全面实施截止": "2012-12-31",
    "点评总结截止": "2013-01-15",
}
# The child's policy: medical expenses less 100.00, then 80 % of the rest.
DEDUCTIBLE, PERCENT = "100.00", "80"
EXPENSES = Decimal("225.00")
SUGGESTED = Decimal("100.00")  # (225.00 − 0.00 − 100.00) × 80 %
REQUIRED_MEDICAL = ["医疗费用发票", "病历", "费用清单", "被保险人（受益人）身份证及银行卡"]
CLAIM_NUMBER = re.compile(r"LP2013-\d{5}")
# The report page's link; its name starts with the icon's glyph.
ISSUE_LINK = re.compile(r"^\W*出具保单$")


def switch_user(page, live_server, user):
    """Forget whoever was logged in on this page and log in as ``user``."""
    page.context.clear_cookies()
    login(page, live_server, user)
    expect(page).to_have_url(f"{live_server.url}/workbench/")


def accept_dialogs(page, questions):
    """Accept every confirm dialog of ``page``, noting its question."""

    def accept(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)


def cells_by_header(table, row):
    """{header text: cell} for one body row of ``table`` (its row header included)."""
    headers = table.locator("thead th").all_inner_texts()
    cells = row.locator("th, td")
    return {header: cells.nth(index) for index, header in enumerate(headers)}


def enrol_village(page, live_server, cadre, *, village, enrolled, not_eligible, premium):
    """A cadre, on the phone, enrols every undecided family of the village and submits."""
    switch_user(page, live_server, cadre)
    page.get_by_role("link", name="打开本村名册").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"2013年度 海门镇{village}名册")
    figures = page.locator("#roster-figures")
    expect(figures).to_contain_text(f"{enrolled}未处理")
    expect(figures).to_contain_text(f"{not_eligible}不符合条件")
    page.get_by_role("button", name=re.compile("一键登记全部未处理家庭")).click()
    expect(page.get_by_role("alert").first).to_contain_text(
        f"已为 {enrolled} 户符合条件的家庭登记参保"
    )
    expect(figures).to_contain_text(f"{enrolled}参保户")
    expect(figures).to_contain_text("0未处理")
    expect(figures).to_contain_text(f"{premium}保费（元）")
    page.get_by_role("button", name="提交乡镇审核").click()
    expect(page.get_by_role("alert").first).to_have_text("名册已提交乡镇（园区）计生办审核。")
    page.goto(f"{live_server.url}/workbench/")
    card = page.locator(".card", has_text="参保名册")
    expect(card).to_contain_text("已提交待审核")
    expect(card).to_contain_text(f"已参保 {enrolled} 户 · 未处理 0 户 · 保费 {premium} 元")


def test_one_whole_year_across_every_role(page, phone_page, live_server, world, tmp_path):
    today = f"{timezone.localdate():%Y-%m-%d}"
    # The register: five eligible families in 海门镇 (one paid for by its employer) and one
    # whose only child turned 14 before the age date.
    chen = build_household(
        world.village_a1, child_name="陈小雨", father_name="陈建国", mother_name="黄秀英"
    )
    build_household(world.village_a1, child_name="王一鸣", father_name="王志强")
    build_household(world.village_a1, child_name="李佳怡", employer_name="海门纺织厂")
    build_household(world.village_a2, child_name="张子涵", mother_name="施美华")
    build_household(world.village_a2, child_name="刘思远")
    build_household(world.village_a2, child_name="周大伟", child_birth_date=date(1998, 5, 1))
    questions, phone_questions = [], []
    accept_dialogs(page, questions)
    accept_dialogs(phone_page, phone_questions)

    # ------------------------------------------------------------ 1. city officer: the year
    login(page, live_server, world.user("city"))
    expect(page.locator("main")).to_contain_text("市计生委尚未建立参保年度。")
    page.locator("#hm-nav").get_by_role("link", name="参保年度").click()
    page.get_by_role("link", name="新建参保年度").click()
    page.get_by_label("参保年度").fill("2013")
    for label, value in CAMPAIGN_DATES.items():
        page.get_by_label(label).fill(value)
    child = page.locator("fieldset", has_text="独生子女平安保险")
    expect(child.get_by_label("每份保费（元）")).to_have_value("20.00")
    child.get_by_label("医疗免赔额（元）").fill(DEDUCTIBLE)
    child.get_by_label("医疗赔付比例（%）").fill(PERCENT)
    page.get_by_role("button", name="建立参保年度").click()
    expect(page.get_by_role("alert").first).to_have_text(
        "已建立2013年度：2 个险种，为 3 个村（社区）各建立了一本参保名册。"
    )
    assert questions[-1].startswith("确定建立这一参保年度吗？将同时为全市 3 个村（社区）")
    main = page.locator("main")
    expect(main).to_contain_text("2013-01-01 至 2013-12-31")
    expect(main).to_contain_text("未满 14 周岁")
    child_card = page.locator(".card", has_text="独生子女平安保险").last
    expect(child_card).to_contain_text("100.00")
    expect(child_card).to_contain_text("80%")
    campaign = Campaign.objects.get(year=2013)
    assert Roster.objects.filter(campaign=campaign).count() == 3
    # Being prepared, the year is nobody's yet: the city officer opens it, after a question.
    expect(main).to_contain_text("本年度筹备中，尚未开放")
    page.get_by_role("button", name="开放本年度").click()
    expect(page.get_by_role("alert").first).to_contain_text("已开放2013年度")
    assert questions[-1].startswith("确定开放2013年度吗？")
    page.locator("#hm-nav").get_by_role("link", name="工作台", exact=True).click()
    progress = page.locator(".card", has_text="2013年度参保进度")
    expect(progress).to_contain_text("保险期间 2013-01-01 至 2013-12-31")
    expect(progress).to_contain_text("共 3 本村（社区）名册；已上报乡镇（园区） 0 个。")
    screenshot(page, "year_1_city")

    # ------------------------------------------------------------ 2. village cadres: phone
    enrol_village(
        phone_page,
        live_server,
        world.user("cadre_a2"),
        village="新河村",
        enrolled=2,
        not_eligible=1,
        premium="80.00",
    )
    enrol_village(
        phone_page,
        live_server,
        world.user("cadre_a1"),
        village="东兴村",
        enrolled=3,
        not_eligible=0,
        premium="120.00",
    )
    assert phone_questions[-2] == ("为全部 3 户未处理的符合条件家庭登记参保（两个险种各 1 份）吗？")
    assert phone_questions[-1] == (
        "提交后不能再修改，除非乡镇退回。确定提交本村名册（参保 3 户，保费 120.00 元）吗？"
    )
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone_page, "year_2_cadre")

    # ------------------------------------------------------------ 3. township: approve, report
    switch_user(page, live_server, world.user("township_a"))
    page.locator("main").get_by_role("link", name="查看各村名册").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("海门镇各村（社区）名册 — 2013年度")
    for village in ("东兴村", "新河村"):
        page.locator("#township-rosters").get_by_role("link", name=village).click()
        page.get_by_role("button", name="审核通过").click()
        expect(page.get_by_role("alert").first).to_contain_text("名册已审核通过")
        assert questions[-1] == f"确定审核通过{village}的名册吗？"
        page.get_by_role("link", name="海门镇各村名册").click()
    expect(page.locator("#township-reconciliation-box")).to_contain_text("没有问题")
    totals = page.locator("#township-rosters tfoot")
    # households, eligible, enrolled, declined, not eligible, undecided, policies, persons
    expect(totals.locator("td")).to_have_text(["6", "5", "5", "0", "1", "0", "10", "15", "200.00"])
    page.get_by_role("button", name="生成乡镇汇总表").click()
    expect(page.get_by_role("alert").first).to_have_text(
        "已生成海门镇2013年度汇总表：参保 5 户，保单 10 份，被保险人 15 人，"
        "保费合计 200.00 元。请核对无误后上报。"
    )
    expect(page.locator("main")).to_contain_text("保费合计人民币大写：贰佰元整")
    employer = page.locator("#report-payers tbody tr", has_text="海门纺织厂")
    expect(employer.locator("td")).to_have_text(["1", "2", "3", "40.00"])
    page.get_by_role("button", name="上报财政所和保险公司").click()
    expect(page.get_by_role("alert").first).to_have_text(
        "海门镇2013年度汇总表已上报财政所和保险公司，保费合计 200.00 元；各村（社区）名册已锁定。"
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("已上报")
    expect(page.locator("main")).to_contain_text("已上报，等待海门镇财政所核对并划拨保费。")
    screenshot(page, "year_3_township")
    report = TownshipReport.objects.get(campaign=campaign, township=world.town_a)
    assert (report.households, report.policies, report.premium) == (5, 10, Decimal("200.00"))

    # ------------------------------------------------------------ 4. finance: the transfer
    switch_user(page, live_server, world.user("finance_a"))
    expect(page.locator("#waiting-count")).to_have_text("1")
    row = page.locator("#workbench-reports tbody tr", has_text="海门镇")
    expect(row).to_contain_text("已上报")
    expect(row).to_contain_text("200.00")
    row.get_by_role("link", name="核对并登记划拨").click()
    page.get_by_role("link", name="登记保费划拨").click()
    due = page.locator("#amount-due")
    expect(due).to_have_text("200.00")
    fill_transfer(page, "HMCZ-2012-0101", due.inner_text().replace(",", ""))
    page.get_by_role("button", name="登记划拨").click()
    expect(page.get_by_role("alert").first).to_have_text(
        "已登记划拨：凭证号 HMCZ-2012-0101，金额 200.00 元（人民币贰佰元整）。"
        "汇总表状态：保费已划拨。"
    )
    expect(page.locator("#report-transfer")).to_contain_text("划拨日期：2012-12-30")
    page.locator("#hm-nav").get_by_role("link", name="工作台", exact=True).click()
    expect(page.locator("#waiting-count")).to_have_text("0")
    expect(page.locator("#workbench-reports tbody tr", has_text="海门镇")).to_contain_text(
        "保费已划拨"
    )
    screenshot(page, "year_4_finance")

    # ------------------------------------------------------------ 5. insurer: list, issue
    switch_user(page, live_server, world.user("insurer_a"))
    expect(page.locator("#waiting-count")).to_have_text("1")
    row = page.locator("#workbench-reports tbody tr", has_text="海门镇")
    row.get_by_role("link", name="下载清单、出具保单").click()
    page.get_by_role("link", name=ISSUE_LINK).click()
    expect(page.locator("#issued-count")).to_have_text("0")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载保单清单（Excel）").click()
    download = download_info.value
    assert download.suggested_filename == "2013年度保单清单_海门镇.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    header, *lines, totals = list(load_workbook(saved).active.iter_rows(values_only=True))
    assert len(lines) == report.policies == 10
    assert totals[0] == "合计" and "保单 10 份" in totals
    child_ids = {line[header.index("身份证号")] for line in lines}
    assert chen.child_id_number in child_ids
    page.get_by_role("button", name="按系统编号出具保单").click()
    expect(page.get_by_role("alert").first).to_have_text(
        "已出具海门镇2013年度保单 10 份（系统编号），保险期间 2013-01-01 至 2013-12-31。"
    )
    assert questions[-1] == "确定按系统编号出具海门镇的 10 份保单吗？出具后不能修改。"
    assert Policy.objects.filter(report=report).count() == 10
    page.locator("#hm-nav").get_by_role("link", name="工作台", exact=True).click()
    expect(page.locator("#waiting-count")).to_have_text("0")
    expect(page.locator("#workbench-reports tbody tr", has_text="海门镇")).to_contain_text(
        "保单已出具"
    )
    expect(page.locator("#claims-queue")).to_have_text("0")
    screenshot(page, "year_5_insurer")

    # ------------------------------------------------------------ 6. cadre: a medical claim
    switch_user(phone_page, live_server, world.user("cadre_a1"))
    phone_page.locator("main").get_by_role("link", name="报案", exact=True).click()
    phone_page.get_by_label("被保险人姓名或身份证号").fill("陈小雨")
    phone_page.get_by_role("button", name="查找").click()
    persons = phone_page.locator("#persons a")
    expect(persons).to_have_count(1)
    expect(persons.first).to_contain_text("陈小雨（子女）")
    expect(persons.first).to_contain_text("保单号 INA2013100000001")
    persons.first.click()
    expect(phone_page.locator("main")).to_contain_text("保险期间 2013-01-01 至 2013-12-31")
    phone_page.get_by_role("radio", name="意外医疗").check()
    phone_page.get_by_label("出险日期").fill("2013-09-02")
    phone_page.get_by_label("出险地点").fill("东兴村村口")
    phone_page.get_by_label("事故经过").fill("放学途中骑车摔倒，右膝擦伤，门诊清创包扎。")
    phone_page.get_by_label("申请金额").fill(f"{EXPENSES}")
    phone_page.get_by_label("医疗费用").fill(f"{EXPENSES}")
    phone_page.get_by_label("其他途径已报销").fill("0")
    phone_page.get_by_role("button", name="报案", exact=True).click()
    alerts = phone_page.get_by_role("alert")
    expect(alerts.first).to_contain_text(re.compile(r"已报案，案件号 LP2013-\d{5}。"))
    # Reported years after the incident: accepted, and noted as late.
    expect(alerts.nth(1)).to_contain_text("本次报案距出险已超过 48 小时，已受理，记为延迟报案。")
    number = CLAIM_NUMBER.search(alerts.first.inner_text()).group()
    assert number == "LP2013-00001"
    expect(phone_page.locator("#claim-facts")).to_contain_text("2013-09-02，东兴村村口")
    for label in REQUIRED_MEDICAL:
        phone_page.locator("#claim-documents li", has_text=label).get_by_role(
            "button", name="收到"
        ).click()
        expect(phone_page.get_by_role("alert").first).to_contain_text("已登记收到的材料。")
        expect(phone_page.locator("#claim-documents li", has_text=label)).to_contain_text("收到）")
    phone_page.get_by_role("button", name="材料齐全").click()
    expect(phone_page.get_by_role("alert").first).to_contain_text("材料已齐全，可以移交保险公司。")
    phone_page.get_by_role("button", name="移交保险公司").click()
    # Under 1,000 yuan with complete documents: settled the day the insurer receives it.
    expect(phone_page.get_by_role("alert").first).to_have_text(
        f"已移交保险公司，应于 {today} 前结案。"
    )
    expect(phone_page.locator("#claim-status")).to_have_text("保险公司审核中")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone_page, "year_6_claim_cadre")

    # ------------------------------------------------------------ 7. insurer: approve, pay
    switch_user(page, live_server, world.user("insurer_a"))
    expect(page.locator("#claims-queue")).to_have_text("1")
    page.get_by_role("link", name="打开待办理赔").click()
    row = page.locator("#claims tbody tr", has_text=number)
    expect(row).to_contain_text("陈小雨")
    row.get_by_role("link", name=number).click()
    decide = page.locator("#claim-decide")
    expect(decide).to_contain_text("意外医疗保额：2,000.00 元，已核定 0.00 元")
    expect(decide.locator("#suggested")).to_have_text(f"{SUGGESTED}")
    expect(decide.get_by_label("核定赔付金额")).to_have_value(f"{SUGGESTED}")
    decide.get_by_role("button", name="核定赔付").click()
    expect(page.get_by_role("alert").first).to_have_text(f"已核定赔付 {SUGGESTED} 元。")
    pay = page.locator("#claim-pay")
    expect(pay.get_by_label("赔付金额")).to_have_value(f"{SUGGESTED}")
    pay.get_by_label("收款账户").fill("陈建国 江苏海门农村商业银行 6228480100067890")
    pay.get_by_role("button", name="登记赔付").click()
    expect(page.get_by_role("alert").first).to_have_text(f"已赔付 {SUGGESTED} 元（{today}）。")
    page.get_by_role("button", name="结案", exact=True).click()
    expect(page.get_by_role("alert").first).to_have_text("已结案。")
    assert questions[-1] == "结案后案件不能再修改。确定结案吗？"
    expect(page.locator("#claim-status")).to_have_text("已结案")
    expect(page.locator("#claim-facts")).to_contain_text(
        f"{SUGGESTED} 元，{today}，陈建国 江苏海门农村商业银行 6228480100067890"
    )
    screenshot(page, "year_7_claim_insurer")
    claim = Claim.objects.get(number=number)
    assert (claim.status, claim.paid_amount) == (Claim.Status.CLOSED, SUGGESTED)

    # ------------------------------------------------------------ 8. leader: the dashboard
    switch_user(page, live_server, world.user("leader"))
    page.locator("#hm-nav").get_by_role("link", name="仪表板", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("全市2013年度仪表板")
    totals = page.locator("#dashboard-totals")
    expect(page.locator("#total-coverage")).to_have_text("投保率 100.00%")
    expect(totals).to_contain_text("保单 10 份")
    expect(page.locator("#total-payout")).to_have_text(
        "赔付率 50.00% · 理赔 1 件，已赔 1 件 · 服务标准达标 1/1"
    )
    table = page.locator("#dashboard-table")
    haimen = cells_by_header(table, table.locator("tbody tr", has_text="海门镇"))
    expected = {
        "符合条件": "5",  # 周大伟 was 14 on the age date
        "参保": "5",
        "投保率": "100.00%",
        "名册通过": "2/2",
        "保费（元）": "200.00",
        "理赔": "1",
        "已赔": "1",
        "赔付（元）": "100.00",
        "赔付率": "50.00%",
        "服务标准达标": "1/1",
    }
    for header, text in expected.items():
        expect(haimen[header]).to_have_text(text)
    expect(haimen["进度"]).to_contain_text("保单已出具")
    # Reported today, long after 2012-12-31: the dashboard says so.
    expect(haimen["进度"]).to_contain_text("逾期上报")
    sanxing = cells_by_header(table, table.locator("tbody tr", has_text="三星镇"))
    expect(sanxing["投保率"]).to_have_text("—")
    expect(sanxing["名册通过"]).to_have_text("0/1")
    expect(sanxing["进度"]).to_have_text("未开始")
    expect(page.locator("#chart-coverage canvas")).to_have_count(1)
    expect(page.locator("#chart-money canvas")).to_have_count(1)
    screenshot(page, "year_8_dashboard")

    page.locator("#dashboard-table").get_by_role("link", name="海门镇").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("海门镇2013年度仪表板")
    for village, eligible, paid in (("东兴村", "3", "100.00"), ("新河村", "2", "0.00")):
        cells = cells_by_header(table, table.locator("tbody tr", has_text=village))
        expect(cells["符合条件"]).to_have_text(eligible)
        expect(cells["投保率"]).to_have_text("100.00%")
        expect(cells["赔付（元）"]).to_have_text(paid)
    screenshot(page, "year_8_dashboard_township")
