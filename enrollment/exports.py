"""Spreadsheets of the enrollment app, all written with ``haimen_insurance.xlsx``."""

from decimal import Decimal

from haimen_insurance.xlsx import INTEGER, MONEY, TEXT, Column, XlsxWriter

from .models import InsuredPerson
from .selectors.policies import POLICY_LIST_HEADERS
from .selectors.reports import VILLAGE_PAYER
from .selectors.rosters import on_behalf_note
from .selectors.verification import Verification


def verification_workbook(verification: Verification) -> XlsxWriter:
    """Sheet 1: counts per village (or per township) with a totals row; sheet 2: employer units
    with households, persons and 应缴保费, with a totals row."""
    writer = XlsxWriter()
    rule = f"（符合条件：{verification.age_rule}）"
    counts = [
        Column(verification.row_label),
        Column("区划代码", TEXT, width=15),
        Column("有效证数", INTEGER),
        Column("符合条件", INTEGER),
        Column("不符合条件", INTEGER),
        *(Column(f"其中：{header}", INTEGER) for header in verification.reason_headers()),
        Column("企事业单位发放户数", INTEGER),
        Column("已注销", INTEGER),
        Column("已迁出", INTEGER),
    ]
    writer.sheet("核查汇总", counts, caption=f"核查准备 — {verification.name}{rule}")

    def values(row):
        return [
            row.valid,
            row.eligible,
            row.not_eligible,
            *row.reason_counts,
            row.employer_households,
            row.revoked,
            row.moved,
        ]

    writer.rows([row.area.name, row.area.code, *values(row)] for row in verification.rows)
    writer.totals(["合计", None, *values(verification.total)])

    employers = [
        *([Column("乡镇（园区）")] if verification.is_city else []),
        Column("奖励金发放单位", TEXT, width=30),
        Column("户数", INTEGER),
        Column("参保人数", INTEGER),
        Column("应缴保费（元）", MONEY),
    ]
    writer.sheet(
        "企事业单位",
        employers,
        caption=(
            f"企事业单位发放奖励金的符合条件家庭{rule}　"
            f"应缴保费 = 户数 × 2 份保单 × 每份保费 {verification.premium} 元"
        ),
    )
    city = verification.is_city
    for row in verification.employers:
        township = [row.township.name if row.township else ""] if city else []
        writer.row([*township, row.employer, row.households, row.persons, row.amount])
    total = verification.employer_total
    writer.totals(
        ["合计", *([None] if city else []), total.households, total.persons, total.amount]
    )
    return writer


RELATIONS = [choice.value for choice in InsuredPerson.Relation]


def roster_workbook(roster, lines, figures) -> XlsxWriter:
    """The village roster: one row per household, its insured persons and products, totals."""
    writer = XlsxWriter()
    village = roster.village
    columns = [
        Column("序号", INTEGER),
        Column("证号", TEXT, width=16),
        Column("子女姓名"),
        Column("被保险人", TEXT, width=30),
        Column("子女身份证号", TEXT, width=21),
        Column("父亲身份证号", TEXT, width=21),
        Column("母亲身份证号", TEXT, width=21),
        Column("险种及份数", TEXT, width=22),
        Column("保费（元）", MONEY),
        Column("参保情况"),
        Column("原因", TEXT, width=24),
        Column("奖励金发放单位", TEXT, width=24),
    ]
    draft = "（草稿，未提交）" if roster.submitted_at is None else ""
    on_behalf = on_behalf_note(roster)
    writer.sheet(
        "名册",
        columns,
        caption=f"{roster.campaign}参保名册 {village.parent.name}{village.name}{draft}"
        + (f" {on_behalf}" if on_behalf else ""),
    )
    for number, line in enumerate(lines, start=1):
        writer.row(
            [
                number,
                line.certificate_no,
                line.child_name,
                "；".join(line.persons_named),
                *(line.ids.get(relation, "") for relation in RELATIONS),
                "；".join(line.products),
                line.premium,
                line.decision,
                line.reason,
                line.payer,
            ]
        )
    writer.totals(
        [
            None,
            "合计",
            f"参保 {figures.enrolled} 户",
            f"被保险人 {figures.persons} 人",
            None,
            None,
            None,
            f"保单 {figures.policies} 份",
            figures.premium,
            f"自愿放弃 {figures.declined} 户",
            f"不符合条件 {figures.not_eligible} 户",
            f"未处理 {figures.undecided} 户",
        ]
    )
    return writer


