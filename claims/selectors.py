"""Reads of the claims app: the cap ledger, the suggested amount, the insurer's queue and the
claims register."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from haimen_insurance.money import format_yuan

from .models import CLAIM_TRANSITIONS, Claim, disability_percent

CENT = Decimal("0.01")
ACCIDENT = frozenset({Claim.Benefit.ACCIDENT_DEATH, Claim.Benefit.ACCIDENT_DISABILITY})
# Statuses whose approved amount counts against the cap.
COUNTED = (Claim.Status.APPROVED, Claim.Status.PAID, Claim.Status.CLOSED)
# Statuses waiting for the insurer's decision (its due date runs), those the insurer still has to
# act on (the decision or the payment), and those that no longer change.
AWAITING_DECISION = tuple(
    state for state in Claim.Status if CLAIM_TRANSITIONS.allows("approve", state)
)
OPEN_FOR_INSURER = (
    *AWAITING_DECISION,
    *(state for state in Claim.Status if CLAIM_TRANSITIONS.allows("pay", state)),
)
SETTLED = (Claim.Status.PAID, Claim.Status.REJECTED, Claim.Status.CLOSED)

# The service standard (docs/design.md section 1).
SAME_DAY_LIMIT = Decimal("1000.00")
ORDINARY_DAYS = 7
ESCALATED_DAYS = 15
DOOR_DELIVERY_FROM = Decimal("5000.00")


def benefit_group(benefit: str) -> frozenset:
    """Death and disability share the accident cap; medical has its own."""
    return ACCIDENT if benefit in ACCIDENT else frozenset({Claim.Benefit.MEDICAL})


@dataclass(frozen=True)
class CapLine:
    label: str
    cap: Decimal
    used: Decimal

    @property
    def remaining(self) -> Decimal:
        return max(self.cap - self.used, Decimal("0.00"))


def benefit_cap(policy, benefit: str) -> Decimal:
    product, shares = policy.product, policy.entry_product.shares
    per_share = product.accident_cap if benefit in ACCIDENT else product.medical_cap
    return per_share * shares


def cap_line(claim: Claim, *, exclude_self: bool = True) -> CapLine:
    """The cap of ``claim``'s benefit for its insured person (or, where caps are per policy, for
    the policy) in its campaign, and what approved claims have used of it."""
    policy = claim.policy
    group = benefit_group(claim.benefit)
    holder = (
        Q(person=claim.person_id) if policy.product.caps_per_person else Q(policy=claim.policy_id)
    )
    counted = Claim.objects.filter(holder, benefit__in=group, status__in=COUNTED)
    if exclude_self and claim.pk:
        counted = counted.exclude(pk=claim.pk)
    used = counted.aggregate(total=Sum("approved_amount"))["total"] or Decimal("0.00")
    label = "意外身故/伤残保额" if group == ACCIDENT else "意外医疗保额"
    return CapLine(label=label, cap=benefit_cap(policy, claim.benefit), used=used)


@dataclass(frozen=True)
class FormulaAmount:
    """The loss the policy's terms allow for a claim, and how it was reached, in words."""

    amount: Decimal
    explained: str


def _percent(ratio: Decimal) -> str:
    return f"{format((ratio * 100).quantize(CENT).normalize(), 'f')}%"


def formula_amount(claim: Claim, line: CapLine) -> FormulaAmount:
    """docs/design.md section 4: death pays the accident cap; disability the grade's share of it
    (grade 1 = 100 %, each grade 10 points less); medical (expenses − paid elsewhere −
    deductible) × ratio. Before the amount claimed and the remaining cap are applied."""
    product = claim.policy.product
    if claim.benefit == Claim.Benefit.ACCIDENT_DEATH:
        amount = line.cap.quantize(CENT)
        return FormulaAmount(amount, f"{line.label} {format_yuan(amount)} 元")
    if claim.benefit == Claim.Benefit.ACCIDENT_DISABILITY:
        grade = claim.disability_grade or 10
        share = Decimal(disability_percent(grade)) / 100
        amount = (line.cap * share).quantize(CENT, rounding=ROUND_HALF_UP)
        return FormulaAmount(
            amount,
            f" {grade} 级伤残按条款计算的可赔金额 {format_yuan(amount)} 元"
            f"（{line.label} {format_yuan(line.cap)} 元的 {_percent(share)}）",
        )
    expenses = claim.expenses or Decimal("0.00")
    paid_elsewhere = claim.paid_elsewhere or Decimal("0.00")
    base = max(expenses - paid_elsewhere - product.medical_deductible, Decimal("0.00"))
    amount = (base * product.reimbursement_ratio).quantize(CENT, rounding=ROUND_HALF_UP)
    return FormulaAmount(
        amount,
        f"按条款计算的可赔金额 {format_yuan(amount)} 元（（医疗费用 {format_yuan(expenses)} 元 − "
        f"其他途径已报销 {format_yuan(paid_elsewhere)} 元 − 免赔额 "
        f"{format_yuan(product.medical_deductible)} 元）× 赔付比例 "
        f"{_percent(product.reimbursement_ratio)}）",
    )


