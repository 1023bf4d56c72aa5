"""The rows of a printed or exported roster: from the entries' snapshot once submitted, from the
register while the roster is a draft. A fixed number of queries, however many households."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import F

from haimen_insurance.audit_labels import AuditAction
from haimen_insurance.models import AuditEvent
from haimen_insurance.privacy import mask, shown_text

from ..eligibility import Reason
from ..models import EntryProduct, InsuredPerson, Product, Roster, RosterEntry
from .rosters import listed_households

VILLAGE_PAYER = "村集体"  # the payer of a household without an employer (``payer_label``)


@dataclass
class RosterLine:
    certificate_no: str
    child_name: str
    decision: str
    reason: str
    payer: str
    persons: list[str] = field(default_factory=list)  # "姓名（关系）身份证号"
    products: list[str] = field(default_factory=list)  # "平安险 1 份"
    premium: Decimal = Decimal("0.00")
    ids: dict[str, str] = field(default_factory=dict)  # relation (child, father…) → resident ID

    @property
    def persons_named(self) -> list[str]:
        """The insured persons without their IDs: "姓名（关系）"."""
        return [person.rsplit("）", 1)[0] + "）" for person in self.persons]


def _entry_products(entry_ids, shown) -> dict[int, tuple]:
    """(persons, products, premium, ids) of each entry of ``entry_ids``, from its products in
    product order and their insured persons in relation order: two queries of plain rows, for
    the 700 households of a village."""
    if not entry_ids:
        return {}
    lines = list(
        EntryProduct.objects.filter(entry__in=entry_ids)
        .order_by("entry", "product__code")
        .values_list("pk", "entry", "product__code", "shares", "premium")
    )
    persons: dict[int, list[tuple[str, str, str]]] = {}
    for line, relation, name, id_number in (
        InsuredPerson.objects.filter(entry_product__in=[line[0] for line in lines])
        .order_by("entry_product", "relation")
        .values_list("entry_product", "relation", "name", "id_number")
    ):
        persons.setdefault(line, []).append((relation, name, id_number))
    names = {code: Product(code=code).short_name for code in Product.Code.values}
    relations = dict(InsuredPerson.Relation.choices)
    found: dict[int, tuple] = {}
    for line, entry, code, shares, premium in lines:
        people, products, total, ids = found.setdefault(entry, ([], [], Decimal("0.00"), {}))
        products.append(f"{names[code]} {shares} 份")
        for relation, name, id_number in persons.get(line, []):
            people.append(f"{name}（{relations[relation]}）{shown(id_number)}")
            ids.setdefault(relation, shown(id_number))
        found[entry] = (people, products, total + premium, ids)
    return found


def roster_lines(roster: Roster, *, full_ids: bool) -> list[RosterLine]:
    """The roster's rows in certificate order: three queries."""

    def shown(number: str) -> str:
        return number if full_ids else mask(number)

    def of(entry) -> tuple:
        return products.get(entry) or ([], [], Decimal("0.00"), {})

    decisions = dict(RosterEntry.Decision.choices)
    if roster.submitted_at is not None:
        entries = list(
            RosterEntry.objects.filter(roster=roster)
            .order_by("certificate_no")
            .values_list("pk", "certificate_no", "child_name", "decision", "reason", "payer")
        )
        products = _entry_products([entry[0] for entry in entries], shown)
        return [
            RosterLine(
                certificate_no,
                child_name,
                decisions[decision],
                shown_text(reason, full_ids=full_ids),
                payer or VILLAGE_PAYER,
                *of(pk),
            )
            for pk, certificate_no, child_name, decision, reason, payer in entries
        ]
    households = list(
        listed_households(roster)
        .annotate(entry_pk=F("entry__id"), entry_reason=F("entry__reason"))
        .values_list(
            "certificate_no",
            "child_name",
            "employer_name",
            "eligibility",
            "decision",
            "entry_pk",
            "entry_reason",
        )
    )
    products = _entry_products([household[5] for household in households if household[5]], shown)
    lines = []
    for certificate_no, child_name, employer, eligibility, decision, entry, reason in households:
        if entry is not None:
            decision = decisions[decision]
            reason = shown_text(reason, full_ids=full_ids)
        else:
            eligible = eligibility == Reason.ELIGIBLE
            decision = "未处理" if eligible else "不符合条件"
            reason = "" if eligible else Reason(eligibility).label
        lines.append(
            RosterLine(
                certificate_no,
                child_name,
                decision,
                reason,
                employer or VILLAGE_PAYER,
                *of(entry),
            )
        )
    return lines


@dataclass
class RosterReturn:
    """One time the township returned the roster: when, by whom, why."""

    at: datetime
    by: str
    reason: str


def roster_returns(roster: Roster, *, full_ids: bool) -> list[RosterReturn]:
    """Every return of ``roster``, oldest first, from its audit trail (a resubmitted roster
    keeps no reason of its own); one query."""
    events = (
        AuditEvent.objects.filter(
            action=AuditAction.ROSTER_RETURN,
            object_type=Roster._meta.label_lower,
            object_id=str(roster.pk),
        )
        .select_related("actor")
        .order_by("at", "pk")
    )
    return [
        RosterReturn(
            event.at,
            event.actor.display_name if event.actor is not None else "系统",
            shown_text(str(event.changes.get("reason", "")), full_ids=full_ids),
        )
        for event in events
    ]