def township_report_workbook(report, breakdown) -> XlsxWriter:
    """The township summary by village, with premium by product and by funding source."""
    writer = XlsxWriter()
    columns = [
        Column("村（社区）"),
        Column("参保户数", INTEGER),
        Column("保单数", INTEGER),
        Column("被保险人数", INTEGER),
        *(Column(f"{product.short_name}（元）", MONEY) for product in breakdown.products),
        *(Column(f"{payer}（元）", MONEY) for payer in breakdown.payers),
        Column("保费合计（元）", MONEY),
    ]
    writer.sheet(
        "汇总表",
        columns,
        caption=(
            f"{report.campaign}参保汇总表 {report.township.name}（{report.get_status_display()}）"
        ),
    )

    def values(row):
        amounts = row.amounts
        return [
            amounts.households,
            amounts.policies,
            amounts.persons,
            *row.product_premiums,
            *row.payer_premiums,
            amounts.premium,
        ]

    writer.rows([row.village.name, *values(row)] for row in breakdown.rows)
    writer.totals(["合计", *values(breakdown.total)])
    return writer


def county_report_workbook(report, lines, by_payer) -> XlsxWriter:
    """The county summary: each township with its report's status and figures as rolled up,
    and a totals row; a second sheet of the premium by payer where it is split
    (``by_payer``: ``selectors.shares.county_premium_by_payer``)."""
    writer = XlsxWriter()
    columns = [
        Column("乡镇（园区）"),
        Column("乡镇汇总状态"),
        Column("参保户数", INTEGER),
        Column("保单数", INTEGER),
        Column("被保险人数", INTEGER),
        Column("保费（元）", MONEY),
    ]
    caption = f"{report.campaign}县级汇总表 {report.county.name}（{report.get_status_display()}）"
    writer.sheet("县级汇总表", columns, caption=caption)
    writer.rows(
        [
            line.township.name,
            line.township_report.get_status_display(),
            line.households,
            line.policies,
            line.persons,
            line.premium,
        ]
        for line in lines
    )
    writer.totals(
        ["合计", f"{len(lines)} 个乡镇（园区）"]
        + [report.households, report.policies, report.persons, report.premium]
    )
    if by_payer:
        writer.sheet("保费按分担主体", [Column("分担主体", width=20), Column("保费（元）", MONEY)])
        writer.rows([payer, amount] for payer, amount in by_payer)
        writer.totals(["合计", sum((amount for _, amount in by_payer), Decimal("0.00"))])
    return writer


def employer_dues_workbook(report, breakdown) -> XlsxWriter:
    """What each employer unit owes for its households: households, policies, persons, amount;
    the village collective's share and a totals row close the sheet."""
    writer = XlsxWriter()
    columns = [
        Column("奖励金发放单位", width=30),
        Column("参保户数", INTEGER),
        Column("保单数", INTEGER),
        Column("被保险人数", INTEGER),
        Column("应缴保费（元）", MONEY),
    ]
    caption = f"{report.township.name}{report.campaign}企事业单位应缴保费"
    writer.sheet("企事业单位应缴", columns, caption=caption)
    employers = [
        (payer, amounts) for payer, amounts in breakdown.payer_rows if payer != VILLAGE_PAYER
    ]
    writer.rows(
        [payer, amounts.households, amounts.policies, amounts.persons, amounts.premium]
        for payer, amounts in employers
    )
    writer.totals(
        [
            "企事业单位合计",
            sum(amounts.households for _, amounts in employers),
            sum(amounts.policies for _, amounts in employers),
            sum(amounts.persons for _, amounts in employers),
            sum((amounts.premium for _, amounts in employers), Decimal("0.00")),
        ]
    )
    return writer


def policy_list_workbook(rows, *, title: str) -> XlsxWriter:
    """The policy list: one row per policy, IDs, birth dates and policy numbers as text. Rows
    stream through constant-memory mode; the insurer may fill in 保单号 and upload the file back."""
    writer = XlsxWriter()
    kinds = {"份数": INTEGER, "保费（元）": MONEY}
    widths = {"身份证号": 21, "第二被保险人身份证号": 21, "保单号": 20, "证号": 16}
    columns = [
        Column(header, kinds.get(header, TEXT), width=widths.get(header))
        for header in POLICY_LIST_HEADERS
    ]
    writer.sheet(title, columns)
    totals = _PolicyTotals()
    writer.plain_rows(totals.counted(rows))
    # 证号, 险种 and 保单号 stay empty: the insurer's upload of the filled-in list skips the row.
    writer.totals(
        [
            "合计",
            f"保单 {totals.policies} 份",
            None,
            None,
            None,
            totals.premium,
            f"被保险人 {totals.persons} 人",
            *([None] * (len(columns) - 7)),
        ]
    )
    return writer


_PREMIUM = POLICY_LIST_HEADERS.index("保费（元）")
_PERSONS = (POLICY_LIST_HEADERS.index("被保险人"), POLICY_LIST_HEADERS.index("第二被保险人"))


class _PolicyTotals:
    """Adds up the policy list's rows as they stream past."""

    def __init__(self):
        self.policies, self.persons, self.premium = 0, 0, Decimal("0.00")

    def counted(self, rows):
        for row in rows:
            self.policies += 1
            self.persons += sum(1 for index in _PERSONS if row[index])
            self.premium += row[_PREMIUM] or 0
            yield row
