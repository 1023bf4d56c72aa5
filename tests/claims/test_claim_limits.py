"""What an approval may not exceed, and the document a claim paid elsewhere needs. The insurer
approves at most the amount claimed, the loss the formula allows (medical: (expenses − paid
elsewhere − deductible) × ratio; disability: the grade's share of the accident cap) and what
remains of the cap; anything more is refused with a Chinese message naming the limit."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims.documents import checklist
from claims.services import claim_approve, claim_document_tick, claim_documents_complete
from enrollment.models import Product
from tests.claims.conftest import claim_with_insurer, report_claim

pytestmark = pytest.mark.django_db
Y = Decimal


def _refused(claim, amount: str) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        claim_approve(actor=None, claim=claim, amount=Y(amount))
    return refused.value.messages


def test_a_claim_paid_elsewhere_needs_the_other_settlement(world, issued, client_for):
    claim = report_claim("林小雨", expenses=Y("1500.00"), paid_elsewhere=Y("400.00"))
    for code, _, required in checklist(claim.benefit):
        if required:
            claim_document_tick(actor=None, claim=claim, item=code, received_on=date(2013, 3, 8))
    with pytest.raises(ValidationError) as refused:
        claim_documents_complete(actor=None, claim=claim)
    assert refused.value.messages == ["材料还不齐全，缺：其他途径报销结算单。"]
    page = client_for(world.user("cadre_a1")).get(claim.get_absolute_url()).text
    assert '其他途径报销结算单 <span class="text-danger small">必需</span>' in page
    claim_document_tick(
        actor=None, claim=claim, item="other_settlement", received_on=date(2013, 3, 8)
    )
    assert claim_documents_complete(actor=None, claim=claim).status == "documents_complete"


def test_a_claim_not_paid_elsewhere_does_not_need_it(world, issued):
    claim = report_claim("林小雨")
    required = {code for code, _, needed in checklist(claim.benefit, claim=claim) if needed}
    assert "other_settlement" not in required


def test_an_approval_never_exceeds_the_amount_claimed(world, issued):
    claim = claim_with_insurer("林小雨", amount_claimed=Y("500.00"), expenses=Y("1800.00"))
    assert _refused(claim, "600.00") == ["核定金额 600.00 元超过申请金额 500.00 元。"]
    assert claim_approve(actor=None, claim=claim, amount=Y("500.00")).approved_amount == Y(500)


def test_an_approval_never_exceeds_the_medical_formula(world, issued):
    Product.objects.filter(code="child_safety").update(
        medical_deductible=Y("100.00"), reimbursement_ratio=Y("0.8000")
    )
    claim = claim_with_insurer(
        "林小雨", amount_claimed=Y("1500.00"), expenses=Y("1500.00"), paid_elsewhere=Y("400.00")
    )
    assert _refused(claim, "900.00") == [
        "核定金额 900.00 元超过按条款计算的可赔金额 800.00 元"
        "（（医疗费用 1,500.00 元 − 其他途径已报销 400.00 元 − 免赔额 100.00 元）× 赔付比例 80%）。"
    ]
    assert claim_approve(actor=None, claim=claim, amount=Y("800.00")).approved_amount == Y(800)


def test_an_approval_never_exceeds_the_grades_share(world, issued):
    claim = claim_with_insurer(
        "林小雨", benefit="accident_disability", disability_grade=3, amount_claimed=Y("10000")
    )
    assert _refused(claim, "9000.00") == [
        "核定金额 9,000.00 元超过 3 级伤残按条款计算的可赔金额 8,000.00 元"
        "（意外身故/伤残保额 10,000.00 元的 80%）。"
    ]
    assert claim_approve(actor=None, claim=claim, amount=Y("8000")).approved_amount == Y(8000)


def test_the_decision_card_suggests_no_more_than_the_claim(world, issued, client_for):
    claim = claim_with_insurer("林小雨", amount_claimed=Y("300.00"), expenses=Y("900.00"))
    insurer = client_for(world.user("insurer_a"))
    page = insurer.get(claim.get_absolute_url()).text
    assert '建议赔付 <strong id="suggested">300.00</strong> 元' in page
    response = insurer.post(
        reverse("claims:claim_approve", args=[claim.pk]), {"amount": "900"}, follow=True
    )
    assert "核定金额 900.00 元超过申请金额 300.00 元。" in response.text
