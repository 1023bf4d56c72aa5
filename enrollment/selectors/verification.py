"""核查准备 (verification, phase 1 of the year): for a township or the whole city and a given age
date and age limit, per village (or per township) how many certificates there are, how many
households are eligible, why the others are not, and which employer units pay the reward of
eligible households — with what those units will have to transfer (应缴保费).

Every number is counted by PostgreSQL: the CASE of ``annotate_eligibility`` gives each household
its reason, and households are counted per village and reason (``Count`` with a ``filter`` for the
employer-paid ones); the employer units are summed the same way. A page costs the same few queries
whether a township has 3 villages or the city 200,000 households.
"""

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When

from haimen_insurance.models import Area

from ..eligibility import Reason, age_cutoff, annotate_eligibility
from ..models import Household

DEFAULT_PREMIUM = Decimal("20.00")

# Why a household with a valid certificate is not eligible, in column order. Revoked and moved
# certificates are counted apart: they are not valid certificates at all.
VALID_REASONS = (Reason.URBAN, Reason.NO_REWARD, Reason.NOT_BORN, Reason.AGE)

# 1 child + each registered parent (a single-parent family has one).
_PERSONS = (
    Value(1)
    + Case(When(father_id_number="", then=Value(0)), default=Value(1))
    + Case(When(mother_id_number="", then=Value(0)), default=Value(1))
)


