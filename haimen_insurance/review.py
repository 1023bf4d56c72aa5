"""The year's review (点评总结): the city's totals, each township's figures and score, and the
claims summary — one object for the page, the workbook and the PDF."""

from dataclasses import dataclass

from claims.selectors import BenefitSummary, claims_summary
from enrollment.models import Campaign

from .assessment import Assessment, assessment
from .xlsx import INTEGER, MONEY, PERCENT, TEXT, Column, XlsxWriter


@dataclass
class Review:
    campaign: Campaign
    assessment: Assessment
    claims: list[BenefitSummary]

    @property
    def city(self):
        return self.assessment.city


def year_review(*, campaign: Campaign, user) -> Review:
    return Review(
        campaign=campaign,
        assessment=assessment(campaign=campaign, user=user),
        claims=claims_summary(campaign=campaign, user=user),
    )


def _share(value):
    """A percentage (80.00) as the fraction a spreadsheet's percent format shows (0.8)."""
    return None if value is None else value / 100


TOWNSHIP_COLUMNS = [
    Column("名次", INTEGER),
    Column("乡镇（园区）", TEXT, width=18),
    Column("符合条件户数", INTEGER),
    Column("参保户数", INTEGER),
    Column("投保率", PERCENT),
    Column("保单数", INTEGER),
    Column("保费（元）", MONEY),
    Column("理赔件数", INTEGER),
    Column("赔付（元）", MONEY),
    Column("赔付率", PERCENT),
    Column("服务标准达标率", PERCENT),
]


def review_workbook(review: Review) -> XlsxWriter:
    writer = XlsxWriter()
    city, campaign = review.city, review.campaign
    writer.sheet(
        "全市汇总",
        [Column("项目", TEXT, width=24), Column("数值", TEXT, width=20)],
        caption=f"海门市{campaign}独生子女保险点评总结",
    )
    writer.rows(
        [
            ["符合条件户数", str(city.eligible)],
            ["参保户数", str(city.enrolled)],
            ["投保率", f"{city.coverage_rate or 0}%"],
            ["保单数", str(city.policies)],
            ["保费合计（元）", f"{city.premium:,.2f}"],
            ["已上报 / 已划拨 / 已出单乡镇", f"{city.reported} / {city.funded} / {city.issued}"],
            ["理赔件数 / 已赔付件数", f"{city.claims} / {city.claims_paid}"],
            ["赔付金额（元）", f"{city.paid:,.2f}"],
            ["赔付率", f"{city.payout_ratio or 0}%"],
            ["服务标准达标", f"{city.within_standard} / {city.settled}"],
        ]
    )
    rules = review.assessment.rules
    columns = [
        *TOWNSHIP_COLUMNS,
        *(Column(f"{rule.get_metric_display()}得分", MONEY) for rule in rules),
        Column("总分", MONEY),
    ]
    writer.sheet("各乡镇与考核", columns, caption=f"{campaign}各乡镇（园区）数据与考核得分")
    for row in review.assessment.rows:
        figures = row.figures
        writer.row(
            [
                row.rank,
                figures.area.name,
                figures.eligible,
                figures.enrolled,
                _share(figures.coverage_rate),
                figures.policies,
                figures.premium,
                figures.claims,
                figures.paid,
                _share(figures.payout_ratio),
                _share(figures.standard_rate),
                *row.scores,
                row.total,
            ]
        )
    writer.totals(
        [
            None,
            "全市",
            city.eligible,
            city.enrolled,
            _share(city.coverage_rate),
            city.policies,
            city.premium,
            city.claims,
            city.paid,
            _share(city.payout_ratio),
            _share(city.standard_rate),
            *([None] * len(rules)),
            None,
        ]
    )
    writer.sheet(
        "评分说明",
        [Column("考核项目", TEXT, width=24), Column("评分规则", TEXT, width=90)],
        caption=f"{campaign}考核评分规则",
    )
    writer.rows(
        [
            rule.get_metric_display(),
            f"达到 {rule.threshold}% 得 {rule.points} 分"
            + ("，未达到按比例得分" if rule.pro_rata else "，未达到不得分"),
        ]
        for rule in rules
    )
    writer.rows([["说明", note] for note in review.assessment.notes])
    writer.sheet(
        "理赔汇总",
        [
            Column("保险责任", TEXT, width=14),
            Column("件数", INTEGER),
            Column("申请金额（元）", MONEY),
            Column("核定金额（元）", MONEY),
            Column("赔付金额（元）", MONEY),
            Column("已办结", INTEGER),
            Column("服务标准达标", INTEGER),
        ],
        caption=f"{campaign}理赔汇总",
    )
    *benefits, total = review.claims
    for summary in benefits:
        writer.row(_claims_row(summary))
    writer.totals(_claims_row(total))
    return writer


def _claims_row(summary: BenefitSummary) -> list:
    return [
        summary.label,
        summary.claims,
        summary.claimed,
        summary.approved,
        summary.paid,
        summary.settled,
        summary.within_standard,
    ]
