"""Reads for the township side: the city's townships and a township's villages with their roster
figures, and a township report broken down by village, funding source and product.

Each function runs a fixed number of queries, however many villages or households there are.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from haimen_insurance.models import Area

from ..models import ROSTER_TRANSITIONS, Campaign, Roster, RosterEntry, TownshipReport
from ..models.campaigns import campaign_areas
from .rosters import Figures, roster_figures, total

VILLAGE_PAYER = "村集体"


@dataclass
class TownshipRow:
    """One township of the city overview."""

    township: Area
    villages: int = 0
    statuses: Counter = field(default_factory=Counter)  # roster status → count
    figures: Figures = field(default_factory=Figures)
    report: TownshipReport | None = None

    @property
    def approved(self) -> int:
        return self.statuses[Roster.Status.APPROVED]

    @property
    def submitted(self) -> int:
        return self.statuses[Roster.Status.SUBMITTED]

    @property
    def returned(self) -> int:
        return self.statuses[Roster.Status.RETURNED]

    @property
    def draft(self) -> int:
        return self.statuses[Roster.Status.DRAFT]


@dataclass
class Overview:
    rows: list[TownshipRow]
    total: TownshipRow


def city_overview(*, campaign: Campaign, user) -> Overview:
    """Every township ``user`` sees, with its roster counts by status, its figures summed over its
    villages and its report of ``campaign``: seven queries."""
    townships = list(Area.objects.for_user(user).townships().order_by("code"))
    rows = {township.pk: TownshipRow(township) for township in townships}
    villages = Area.objects.for_user(user).villages().filter(parent__in=list(rows))
    parent_of = dict(villages.values_list("pk", "parent_id"))
    for village, figures in roster_figures(campaign, villages).items():
        row = rows[parent_of[village]]
        row.villages += 1
        row.figures.add(figures)
    statuses = (
        Roster.objects.for_user(user)
        .filter(campaign=campaign, village__parent__in=list(rows))
        .values_list("village__parent", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for township, status, count in statuses:
        rows[township].statuses[status] += count
    for report in TownshipReport.objects.for_user(user).filter(
        campaign=campaign, township__in=list(rows)
    ):
        rows[report.township_id].report = report
    summed = TownshipRow(township=None)
    for row in rows.values():
        summed.villages += row.villages
        summed.statuses.update(row.statuses)
        summed.figures.add(row.figures)
    return Overview(rows=list(rows.values()), total=summed)


@dataclass
class VillageRow:
    village: Area
    roster: Roster | None
    figures: Figures


@dataclass
class TownshipRosters:
    rows: list[VillageRow]
    total: Figures
    report: TownshipReport | None

    @property
    def waiting(self) -> list[str]:
        """The villages whose roster is not approved yet (the report rolls up approved ones)."""
        return [
            row.village.name
            for row in self.rows
            if row.roster is None or not ROSTER_TRANSITIONS.allows("lock", row.roster.status)
        ]


def township_rosters(*, campaign: Campaign, township: Area, user) -> TownshipRosters:
    """The villages of ``township`` with their roster of ``campaign`` and its figures, and the
    township's report: seven queries."""
    villages = Area.objects.for_user(user).villages().filter(parent=township).order_by("code")
    rosters = {
        roster.village_id: roster
        for roster in Roster.objects.for_user(user).filter(
            campaign=campaign, village__parent=township
        )
    }
    figures = roster_figures(campaign, villages)
    rows = [
        VillageRow(village, rosters.get(village.pk), figures.get(village.pk, Figures()))
        for village in villages
    ]
    report = TownshipReport.objects.for_user(user).filter(campaign=campaign, township=township)
    return TownshipRosters(
        rows=rows, total=total(row.figures for row in rows), report=report.first()
    )


@dataclass
class Amounts:
    households: int = 0
    policies: int = 0
    persons: int = 0
    premium: Decimal = field(default_factory=lambda: Decimal("0.00"))


@dataclass
class BreakdownRow:
    """One village (or the total) of a report: its amounts, and premium by payer and product."""

    village: Area | None
    amounts: Amounts = field(default_factory=Amounts)
    by_payer: dict = field(default_factory=lambda: defaultdict(lambda: Decimal("0.00")))
    by_product: dict = field(default_factory=lambda: defaultdict(lambda: Decimal("0.00")))
    payer_premiums: list[Decimal] = field(default_factory=list)  # in the order of the columns
    product_premiums: list[Decimal] = field(default_factory=list)


