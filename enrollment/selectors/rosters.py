"""Reads of rosters: the households of a roster with their eligibility and decision, the
figures per village, the problems that stop a submit, and 「一个不多，一个不漏」.

Every function runs a fixed number of queries, however many households there are.
"""

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from haimen_insurance.compiled import Compiled
from haimen_insurance.models import Area

from ..eligibility import Reason, age_cutoff, eligibility_expression
from ..models import (
    Campaign,
    EntryProduct,
    Household,
    InsuredPerson,
    Product,
    Roster,
    RosterEntry,
)

UNDECIDED = ""


def listed_households(roster: Roster):
    """The households ``roster`` lists, annotated (``roster_households`` without its entries)."""
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
        .order_by("certificate_no")
    )


def entries_prefetch(roster: Roster, *, persons: bool = True) -> Prefetch:
    """A household's entry in ``roster`` as ``roster_entries`` (a list of 0 or 1), with its
    products and, unless ``persons`` is False, their insured persons."""
    lines = EntryProduct.objects.select_related("product")
    if persons:
        lines = lines.prefetch_related("persons")
    return Prefetch(
        "entries",
        queryset=RosterEntry.objects.filter(roster=roster).prefetch_related(
            Prefetch("products", queryset=lines)
        ),
        to_attr="roster_entries",
    )


def roster_households(roster: Roster, *, persons: bool = True):
    """The households a roster lists: the village's valid certificates and any household with
    an entry, each with ``eligibility`` (a Reason value), ``decision`` ('' while undecided) and
    ``roster_entries`` (``entries_prefetch``)."""
    return listed_households(roster).prefetch_related(entries_prefetch(roster, persons=persons))


# What the roster page shows of a household (``roster_page_households``).
LISTED_FIELDS = [
    "certificate_no",
    "child_name",
    "child_id_number",
    "father_name",
    "father_id_number",
    "mother_name",
    "mother_id_number",
    "employer_name",
]


def roster_page_households(roster: Roster):
    """The households of ``roster_households`` as the roster page lists them, in one query for
    any page of them: only the fields it shows, and instead of the prefetched entry its id,
    reason and whether the township decided it (``entry_pk``, ``entry_reason``,
    ``entry_on_behalf``, None without an entry). Their products: ``entry_lines``."""
    return (
        listed_households(roster)
        .only(*LISTED_FIELDS)
        .annotate(
            entry_pk=F("entry__id"),
            entry_reason=F("entry__reason"),
            entry_on_behalf=F("entry__on_behalf"),
        )
    )


@dataclass(frozen=True)
class EntryLine:
    """One product of an entry as the roster page shows it."""

    short_name: str
    shares: int
    premium: Decimal
    persons: int


def entry_lines(entry_ids) -> dict[int, list[EntryLine]]:
    """The products of the entries ``entry_ids`` (entry id → its lines in product order), each
    with the number of its insured persons: one query, none without ids."""
    lines: dict[int, list[EntryLine]] = {}
    if not entry_ids:
        return lines
    rows = (
        EntryProduct.objects.filter(entry__in=entry_ids)
        .annotate(insured=Count("persons"))
        .order_by("entry", "product__code")
        .values_list("entry", "product__code", "shares", "premium", "insured")
    )
    names = {code: Product(code=code).short_name for code in Product.Code.values}
    for entry, code, *line in rows:
        lines.setdefault(entry, []).append(EntryLine(names[code], *line))
    return lines


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
    """Figures per village id for ``villages`` (a queryset of areas): two queries when the
    villages' figures are kept (``village_cache``) and none changed, else four."""
    from . import village_cache

    village_ids = list(villages.values_list("pk", flat=True))
    kept = village_cache.counts(campaign, village_ids)
    if kept is None:
        rosters = list(
            Roster.objects.filter(campaign=campaign, village__in=village_ids).values_list(
                "pk", flat=True
            )
        )
        figures = {village: Figures() for village in village_ids}
        figures.update(_counted(campaign, village_ids, rosters))
        return figures
    figures = {village: replace(count.figures) for village, count in kept.villages.items()}
    irregular = village_cache.irregular(kept)
    if irregular:
        # Counted as the direct count would: by their decision in these villages' rosters.
        rosters = [count.roster for count in kept.villages.values() if count.roster is not None]
        for village in irregular:
            figures[village] = Figures(persons=figures[village].persons)
        for row in household_counts(campaign, irregular, rosters):
            village = row.pop("village")
            figures[village] = Figures(**row, persons=figures[village].persons)
    return figures


