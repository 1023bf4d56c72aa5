"""What each payer owes of a township report's premium (保费分担), computed from the report's
lines, never typed.

A line's share units are its premium over the product's premium per share (a household takes
1–10 shares of a product); a share's due is units × its amount (for the county share, the
amount of the report's township's county where one is set); the share that takes the rest is
the line's premium less the others. A product without shares (none set) is the township's alone.

``ShareTerms.load`` reads a campaign's shares in one query; ``reports_shares_due`` adds one query
for the lines of any number of reports, so pages over a whole campaign (dashboards, workbenches)
cost the same whatever the number of townships and counties.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum

from haimen_insurance.models import Area
from haimen_insurance.money import format_yuan

from ..models import (
    AWAITED_LABEL,
    PAYER_OFFICE,
    FundTransfer,
    PayerOffice,
    PremiumShare,
    TownshipReport,
    TownshipReportLine,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
PAYERS = list(PremiumShare.Payer)
OFFICES = list(PayerOffice)


@dataclass(frozen=True)
class Term:
    """One payer's share of one product: its amount per share unit (None: the rest) and the
    counties whose amount differs."""

    payer: str
    amount: Decimal | None
    takes_rest: bool
    by_county: dict = field(default_factory=dict)

    def amount_for(self, county_id: int | None) -> Decimal | None:
        if self.payer == PremiumShare.Payer.COUNTY and county_id in self.by_county:
            return self.by_county[county_id]
        return self.amount


@dataclass
class ShareTerms:
    """The shares of the products of some campaigns: {product id: [Term]}, in payer order."""

    products: dict[int, list[Term]]
    county_names: dict = field(default_factory=dict)  # county id → name, of the amounts set

    def of(self, product_id: int) -> list[Term]:
        return self.products.get(product_id, [])

    def described(self, product_id: int) -> list[tuple[str, str]]:
        """(payer label, 「2.00 元」 / 「其余部分」 with the counties' amounts) of a product's
        shares, for the campaign page."""
        rows = []
        for term in self.of(product_id):
            if term.takes_rest:
                text = "其余部分"
            else:
                text = f"每份 {format_yuan(term.amount)} 元"
                if term.by_county:
                    counties = "，".join(
                        f"{self.county_names.get(county, '')} {format_yuan(amount)} 元"
                        for county, amount in sorted(
                            term.by_county.items(),
                            key=lambda item: self.county_names.get(item[0], ""),
                        )
                    )
                    text = f"{text}（{counties}）"
            rows.append((PremiumShare.Payer(term.payer).label, text))
        return rows

    @classmethod
    def load(cls, campaign_ids) -> "ShareTerms":
        """The shares of ``campaign_ids`` with their county amounts: one query."""
        rows = (
            PremiumShare.objects.filter(campaign__in=list(campaign_ids))
            .values_list(
                "pk",
                "product_id",
                "payer",
                "amount",
                "takes_rest",
                "county_amounts__county_id",
                "county_amounts__county__name",
                "county_amounts__amount",
            )
            .order_by("product_id", "pk")
        )
        shares, by_county, names = {}, defaultdict(dict), {}
        for pk, product, payer, amount, rest, county, name, county_amount in rows:
            shares[pk] = (product, payer, amount, rest)
            if county is not None:
                by_county[pk][county] = county_amount
                names[county] = name
        products = defaultdict(list)
        for pk, (product, payer, amount, rest) in shares.items():
            products[product].append(Term(payer, amount, rest, by_county[pk]))
        for terms in products.values():
            terms.sort(key=lambda term: PAYERS.index(term.payer))
        return cls(dict(products), names)

    def split(
        self, product_id: int, premium: Decimal, unit_premium: Decimal, county_id: int | None
    ) -> dict[str, Decimal]:
        """{payer: amount} of ``premium`` (a sum of lines of one product) in a township of
        ``county_id``: each fixed share units × amount, the rest share what is left."""
        terms = self.products.get(product_id)
        if not terms:
            return {PremiumShare.Payer.TOWNSHIP: premium}
        units = premium / unit_premium if unit_premium else Decimal(0)
        split, rest = {}, None
        for term in terms:
            if term.takes_rest:
                rest = term.payer
                continue
            split[term.payer] = (units * term.amount_for(county_id)).quantize(CENT)
        rest = rest or PremiumShare.Payer.TOWNSHIP
        split[rest] = split.get(rest, ZERO) + premium - sum(split.values(), ZERO)
        return split


@dataclass
class ReportShares:
    """One report's money by payer: each share's due, each office's due (the township's finance
    office: the township's, the village collectives' and the households' shares) and what each
    office has transferred."""

    report_id: int
    premium: Decimal = ZERO
    by_payer: dict = field(default_factory=lambda: dict.fromkeys(PAYERS, ZERO))
    transferred: dict = field(default_factory=dict)  # office → amount

    def add(self, split: dict[str, Decimal], premium: Decimal) -> None:
        self.premium += premium
        for payer, amount in split.items():
            self.by_payer[payer] += amount

    @property
    def by_office(self) -> dict[str, Decimal]:
        due = dict.fromkeys(OFFICES, ZERO)
        for payer, amount in self.by_payer.items():
            due[PAYER_OFFICE[payer]] += amount
        return due

    def office_due(self, office: str) -> Decimal:
        return self.by_office[office]

    @property
    def shares_total(self) -> Decimal:
        return sum(self.by_payer.values(), ZERO)

    @property
    def transferred_total(self) -> Decimal:
        return sum(self.transferred.values(), ZERO)

    @property
    def awaited(self) -> list[str]:
        """The offices that owe something on the report and have not transferred it yet."""
        return [
            office
            for office, due in self.by_office.items()
            if due > 0 and office not in self.transferred
        ]

    @property
    def payer_amounts(self) -> list[tuple[str, str, Decimal]]:
        """(payer, label, due) of the payers with something due, in payer order."""
        return [
            (payer, PremiumShare.Payer(payer).label, amount)
            for payer, amount in self.by_payer.items()
            if amount
        ]

    @property
    def shared(self) -> bool:
        """Whether more than one payer owes something (Haimen's township alone: no)."""
        return len(self.payer_amounts) > 1

    @property
    def office_rows(self) -> list[tuple[str, str, Decimal, Decimal | None]]:
        """(office, label, due, transferred or None) of the offices with something due or
        transferred, in office order."""
        return [
            (office, PayerOffice(office).label, due, self.transferred.get(office))
            for office, due in self.by_office.items()
            if due or office in self.transferred
        ]

    @property
    def awaited_labels(self) -> list[str]:
        """「待市财政划拨」… for each office still awaited."""
        return [AWAITED_LABEL[office] for office in self.awaited]


def _county_of(parent_id: int | None, parent_is_county: bool) -> int | None:
    return parent_id if parent_is_county else None


def reports_shares_due(
    reports, *, terms: ShareTerms | None = None, transfers: bool = True
) -> dict[int, ReportShares]:
    """{report id: ReportShares} of ``reports`` (a list of TownshipReport, or a queryset of
    them): one query for their lines, one for the shares unless ``terms`` are given, one for the
    transfers when ``transfers``."""
    reports = list(reports)
    if not reports:
        return {}
    ids = [report.pk for report in reports]
    if terms is None:
        terms = ShareTerms.load({report.campaign_id for report in reports})
    result = {pk: ReportShares(pk) for pk in ids}
    lines = (
        TownshipReportLine.objects.filter(report__in=ids)
        .values_list(
            "report_id",
            "product_id",
            "product__premium",
            "report__township__parent_id",
            "report__township__parent__kind",
        )
        .annotate(total=Sum("premium"))
        .order_by()
    )
    for report, product, unit, parent, parent_kind, premium in lines:
        county = _county_of(parent, parent_kind in Area.COUNTY_KINDS)
        result[report].add(terms.split(product, premium, unit, county), premium)
    if transfers:
        for report, office, amount in FundTransfer.objects.filter(report__in=ids).values_list(
            "report_id", "payer", "amount"
        ):
            result[report].transferred[office] = amount
    return result


def shares_due(report: TownshipReport) -> dict[str, Decimal]:
    """{payer: amount due} of one report, from its lines (the transfers aside)."""
    return reports_shares_due([report], transfers=False)[report.pk].by_payer


def report_shares(report: TownshipReport) -> ReportShares:
    """One report's money by payer with its transfers: three queries."""
    return reports_shares_due([report])[report.pk]


def lines_shares(report: TownshipReport, lines, terms: ShareTerms) -> ReportShares:
    """One report's money by payer from its lines already read (``report_breakdown``), with
    their products and the report's township (and its parent) loaded: no query."""
    parent = report.township.parent
    county = parent.pk if parent is not None and parent.is_county else None
    shares = ReportShares(report.pk)
    by_product = defaultdict(lambda: ZERO)
    units = {}
    for line in lines:
        by_product[line.product_id] += line.premium
        units[line.product_id] = line.product.premium
    for product, premium in by_product.items():
        shares.add(terms.split(product, premium, units[product], county), premium)
    return shares


def with_transferred(reports):
    """``reports`` (a TownshipReport queryset) annotated with what each finance office has
    transferred (``paid_township``, ``paid_county``, ``paid_city``; None: no transfer), in the
    same query."""
    annotations = {}
    for office in OFFICES:
        paid = FundTransfer.objects.filter(report=OuterRef("pk"), payer=office).values("amount")
        annotations[f"paid_{office}"] = Subquery(paid[:1])
    return reports.annotate(**annotations)


def annotated_shares_due(reports, *, terms: ShareTerms | None = None) -> dict[int, ReportShares]:
    """``reports_shares_due`` of reports read through ``with_transferred``: the transfers from
    their annotations (one query fewer)."""
    result = reports_shares_due(reports, terms=terms, transfers=False)
    for report in reports:
        for office in OFFICES:
            paid = getattr(report, f"paid_{office}", None)
            if paid is not None:
                result[report.pk].transferred[office] = paid
    return result


@dataclass
class MoneyTotals:
    """Money by payer summed over reports: the premium, each share's due, each office's due and
    what it transferred."""

    premium: Decimal = ZERO
    by_payer: dict = field(default_factory=lambda: dict.fromkeys(PAYERS, ZERO))
    due: dict = field(default_factory=lambda: dict.fromkeys(OFFICES, ZERO))
    paid: dict = field(default_factory=lambda: dict.fromkeys(OFFICES, ZERO))

    def add(self, shares: ReportShares) -> None:
        self.premium += shares.premium
        for payer, amount in shares.by_payer.items():
            self.by_payer[payer] += amount
        for office, amount in shares.by_office.items():
            self.due[office] += amount
        for office, amount in shares.transferred.items():
            self.paid[office] += amount

    def merge(self, other: "MoneyTotals") -> None:
        self.premium += other.premium
        for name in ("by_payer", "due", "paid"):
            mine = getattr(self, name)
            for key, amount in getattr(other, name).items():
                mine[key] += amount

    @property
    def shares_total(self) -> Decimal:
        return sum(self.by_payer.values(), ZERO)

    @property
    def paid_total(self) -> Decimal:
        return sum(self.paid.values(), ZERO)

    @property
    def payer_rows(self) -> list[tuple[str, Decimal]]:
        """(payer label, due) of the payers with something due."""
        return [
            (PremiumShare.Payer(payer).label, amount)
            for payer, amount in self.by_payer.items()
            if amount
        ]

    @property
    def office_rows(self) -> list[tuple[str, Decimal, Decimal]]:
        """(office label, due, transferred) of the offices with something due or paid."""
        return [
            (PayerOffice(office).label, self.due[office], self.paid[office])
            for office in OFFICES
            if self.due[office] or self.paid[office]
        ]


@dataclass
class MoneyRow:
    """One report of the money reconciliation: policies × premium (the report's premium, added
    up from its rosters) = Σ shares (from its lines) = Σ transfers (once funded)."""

    report: TownshipReport
    shares: ReportShares
    cells: list = field(default_factory=list)  # (due, transferred or None) per office shown

    @property
    def problems(self) -> list[str]:
        found = []
        report, shares = self.report, self.shares
        if shares.shares_total != report.premium:
            found.append(
                f"保费合计 {format_yuan(report.premium)} 元与各方分担之和 "
                f"{format_yuan(shares.shares_total)} 元不符"
            )
        due = shares.by_office
        for office, amount in shares.transferred.items():
            if amount != due[office]:
                found.append(
                    f"{PayerOffice(office).label}划拨 {format_yuan(amount)} 元与应划拨 "
                    f"{format_yuan(due[office])} 元不符"
                )
        if report.policy_list_ready and shares.awaited:
            found.append(f"已标为保费已划拨，但{'、'.join(shares.awaited_labels)}")
        return found


@dataclass
class MoneyReconciliation:
    rows: list[MoneyRow]
    total: MoneyTotals
    # Where the townships have counties: (county, its totals, (due, transferred) per office).
    counties: list[tuple[Area, MoneyTotals, list]]
    offices: list[str]  # the offices with something due or transferred, in office order

    @property
    def office_labels(self) -> list[str]:
        return [PayerOffice(office).label for office in self.offices]

    @property
    def total_cells(self) -> list[tuple[Decimal, Decimal]]:
        return [(self.total.due[office], self.total.paid[office]) for office in self.offices]

    @property
    def mismatches(self) -> list[MoneyRow]:
        return [row for row in self.rows if row.problems]


def money_reconciliation(*, campaign, user, township=None) -> MoneyReconciliation:
    """Money by payer of the township reports ``user`` sees in ``campaign`` (of ``township``
    alone when given), each checked, summed per county and in all: three queries (the reports
    with their transfers, the shares, the lines)."""
    reports = TownshipReport.objects.for_user(user).filter(campaign=campaign)
    if township is not None:
        reports = reports.filter(township=township)
    reports = list(
        with_transferred(
            reports.exclude(status=TownshipReport.Status.DRAFTED)
            .select_related("township__parent")
            .order_by("township__code")
        )
    )
    dues = annotated_shares_due(reports)
    rows, total, counties = [], MoneyTotals(), {}
    for report in reports:
        shares = dues[report.pk]
        rows.append(MoneyRow(report, shares))
        total.add(shares)
        parent = report.township.parent
        if parent is not None and parent.is_county:
            counties.setdefault(parent.pk, (parent, MoneyTotals()))[1].add(shares)
    offices = [office for office in OFFICES if total.due[office] or total.paid[office]]
    for row in rows:
        due = row.shares.by_office
        row.cells = [(due[office], row.shares.transferred.get(office)) for office in offices]
    return MoneyReconciliation(
        rows=rows,
        total=total,
        counties=[
            (county, totals, [(totals.due[office], totals.paid[office]) for office in offices])
            for county, totals in counties.values()
        ],
        offices=offices,
    )


def county_premium_by_payer(report) -> list[tuple[str, Decimal]]:
    """A county report's premium by payer, (payer label, due), from the lines of the township
    reports it rolled up (fixed once reported, as the county report's figures are) and the
    campaign's shares: three queries. Empty where one payer pays it all (nothing to split)."""
    townships = TownshipReport.objects.filter(pk__in=report.lines.values("township_report"))
    totals = MoneyTotals()
    for shares in reports_shares_due(townships, transfers=False).values():
        totals.add(shares)
    rows = totals.payer_rows
    return rows if len(rows) > 1 else []
