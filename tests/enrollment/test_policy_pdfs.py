"""The printed transfer voucher (资金划拨单) and household certificate (参保凭证): what pdftotext
reads in them, made from data built through the services."""

import subprocess
from datetime import date
from decimal import Decimal

import pytest

from enrollment.models import Policy, Roster, RosterEntry
from enrollment.pdf import household_certificate_pdf, transfer_voucher_pdf
from enrollment.selectors.policies import household_policies
from enrollment.selectors.reports import report_breakdown
from enrollment.services.policies import policies_issue, transfer_record
from enrollment.services.rosters import (
    roster_approve,
    roster_enrol_all,
    roster_submit,
    township_report_draft,
    township_report_submit,
)
from haimen_insurance.models import Insurer
from haimen_insurance.privacy import mask
from tests.enrollment.conftest import build_household

pytestmark = pytest.mark.django_db

PHONE = "0513-82212345"
VOUCHER_NO = "HMCZ-2013-0017"
PAYEE = "甲保险公司海门支公司"


def pdf_text(content: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode()


def flat(text: str) -> str:
    """The text without the spaces pdftotext puts between CJK glyphs and across columns."""
    return "".join(text.split())


@pytest.fixture
def reported(world, campaign):
    """海门镇 reported: 东兴村 enrolls 20 families (one paid by an employer), 新河村 none; 40
    policies of 20 yuan each."""
    Insurer.objects.filter(pk=world.insurer_a.pk).update(phone=PHONE)
    build_household(world.village_a1, child_name="陈小雨")
    build_household(world.village_a1, child_name="李佳怡", employer_name="海门纺织厂")
    for _ in range(18):
        build_household(world.village_a1)
    for village in (world.village_a1, world.village_a2):
        roster = Roster.objects.get(campaign=campaign, village=village)
        roster_enrol_all(actor=None, roster=roster)
        roster_submit(actor=None, roster=roster)
        roster_approve(actor=None, roster=roster)
    report = township_report_draft(actor=None, campaign=campaign, township=world.town_a)
    return township_report_submit(actor=None, report=report)


@pytest.fixture
def transfer(reported):
    return transfer_record(
        actor=None,
        report=reported,
        transfer_date=date(2013, 1, 5),
        voucher_no=VOUCHER_NO,
        amount=Decimal("800.00"),
        payer_name="海门镇财政所",
        payer_account="10-6150-0104-0001-234",
        payer_bank="中国农业银行海门支行",
        payee_name=PAYEE,
        payee_account="3206-8401-0000-5678",
        payee_bank="中国工商银行海门支行",
    )


def rows(text: str, label: str) -> list[list[str]]:
    """The cells of every table row of the layout text that starts with ``label``."""
    return [line.split() for line in text.splitlines() if line.split()[:1] == [label]]


def test_voucher_shows_the_amount_in_capitals_and_figures(
    world, transfer, django_assert_num_queries
):
    breakdown = report_breakdown(report=transfer.report, user=world.user("finance_a"))
    with django_assert_num_queries(0):
        content = transfer_voucher_pdf(transfer=transfer, breakdown=breakdown)
    text = pdf_text(content)
    compact = flat(text)
    assert "海门市独生子女保险保费资金划拨单" in compact
    assert f"凭证号：{VOUCHER_NO}" in compact and "划拨日期：2013年1月5日" in compact
    assert rows(text, "金额（大写）") == [["金额（大写）", "人民币捌佰元整"]]
    assert rows(text, "金额（小写）") == [["金额（小写）", "¥800.00"]]
    assert rows(text, "付款单位") == [["付款单位", "海门镇财政所", "收款单位", PAYEE]]
    assert "3206-8401-0000-5678" in text and "中国工商银行海门支行" in text
    assert "用途2013年度独生子女保险保费（海门镇，参保20户，保单40份）" in compact
    # By funding source (19 families paid by the village, one by its employer), then by product.
    assert rows(text, "村集体") == [["村集体", "19", "38", "57", "760.00"]]
    assert rows(text, "海门纺织厂") == [["海门纺织厂", "1", "2", "3", "40.00"]]
    assert rows(text, "独生子女平安保险") == [["独生子女平安保险", "400.00"]]
    assert rows(text, "独生子女父母安康保险") == [["独生子女父母安康保险", "400.00"]]
    assert rows(text, "合计") == [["合计", "20", "40", "60", "800.00"], ["合计", "800.00"]]
    assert "单位负责人：" in compact and "复核：" in compact and "经办：" in compact
    assert "（盖章）" in compact
    assert "第1页共1页" in compact


@pytest.fixture
def issued(transfer):
    assert policies_issue(actor=None, report=transfer.report) == 40
    return transfer.report


def household_of(report, child_name: str):
    return RosterEntry.objects.get(
        roster__campaign=report.campaign, child_name=child_name
    ).household


def loaded_policies(world, household) -> list[Policy]:
    """The household's policies as the certificate view loads them, with the campaign too."""
    policy = Policy.objects.filter(household=household).first()
    return list(household_policies(policy, world.user("cadre_a1")).select_related("campaign"))


def test_certificate_shows_the_households_policies_with_ids_masked(
    world, issued, django_assert_num_queries
):
    household = household_of(issued, "陈小雨")
    policies = loaded_policies(world, household)
    with django_assert_num_queries(0):
        content = household_certificate_pdf(policies=policies, full_ids=False)
    text = pdf_text(content)
    compact = flat(text)
    assert "独生子女家庭参保凭证" in compact
    assert "参保年度：2013年度" in compact and f"证号：{household.certificate_no}" in compact
    assert "乡镇（园区）：海门镇" in compact and "村（社区）：东兴村" in compact
    numbers = [policy.number for policy in policies]
    assert numbers == ["INA2013100000001", "INA2013100000002"]
    assert rows(text, "险种") == [
        ["险种", "独生子女平安保险", "保单号", numbers[0]],
        ["险种", "独生子女父母安康保险", "保单号", numbers[1]],
    ]
    others = Policy.objects.exclude(household=household).values_list("number", flat=True)
    assert not any(number in text for number in others)
    child, father, mother = (
        household.child_id_number,
        household.father_id_number,
        household.mother_id_number,
    )
    assert f"陈小雨（子女）{mask(child)}" in compact
    assert f"{household.father_name}（父亲）{mask(father)}" in compact
    assert f"{household.mother_name}（母亲）{mask(mother)}" in compact
    assert not any(number in text for number in (child, father, mother))
    assert compact.count("保险期间2013年1月1日至2013年12月31日") == 2
    assert "保险金额意外身故/伤残10,000.00元；意外医疗2,000.00元" in compact
    assert "保险金额每人意外身故/伤残10,000.00元；每人意外医疗1,000.00元" in compact
    assert rows(text, "承保公司") == [["承保公司", PAYEE, "报案电话", PHONE]] * 2
    assert "出险后如何报案" in compact
    assert f"48小时内向本村（社区）计生专干报告，或拨打保险公司报案电话{PHONE}。" in compact
    assert "医疗发票、病历、费用清单、出院小结" in compact
    assert "1000元以下的案件当日结案" in compact and "5000元以上的赔款送上门" in compact
    assert "经办人：" in compact and "日期：" in compact and "村（社区）盖章" in compact


def test_certificate_shows_ids_in_full_when_allowed(world, issued):
    household = household_of(issued, "李佳怡")
    policies = loaded_policies(world, household)
    text = pdf_text(household_certificate_pdf(policies=policies, full_ids=True))
    compact = flat(text)
    assert f"李佳怡（子女）{household.child_id_number}" in compact
    assert f"{household.father_name}（父亲）{household.father_id_number}" in compact
    assert f"{household.mother_name}（母亲）{household.mother_id_number}" in compact
    assert "********" not in text
