"""The transfer (amount to the fen, funded) and the issuance (system numbers or the insurer's own,
issued, twice changes nothing), as services against PostgreSQL."""

import io
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from openpyxl import Workbook

from enrollment.models import FundTransfer, Policy, Roster, TownshipReport
from enrollment.policy_numbers import read_policy_numbers
from enrollment.selectors.policies import report_policy_rows
from enrollment.services.policies import policies_issue, transfer_record
from enrollment.services.rosters import (
    roster_approve,
    roster_enrol_all,
    roster_submit,
    township_report_draft,
)
from haimen_insurance.models import AuditEvent
from tests.enrollment.conftest import (
    build_campaign,
    build_household,
    build_reported_report,
    transfer_values,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world, campaign):
    """海门镇: 东兴村 two families (one single-parent), 新河村 one.

    6 policies, 8 persons, 120.00 yuan."""
    build_household(world.village_a1)
    build_household(world.village_a1, father_name="", father_id_number="")
    build_household(world.village_a2)
    return build_reported_report(campaign, world.town_a)


@pytest.fixture
def funded(world, report):
    transfer_record(actor=world.user("finance_a"), report=report, **transfer_values(report))
    report.refresh_from_db()
    return report


def test_report_fixture_holds_the_expected_amount(report):
    assert (report.policies, report.persons, report.premium) == (6, 8, Decimal("120.00"))
    assert report.status == TownshipReport.Status.REPORTED


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("119.99"), "划拨金额 119.99 元与应划拨保费 120.00 元不符，少 0.01 元"),
        (Decimal("120.01"), "划拨金额 120.01 元与应划拨保费 120.00 元不符，多 0.01 元"),
        (Decimal("1200.00"), "多 1,080.00 元"),
    ],
)
def test_a_transfer_off_by_a_fen_is_refused_with_the_difference(world, report, amount, message):
    finance = world.user("finance_a")
    with pytest.raises(ValidationError) as refused:
        transfer_record(actor=finance, report=report, **transfer_values(report, amount=amount))
    assert message in refused.value.messages[0]
    report.refresh_from_db()
    assert report.status == TownshipReport.Status.REPORTED
    assert not FundTransfer.objects.exists()
    assert not AuditEvent.objects.filter(action="transfer.record").exists()


def test_the_right_amount_funds_the_report_and_is_audited(world, report):
    transfer = transfer_record(
        actor=world.user("finance_a"), report=report, **transfer_values(report)
    )
    report.refresh_from_db()
    assert report.status == TownshipReport.Status.FUNDED
    assert (transfer.amount, transfer.voucher_no) == (Decimal("120.00"), "HMCZ-2012-0088")
    event = AuditEvent.objects.get(action="transfer.record")
    assert event.actor == world.user("finance_a")
    assert event.changes["划拨金额"] == "120.00"
    assert event.changes["status"] == ["reported", "funded"]


def test_a_transfer_is_recorded_once(world, funded):
    with pytest.raises(ValidationError, match="保费已划拨，不能再次登记划拨"):
        transfer_record(actor=world.user("finance_a"), report=funded, **transfer_values(funded))
    assert FundTransfer.objects.count() == 1


def test_only_the_townships_finance_office_records_its_transfer(world, report):
    for user in ("finance_b", "township_a", "insurer_a", "city"):
        with pytest.raises(PermissionDenied):
            transfer_record(actor=world.user(user), report=report, **transfer_values(report))


def test_a_report_not_yet_reported_cannot_be_funded(world):
    campaign = build_campaign()
    build_household(world.village_b1)
    roster = Roster.objects.get(campaign=campaign, village=world.village_b1)
    roster_enrol_all(actor=None, roster=roster)
    roster_submit(actor=None, roster=roster)
    roster_approve(actor=None, roster=roster)
    drafted = township_report_draft(actor=None, campaign=campaign, township=world.town_b)
    with pytest.raises(ValidationError, match="尚未上报"):
        transfer_record(actor=world.user("finance_b"), report=drafted, **transfer_values(drafted))


def test_a_transfer_dated_tomorrow_is_refused(world, report):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        transfer_record(
            actor=world.user("finance_a"),
            report=report,
            **transfer_values(report, transfer_date=date(2999, 1, 1)),
        )


def test_policies_cannot_be_issued_before_the_premium_arrives(world, report):
    with pytest.raises(ValidationError, match="保费划拨到账后才能出具保单"):
        policies_issue(actor=world.user("insurer_a"), report=report)
    assert not Policy.objects.exists()


def test_only_the_townships_insurer_issues(world, funded):
    for user in ("insurer_b", "finance_a", "township_a", "city"):
        with pytest.raises(PermissionDenied):
            policies_issue(actor=world.user(user), report=funded)


def test_system_numbering_issues_one_policy_per_household_and_product(world, campaign, funded):
    assert policies_issue(actor=world.user("insurer_a"), report=funded) == 6
    funded.refresh_from_db()
    assert funded.status == TownshipReport.Status.ISSUED
    numbers = list(Policy.objects.order_by("number").values_list("number", flat=True))
    # insurer code + year + township digits 7-9 of 320684100000 + sequence
    assert numbers == [f"INA2013100{sequence:06d}" for sequence in range(1, 7)]
    policy = Policy.objects.select_related("entry_product").first()
    assert (policy.coverage_start, policy.coverage_end) == (date(2013, 1, 1), date(2013, 12, 31))
    assert policy.insurer == world.insurer_a
    assert policy.village == world.village_a1
    event = AuditEvent.objects.get(action="policies.issue")
    assert event.changes["policies"] == 6
    assert event.changes["起始保单号"] == "INA2013100000001"


