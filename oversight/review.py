"""The year's review (点评总结): the city's totals, each township's figures and score (and, where
the city has counties, each county's), and the claims summary — one object for the page, the
workbook and the PDF."""

from dataclasses import dataclass, field

from claims.selectors import BenefitSummary, claims_summary
from enrollment.models import Campaign
from haimen_insurance.programmes import programme
from haimen_insurance.xlsx import INTEGER, MONEY, PERCENT, TEXT, Column, XlsxWriter

from .assessment import Assessment, assessment
from .models import ReviewNote


@dataclass
class Review:
    campaign: Campaign
    assessment: Assessment
    claims: list[BenefitSummary]
    city_note: ReviewNote | None = None  # the written part: 肯定成绩 / 找出不足 / 完善措施
    township_notes: list[ReviewNote] = field(default_factory=list)  # by township code

    @property
    def city(self):
        return self.assessment.city


def review_notes(*, campaign: Campaign, user) -> tuple[ReviewNote | None, list[ReviewNote]]:
    """The city's written review and the townships' (those ``user`` sees), by area code."""
    notes = list(
        ReviewNote.objects.for_user(user)
        .filter(campaign=campaign)
        .select_related("area")
        .order_by("area__code")
    )
    city = next((note for note in notes if note.area.is_city), None)
    return city, [note for note in notes if not note.area.is_city]


def year_review(*, campaign: Campaign, user) -> Review:
    city_note, township_notes = review_notes(campaign=campaign, user=user)
    return Review(
        campaign=campaign,
        assessment=assessment(campaign=campaign, user=user),
        claims=claims_summary(campaign=campaign, user=user),
        city_note=city_note,
        township_notes=township_notes,
    )


def money_by_payer(figures) -> list[tuple[str, object, str]]:
    """The reported premium by payer, where it is shared (Ji'an's city, counties and townships;
    nothing for Haimen's townships paying alone): each share's due, each finance office's due
    and transfer, as (label, value, kind) rows of the totals."""
    money = figures.money
    if len(money.payer_rows) < 2:
        return []
    rows = [(f"{label}分担（元）", amount, MONEY) for label, amount in money.payer_rows]
    for label, due, paid in money.office_rows:
        rows.append((f"{label}应划拨（元）", due, MONEY))
        rows.append((f"{label}已划拨（元）", paid, MONEY))
    return rows


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
        [Column("项目", TEXT, width=24), Column("数值", MONEY, width=20)],
        caption=f"{programme().city}{campaign}独生子女保险点评总结",
    )
    # Each figure a number (a rate as the fraction a percent format shows), so a sheet can use it.
    for label, value, kind in [
        ("符合条件户数", city.eligible, INTEGER),
        ("参保户数", city.enrolled, INTEGER),
        ("投保率", _share(city.coverage_rate), PERCENT),
        ("保单数", city.policies, INTEGER),
        ("保费合计（元）", city.premium, MONEY),
        ("已上报乡镇", int(city.reported), INTEGER),
        ("已划拨乡镇", int(city.funded), INTEGER),
        ("已出单乡镇", int(city.issued), INTEGER),
        ("理赔件数", city.claims, INTEGER),
        ("已赔付件数", city.claims_paid, INTEGER),
        ("赔付金额（元）", city.paid, MONEY),
        ("赔付率", _share(city.payout_ratio), PERCENT),
        ("已办结件数", city.settled, INTEGER),
        ("服务标准达标件数", city.within_standard, INTEGER),
        ("服务标准达标率", _share(city.standard_rate), PERCENT),
        *money_by_payer(city),
    ]:
        writer.row([label, value], kinds=[None, kind])
    result = review.assessment
    rules = result.rules
    if result.has_counties:
        _county_sheet(writer, review)
    # Where the city has counties, each township's county and its rank among the county's.
    in_county = [Column("县（区）", TEXT, width=12), Column("县内名次", INTEGER)]
    columns = [
        *TOWNSHIP_COLUMNS[:2],
        *(in_county if result.has_counties else ()),
        *TOWNSHIP_COLUMNS[2:],
        *(Column(f"{rule.get_metric_display()}得分", MONEY) for rule in rules),
        Column("总分", MONEY),
    ]
    writer.sheet("各乡镇与考核", columns, caption=f"{campaign}各乡镇（园区）数据与考核得分")
    for row in result.rows:
        figures = row.figures
        county = [figures.area.parent.name, row.county_rank] if result.has_counties else []
        writer.row(
            [
                row.rank,
                figures.area.name,
                *county,
                *_figures(figures),
                *row.scores,
                row.total,
            ]
        )
    writer.totals(
        [
            None,
            "全市",
            *([None, None] if result.has_counties else []),
            *_figures(city),
            *([None] * len(rules)),
            None,
        ]
    )
    writer.sheet(
        "评分说明",
        [Column("考核项目", TEXT, width=24), Column("评分规则", TEXT, width=90)],
        caption=f"{campaign}考核评分规则",
    )
    # Where the city has counties, each rule says whom it scores (县（区）投保率).
    levels = result.has_counties
    writer.rows(
        [
            f"{_level_word(rule) if levels else ''}{rule.get_metric_display()}",
            _rule_text(rule),
        ]
        for rule in result.listed_rules
    )
    writer.rows([["说明", note] for note in (*result.notes, *result.county_notes)])
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
    writer.sheet(
        "点评总结",
        [
            Column("区域", TEXT, width=18),
            Column("肯定成绩", TEXT, width=50),
            Column("找出不足", TEXT, width=50),
            Column("完善措施", TEXT, width=50),
        ],
        caption=f"{campaign}点评总结（总结点评，肯定成绩，找出不足，完善措施）",
    )
    notes = [review.city_note] if review.city_note is not None else []
    for note in [*notes, *review.township_notes]:
        writer.row([note.area.name, note.achievements, note.shortcomings, note.measures])
    return writer


