"""Assessment (考核): each township's measures from the dashboard, scored by the campaign's rules
and ranked (equal totals share a rank). Where the city has counties, the city also ranks the
counties, each on its townships' figures rolled up (``CountyFigures``) and scored by the
county-level rules; each county ranks its townships among themselves."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from enrollment.models import Campaign
from haimen_insurance.models import Area

from .dashboard import AreaFigures, CountyFigures, dashboard, ratio
from .models import AssessmentRule

HUNDRED = Decimal("100.00")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
Metric = AssessmentRule.Metric
Level = AssessmentRule.Level

# How a township that did little is scored, as the page, the PDF and the workbook state it.
# Doing nothing earns nothing: without an enrolled family there is nothing to assess. The
# service standard is about the claims a township had to serve; one with families enrolled and
# no claim due missed no standard, so it meets it (coverage already has its own rule, so the
# service standard is not scaled by coverage a second time). A claim left open past its due date
# is due and missed, so sitting on a claim never counts as meeting the standard.
NOTES = (
    "未登记参保户的乡镇（园区）各项均不得分。",
    "理赔服务标准达标率 = 在应结案日期前办结的件数 ÷ 应办结的件数（已办结的，加上超过应结案日期"
    "仍未办结的）；有参保户、本年度没有应办结的理赔的，视为达标，得该项满分。",
)
# How a county is scored, where the city has counties.
COUNTY_NOTES = (
    "县（区）各项按所辖乡镇（园区）合计：投保率 = 各乡镇参保户数之和 ÷ 符合条件户数之和；"
    "按期汇总上报 = 按期上报的乡镇（园区）数 ÷ 乡镇（园区）数；理赔服务标准达标率按各乡镇的"
    "理赔合计；未登记参保户的县（区）各项均不得分。",
    "县（区）在各县（区）之间排名；乡镇（园区）按乡镇评分规则在全市排名，县内名次在本县（区）"
    "的乡镇（园区）之间排列。",
)
NO_CLAIM = "无应办结理赔"


def measure(row: AreaFigures, metric: str) -> Decimal | None:
    """The township's (or county's) value on ``metric``, as a percentage (None: no claim was
    due)."""
    if metric == Metric.COVERAGE_RATE:
        return row.coverage_rate or Decimal("0.00")
    if metric == Metric.ROSTERS_APPROVED:
        return (
            (Decimal(row.rosters_approved) * 100 / row.rosters).quantize(CENT)
            if row.rosters
            else Decimal("0.00")
        )
    if metric == Metric.REPORTED_ON_TIME:
        if isinstance(row, CountyFigures):  # the share of its townships reported on time
            return ratio(row.townships_on_time, row.townships) or Decimal("0.00")
        return HUNDRED if row.reported_on_time else Decimal("0.00")
    # Claims within the service standard, of those due: settled, or open past their due date.
    due = row.settled + row.overdue
    if not due:
        return None
    return (Decimal(row.within_standard) * 100 / due).quantize(CENT, rounding=ROUND_HALF_UP)


def score(rule: AssessmentRule, value: Decimal | None) -> Decimal:
    """Points for ``value``; ``None`` (no claim was due) meets the rule."""
    if value is None or value >= rule.threshold:
        return rule.points
    if not rule.pro_rata:
        return Decimal("0.00")
    return (rule.points * value / rule.threshold).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class ScoredArea:
    """A township (or a county) with its values, points, total and rank; a township of a city
    with counties also has its rank among its county's townships."""

    figures: AreaFigures
    values: list[Decimal | None]
    scores: list[Decimal]
    total: Decimal
    rank: int = 0
    county_rank: int | None = None

    @property
    def shown_values(self) -> list[str]:
        """Each value as shown: a percentage, 无应办结理赔, or — when nothing was enrolled."""
        if not self.figures.enrolled:
            return [f"{value}%" if value is not None else "—" for value in self.values]
        return [f"{value}%" if value is not None else NO_CLAIM for value in self.values]

    @property
    def pairs(self) -> list[tuple[str, Decimal]]:
        return list(zip(self.shown_values, self.scores, strict=True))


ScoredTownship = ScoredArea  # the name it had while only townships were scored


