"""Demo claims for ``seed_demo``: one township's families in every claim state, through the same
services the pages call."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from enrollment.models import InsuredPerson, Policy

from . import services
from .documents import checklist
from .models import Claim

# (relation, benefit, incident, amount claimed, medical expenses, disability grade, where it ends)
DEMO_CLAIMS = [
    ("child", "medical", date(2013, 3, 5), "680.00", "680.00", None, "paid"),
    ("child", "medical", date(2013, 4, 18), "1850.00", "1850.00", None, "closed"),
    ("father", "accident_death", date(2013, 5, 2), "10000.00", None, None, "paid"),
    ("child", "accident_disability", date(2013, 6, 11), "6000.00", None, 5, "approved"),
    ("mother", "medical", date(2013, 7, 20), "920.00", "1300.00", None, "with_insurer"),
    ("child", "medical", date(2013, 8, 9), "1500.00", "1500.00", None, "escalated"),
    ("father", "medical", date(2013, 9, 3), "400.00", "400.00", None, "rejected"),
    ("child", "medical", date(2013, 10, 15), "760.00", "760.00", None, "documents_complete"),
    ("mother", "medical", date(2013, 11, 26), "1200.00", "1200.00", None, "reported"),
]


def _noon(day: date):
    return timezone.make_aware(datetime.combine(day, time(12)))


def demo_claims(*, township, cadre, insurer_user) -> list[Claim]:
    """Claims of ``township``'s issued policies in every state, reported by ``cadre`` (the
    village's cadre, or the system) and decided by ``insurer_user``."""
    policies = list(
        Policy.objects.filter(village__parent=township)
        .select_related("entry_product")
        .order_by("number")
    )
    persons = {}
    for person in (
        InsuredPerson.objects.filter(
            entry_product__in=[policy.entry_product_id for policy in policies]
        )
        .select_related("entry_product__entry__roster")
        .order_by("entry_product__policy__number", "relation")
    ):
        persons.setdefault(person.relation, []).append(person)
    claims = []
    for index, (relation, benefit, incident, claimed, expenses, grade, end) in enumerate(
        DEMO_CLAIMS
    ):
        person = persons[relation][index * 7]
        reporter = cadre if cadre and cadre.area_id == _village_of(person) else None
        late = index == 6  # one family came a week later
        claim = services.claim_report(
            actor=reporter,
            person=person,
            benefit=benefit,
            incident_date=incident,
            incident_place="海门市" + ("人民医院" if benefit == "medical" else "村道"),
            description={
                "medical": "不慎摔伤，门诊及住院治疗。",
                "accident_death": "骑电动车与货车相撞，经抢救无效死亡。",
                "accident_disability": "农机操作时左手受伤，经鉴定为五级伤残。",
            }[benefit],
            amount_claimed=Decimal(claimed),
            expenses=Decimal(expenses) if expenses else None,
            paid_elsewhere=Decimal("380.00") if relation == "mother" and expenses else None,
            disability_grade=grade,
            now=_noon(incident + timedelta(days=8 if late else 1)),
        )
        claims.append(claim)
        _carry(claim, end, reporter, insurer_user)
    return claims


def _village_of(person) -> int:
    return person.entry_product.entry.roster.village_id


def _carry(claim: Claim, end: str, reporter, insurer_user) -> None:
    """Move ``claim`` through the services until it reaches ``end``."""
    ticked_on = claim.incident_date + timedelta(days=2)
    required = [code for code, _, needed in checklist(claim.benefit, claim=claim) if needed]
    if end == "reported":
        services.claim_document_tick(
            actor=reporter, claim=claim, item=required[0], received_on=ticked_on
        )
        return
    for code in required:
        services.claim_document_tick(actor=reporter, claim=claim, item=code, received_on=ticked_on)
    services.claim_documents_complete(actor=reporter, claim=claim)
    if end == "documents_complete":
        return
    services.claim_submit(actor=reporter, claim=claim)
    if end == "with_insurer":
        return
    if end == "escalated":
        services.claim_escalate(
            actor=insurer_user, claim=claim, reason="需向就诊医院核实用药是否属于意外伤害治疗。"
        )
        return
    if end == "rejected":
        services.claim_reject(
            actor=insurer_user,
            claim=claim,
            code=Claim.Rejection.PAID_ELSEWHERE,
            text="该费用已由新农合全额报销，本险种不再重复赔付。",
        )
        return
    from .selectors import cap_line, suggested_amount

    claim.refresh_from_db()
    amount = suggested_amount(claim, cap_line(claim))
    services.claim_approve(actor=insurer_user, claim=claim, amount=amount)
    if end == "approved":
        return
    today = timezone.localdate()
    door = amount >= Decimal("5000.00")
    services.claim_pay(
        actor=insurer_user,
        claim=claim,
        paid_on=today,
        amount=amount,
        account="江苏海门农村商业银行 6228 4800 1234 5678",
        delivered_on=today if door else None,
        delivered_by="保险公司理赔员、村计生专干" if door else "",
        received_by_family=claim.policy.household.mother_name if door else "",
    )
    if end == "closed":
        services.claim_close(actor=insurer_user, claim=claim)