def _level_word(rule) -> str:
    return "县（区）" if rule.level == rule.Level.COUNTY else "乡镇（园区）"


def _rule_text(rule) -> str:
    return f"达到 {rule.threshold}% 得 {rule.points} 分" + (
        "，未达到按比例得分" if rule.pro_rata else "，未达到不得分"
    )


COUNTY_COLUMNS = [
    Column("名次", INTEGER),
    Column("县（区）", TEXT, width=14),
    Column("乡镇（园区）数", INTEGER),
    *TOWNSHIP_COLUMNS[2:],
]


def _county_sheet(writer: XlsxWriter, review: Review) -> None:
    """The counties ranked (where the city has counties): each county's townships rolled up,
    its points on the county-level rules and its total."""
    result, city = review.assessment, review.city
    rules = result.county_rules
    writer.sheet(
        "各县（区）与考核",
        [
            *COUNTY_COLUMNS,
            *(Column(f"{rule.get_metric_display()}得分", MONEY) for rule in rules),
            Column("总分", MONEY),
        ],
        caption=f"{review.campaign}各县（区）数据与考核得分（按所辖乡镇（园区）合计）",
    )
    for row in result.county_rows:
        figures = row.figures
        writer.row(
            [
                row.rank,
                figures.area.name,
                figures.townships,
                *_figures(figures),
                *row.scores,
                row.total,
            ]
        )
    writer.totals(
        [
            None,
            "全市",
            sum(row.figures.townships for row in result.county_rows),
            *_figures(city),
            *([None] * len(rules)),
            None,
        ]
    )


def _figures(figures) -> list:
    """The columns of ``TOWNSHIP_COLUMNS`` after the name, for one area."""
    return [
        figures.eligible,
        figures.enrolled,
        _share(figures.coverage_rate),
        figures.policies,
        figures.premium,
        figures.claims,
        figures.paid,
        _share(figures.payout_ratio),
        _share(figures.standard_rate),
    ]


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