def suggested_amount(claim: Claim, line: CapLine) -> Decimal:
    """The most the insurer may approve: the formula's amount, no more than the amount claimed
    nor what remains of the cap."""
    return min(formula_amount(claim, line).amount, claim.amount_claimed, line.remaining)


def service_due_date(claim: Claim, received_on, *, escalated: bool = False):
    """Same day for a claim of at most 1,000 yuan with complete documents, 7 days for an ordinary
    one, 15 days once escalated — counted from the day the insurer received it."""
    if escalated:
        return received_on + timedelta(days=ESCALATED_DAYS)
    if claim.amount_claimed <= SAME_DAY_LIMIT:
        return received_on
    return received_on + timedelta(days=ORDINARY_DAYS)


def insurer_queue(user) -> QuerySet:
    """The claims waiting for the insurer: overdue first, then by due date."""
    today = timezone.localdate()
    return (
        Claim.objects.for_user(user)
        .filter(status__in=OPEN_FOR_INSURER)
        .annotate(
            overdue=Case(
                When(due_date__lt=today, status__in=AWAITING_DECISION, then=Value(0)),
                default=Value(1),
            )
        )
        .select_related("person", "policy__product", "village__parent")
        .order_by("overdue", F("due_date").asc(nulls_last=True), "reported_at")
    )


def days_to_settle(claim: Claim) -> int | None:
    """Days from the insurer's receipt to payment or rejection."""
    if claim.settled_on is None or claim.received_at is None:
        return None
    return (claim.settled_on - timezone.localtime(claim.received_at).date()).days


def met_standard(claim: Claim) -> bool | None:
    """Whether the claim was settled by its due date (None while it is not settled)."""
    if claim.settled_on is None or claim.due_date is None:
        return None
    return claim.settled_on <= claim.due_date


@dataclass(frozen=True)
class BenefitSummary:
    label: str
    claims: int
    claimed: Decimal
    approved: Decimal
    paid: Decimal
    settled: int
    within_standard: int


def claims_summary(*, campaign, user) -> list[BenefitSummary]:
    """Per benefit, then in total: claims, amounts claimed, approved and paid, and how many of
    the settled claims met the service standard. One query."""
    settled = Q(settled_on__isnull=False)
    rows = {
        row["benefit"]: row
        for row in Claim.objects.for_user(user)
        .filter(campaign=campaign)
        .values("benefit")
        .annotate(
            claims=Count("pk"),
            claimed=Sum("amount_claimed"),
            approved=Sum("approved_amount"),
            paid=Sum("paid_amount"),
            settled=Count("pk", filter=settled),
            within=Count("pk", filter=settled & Q(settled_on__lte=F("due_date"))),
        )
        .order_by()
    }
    zero = Decimal("0.00")
    summary = [
        BenefitSummary(
            label=label,
            claims=rows.get(code, {}).get("claims", 0),
            claimed=rows.get(code, {}).get("claimed") or zero,
            approved=rows.get(code, {}).get("approved") or zero,
            paid=rows.get(code, {}).get("paid") or zero,
            settled=rows.get(code, {}).get("settled", 0),
            within_standard=rows.get(code, {}).get("within", 0),
        )
        for code, label in Claim.Benefit.choices
    ]
    summary.append(
        BenefitSummary(
            label="合计",
            claims=sum(row.claims for row in summary),
            claimed=sum((row.claimed for row in summary), zero),
            approved=sum((row.approved for row in summary), zero),
            paid=sum((row.paid for row in summary), zero),
            settled=sum(row.settled for row in summary),
            within_standard=sum(row.within_standard for row in summary),
        )
    )
    return summary
