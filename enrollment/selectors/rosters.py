"""Reads of rosters: the households of a roster with their eligibility and decision, the
figures per village, the problems that stop a submit, and 「一个不多，一个不漏」.

Every function runs a fixed number of queries, however many households there are.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from haimen_insurance.models import Area

from ..eligibility import Reason, eligibility_expression
from ..models import Campaign, EntryProduct, Household, InsuredPerson, Roster, RosterEntry

UNDECIDED = ""


def roster_households(roster: Roster):
    """The households a roster lists: the village's valid certificates and any household with
    an entry, each with ``eligibility`` (a Reason value), ``decision`` ('' while undecided) and
    ``roster_entries`` (its entry, with products and insured persons, in a list of 0 or 1)."""
    campaign = roster.campaign
    return (
        # An entry's household is always of the roster's village (entry_decide checks it);
        # filtering by village first keeps this an index scan.
        Household.objects.filter(village=roster.village_id)
        .annotate(entry=FilteredRelation("entries", condition=Q(entries__roster=roster)))
        .filter(Q(status=Household.Status.VALID) | Q(entry__isnull=False))
        .annotate(
            eligibility=eligibility_expression(
                age_date=campaign.age_date, age_limit=campaign.age_limit
            ),
            decision=Coalesce(F("entry__decision"), Value(UNDECIDED)),
        )
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=RosterEntry.objects.filter(roster=roster).prefetch_related(
                    Prefetch(
                        "products",
                        queryset=EntryProduct.objects.select_related("product").prefetch_related(
                            "persons"
                        ),
                    )
                ),
                to_attr="roster_entries",
            )
        )
        .order_by("certificate_no")
    )


@dataclass
class Figures:
    """What a roster (or a township of rosters) adds up to. Each household is counted once:
    households = eligible + not_eligible, eligible = enrolled + declined + undecided. The cadre's
    decision places a decided household (one marked not eligible is not eligible, whatever the
    register says); an undecided one is placed by the register's eligibility."""

    households: int = 0
    eligible: int = 0
    enrolled: int = 0
    declined: int = 0
    not_eligible: int = 0
    undecided: int = 0
    policies: int = 0
    persons: int = 0
    premium: Decimal = field(default_factory=lambda: Decimal("0.00"))

    def add(self, other: "Figures") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def roster_figures(campaign: Campaign, villages) -> dict[int, Figures]:
    """Figures per village id for ``villages`` (a queryset of areas): four queries."""
    village_ids = villages.values("pk")
    rosters = list(
        Roster.objects.filter(campaign=campaign, village__in=village_ids).values_list(
            "pk", flat=True
        )
    )
    figures = {village: Figures() for village in villages.values_list("pk", flat=True)}
    figures.update(_counted(campaign, village_ids, rosters))
    return figures


def village_figures(roster: Roster) -> Figures:
    """The figures of one roster's village: two queries."""
    counted = _counted(roster.campaign, [roster.village_id], [roster.pk])
    return counted.get(roster.village_id, Figures())


def on_behalf_note(roster: Roster) -> str:
    """「由<乡镇>计生办代填（…）」 when the township officer filled in or submitted the roster on
    the village's behalf, else "": one query. ``roster.village.parent`` is read."""
    entries = roster.entries.filter(on_behalf=True).count()
    if not entries and not roster.submitted_on_behalf:
        return ""
    done = [f"代填 {entries} 户"] if entries else []
    if roster.submitted_on_behalf:
        done.append("代为提交")
    return f"由{roster.village.parent.name}计生办代填（{'，'.join(done)}）"


def _counted(campaign: Campaign, village_ids, rosters: list[int]) -> dict[int, Figures]:
    """Figures of the villages that have households, counting the entries of ``rosters`` (the
    campaign's rosters of those villages). Policies and premium are the entries' own totals
    (kept by the roster services)."""
    by_register = Q(eligibility=Reason.ELIGIBLE.value)
    undecided = Q(decision=UNDECIDED)
    not_eligible = Q(decision=RosterEntry.Decision.NOT_ELIGIBLE) | (undecided & ~by_register)
    counts = (
        Household.objects.filter(village__in=village_ids)
        .annotate(entry=FilteredRelation("entries", condition=Q(entries__roster__in=rosters)))
        .filter(Q(status=Household.Status.VALID) | Q(entry__isnull=False))
        .annotate(
            eligibility=eligibility_expression(
                age_date=campaign.age_date, age_limit=campaign.age_limit
            ),
            decision=Coalesce(F("entry__decision"), Value(UNDECIDED)),
        )
        .values("village")
        .annotate(
            households=Count("pk"),
            eligible=Count("pk", filter=~not_eligible),
            enrolled=Count("pk", filter=Q(decision=RosterEntry.Decision.ENROLLED)),
            declined=Count("pk", filter=Q(decision=RosterEntry.Decision.DECLINED)),
            not_eligible=Count("pk", filter=not_eligible),
            undecided=Count("pk", filter=undecided & by_register),
            policies=Coalesce(Sum("entry__policies"), 0),
            premium=Coalesce(Sum("entry__premium"), Value(Decimal("0.00"))),
        )
        .order_by()
    )
    figures = {row.pop("village"): Figures(**row) for row in counts}
    persons = (
        InsuredPerson.objects.filter(campaign=campaign, entry_product__entry__roster__in=rosters)
        .values("entry_product__entry__roster__village")
        .annotate(persons=Count("pk"))
        .order_by()
    )
    for row in persons:
        figures[row["entry_product__entry__roster__village"]].persons = row["persons"]
    return figures