def test_issuing_twice_changes_nothing(world, funded):
    insurer = world.user("insurer_a")
    policies_issue(actor=insurer, report=funded)
    before = list(Policy.objects.order_by("pk").values_list("pk", "number"))
    assert policies_issue(actor=insurer, report=funded) == 0
    assert list(Policy.objects.order_by("pk").values_list("pk", "number")) == before
    assert AuditEvent.objects.filter(action="policies.issue").count() == 1


def test_funded_and_issued_reports_cannot_be_drafted_again(world, campaign, funded):
    with pytest.raises(ValidationError, match="保费已划拨，不能重新汇总"):
        township_report_draft(
            actor=world.user("township_a"), campaign=campaign, township=world.town_a
        )
    policies_issue(actor=world.user("insurer_a"), report=funded)
    with pytest.raises(ValidationError, match="保单已出具，不能重新汇总"):
        township_report_draft(
            actor=world.user("township_a"), campaign=campaign, township=world.town_a
        )


def _numbers_file(rows, headers=("证号", "险种", "保单号")) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _keys(report):
    return {row.key for row in report_policy_rows(report)}


def test_the_insurers_own_numbers_are_issued_when_the_file_is_clean(world, funded):
    names = {"child_safety": "独生子女平安保险", "parent_health": "安康险"}
    rows = [
        (certificate_no, names[code], f"PICC-{index:04d}")
        for index, (certificate_no, code) in enumerate(sorted(_keys(funded)), start=1)
    ]
    result = read_policy_numbers(
        _numbers_file(rows), filename="numbers.xlsx", expected=_keys(funded), taken=set()
    )
    assert result.errors == []
    assert policies_issue(actor=world.user("insurer_a"), report=funded, numbers=result.numbers) == 6
    assert set(Policy.objects.values_list("number", flat=True)) == {
        f"PICC-{index:04d}" for index in range(1, 7)
    }


def test_every_bad_row_of_a_numbers_file_is_listed_and_nothing_is_kept(world, funded):
    (first, code), *rest = sorted(_keys(funded))
    rows = [
        (first, "独生子女平安保险" if code == "child_safety" else "安康险", "A-1"),
        (first, "独生子女平安保险" if code == "child_safety" else "安康险", "A-2"),  # twice
        ("NOPE0001", "平安险", "A-3"),  # not in this report
        (rest[0][0], "意外险", "A-4"),  # unknown product
        (rest[1][0], "平安险" if rest[1][1] == "child_safety" else "安康险", ""),  # no number
        (rest[2][0], "平安险" if rest[2][1] == "child_safety" else "安康险", 1.23456789012345e17),
        (rest[3][0], "平安险" if rest[3][1] == "child_safety" else "安康险", "TAKEN-1"),
        (rest[4][0], "平安险" if rest[4][1] == "child_safety" else "安康险", "A-1"),  # reused
    ]
    result = read_policy_numbers(
        _numbers_file(rows), filename="numbers.xlsx", expected=_keys(funded), taken={"TAKEN-1"}
    )
    reasons = [str(error) for error in result.errors]
    assert result.numbers == {}
    assert any(reason.startswith("第3行 证号") and "重复出现" in reason for reason in reasons)
    assert any(
        reason.startswith("第4行 证号") and "没有证号 NOPE0001" in reason for reason in reasons
    )
    assert any(reason.startswith("第5行 险种") and "意外险" in reason for reason in reasons)
    assert "第6行 保单号：保单号为空" in reasons
    assert any(reason.startswith("第7行 保单号") and "存成了数字" in reason for reason in reasons)
    assert "第8行 保单号：保单号 TAKEN-1 已被其他保单使用" in reasons
    assert "第9行 保单号：保单号 A-1 与第2行重复" in reasons
    assert any(reason.startswith("文件：证号") and "没有填写保单号" in reason for reason in reasons)


def test_a_file_without_the_three_columns_is_refused(funded):
    result = read_policy_numbers(
        _numbers_file([("X", "Y")], headers=("证号", "险种")),
        filename="numbers.xlsx",
        expected=_keys(funded),
        taken=set(),
    )
    assert [str(error) for error in result.errors] == [
        "文件：没有找到表头：文件须有「证号」「险种」「保单号」三列"
    ]


def test_numbers_that_do_not_cover_the_report_are_refused_by_the_service(world, funded):
    with pytest.raises(ValidationError, match="缺 6 份"):
        policies_issue(actor=world.user("insurer_a"), report=funded, numbers={})
    assert not Policy.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_transfers_at_once_fund_the_report_once(world):
    campaign = build_campaign()
    build_household(world.village_a1)
    report = build_reported_report(campaign, world.town_a)
    finance = world.user("finance_a")
    outcomes = []
    barrier = threading.Barrier(2)

    def act(voucher_no):
        barrier.wait()
        try:
            transfer_record(
                actor=finance, report=report, **transfer_values(report, voucher_no=voucher_no)
            )
            outcomes.append(voucher_no)
        except ValidationError as error:
            outcomes.append(f"refused: {error.messages[0]}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(voucher,)) for voucher in ("V-1", "V-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = [outcome for outcome in outcomes if not outcome.startswith("refused")]
    assert len(won) == 1, outcomes
    assert FundTransfer.objects.get().voucher_no == won[0]
    assert AuditEvent.objects.filter(action="transfer.record").count() == 1
