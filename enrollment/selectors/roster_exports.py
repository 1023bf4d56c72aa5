"""The rows of a printed or exported roster: from the entries' snapshot once submitted, from the
register while the roster is a draft. A fixed number of queries, however many households."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch

from haimen_insurance.audit_labels import AuditAction
from haimen_insurance.models import AuditEvent
from haimen_insurance.privacy import mask, shown_text

from ..eligibility import Reason
from ..models import EntryProduct, Roster, RosterEntry
from .rosters import roster_households


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


def _products(lines, shown) -> tuple[list[str], list[str], Decimal, dict[str, str]]:
    persons, products, premium, ids = [], [], Decimal("0.00"), {}
    for line in lines:
        products.append(f"{line.product.short_name} {line.shares} 份")
        premium += line.premium
        for person in line.persons.all():
            persons.append(
                f"{person.name}（{person.get_relation_display()}）{shown(person.id_number)}"
            )
            ids.setdefault(person.relation, shown(person.id_number))
    return persons, products, premium, ids


def roster_lines(roster: Roster, *, full_ids: bool) -> list[RosterLine]:
    def shown(number: str) -> str:
        return number if full_ids else mask(number)

    lines = []
    if roster.submitted_at is not None:
        entries = RosterEntry.objects.filter(roster=roster).prefetch_related(
            Prefetch(
                "products",
                queryset=EntryProduct.objects.select_related("product").prefetch_related("persons"),
            )
        )
        for entry in entries.order_by("certificate_no"):
            persons, products, premium, ids = _products(entry.products.all(), shown)
            lines.append(
                RosterLine(
                    entry.certificate_no,
                    entry.child_name,
                    entry.get_decision_display(),
                    shown_text(entry.reason, full_ids=full_ids),
                    entry.payer_label,
                    persons,
                    products,
                    premium,
                    ids,
                )
            )
        return lines
    for household in roster_households(roster):
        entry = household.roster_entries[0] if household.roster_entries else None
        if entry is not None:
            persons, products, premium, ids = _products(entry.products.all(), shown)
            decision = entry.get_decision_display()
            reason = shown_text(entry.reason, full_ids=full_ids)
        else:
            persons, products, premium, ids = [], [], Decimal("0.00"), {}
            eligible = household.eligibility == Reason.ELIGIBLE
            decision = "未处理" if eligible else "不符合条件"
            reason = "" if eligible else Reason(household.eligibility).label
        lines.append(
            RosterLine(
                household.certificate_no,
                household.child_name,
                decision,
                reason,
                household.payer_label,
                persons,
                products,
                premium,
                ids,
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