@dataclass
class Breakdown:
    lines: list  # TownshipReportLine, with village and product
    payers: list[str]  # 村集体 first, then the employer units by name
    products: list
    rows: list[BreakdownRow]  # one per village of the township
    total: BreakdownRow
    payer_rows: list[tuple[str, Amounts]]
    payer_total: Amounts


def report_breakdown(*, report: TownshipReport, user) -> Breakdown:
    """The report's lines rolled up per village and per funding source: four queries. Policies,
    persons and premium are sums of the lines; households are the enrolled entries (one household
    holds a policy of each product, so lines would count it twice)."""
    lines = list(report.lines.select_related("village", "product"))
    villages = (
        campaign_areas(user, report.campaign_id)
        .villages()
        .filter(parent=report.township_id)
        .order_by("code")
    )
    products = list(report.campaign.products.order_by("code"))
    households = (
        RosterEntry.objects.for_user(user)
        .filter(
            roster__campaign=report.campaign_id,
            roster__village__parent=report.township_id,
            decision=RosterEntry.Decision.ENROLLED,
        )
        .values_list("roster__village", "payer")
        .annotate(count=Count("pk"))
        .order_by()
    )
    rows = {village.pk: BreakdownRow(village) for village in villages}
    summed = BreakdownRow(None)
    payers = defaultdict(Amounts)
    for line in lines:
        payer = line.payer or VILLAGE_PAYER
        row = rows.setdefault(line.village_id, BreakdownRow(line.village))
        for target in (row.amounts, summed.amounts, payers[payer]):
            target.policies += line.policies
            target.persons += line.persons
            target.premium += line.premium
        for target in (row, summed):
            target.by_payer[payer] += line.premium
            target.by_product[line.product_id] += line.premium
    for village, payer, count in households:
        payer = payer or VILLAGE_PAYER
        if village in rows:
            rows[village].amounts.households += count
        summed.amounts.households += count
        payers[payer].households += count
    payer_names = sorted(payers, key=lambda name: (name != VILLAGE_PAYER, name))
    for row in [*rows.values(), summed]:
        row.payer_premiums = [row.by_payer[payer] for payer in payer_names]
        row.product_premiums = [row.by_product[product.pk] for product in products]
    return Breakdown(
        lines=lines,
        payers=payer_names,
        products=products,
        rows=list(rows.values()),
        total=summed,
        payer_rows=[(payer, payers[payer]) for payer in payer_names],
        payer_total=summed.amounts,
    )


@dataclass
class YearProgress:
    """Where each township in scope stands in one campaign: not reported yet (no report, or one
    still drafted), reported and waiting for the transfer, funded and waiting for the policies,
    or issued (the year's work done)."""

    campaign: Campaign
    not_reported: list[Area] = field(default_factory=list)
    reported: list[TownshipReport] = field(default_factory=list)
    funded: list[TownshipReport] = field(default_factory=list)
    issued: list[TownshipReport] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return not (self.not_reported or self.reported or self.funded)

    def unfinished_text(self) -> str:
        """「尚未上报：甲、乙；待划拨：丙；待出具保单：丁」, or "" once every township is done."""
        parts = [
            (label, names)
            for label, names in (
                ("尚未上报", [area.name for area in self.not_reported]),
                ("待划拨", [report.township.name for report in self.reported]),
                ("待出具保单", [report.township.name for report in self.funded]),
            )
            if names
        ]
        return "；".join(f"{label}：{'、'.join(names)}" for label, names in parts)


def year_progress(campaign: Campaign, townships, reports) -> YearProgress:
    """Sort ``townships`` by how far their ``reports`` (of ``campaign``) have come."""
    by_township = {
        report.township_id: report for report in reports if report.campaign_id == campaign.pk
    }
    progress = YearProgress(campaign)
    stages = {
        TownshipReport.Status.REPORTED: progress.reported,
        TownshipReport.Status.FUNDED: progress.funded,
        TownshipReport.Status.ISSUED: progress.issued,
    }
    for township in townships:
        report = by_township.get(township.pk)
        if report is None or report.status == TownshipReport.Status.DRAFTED:
            progress.not_reported.append(township)
        else:
            report.township = township
            stages[report.status].append(report)
    return progress


def townships_progress(*, campaigns: list[Campaign], user) -> list[YearProgress]:
    """``year_progress`` of each campaign over the townships ``user`` sees: two queries."""
    townships = list(Area.objects.for_user(user).townships().order_by("code"))
    reports = list(
        TownshipReport.objects.for_user(user).filter(campaign__in=[c.pk for c in campaigns])
    )
    return [year_progress(campaign, townships, reports) for campaign in campaigns]