def ranks(rows: list[ScoredArea]) -> list[int]:
    """1, 2, 2, 4 …: each row's position by total (``rows`` sorted best first); equal totals
    share a rank."""
    result: list[int] = []
    for position, row in enumerate(rows, start=1):
        tied = position > 1 and rows[position - 2].total == row.total
        result.append(result[-1] if tied else position)
    return result


def scored(figures: list[AreaFigures], rules: list[AssessmentRule]) -> list[ScoredArea]:
    """``figures`` scored by ``rules`` and ranked, best first (equal totals by area code)."""
    rows = []
    for each in figures:
        values = [measure(each, rule.metric) for rule in rules]
        if each.enrolled:
            scores = [score(rule, value) for rule, value in zip(rules, values, strict=True)]
        else:
            scores = [ZERO for _ in rules]  # nothing enrolled: nothing earned
        rows.append(ScoredArea(each, values, scores, sum(scores, ZERO)))
    rows.sort(key=lambda row: (-row.total, row.figures.area.code))
    for row, rank in zip(rows, ranks(rows), strict=True):
        row.rank = rank
    return rows


@dataclass
class Assessment:
    campaign: Campaign
    rules: list[AssessmentRule]  # the township-level rules
    rows: list[ScoredArea]  # the townships, ranked
    city: AreaFigures  # the whole area's figures (a county's own page: the county's)

    notes: tuple[str, ...] = NOTES
    # Where the city has counties: the county-level rules and the counties ranked by them.
    has_counties: bool = False
    county_rules: list[AssessmentRule] = field(default_factory=list)
    county_rows: list[ScoredArea] = field(default_factory=list)
    # A county's own assessment: the county, and its score on the county-level rules.
    county: Area | None = None
    county_score: ScoredArea | None = None

    @property
    def full_marks(self) -> Decimal:
        return sum((rule.points for rule in self.rules), ZERO)

    @property
    def county_full_marks(self) -> Decimal:
        return sum((rule.points for rule in self.county_rules), ZERO)

    @property
    def county_notes(self) -> tuple[str, ...]:
        return COUNTY_NOTES if self.has_counties else ()

    @property
    def county_lines(self) -> list[tuple[AssessmentRule, str, Decimal]]:
        """A county's own page: each county-level rule with the county's value and points."""
        if self.county_score is None:
            return []
        score = self.county_score
        return list(zip(self.county_rules, score.shown_values, score.scores, strict=True))

    @property
    def listed_rules(self) -> list[AssessmentRule]:
        """Every rule, as the rules table lists them: the counties' first, then the townships'."""
        return [*self.county_rules, *self.rules]


def assessment(*, campaign: Campaign, user, county: Area | None = None) -> Assessment:
    """The townships of ``user``'s scope ranked by the township-level rules and, where they
    belong to counties, the counties ranked by the county-level rules; with ``county``, that
    county's townships ranked among themselves and the county's own score. The dashboard's
    queries and one for the rules, whatever the number of townships and counties."""
    board = dashboard(campaign=campaign, user=user, county=county)
    every_rule = list(campaign.assessment_rules.all())
    rules = [rule for rule in every_rule if rule.level == Level.TOWNSHIP]
    county_rules = [rule for rule in every_rule if rule.level == Level.COUNTY]
    rows = scored(board.rows, rules)
    result = Assessment(campaign=campaign, rules=rules, rows=rows, city=board.total)
    if county is not None:
        figures = CountyFigures(county)
        for row in board.rows:
            figures.add(row)
        (result.county_score,) = scored([figures], county_rules)
        result.county, result.county_rules, result.has_counties = county, county_rules, True
        for row in rows:
            row.county_rank = row.rank
        return result
    counties = board.county_rows
    if counties:
        result.has_counties, result.county_rules = True, county_rules
        result.county_rows = scored(counties, county_rules)
        by_county: dict[int, list[ScoredArea]] = {}
        for row in rows:  # best first, so each county's list is too
            parent = row.figures.area.parent
            if parent is not None and parent.is_county:
                by_county.setdefault(parent.pk, []).append(row)
        for county_rows in by_county.values():
            for row, rank in zip(county_rows, ranks(county_rows), strict=True):
                row.county_rank = rank
    return result
