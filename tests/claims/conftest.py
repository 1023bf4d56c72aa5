"""Builders for claims: a township with issued policies, and a claim carried to the insurer."""

from datetime import date
from decimal import Decimal

import pytest

from claims.documents import checklist
from claims.models import Claim
from claims.services import (
    claim_document_tick,
    claim_documents_complete,
    claim_report,
    claim_submit,
)
from enrollment.models import InsuredPerson
from enrollment.services.policies import policies_issue, transfer_record
from tests.enrollment.conftest import (
    build_campaign,
    build_household,
    build_reported_report,
    transfer_values,
)


def issue_township(campaign, township):
    report = build_reported_report(campaign, township)
    transfer_record(actor=None, report=report, **transfer_values(report))
    policies_issue(actor=None, report=report)
    return report


@pytest.fixture
def issued(world):
    """海门镇 with policies issued: 东兴村 two families (林小雨's and 赵一鸣's), 新河村 one."""
    campaign = build_campaign()
    build_household(world.village_a1, child_name="林小雨", father_name="林建华")
    build_household(world.village_a1, child_name="赵一鸣")
    build_household(world.village_a2, child_name="孙浩然")
    issue_township(campaign, world.town_a)
    return campaign


def person(name: str) -> InsuredPerson:
    return InsuredPerson.objects.select_related("entry_product").get(name=name)


def report_claim(who: str, *, actor=None, **overrides) -> Claim:
    values = {
        "benefit": Claim.Benefit.MEDICAL,
        "incident_date": date(2013, 3, 5),
        "incident_place": "东兴村村道",
        "description": "骑自行车摔倒，右臂骨折，住院治疗。",
        "amount_claimed": Decimal("1800.00"),
        "expenses": Decimal("1800.00"),
        "paid_elsewhere": Decimal("0.00"),
    }
    values.update(overrides)
    return claim_report(actor=actor, person=person(who), **values)


def claim_with_insurer(who: str, **overrides) -> Claim:
    """A claim reported, its required documents ticked, complete and handed to the insurer."""
    claim = report_claim(who, **overrides)
    for code, _, required in checklist(claim.benefit, claim=claim):
        if required:
            claim_document_tick(actor=None, claim=claim, item=code, received_on=date(2013, 3, 8))
    claim_documents_complete(actor=None, claim=claim)
    return claim_submit(actor=None, claim=claim)
