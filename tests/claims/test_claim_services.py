"""Claims as services against PostgreSQL: reporting rules, the documents checklist, the service
standard's due dates, the cap ledger over several claims, disability grades, the medical formula,
payment with door delivery, closing, and two approvals at once."""

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.utils import timezone

from claims.models import Claim
from claims.selectors import cap_line, days_to_settle, met_standard, suggested_amount
from claims.services import (
    claim_approve,
    claim_close,
    claim_document_tick,
    claim_documents_complete,
    claim_escalate,
    claim_pay,
    claim_reject,
    claim_submit,
)
from enrollment.models import Product
from haimen_insurance.models import AuditEvent
from tests.claims.conftest import claim_with_insurer, person, report_claim

pytestmark = pytest.mark.django_db

Y = Decimal


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def test_a_cadre_reports_for_a_person_of_their_village(world, issued):
    claim = report_claim("林小雨", actor=world.user("cadre_a1"), now=at(date(2013, 3, 6)))
    assert claim.number == "LP2013-00001"
    assert claim.status == Claim.Status.REPORTED
    assert claim.village == world.village_a1 and claim.insurer == world.insurer_a
    assert claim.late_report is False
    assert AuditEvent.objects.filter(action="claim.report", object_id=str(claim.pk)).exists()
    assert report_claim("赵一鸣", actor=world.user("township_a")).number == "LP2013-00002"


def test_a_report_after_48_hours_is_accepted_and_marked_late(world, issued):
    on_time = report_claim("林小雨", now=at(date(2013, 3, 7), 23))  # within 48 h of the day's end
    late = report_claim("林小雨", now=at(date(2013, 3, 8), 1))
    assert (on_time.late_report, late.late_report) == (False, True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"incident_date": date(2012, 12, 31)}, "不在保险期间内（2013-01-01 至 2013-12-31）"),
        ({"incident_date": date(2014, 1, 1)}, "不在保险期间内"),
        ({"benefit": "accident_disability", "disability_grade": 11}, "1 至 10 级伤残等级"),
        ({"expenses": None}, "意外医疗须填写医疗费用"),
        ({"paid_elsewhere": Y("2000.00")}, "不能超过医疗费用"),
    ],
)
def test_reports_outside_the_rules_are_refused(world, issued, overrides, message):
    with pytest.raises(ValidationError) as refused:
        report_claim("林小雨", **overrides)
    assert any(message in text for text in refused.value.messages)
    assert not Claim.objects.exists()


def test_only_the_village_or_its_township_reports(world, issued):
    for user in ("cadre_a2", "cadre_b1", "township_b", "insurer_a", "city"):
        with pytest.raises(PermissionDenied):
            report_claim("林小雨", actor=world.user(user))


def test_documents_complete_needs_every_required_item(world, issued):
    claim = report_claim("林小雨")
    claim_document_tick(actor=None, claim=claim, item="invoices", received_on=date(2013, 3, 8))
    with pytest.raises(ValidationError) as refused:
        claim_documents_complete(actor=None, claim=claim)
    assert refused.value.messages == [
        "材料还不齐全，缺：病历、费用清单、被保险人（受益人）身份证及银行卡。"
    ]
    for item in ("medical_record", "expense_list", "id_bank_card"):
        claim_document_tick(actor=None, claim=claim, item=item, received_on=date(2013, 3, 8))
    assert claim_documents_complete(actor=None, claim=claim).status == "documents_complete"
    with pytest.raises(ValidationError, match="不能进行这一步"):
        claim_document_tick(actor=None, claim=claim, item="invoices", received_on=date(2013, 3, 9))


def test_the_service_standard_sets_the_due_date(world, issued):
    small = claim_with_insurer("林小雨", amount_claimed=Y("800.00"), expenses=Y("800.00"))
    ordinary = claim_with_insurer("赵一鸣", amount_claimed=Y("1800.00"))
    today = timezone.localdate()
    assert small.due_date == today  # ≤ 1,000 yuan with complete documents: the same day
    assert ordinary.due_date == today + timedelta(days=7)
    escalated = claim_escalate(actor=world.user("insurer_a"), claim=ordinary, reason="需调查")
    assert escalated.due_date == today + timedelta(days=15)


def test_disability_pays_the_grades_share_of_the_accident_cap(world, issued):
    for grade, share in ((1, "10000.00"), (3, "8000.00"), (10, "1000.00")):
        claim = report_claim(
            "林小雨",
            benefit="accident_disability",
            disability_grade=grade,
            amount_claimed=Y("10000.00"),
        )
        assert suggested_amount(claim, cap_line(claim)) == Y(share), grade


def test_the_medical_formula_takes_off_other_payers_and_the_deductible(world, issued):
    Product.objects.filter(code="child_safety").update(
        medical_deductible=Y("100.00"), reimbursement_ratio=Y("0.8000")
    )
    claim = report_claim(
        "林小雨", amount_claimed=Y("1500.00"), expenses=Y("1500.00"), paid_elsewhere=Y("400.00")
    )
    # (1500 − 400 − 100) × 80 % = 800
    assert suggested_amount(claim, cap_line(claim)) == Y("800.00")
    big = report_claim(
        "林小雨", amount_claimed=Y("9000.00"), expenses=Y("9000.00"), paid_elsewhere=Y("0.00")
    )
    assert suggested_amount(big, cap_line(big)) == Y("2000.00")  # capped at the medical cap