def _village_figures(*, campaign, roster, village, age_date, cutoff):
    persons = (
        InsuredPerson.objects.filter(campaign=campaign, entry_product__entry__roster=roster)
        .order_by()
        .values("campaign")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return household_counts(
        None,
        [village],
        [roster],
        rule={"age_date": age_date, "cutoff": cutoff},
        persons=Coalesce(Subquery(persons, output_field=IntegerField()), 0),
    )


# The query of every roster page and cadre's workbench: compiled once (``Compiled``).
VILLAGE_FIGURES = Compiled(
    _village_figures, campaign=int, roster=int, village=int, age_date=date, cutoff=date
)


def village_figures(roster: Roster) -> Figures:
    """The figures of one roster's village: one query (its insured persons counted in a
    subquery of the households' count), compiled once a process."""
    campaign = roster.campaign
    for row in VILLAGE_FIGURES.rows(
        campaign=campaign.pk,
        roster=roster.pk,
        village=roster.village_id,
        age_date=campaign.age_date,
        cutoff=age_cutoff(campaign.age_date, campaign.age_limit),
    ):
        del row["village"]
        return Figures(**row)
    return Figures()


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


def household_counts(
    campaign: Campaign | None, village_ids, rosters: list[int], *, rule=None, **more
):
    """Per village of ``village_ids`` with households: its households counted by their decision
    in ``rosters`` (or by the register while undecided) as ``Figures`` fields (all but persons),
    one query of dicts with ``village``. ``more`` adds aggregates over the same rows, which may
    refer to the household's entry as ``entry``. Policies and premium are the entries' own
    totals (kept by the roster services). ``rule``: the eligibility rule's arguments
    (``eligibility_expression``) instead of ``campaign``'s."""
    if rule is None:
        rule = {"age_date": campaign.age_date, "age_limit": campaign.age_limit}
    by_register = Q(eligibility=Reason.ELIGIBLE.value)
    undecided = Q(decision=UNDECIDED)
    not_eligible = Q(decision=RosterEntry.Decision.NOT_ELIGIBLE) | (undecided & ~by_register)
    return (
        Household.objects.filter(village__in=village_ids)
        .annotate(entry=FilteredRelation("entries", condition=Q(entries__roster__in=rosters)))
        .filter(Q(status=Household.Status.VALID) | Q(entry__isnull=False))
        .annotate(
            eligibility=eligibility_expression(**rule),
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
            **more,
        )
        .order_by()
    )


def persons_counts(campaign: Campaign, rosters: list[int]) -> dict[int, int]:
    """The insured persons of each of ``rosters``, by the roster's village: one query."""
    persons = (
        InsuredPerson.objects.filter(campaign=campaign, entry_product__entry__roster__in=rosters)
        .values_list("entry_product__entry__roster__village")
        .annotate(persons=Count("pk"))
        .order_by()
    )
    return dict(persons)


def _counted(campaign: Campaign, village_ids, rosters: list[int]) -> dict[int, Figures]:
    """Figures of the villages that have households, counting the entries of ``rosters`` (the
    campaign's rosters of those villages): two queries."""
    figures = {
        row.pop("village"): Figures(**row)
        for row in household_counts(campaign, village_ids, rosters)
    }
    for village, persons in persons_counts(campaign, rosters).items():
        figures[village].persons = persons
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


def _duplicates(
    campaign: Campaign, persons, shared: frozenset[str] | None = None
) -> list[tuple[InsuredPerson, InsuredPerson]]:
    """(person, the same ID insured for another household) for ``persons`` of the campaign.
    One query when there is none; two when there are. PostgreSQL finds the shared ID numbers,
    so a township's 70,000 insured people are never loaded. ``shared``: the campaign's ID
    numbers insured for two households, when known (``village_cache``): no query without
    any."""
    campaign_persons = InsuredPerson.objects.filter(campaign=campaign)
    if shared is None:
        shared = (
            campaign_persons.filter(id_number__in=persons.values("id_number"))
            .values("id_number")
            .annotate(insured=Count("pk"))
            .filter(insured__gt=1)  # twice in one household (two products) is dropped below
            .values("id_number")
        )
    elif not shared:
        return []
    else:
        shared = sorted(shared)
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
    from . import village_cache

    households = Household.objects.all() if user is None else Household.objects.for_user(user)
    entries = RosterEntry.objects.all() if user is None else RosterEntry.objects.for_user(user)
    villages = Area.objects.villages()
    if township is not None:
        households = households.filter(village__parent=township)
        entries = entries.filter(roster__village__parent=township)
        villages = villages.filter(parent=township)
    campaign_entries = entries.filter(roster__campaign=campaign)
    enrolled = campaign_entries.filter(decision=RosterEntry.Decision.ENROLLED)
    kept = None
    if village_cache.usable():
        kept = village_cache.counts(campaign, villages.values_list("pk", flat=True), shared=True)
    if kept is not None:
        # Only the villages whose kept figures say they have any (an empty list: no query).
        counted = kept.villages.items()
        households = households.filter(
            village__in=[village for village, count in counted if count.figures.undecided]
        )
        enrolled = enrolled.filter(
            roster__village__in=[
                village for village, count in counted if count.ineligible or count.irregular
            ]
        )
    rule = {"age_date": campaign.age_date, "age_limit": campaign.age_limit}
    decided = RosterEntry.objects.filter(roster__campaign=campaign, household=OuterRef("pk"))
    undecided = list(
        households.annotate(eligibility=eligibility_expression(**rule))
        .filter(eligibility=Reason.ELIGIBLE.value)
        .exclude(Exists(decided))
        .select_related("village__parent")
        .order_by("village__code", "certificate_no")
    )
    ineligible = list(
        enrolled.annotate(eligibility_now=eligibility_expression(prefix="household__", **rule))
        .exclude(eligibility_now=Reason.ELIGIBLE.value)
        .select_related("roster__village__parent")
        .order_by("roster__village__code", "certificate_no")
    )
    persons = InsuredPerson.objects.filter(entry_product__entry__in=campaign_entries)
    duplicates, seen = [], set()
    shared = kept.shared if kept is not None else None
    for person, other in _duplicates(campaign, persons, shared):  # each pair once
        if frozenset((person.pk, other.pk)) not in seen:
            seen.add(frozenset((person.pk, other.pk)))
            duplicates.append((person, other))
    return Reconciliation(
        undecided=undecided, duplicates=duplicates, ineligible_enrolled=ineligible
    )
