"""Assessment (考核): each township's measures from the dashboard, scored by the campaign's rules
and ranked (equal totals share a rank)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from enrollment.models import AssessmentRule, Campaign

from .dashboard import AreaFigures, dashboard

HUNDRED = Decimal("100.00")
CENT = Decimal("0.01")
Metric = AssessmentRule.Metric


def measure(row: AreaFigures, metric: str) -> Decimal:
    """The township's value on ``metric``, as a percentage."""
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
    # Claims within the service standard: a township with no settled claim missed none.
    return row.standard_rate if row.standard_rate is not None else HUNDRED


def score(rule: AssessmentRule, value: Decimal) -> Decimal:
    if value >= rule.threshold:
        return rule.points
    if not rule.pro_rata:
        return Decimal("0.00")
    return (rule.points * value / rule.threshold).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class ScoredTownship:
    figures: AreaFigures
    values: list[Decimal]
    scores: list[Decimal]
    total: Decimal
    rank: int = 0

    @property
    def pairs(self) -> list[tuple[Decimal, Decimal]]:
        return list(zip(self.values, self.scores, strict=True))


@dataclass
class Assessment:
    campaign: Campaign
    rules: list[AssessmentRule]
    rows: list[ScoredTownship]
    city: AreaFigures

    @property
    def full_marks(self) -> Decimal:
        return sum((rule.points for rule in self.rules), Decimal("0.00"))


def assessment(*, campaign: Campaign, user) -> Assessment:
    board = dashboard(campaign=campaign, user=user)
    rules = list(campaign.assessment_rules.all())
    rows = []
    for figures in board.rows:
        values = [measure(figures, rule.metric) for rule in rules]
        scores = [score(rule, value) for rule, value in zip(rules, values, strict=True)]
        rows.append(ScoredTownship(figures, values, scores, sum(scores, Decimal("0.00"))))
    rows.sort(key=lambda row: (-row.total, row.figures.area.code))
    for position, row in enumerate(rows, start=1):
        previous = rows[position - 2] if position > 1 else None
        row.rank = previous.rank if previous and previous.total == row.total else position
    return Assessment(campaign=campaign, rules=rules, rows=rows, city=board.total)