def test_the_cap_ledger_over_several_claims_of_one_person(world, issued):
    insurer = world.user("insurer_a")
    first = claim_with_insurer("林小雨")
    claim_approve(actor=insurer, claim=first, amount=Y("1200.00"))
    second = claim_with_insurer("林小雨")
    assert cap_line(second).remaining == Y("800.00")
    with pytest.raises(ValidationError) as refused:
        claim_approve(actor=insurer, claim=second, amount=Y("800.01"))
    assert refused.value.messages == [
        "核定金额 800.01 元超过意外医疗保额剩余额度 800.00 元"
        "（保额 2,000.00 元，已核定 1,200.00 元）。"
    ]
    claim_approve(actor=insurer, claim=second, amount=Y("800.00"))
    third = claim_with_insurer("林小雨")
    assert cap_line(third).remaining == Y("0.00")
    # A rejected claim uses nothing; the accident cap is a separate ledger.
    death = claim_with_insurer("林小雨", benefit="accident_death", amount_claimed=Y("10000.00"))
    assert cap_line(death).remaining == Y("10000.00")


def test_parents_each_have_their_own_cap(world, issued):
    insurer = world.user("insurer_a")
    father = claim_with_insurer("林建华", expenses=Y("1000.00"), amount_claimed=Y("1000.00"))
    claim_approve(actor=insurer, claim=father, amount=Y("1000.00"))
    mother_name = person("林建华").entry_product.persons.exclude(name="林建华").get().name
    mother = claim_with_insurer(mother_name, expenses=Y("1000.00"), amount_claimed=Y("1000.00"))
    assert cap_line(mother).remaining == Y("1000.00")  # 父母安康险: 1,000 per person


def test_paying_records_door_delivery_from_5000_yuan(world, issued):
    insurer = world.user("insurer_a")
    claim = claim_with_insurer("林小雨", benefit="accident_death", amount_claimed=Y("10000.00"))
    claim_approve(actor=insurer, claim=claim, amount=Y("10000.00"))
    paid_on = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        claim_pay(actor=insurer, claim=claim, paid_on=paid_on, amount=Y("9000"), account="6228")
    assert "赔付金额 9,000.00 元与核定金额 10,000.00 元不符。" in refused.value.messages
    assert any("须送赔款上门" in message for message in refused.value.messages)
    claim = claim_pay(
        actor=insurer,
        claim=claim,
        paid_on=paid_on,
        amount=Y("10000.00"),
        account="6228480012345678",
        delivered_on=paid_on,
        delivered_by="吴海燕、张美兰",
        received_by_family="林建华",
    )
    assert (claim.status, claim.received_by_family) == ("paid", "林建华")
    assert days_to_settle(claim) == 0 and met_standard(claim) is True  # due within 7 days
    closed = claim_close(actor=insurer, claim=claim)
    assert closed.status == "closed"
    for service, kwargs in (
        (claim_approve, {"amount": Y(1)}),
        (claim_reject, {"code": "other", "text": "x"}),
        (claim_close, {}),
    ):
        with pytest.raises(ValidationError, match="已结案，不能进行这一步"):
            service(actor=insurer, claim=closed, **kwargs)


def test_a_rejection_needs_a_coded_reason_and_words_for_the_family(world, issued):
    insurer = world.user("insurer_a")
    claim = claim_with_insurer("赵一鸣")
    with pytest.raises(ValidationError, match="请写明拒赔的具体理由"):
        claim_reject(actor=insurer, claim=claim, code="exclusion", text=" ")
    claim = claim_reject(actor=insurer, claim=claim, code="exclusion", text="酒后驾驶摩托车")
    assert claim.status == "rejected" and claim.settled_on == timezone.localdate()
    assert met_standard(claim) is True


def test_only_the_claims_insurer_decides(world, issued):
    claim = claim_with_insurer("赵一鸣")
    for user in ("insurer_b", "township_a", "cadre_a1", "city"):
        with pytest.raises(PermissionDenied):
            claim_approve(actor=world.user(user), claim=claim, amount=Y("100.00"))


def test_a_claim_cannot_skip_the_insurer(world, issued):
    claim = report_claim("赵一鸣")
    with pytest.raises(ValidationError, match="已报案，不能进行这一步"):
        claim_approve(actor=world.user("insurer_a"), claim=claim, amount=Y("100.00"))
    with pytest.raises(ValidationError, match="已报案，不能进行这一步"):
        claim_submit(actor=None, claim=claim)


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_cannot_exceed_the_cap_together(world):
    from tests.claims.conftest import issue_township
    from tests.enrollment.conftest import build_campaign, build_household

    campaign = build_campaign()
    build_household(world.village_a1, child_name="林小雨")
    issue_township(campaign, world.town_a)
    claims = [claim_with_insurer("林小雨") for _ in range(2)]
    insurer = world.user("insurer_a")
    outcomes = []
    barrier = threading.Barrier(2)

    def approve(claim):
        barrier.wait()
        try:
            claim_approve(actor=insurer, claim=claim, amount=Y("1500.00"))
            outcomes.append("approved")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(claim,)) for claim in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[0] == "approved" and len(outcomes) == 2, outcomes
    assert "剩余额度 500.00 元" in sorted(outcomes)[1]
    assert Claim.objects.filter(status="approved").count() == 1