def total(figures) -> Figures:
    result = Figures()
    for each in figures:
        result.add(each)
    return result


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a roster, about one household."""

    household_id: int
    certificate_no: str
    child_name: str
    message: str


def _duplicates(campaign: Campaign, persons) -> list[tuple[InsuredPerson, InsuredPerson]]:
    """(person, the same ID insured for another household) for ``persons`` of the campaign.
    One query when there is none; two when there are. PostgreSQL finds the shared ID numbers,
    so a township's 70,000 insured people are never loaded."""
    campaign_persons = InsuredPerson.objects.filter(campaign=campaign)
    shared = (
        campaign_persons.filter(id_number__in=persons.values("id_number"))
        .values("id_number")
        .annotate(insured=Count("pk"))
        .filter(insured__gt=1)  # twice in one household (two products) is dropped below
        .values("id_number")
    )
    same_ids = campaign_persons.filter(id_number__in=shared).select_related(
        "entry_product__entry__roster__village"
    )
    groups: dict[str, list[InsuredPerson]] = {}
    for person in same_ids:
        groups.setdefault(person.id_number, []).append(person)
    groups = {
        id_number: people
        for id_number, people in groups.items()
        if len({person.entry_product.entry.household_id for person in people}) > 1
    }
    if not groups:
        return []
    mine = set(persons.filter(id_number__in=groups).values_list("pk", flat=True))
    return [
        (person, other)
        for people in groups.values()
        for person in people
        if person.pk in mine
        for other in people
        if other.entry_product.entry.household_id != person.entry_product.entry.household_id
    ]


def roster_problems(roster: Roster) -> list[Problem]:
    """Everything that stops a submit: eligible households without a decision, enrolled
    households the register no longer finds eligible, and people insured for two households."""
    problems = []
    for household in roster_households(roster).order_by("certificate_no"):
        if household.eligibility == Reason.ELIGIBLE and household.decision == UNDECIDED:
            message = "符合条件，尚未登记参保、自愿放弃或不符合条件"
        elif (
            household.eligibility != Reason.ELIGIBLE
            and household.decision == RosterEntry.Decision.ENROLLED
        ):
            message = (
                f"已登记参保，但登记信息显示不符合条件（{Reason(household.eligibility).label}）"
            )
        else:
            continue
        problems.append(
            Problem(household.pk, household.certificate_no, household.child_name, message)
        )
    persons = InsuredPerson.objects.filter(entry_product__entry__roster=roster)
    for person, other in _duplicates(roster.campaign, persons):
        entry = person.entry_product.entry
        village = other.entry_product.entry.roster.village
        problems.append(
            Problem(
                entry.household_id,
                entry.certificate_no,
                entry.child_name,
                f"{person.name}（身份证号 {person.id_number}）也在{village.name}证号 "
                f"{other.entry_product.entry.certificate_no} 的名册中参保",
            )
        )
    return problems


@dataclass
class Reconciliation:
    """「一个不多，一个不漏」 for a township or the city."""

    undecided: list = field(default_factory=list)  # eligible households with no decision
    duplicates: list = field(default_factory=list)  # (person, other) insured for two households
    ineligible_enrolled: list = field(default_factory=list)  # entries no longer eligible

    @property
    def count(self) -> int:
        return len(self.undecided) + len(self.duplicates) + len(self.ineligible_enrolled)

    @property
    def empty(self) -> bool:
        return self.count == 0


def township_reconciliation(*, campaign: Campaign, township: Area | None, user) -> Reconciliation:
    """The three lists for one township, or for the city (``township`` None), as ``user`` sees
    them. ``user`` is required: None (every household, whoever asks) is for a service that has
    checked its actor and decides by the whole township, never for a page."""
    households = Household.objects.all() if user is None else Household.objects.for_user(user)
    entries = RosterEntry.objects.all() if user is None else RosterEntry.objects.for_user(user)
    if township is not None:
        households = households.filter(village__parent=township)
        entries = entries.filter(roster__village__parent=township)
    rule = {"age_date": campaign.age_date, "age_limit": campaign.age_limit}
    decided = RosterEntry.objects.filter(roster__campaign=campaign, household=OuterRef("pk"))
    undecided = list(
        households.annotate(eligibility=eligibility_expression(**rule))
        .filter(eligibility=Reason.ELIGIBLE.value)
        .exclude(Exists(decided))
        .select_related("village__parent")
        .order_by("village__code", "certificate_no")
    )
    campaign_entries = entries.filter(roster__campaign=campaign)
    ineligible = list(
        campaign_entries.filter(decision=RosterEntry.Decision.ENROLLED)
        .annotate(eligibility_now=eligibility_expression(prefix="household__", **rule))
        .exclude(eligibility_now=Reason.ELIGIBLE.value)
        .select_related("roster__village__parent")
        .order_by("roster__village__code", "certificate_no")
    )
    persons = InsuredPerson.objects.filter(entry_product__entry__in=campaign_entries)
    duplicates, seen = [], set()
    for person, other in _duplicates(campaign, persons):  # each pair once, not from both sides
        if frozenset((person.pk, other.pk)) not in seen:
            seen.add(frozenset((person.pk, other.pk)))
            duplicates.append((person, other))
    return Reconciliation(
        undecided=undecided, duplicates=duplicates, ineligible_enrolled=ineligible
    )
