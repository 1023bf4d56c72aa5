"""The claims register as a spreadsheet."""

from django.utils import timezone

from haimen_insurance.privacy import shown_id
from haimen_insurance.xlsx import DATE, INTEGER, MONEY, TEXT, Column, XlsxWriter

from .selectors import days_to_settle, met_standard

COLUMNS = [
    Column("案件号", TEXT, width=15),
    Column("乡镇（园区）"),
    Column("村（社区）"),
    Column("被保险人"),
    Column("身份证号", TEXT, width=21),
    Column("保单号", TEXT, width=20),
    Column("保险责任"),
    Column("伤残等级", INTEGER),
    Column("出险日期", DATE),
    Column("报案日期", DATE),
    Column("超过48小时报案"),
    Column("申请金额（元）", MONEY),
    Column("核定金额（元）", MONEY),
    Column("赔付金额（元）", MONEY),
    Column("状态"),
    Column("应结案日期", DATE),
    Column("办结日期", DATE),
    Column("办结天数", INTEGER),
    Column("服务标准"),
    Column("拒赔原因", width=24),
    Column("送赔款上门日期", DATE),
]


def claims_workbook(claims, *, full_ids: bool) -> XlsxWriter:
    writer = XlsxWriter()
    writer.sheet("理赔登记", COLUMNS)
    claimed = approved = paid = 0
    for claim in claims.select_related("policy"):
        met = met_standard(claim)
        writer.row(
            [
                claim.number,
                claim.village.parent.name,
                claim.village.name,
                claim.person.name,
                shown_id(claim.person.id_number, full=full_ids),
                claim.policy.number,
                claim.get_benefit_display(),
                claim.disability_grade,
                claim.incident_date,
                timezone.localtime(claim.reported_at).date(),
                "是" if claim.late_report else "否",
                claim.amount_claimed,
                claim.approved_amount,
                claim.paid_amount,
                claim.get_status_display(),
                claim.due_date,
                claim.settled_on,
                days_to_settle(claim),
                "" if met is None else ("达标" if met else "超时"),
                claim.get_rejection_code_display(),
                claim.delivered_on,
            ]
        )
        claimed += claim.amount_claimed
        approved += claim.approved_amount or 0
        paid += claim.paid_amount or 0
    writer.totals(["合计", *[None] * 10, claimed, approved, paid, *[None] * 7])
    return writer