@dataclass
class AreaCounts:
    """The counts of one village, one township, or a total. Field names follow ``Reason``."""

    area: Area | None = None
    valid: int = 0
    revoked: int = 0
    moved: int = 0
    eligible: int = 0
    urban: int = 0
    no_reward: int = 0
    not_born: int = 0
    age: int = 0
    employer_households: int = 0

    @property
    def not_eligible(self) -> int:
        """Valid certificates whose household is not eligible: 有效证数 − 符合条件."""
        return sum(self.reason_counts)

    @property
    def reason_counts(self) -> list[int]:
        return [getattr(self, reason.value) for reason in VALID_REASONS]

    def count(self, reason: str, households: int, *, employer_paid: int = 0):
        """Add ``households`` judged ``reason`` (a ``Reason`` value, which names the field)."""
        setattr(self, reason, getattr(self, reason) + households)
        if reason not in (Reason.REVOKED, Reason.MOVED):
            self.valid += households
        if reason == Reason.ELIGIBLE:
            self.employer_households += employer_paid

    def for_area(self, area: Area) -> "AreaCounts":
        self.area = area
        return self

    def add(self, other: "AreaCounts"):
        for name in (counted.name for counted in fields(self) if counted.name != "area"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class EmployerRow:
    """Eligible households whose reward an employer unit pays, and the premium it will owe."""

    employer: str
    township: Area | None = None
    households: int = 0
    persons: int = 0
    amount: Decimal = Decimal("0.00")


@dataclass
class Verification:
    """What the verification page and its spreadsheet show."""

    name: str  # the township's name, or the city's
    township: Area | None  # None for the city roll-up
    age_date: date
    age_limit: int
    premium: Decimal
    rows: list[AreaCounts]  # villages of the township, or townships of the city
    total: AreaCounts
    employers: list[EmployerRow]
    employer_total: EmployerRow

    @property
    def is_city(self) -> bool:
        return self.township is None

    @property
    def row_label(self) -> str:
        return "乡镇（园区）" if self.is_city else "村（社区）"

    @property
    def birth_range(self) -> tuple[date, date]:
        """Children born in this range (both ends included) are under the age limit."""
        return age_cutoff(self.age_date, self.age_limit) + timedelta(days=1), self.age_date

    @property
    def age_rule(self) -> str:
        return f"子女在 {self.age_date:%Y-%m-%d} 未满 {self.age_limit} 周岁"

    def reason_headers(self) -> list[str]:
        """Short column headers for ``VALID_REASONS``."""
        return ["非农业户口", "未领取奖励金", "判定日尚未出生", f"已满 {self.age_limit} 周岁"]


def township_verification(
    *, user, township: Area, age_date: date, age_limit: int, premium: Decimal = DEFAULT_PREMIUM
) -> Verification:
    """Per village of ``township`` (which the caller got from the user's scoped areas)."""
    villages = list(Area.objects.for_user(user).villages().filter(parent=township))
    # By village id rather than through the township: PostgreSQL reads only this township's
    # households through the (village, status) index.
    households = Household.objects.for_user(user).filter(village__in=[v.pk for v in villages])
    counts = _counts_by_village(households, age_date=age_date, age_limit=age_limit)
    rows = [counts.get(village.pk, AreaCounts()).for_area(village) for village in villages]
    employers = [
        _employer_row(entry, township=township, premium=premium)
        for entry in _employers(households, age_date=age_date, age_limit=age_limit)
    ]
    return _verification(
        name=township.name,
        township=township,
        age_date=age_date,
        age_limit=age_limit,
        premium=premium,
        rows=rows,
        employers=employers,
    )


def city_verification(
    *, user, age_date: date, age_limit: int, premium: Decimal = DEFAULT_PREMIUM
) -> Verification:
    """Per township of the user's scope, rolled up from their villages."""
    areas = list(
        Area.objects.for_user(user)
        .filter(kind__in=[*Area.TOWNSHIP_KINDS, *Area.VILLAGE_KINDS])
        .select_related("parent__parent")
    )
    townships = [area for area in areas if area.is_township]
    township_of = {area.pk: area.parent_id for area in areas if area.is_village}
    households = Household.objects.for_user(user)
    by_township = {township.pk: AreaCounts(area=township) for township in townships}
    for village, counts in _counts_by_village(
        households, age_date=age_date, age_limit=age_limit
    ).items():
        if township_of.get(village) in by_township:
            by_township[township_of[village]].add(counts)
    by_pk = {township.pk: township for township in townships}
    employers = [
        _employer_row(entry, township=by_pk.get(entry["village__parent"]), premium=premium)
        for entry in _employers(
            households, "village__parent", age_date=age_date, age_limit=age_limit
        )
    ]
    employers.sort(key=lambda row: (row.township.code if row.township else "", row.employer))
    # The user's own area (a county officer's county), or the top area above the townships (a
    # township's parent is the city, or a county whose parent is the city: read with them).
    city = user.area if user.area_id else (townships[0].parent if townships else None)
    if city is not None and city.is_county and not user.area_id:
        city = city.parent
    return _verification(
        name=city.name if city else "全市",
        township=None,
        age_date=age_date,
        age_limit=age_limit,
        premium=premium,
        rows=list(by_township.values()),
        employers=employers,
    )


def _counts_by_village(households, *, age_date: date, age_limit: int) -> dict[int, AreaCounts]:
    """{village id: counts} in one query: households per village and reason, and how many of
    them an employer pays. Grouping by the reason evaluates the eligibility CASE once per row
    (a ``Count(filter=...)`` per reason would evaluate it once per column: twice as slow on the
    city's 200,000 households)."""
    grouped = (
        annotate_eligibility(households, age_date=age_date, age_limit=age_limit)
        .order_by()
        .values("village", "eligibility")
        .annotate(households=Count("pk"), employer_paid=Count("pk", filter=~Q(employer_name="")))
    )
    counts = defaultdict(AreaCounts)
    for entry in grouped:
        counts[entry["village"]].count(
            entry["eligibility"], entry["households"], employer_paid=entry["employer_paid"]
        )
    return counts


def _employers(households, *group_by: str, age_date: date, age_limit: int):
    """Eligible employer-paid households per employer unit: households and persons, one query."""
    return (
        annotate_eligibility(households, age_date=age_date, age_limit=age_limit)
        .filter(eligibility=Reason.ELIGIBLE.value)
        .exclude(employer_name="")
        .order_by()
        .values(*group_by, "employer_name")
        .annotate(households=Count("pk"), persons=Sum(_PERSONS, output_field=IntegerField()))
        .order_by(*group_by, "employer_name")
    )


POLICIES_PER_HOUSEHOLD = 2


def _employer_row(entry: dict, *, township: Area | None, premium: Decimal) -> EmployerRow:
    return EmployerRow(
        employer=entry["employer_name"],
        township=township,
        households=entry["households"],
        persons=entry["persons"],
        # Two policies a household (平安险 and 安康险), each one share: policies × premium.
        amount=entry["households"] * POLICIES_PER_HOUSEHOLD * premium,
    )


def _verification(*, rows: list[AreaCounts], employers: list[EmployerRow], **values):
    total = AreaCounts()
    for row in rows:
        total.add(row)
    employer_total = EmployerRow(employer="合计")
    for row in employers:
        employer_total.households += row.households
        employer_total.persons += row.persons
        employer_total.amount += row.amount
    return Verification(
        rows=rows, total=total, employers=employers, employer_total=employer_total, **values
    )
