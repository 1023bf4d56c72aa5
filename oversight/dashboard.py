"""The dashboard's figures: per township (or per village of one township) and for the whole
area — eligible, enrolled, coverage rate, rosters, the report's progress, premium, claims, payout
ratio and the service standard. A fixed number of queries, whatever the number of areas."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from claims.models import Claim
from enrollment.models import (
    Campaign,
    CountyReport,
    PayerOffice,
    Roster,
    RosterEntry,
    TownshipReport,
)
from enrollment.selectors import village_cache
from enrollment.selectors.rosters import household_counts
from enrollment.selectors.shares import MoneyTotals, annotated_shares_due, with_transferred
from haimen_insurance.models import Area

ZERO = Decimal("0.00")
PERCENT = Decimal("0.01")
REPORT_STAGES = [
    TownshipReport.Status.REPORTED,
    TownshipReport.Status.FUNDED,
    TownshipReport.Status.ISSUED,
]


def ratio(part, whole) -> Decimal | None:
    """part / whole as a percentage with two decimals (None when there is no whole)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PERCENT, rounding=ROUND_HALF_UP)


@dataclass
class AreaFigures:
    area: Area | None
    households: int = 0
    eligible: int = 0
    enrolled: int = 0
    policies: int = 0
    premium: Decimal = ZERO
    rosters: int = 0
    rosters_approved: int = 0
    reported: int = 0
    funded: int = 0
    issued: int = 0
    claims: int = 0
    claims_paid: int = 0
    paid: Decimal = ZERO
    settled: int = 0
    within_standard: int = 0
    overdue: int = 0  # claims still open past their due date
    report: TownshipReport | None = None
    villages: int = 0
    by_status: dict = field(default_factory=dict)
    roster_id: int | None = None
    # The reported premium by payer: each share's due, each finance office's due and transfer.
    money: MoneyTotals = field(default_factory=MoneyTotals)

    @property
    def stage(self) -> str:
        """Where a township stands in the year, in words."""
        if self.report is not None:
            return self.report.get_status_display()
        if self.rosters and self.rosters_approved == self.rosters:
            return "名册全部审核通过"
        submitted = self.by_status.get(Roster.Status.SUBMITTED, 0)
        if self.rosters_approved or submitted:
            return f"名册审核中（{self.rosters_approved}/{self.rosters} 通过）"
        return "名册填报中" if self.enrolled else "未开始"

    @property
    def reported_on_time(self) -> bool | None:
        """Reported by the implementation deadline (None while not reported)."""
        if self.report is None or self.report.reported_at is None:
            return None
        reported_on = timezone.localtime(self.report.reported_at).date()
        return reported_on <= self.report.campaign.implementation_deadline

    @property
    def coverage_rate(self) -> Decimal | None:
        return ratio(self.enrolled, self.eligible)

    @property
    def payout_ratio(self) -> Decimal | None:
        return ratio(self.paid, self.premium)

    @property
    def standard_rate(self) -> Decimal | None:
        return ratio(self.within_standard, self.settled)

    def add(self, other: "AreaFigures") -> None:
        for name in (
            "households",
            "eligible",
            "enrolled",
            "policies",
            "premium",
            "rosters",
            "rosters_approved",
            "reported",
            "funded",
            "issued",
            "claims",
            "claims_paid",
            "paid",
            "settled",
            "within_standard",
            "overdue",
            "villages",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.money.merge(other.money)

    @property
    def city_due(self) -> Decimal:
        """What the city subsidises of the reported premium, and what it has transferred."""
        return self.money.due[PayerOffice.CITY]

    @property
    def city_paid(self) -> Decimal:
        return self.money.paid[PayerOffice.CITY]


@dataclass
class CountyFigures(AreaFigures):
    """A county's townships rolled up (the city dashboard's county table, the county's
    assessment)."""

    townships: int = 0
    townships_on_time: int = 0  # reported by the implementation deadline

    # The county report's status in the campaign (None while the county has not drafted one).
    report_status: str | None = None

    @property
    def report_label(self) -> str:
        if self.report_status is None:
            return "未汇总"
        return CountyReport.Status(self.report_status).label

    def add(self, other: AreaFigures) -> None:
        super().add(other)
        self.townships += 1
        self.townships_on_time += bool(other.reported_on_time)


@dataclass
class Dashboard:
    campaign: Campaign
    township: Area | None
    rows: list[AreaFigures]
    total: AreaFigures
    county: Area | None = None

    @property
    def shared(self) -> bool:
        """Whether the reported premium is shared between payers (Ji'an's city, counties and
        townships; Haimen's townships pay it alone): the money-by-payer boxes show then."""
        return len(self.total.money.payer_rows) > 1

    @property
    def county_rows(self) -> list[CountyFigures]:
        """The township rows rolled up by county, where the townships have counties (a
        prefecture-level city's dashboard; none in Haimen's, nor in a county's or a township's
        own): the city → county → township drill-down."""
        if self.township is not None or self.county is not None:
            return []
        counties: dict[int, CountyFigures] = {}
        for row in self.rows:
            parent = row.area.parent
            if parent is not None and parent.is_county:
                status = getattr(row.area, "county_report_status", None)
                counties.setdefault(parent.pk, CountyFigures(parent, report_status=status)).add(row)
        return list(counties.values())

    @property
    def county_report_label(self) -> str:
        """On a county's own dashboard, its county report's status (「未汇总」 before one is
        drafted), read with its townships."""
        status = next((getattr(row.area, "county_report_status", None) for row in self.rows), None)
        return CountyFigures(self.county, report_status=status).report_label

    @property
    def chart_data(self) -> dict:
        """What the charts draw, as plain numbers (json_script)."""
        return {
            "names": [row.area.name for row in self.rows],
            "coverage": [float(row.coverage_rate or 0) for row in self.rows],
            "premium": [float(row.premium) for row in self.rows],
            "paid": [float(row.paid) for row in self.rows],
            "target": 90,
        }


def dashboard(
    *, campaign: Campaign, user, township: Area | None = None, county: Area | None = None
) -> Dashboard:
    """Figures per township of ``user``'s scope (of ``county`` when it is given; per village
    when ``township`` is given)."""
    if township is None:
        townships = Area.objects.for_user(user).townships()
        if county is not None:
            townships = townships.within(county)
        # Each township carries its county's report status (the county table), in the same query.
        county_report = CountyReport.objects.filter(campaign=campaign, county=OuterRef("parent"))
        areas = list(
            townships.select_related("parent")
            .annotate(county_report_status=Subquery(county_report.values("status")[:1]))
            .order_by("code")
        )
        villages = Area.objects.villages().filter(parent__in=[area.pk for area in areas])
    else:
        villages = Area.objects.for_user(user).villages().filter(parent=township)
        areas = list(villages.order_by("code"))
    rows = {area.pk: AreaFigures(area) for area in areas}
    # village → its row (the township's, or its own)
    row_of = {}
    for village, parent in villages.values_list("pk", "parent_id"):
        row = rows.get(village if township is not None else parent)
        if row is not None:
            row_of[village] = row
            row.villages += 1
    village_ids = list(row_of)

    rosters = Roster.objects.filter(campaign=campaign, village__in=village_ids)
    village_of = {}
    for roster, village, status in rosters.values_list("pk", "village", "status"):
        row = row_of[village]
        village_of[roster] = village
        row.rosters += 1
        row.by_status[status] = row.by_status.get(status, 0) + 1
        row.rosters_approved += status == Roster.Status.APPROVED
        row.roster_id = roster  # a village's own roster (in a township's dashboard)

    kept = village_cache.counts(campaign, village_ids)
    # Villages counted here rather than taken as kept: every one, or the irregular ones.
    direct = village_ids if kept is None else village_cache.irregular(kept)
    if kept is not None:
        for village, count in kept.villages.items():
            row = row_of[village]
            if not count.irregular:
                row.households += count.figures.households
                row.eligible += count.figures.eligible
            # Its roster's enrolled entries, however the roster's households are counted.
            row.enrolled += count.enrolled
            row.policies += count.policies
            row.premium += count.premium

    # Eligible households: decided enrolled or declined, or undecided and eligible by the register
    # (one the cadre marked not eligible is not eligible), as the roster pages count them.
    if direct:
        for item in household_counts(campaign, direct, list(village_of)):
            row = row_of[item["village"]]
            row.households += item["households"]
            row.eligible += item["eligible"]

    # Entries carry their policies and premium, so one pass over the entries of these rosters
    # counts households, policies and premium (index entry_roster_decision).
    if kept is None:
        entries = (
            RosterEntry.objects.filter(
                roster__in=list(village_of), decision=RosterEntry.Decision.ENROLLED
            )
            .values("roster")
            .annotate(count=Count("pk"), policies=Sum("policies"), premium=Sum("premium"))
            .order_by()
        )
        for item in entries:
            row = row_of[village_of[item["roster"]]]
            row.enrolled += item["count"]
            row.policies += item["policies"]
            row.premium += item["premium"]

    # The reports with each office's transfer, and their shares (two queries: the shares, the
    # reports' lines).
    reports = list(
        with_transferred(
            TownshipReport.objects.filter(
                campaign=campaign, township__in=[township.pk] if township else list(rows)
            ).select_related("campaign")
        )
    )
    money = annotated_shares_due([report for report in reports if report.status in REPORT_STAGES])
    for report in reports:
        if report.pk in money and township is None:
            rows[report.township_id].money.add(money[report.pk])
        # In a township's own dashboard the report belongs to the total, not to a village.
        target = rows[report.township_id] if township is None else None
        stage = REPORT_STAGES.index(report.status) if report.status in REPORT_STAGES else -1
        if target is not None:
            target.report = report
            target.reported, target.funded, target.issued = stage >= 0, stage >= 1, stage >= 2

    settled = Q(settled_on__isnull=False)
    claims = (
        Claim.objects.filter(campaign=campaign, village__in=village_ids)
        .values("village")
        .annotate(
            count=Count("pk"),
            paid_count=Count("pk", filter=Q(paid_amount__isnull=False)),
            paid=Sum("paid_amount"),
            settled=Count("pk", filter=settled),
            within=Count("pk", filter=settled & Q(settled_on__lte=F("due_date"))),
            overdue=Count(
                "pk", filter=Q(settled_on__isnull=True, due_date__lt=timezone.localdate())
            ),
        )
        .order_by()
    )
    for item in claims:
        row = row_of[item["village"]]
        row.claims += item["count"]
        row.claims_paid += item["paid_count"]
        row.paid += item["paid"] or ZERO
        row.settled += item["settled"]
        row.within_standard += item["within"]
        row.overdue += item["overdue"]

    total = AreaFigures(area=township)
    for row in rows.values():
        total.add(row)
    if township is not None and reports:
        total.report = reports[0]
        if total.report.pk in money:
            total.money.add(money[total.report.pk])
        stage = (
            REPORT_STAGES.index(total.report.status) if total.report.status in REPORT_STAGES else -1
        )
        total.reported, total.funded, total.issued = stage >= 0, stage >= 1, stage >= 2
    return Dashboard(
        campaign=campaign, township=township, rows=list(rows.values()), total=total, county=county
    )
