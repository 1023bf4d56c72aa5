"""Assessment (考核): each township's measures from the dashboard, scored by the campaign's rules
and ranked (equal totals share a rank)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from enrollment.models import Campaign

from .dashboard import AreaFigures, dashboard
from .models import AssessmentRule

HUNDRED = Decimal("100.00")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
Metric = AssessmentRule.Metric

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
NO_CLAIM = "无应办结理赔"


def measure(row: AreaFigures, metric: str) -> Decimal | None:
    """The township's value on ``metric``, as a percentage (None: no claim was due)."""
    if metric == Metric.COVERAGE_RATE:
        return row.coverage_rate or Decimal("0.00")
    if metric == Metric.ROSTERS_APPROVED:
        return (
            (Decimal(row.rosters_approved) * 100 / row.rosters).quantize(CENT)
            if row.rosters
            else Decimal("0.00")
        )
    if metric == Metric.REPORTED_ON_TIME:
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
class ScoredTownship:
    figures: AreaFigures
    values: list[Decimal | None]
    scores: list[Decimal]
    total: Decimal
    rank: int = 0

    @property
    def shown_values(self) -> list[str]:
        """Each value as shown: a percentage, 无应办结理赔, or — when nothing was enrolled."""
        if not self.figures.enrolled:
            return [f"{value}%" if value is not None else "—" for value in self.values]
        return [f"{value}%" if value is not None else NO_CLAIM for value in self.values]

    @property
    def pairs(self) -> list[tuple[str, Decimal]]:
        return list(zip(self.shown_values, self.scores, strict=True))


@dataclass
class Assessment:
    campaign: Campaign
    rules: list[AssessmentRule]
    rows: list[ScoredTownship]
    city: AreaFigures

    notes: tuple[str, ...] = NOTES

    @property
    def full_marks(self) -> Decimal:
        return sum((rule.points for rule in self.rules), ZERO)


def assessment(*, campaign: Campaign, user) -> Assessment:
    board = dashboard(campaign=campaign, user=user)
    rules = list(campaign.assessment_rules.all())
    rows = []
    for figures in board.rows:
        values = [measure(figures, rule.metric) for rule in rules]
        if figures.enrolled:
            scores = [score(rule, value) for rule, value in zip(rules, values, strict=True)]
        else:
            scores = [ZERO for _ in rules]  # nothing enrolled: nothing earned
        rows.append(ScoredTownship(figures, values, scores, sum(scores, ZERO)))
    rows.sort(key=lambda row: (-row.total, row.figures.area.code))
    for position, row in enumerate(rows, start=1):
        previous = rows[position - 2] if position > 1 else None
        row.rank = previous.rank if previous and previous.total == row.total else position
    return Assessment(campaign=campaign, rules=rules, rows=rows, city=board.total)
