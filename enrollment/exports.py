"""Spreadsheets of the enrollment app, all written with ``haimen_insurance.xlsx``."""

from haimen_insurance.xlsx import INTEGER, MONEY, TEXT, Column, XlsxWriter

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
            f"应缴保费 = 参保人数 × 每份保费 {verification.premium} 元"
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
