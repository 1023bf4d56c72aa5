"""A medical claim in a real browser, each role in its own browser: the village cadre reports it
on a phone (late, so warned), ticks the documents (refused while some are missing) and hands it
to the insurer; the insurer is refused an amount over the amount claimed (the tightest of the
limits: claimed, formula, remaining cap), approves the suggested one, pays and closes; the
township officer sees it settled the same day, within the service standard, in the register and
on the family's page."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from claims.models import Claim
from claims.services import claim_approve
from tests.browser import login, open_page, screenshot
from tests.claims.conftest import claim_with_insurer, issue_township
from tests.enrollment.conftest import build_campaign, build_household

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True}
# The register's link; its name starts with the icon's glyph.
REPORT_LINK = re.compile(r"^\W*报案$")
CLAIM_NUMBER = re.compile(r"LP2013-\d{5}")
REQUIRED_MEDICAL = ["医疗费用发票", "病历", "费用清单", "被保险人（受益人）身份证及银行卡"]
# What the timeline of the claim lists, in order; the four documents are one event each.
TIMELINE = [
    "报案",
    *["登记理赔材料"] * len(REQUIRED_MEDICAL),
    "材料齐全",
    "移交保险公司",
    "核定赔付",
    "赔付",
    "结案",
]


def tick(page, label):
    """Tick one checklist item as received today (the date the form proposes)."""
    row = page.locator("#claim-documents li", has_text=label)
    row.get_by_role("button", name="收到").click()
    expect(page.get_by_role("alert").first).to_contain_text("已登记收到的材料。")
    expect(page.locator("#claim-documents li", has_text=label)).to_contain_text("收到）")


def test_report_documents_submit_approve_pay_close_and_register(browser, live_server, world):
    campaign = build_campaign()
    lin = build_household(world.village_a1, child_name="林小雨", father_name="林建华")
    build_household(world.village_a1, child_name="赵一鸣")
    issue_township(campaign, world.town_a)
    # Earlier this year 1,500.00 of the child's 2,000.00 medical cap was approved.
    earlier = claim_with_insurer(
        "林小雨", amount_claimed=Decimal("1500.00"), expenses=Decimal("1500.00")
    )
    earlier = claim_approve(actor=None, claim=earlier, amount=Decimal("1500.00"))
    today = f"{timezone.localdate():%Y-%m-%d}"
    pages = []

    # ------------------------------------------------------------ village cadre: phone
    questions = []
    cadre, page, problems = open_page(browser, live_server, questions, **PHONE)
    pages.append(problems)
    login(page, live_server, world.user("cadre_a1"))
    page.get_by_role("button", name="展开菜单").click()
    # Wait for the menu to finish opening, or the click may land on a moving link.
    expect(page.locator("#hm-nav")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_role("navigation").get_by_role("link", name="理赔", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("理赔登记")
    expect(page.locator("#claims")).to_contain_text(earlier.number)
    page.get_by_role("link", name=REPORT_LINK).click()
    page.get_by_label("被保险人姓名或身份证号").fill("林小雨")
    page.get_by_role("button", name="查找").click()
    persons = page.locator("#persons a")
    expect(persons).to_have_count(1)
    expect(persons.first).to_contain_text("林小雨（子女）")
    persons.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("报案：林小雨（子女）")
    expect(page.locator("main")).to_contain_text("保险期间 2013-01-01 至 2013-12-31")

    page.get_by_role("radio", name="意外医疗").check()
    page.get_by_label("出险日期").fill("2013-06-18")
    page.get_by_label("出险地点").fill("东兴村小学操场")
    page.get_by_label("事故经过").fill(
        "课间奔跑摔倒，左腕扭伤，门诊治疗。家长不知道可以报案，延迟报案。"
    )
    page.get_by_label("申请金额").fill("480.00")
    page.get_by_label("医疗费用").fill("480.00")
    page.get_by_label("其他途径已报销").fill("0")
    screenshot(page, "claim_form_cadre_phone")
    page.get_by_role("button", name="报案", exact=True).click()

    alerts = page.get_by_role("alert")
    expect(alerts.first).to_contain_text(
        re.compile(r"已报案，案件号 LP2013-\d{5}。请按材料清单收集理赔材料，齐全后移交保险公司。")
    )
    expect(alerts.nth(1)).to_contain_text("本次报案距出险已超过 48 小时，已受理，记为延迟报案。")
    number = CLAIM_NUMBER.search(alerts.first.inner_text()).group()
    claim = Claim.objects.get(number=number)
    assert claim.number == "LP2013-00002"  # the earlier claim is LP2013-00001
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(f"理赔 {number}")
    expect(heading).to_contain_text("超过48小时报案")
    screenshot(page, "claim_reported_cadre_phone")
    expect(page.locator("#claim-status")).to_have_text("已报案")
    facts = page.locator("#claim-facts")
    expect(facts).to_contain_text("林小雨（子女）")
    expect(facts).to_contain_text("2013-06-18，东兴村小学操场")
    expect(facts).to_contain_text("480.00 元（医疗费用 480.00 元，其他途径已报销 0.00 元）")
    # Another claim of the family is listed beside this one.
    expect(page.locator("main")).to_contain_text(f"{earlier.number} 林小雨 意外医疗 已核定赔付")

    # Two of the four required documents, then "complete" is refused with the other two.
    for label in REQUIRED_MEDICAL[:2]:
        tick(page, label)
    page.get_by_role("button", name="材料齐全").click()
    expect(page.get_by_role("alert").first).to_have_text(
        "材料还不齐全，缺：费用清单、被保险人（受益人）身份证及银行卡。"
    )
    expect(page.locator("#claim-status")).to_have_text("已报案")
    for label in REQUIRED_MEDICAL[2:]:
        tick(page, label)
    documents = page.locator("#claim-documents")
    # Only the two optional items are still open.
    expect(documents.get_by_role("button", name="收到")).to_have_count(2)
    expect(documents.locator(".bi-check-square-fill")).to_have_count(len(REQUIRED_MEDICAL))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "claim_documents_cadre_phone")

    page.get_by_role("button", name="材料齐全").click()
    expect(page.get_by_role("alert").first).to_contain_text("材料已齐全，可以移交保险公司。")
    expect(page.locator("#claim-status")).to_have_text("材料齐全")
    expect(documents.get_by_role("button", name="收到")).to_have_count(0)
    page.get_by_role("button", name="移交保险公司").click()
    # 480.00 yuan with complete documents: to be settled the day the insurer receives it.
    expect(page.get_by_role("alert").first).to_have_text(f"已移交保险公司，应于 {today} 前结案。")
    assert questions[-1] == f"确定把案件 {number} 移交保险公司吗？移交后材料不能再修改。"
    expect(page.locator("#claim-status")).to_have_text("保险公司审核中")
    expect(page.locator("main")).to_contain_text(f"应结案日期：{today}")
    expect(page.get_by_role("button", name="移交保险公司")).to_have_count(0)
    expect(page.locator("#claim-decide")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "claim_submitted_cadre_phone")
    cadre.close()

    # ------------------------------------------------------------ insurer: decide, pay, close
    questions = []
    insurer, page, problems = open_page(browser, live_server, questions, **DESKTOP)
    pages.append(problems)
    login(page, live_server, world.user("insurer_a"))
    page.get_by_role("navigation").get_by_role("link", name="理赔", exact=True).click()
    page.get_by_role("link", name="待办理赔").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("待办理赔")
    queue = page.locator("#claims")
    row = queue.locator("tbody tr", has_text=number)
    expect(row).to_contain_text("林小雨")
    expect(row).to_contain_text("保险公司审核中")
    expect(row).to_contain_text(today)
    # The earlier claim is approved and waits for its payment.
    expect(queue.locator("tbody tr", has_text=earlier.number)).to_contain_text("已核定赔付")
    screenshot(page, "claim_queue_insurer")
    row.get_by_role("link", name=number).click()

    decide = page.locator("#claim-decide")
    expect(decide).to_contain_text("意外医疗保额：2,000.00 元，已核定 1,500.00 元")
    expect(decide.locator("#cap-remaining")).to_have_text("500.00")
    expect(decide.locator("#suggested")).to_have_text("480.00")
    amount = decide.get_by_label("核定赔付金额")
    expect(amount).to_have_value("480.00")
    screenshot(page, "claim_decide_insurer")

    amount.fill("600.00")
    decide.get_by_role("button", name="核定赔付").click()
    refusal = page.get_by_role("alert").first
    # 600 is over what remains of the cap (500) and over the 480 claimed: the tighter is named.
    expect(refusal).to_have_text("核定金额 600.00 元超过申请金额 480.00 元。")
    assert questions[-1] == "确定核定赔付吗？"
    expect(page.locator("#claim-status")).to_have_text("保险公司审核中")

    decide.get_by_label("核定赔付金额").fill("480.00")
    decide.get_by_role("button", name="核定赔付").click()
    expect(page.get_by_role("alert").first).to_have_text("已核定赔付 480.00 元。")
    expect(page.locator("#claim-status")).to_have_text("已核定赔付")
    expect(page.locator("#claim-approved")).to_contain_text("480.00 元（测试insurer_a")
    expect(page.locator("#claim-decide")).to_have_count(0)

    pay = page.locator("#claim-pay")
    expect(pay.get_by_label("赔付日期")).to_have_value(today)
    expect(pay.get_by_label("赔付金额")).to_have_value("480.00")
    pay.get_by_label("收款账户").fill("林建华 江苏海门农村商业银行 6228480100012345")
    pay.get_by_role("button", name="登记赔付").click()
    expect(page.get_by_role("alert").first).to_have_text(f"已赔付 480.00 元（{today}）。")
    assert questions[-1] == "确定登记赔付吗？"
    expect(page.locator("#claim-status")).to_have_text("已赔付")
    expect(page.locator("#claim-facts")).to_contain_text(
        f"480.00 元，{today}，林建华 江苏海门农村商业银行 6228480100012345"
    )

    page.get_by_role("button", name="结案", exact=True).click()
    expect(page.get_by_role("alert").first).to_have_text("已结案。")
    assert questions[-1] == "结案后案件不能再修改。确定结案吗？"
    expect(page.locator("#claim-status")).to_have_text("已结案")
    expect(page.get_by_role("button", name="结案", exact=True)).to_have_count(0)

    timeline = page.locator("#claim-timeline > li")
    expect(timeline.locator("strong")).to_have_text(TIMELINE)
    expect(timeline.first).to_contain_text("测试cadre_a1")
    expect(timeline.first).to_contain_text("保险责任：意外医疗")
    expect(timeline.first).to_contain_text("超过48小时报案：是")
    expect(timeline.nth(1)).to_contain_text("材料：医疗费用发票")
    expect(timeline.nth(len(REQUIRED_MEDICAL) + 2)).to_contain_text(f"应结案日期：{today}")
    expect(timeline.nth(len(REQUIRED_MEDICAL) + 3)).to_contain_text(
        "状态：保险公司审核中 → 已核定赔付"
    )
    expect(timeline.last).to_contain_text("状态：已赔付 → 已结案")
    # No raw action codes or field names.
    for raw in ("claim.", "status", "amount", "_date", "_on", "item", "file", "late_report"):
        expect(page.locator("#claim-timeline")).not_to_contain_text(raw)
    screenshot(page, "claim_closed_insurer")
    insurer.close()

    # ------------------------------------------------------------ township officer: register
    officer, page, problems = open_page(browser, live_server, [], **DESKTOP)
    pages.append(problems)
    login(page, live_server, world.user("township_a"))
    page.get_by_role("navigation").get_by_role("link", name="理赔", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("理赔登记")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2 件")
    table = page.locator("#claims")
    headers = table.locator("thead th")
    row = table.locator("tbody tr", has_text=number)
    column = {name: index for index, name in enumerate(headers.all_inner_texts())}
    cells = row.locator("td")
    expect(cells.nth(column["被保险人"])).to_have_text("林小雨")
    expect(cells.nth(column["村（社区）"])).to_have_text(world.village_a1.name)
    expect(cells.nth(column["保险责任"])).to_have_text("意外医疗")
    expect(cells.nth(column["出险日期"])).to_have_text("2013-06-18")
    expect(cells.nth(column["申请（元）"])).to_have_text("480.00")
    expect(cells.nth(column["核定（元）"])).to_have_text("480.00")
    expect(cells.nth(column["状态"])).to_have_text("已结案")
    expect(cells.nth(column["应结案日期"])).to_have_text(today)
    expect(cells.nth(column["办结天数"])).to_have_text("0 天")
    badge = cells.nth(column["服务标准"]).locator(".badge")
    expect(badge).to_have_text("达标")
    expect(badge).to_have_class(re.compile(r"\btext-bg-success\b"))
    # The earlier claim is not settled yet: no days, no verdict.
    earlier_row = table.locator("tbody tr", has_text=earlier.number).locator("td")
    expect(earlier_row.nth(column["办结天数"])).to_have_text("—")
    expect(earlier_row.nth(column["服务标准"])).to_have_text("—")
    screenshot(page, "claims_register_township")

    page.goto(live_server.url + reverse("enrollment:household_detail", args=[lin.pk]))
    claims = page.locator("#household-claims tbody tr")
    expect(claims).to_have_count(2)
    row = claims.filter(has_text=number)
    expect(row).to_contain_text("林小雨")
    expect(row).to_contain_text("意外医疗")
    expect(row).to_contain_text("2013-06-18")
    expect(row.locator("td").nth(4)).to_have_text("480.00")  # 申请
    expect(row.locator("td").nth(5)).to_have_text("480.00")  # 赔付
    expect(row).to_contain_text("已结案")
    screenshot(page, "household_claims_township")
    row.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"理赔 {number}")
    expect(page.locator("#claim-status")).to_have_text("已结案")
    officer.close()

    claim.refresh_from_db()
    assert claim.status == Claim.Status.CLOSED
    assert (claim.approved_amount, claim.paid_amount) == (Decimal("480.00"), Decimal("480.00"))
    assert claim.late_report
    for problems in pages:
        assert not problems.problems, problems.problems
