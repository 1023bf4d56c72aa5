"""Demo claims for ``seed_demo``: one township's families in every claim state under last year's
policies, through the same services the pages call."""

from datetime import date, timedelta
from decimal import Decimal

from enrollment.demo import HAIMEN, DemoPlace, at, demo_clock
from enrollment.models import InsuredPerson, Policy

from . import services
from .documents import checklist
from .models import Claim
from .selectors import cap_line, suggested_amount

# (relation, benefit, when, amount claimed, medical expenses, disability grade, where it ends).
# ``when`` places the incident: a share of the way through last year's cover for claims that are
# settled, or days before the latest incident an open claim can have (see ``demo_claims``).
DEMO_CLAIMS = [
    ("child", "medical", 0.15, "680.00", "680.00", None, "paid"),
    ("child", "medical", 0.3, "1850.00", "1850.00", None, "closed"),
    ("father", "accident_death", 0.42, "10000.00", None, None, "paid"),
    ("child", "accident_disability", 12, "6000.00", None, 5, "approved"),
    ("mother", "medical", 9, "1320.00", "1700.00", None, "with_insurer"),
    ("child", "medical", 15, "1500.00", "1500.00", None, "escalated"),
    ("father", "medical", 0.66, "400.00", "400.00", None, "rejected"),
    ("child", "medical", 5, "760.00", "760.00", None, "documents_complete"),
    ("mother", "medical", 0, "1200.00", "1200.00", None, "reported"),
]
SETTLED = ("paid", "closed", "rejected")


def _noon(day: date):
    return at(day, 12)


def demo_claims(
    *, campaign, township, cadre, insurer_user, today: date, place: DemoPlace = HAIMEN
) -> list[Claim]:
    """Claims of ``township``'s policies of ``campaign`` (last year's) in every state, reported
    by ``cadre`` (the village's cadre, or the system) and decided by ``insurer_user``, each on
    its own days: the settled ones across the cover, each handled within days; the open ones
    reported late in the cover (one family a week after the incident) and with the insurer in
    the last days before ``today``, so their service due dates still run. ``place``: the
    programme's words (the incidents' city, the families' bank)."""
    policies = list(
        Policy.objects.filter(campaign=campaign, village__parent=township)
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
    start = campaign.coverage_start
    settled_by = min(campaign.coverage_end, today - timedelta(days=30))
    open_by = min(campaign.coverage_end, today - timedelta(days=10))
    claims = []
    for index, (relation, benefit, when, claimed, expenses, grade, end) in enumerate(DEMO_CLAIMS):
        if end in SETTLED:
            incident = start + timedelta(days=int((settled_by - start).days * when))
        else:
            incident = open_by - timedelta(days=when)
        person = persons[relation][index * 7]
        reporter = cadre if cadre and cadre.area_id == _village_of(person) else None
        late = end == "with_insurer"  # one family came a week later
        reported = _noon(incident + timedelta(days=8 if late else 1))
        with demo_clock(reported):
            claim = services.claim_report(
                actor=reporter,
                person=person,
                benefit=benefit,
                incident_date=incident,
                incident_place=place.city + ("人民医院" if benefit == "medical" else "村道"),
                description={
                    "medical": "不慎摔伤，门诊及住院治疗。",
                    "accident_death": "骑电动车与货车相撞，经抢救无效死亡。",
                    "accident_disability": "农机操作时左手受伤，经鉴定为五级伤残。",
                }[benefit],
                amount_claimed=Decimal(claimed),
                expenses=Decimal(expenses) if expenses else None,
                paid_elsewhere=Decimal("380.00") if relation == "mother" and expenses else None,
                disability_grade=grade,
                now=reported,
            )
        claims.append(claim)
        if end in SETTLED:
            days = {step: incident + timedelta(days=n) for step, n in SETTLED_DAYS.items()}
        else:
            days = {step: today - timedelta(days=n) for step, n in OPEN_DAYS[end].items()}
        _carry(claim, end, reporter, insurer_user, days, place)
    return claims


# The day of each step: after the incident for a settled claim, before today for an open one.
SETTLED_DAYS = {"documents": 2, "submit": 3, "decide": 6, "pay": 10, "close": 14}
OPEN_DAYS = {
    "reported": {"documents": 1},
    "documents_complete": {"documents": 3, "submit": 2},
    "with_insurer": {"documents": 5, "submit": 4},
    "escalated": {"documents": 7, "submit": 6, "decide": 3},
    "approved": {"documents": 7, "submit": 6, "decide": 2},
}


def _family(claim: Claim) -> str:
    """Who signs for the payout at the door: the mother, or the father where there is none."""
    household = claim.policy.household
    return household.mother_name or household.father_name


def _village_of(person) -> int:
    return person.entry_product.entry.roster.village_id


def _carry(
    claim: Claim, end: str, reporter, insurer_user, days: dict, place: DemoPlace = HAIMEN
) -> None:
    """Move ``claim`` through the services until it reaches ``end``, each step on its day."""
    ticked_on = days["documents"]
    required = [code for code, _, needed in checklist(claim.benefit, claim=claim) if needed]
    with demo_clock(_noon(ticked_on)):
        if end == "reported":
            services.claim_document_tick(
                actor=reporter, claim=claim, item=required[0], received_on=ticked_on
            )
            return
        for code in required:
            services.claim_document_tick(
                actor=reporter, claim=claim, item=code, received_on=ticked_on
            )
    with demo_clock(_noon(days["submit"])):
        services.claim_documents_complete(actor=reporter, claim=claim)
        if end == "documents_complete":
            return
        services.claim_submit(actor=reporter, claim=claim)
        if end == "with_insurer":
            return
    with demo_clock(_noon(days["decide"])):
        if end == "escalated":
            services.claim_escalate(
                actor=insurer_user,
                claim=claim,
                reason="需向就诊医院核实用药是否属于意外伤害治疗。",
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
        claim.refresh_from_db()
        amount = suggested_amount(claim, cap_line(claim))
        services.claim_approve(actor=insurer_user, claim=claim, amount=amount)
        if end == "approved":
            return
    paid_on = days["pay"]
    door = amount >= Decimal("5000.00")
    with demo_clock(_noon(paid_on)):
        services.claim_pay(
            actor=insurer_user,
            claim=claim,
            paid_on=paid_on,
            amount=amount,
            account=f"{place.payer_bank} 6228 4800 1234 5678",
            delivered_on=paid_on if door else None,
            delivered_by="保险公司理赔员、村计生专干" if door else "",
            received_by_family=_family(claim) if door else "",
        )
    if end == "closed":
        with demo_clock(_noon(days["close"])):
            services.claim_close(actor=insurer_user, claim=claim)
