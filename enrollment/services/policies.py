"""The township report's last two steps: the finance offices transfer the premium, each its own
shares (funded once every share due is in), the insurer issues the policies (issued).

System policy numbers follow one documented pattern::

    <insurer code><campaign year><township's 3-digit code><6-digit sequence>
    e.g. PICC2013100000001 (海门镇's first policy of 2013)

The township's 3 digits are digits 7-9 of its 12-digit area code (320684100000 → 100); where
the township belongs to a county (a prefecture-level city such as Ji'an, whose counties' townships
share those three digits), its county's two digits come first, digits 5-9 (360821100000 →
21100). The sequence counts the township's policies from 000001 in the order village code,
certificate number, product code. An insurer may instead upload its own numbers
(``policy_numbers``).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from haimen_insurance.access import deny_unless
from haimen_insurance.audit import audit_record
from haimen_insurance.audit_labels import AuditAction
from haimen_insurance.money import format_yuan

from .. import access
from ..access import may_issue_policies
from ..models import (
    REPORT_TRANSITIONS,
    FundTransfer,
    PayerOffice,
    Policy,
    TownshipInsurer,
    TownshipReport,
)
from ..selectors.policies import PolicyKey, report_policy_rows
from ..selectors.shares import report_shares

_BATCH = 5000


def system_policy_number(
    *, insurer_code: str, year: int, township_code: str, sequence: int, in_county: bool = False
) -> str:
    """The system's number; ``in_county`` where the township belongs to a county."""
    digits = township_code[4:9] if in_county else township_code[6:9]
    return f"{insurer_code}{year}{digits}{sequence:06d}"


def _locked_report(report: TownshipReport) -> TownshipReport:
    return (
        TownshipReport.objects.select_for_update(of=("self",))
        .select_related("campaign", "township__parent")
        .get(pk=report.pk)
    )


_NOT_THE_OFFICE = {
    PayerOffice.TOWNSHIP: "只有本乡镇（园区）财政所可以登记保费划拨。",
    PayerOffice.COUNTY: "只有本县（区）财政局可以登记县（区）财政分担的保费划拨。",
    PayerOffice.CITY: "只有市财政局可以登记市财政分担的保费划拨。",
}


def transfer_record(
    *,
    actor,
    report: TownshipReport,
    transfer_date,
    voucher_no: str,
    amount: Decimal,
    payer_name: str,
    payer_account: str,
    payer_bank: str,
    payee_name: str,
    payee_account: str,
    payee_bank: str,
    payer: str | None = None,
) -> FundTransfer:
    """Record one finance office's transfer of its shares of a reported township report
    (``payer``: the office, by default the actor's own; the system's is the township's). An
    amount that differs from the office's due by as much as a fen is refused, and so is a
    transfer by an office that owes nothing on the report. The report becomes funded with the
    last transfer due."""
    office = PayerOffice(payer or access.transfer_office(actor) or PayerOffice.TOWNSHIP)
    with transaction.atomic():
        report = _locked_report(report)
        deny_unless(
            access.may_record_office_transfers(actor, report.township, office),
            _NOT_THE_OFFICE[office],
        )
        if not report.allows("fund"):
            if report.allows("report"):
                raise ValidationError("汇总表尚未上报，不能登记划拨。")
            raise ValidationError(f"汇总表{report.get_status_display()}，不能再次登记划拨。")
        if transfer_date > timezone.localdate():
            raise ValidationError("划拨日期不能晚于今天。")
        shares = report_shares(report)
        due = shares.office_due(office)
        if due <= 0:
            raise ValidationError(
                f"{office.label}对{report.township.name}{report.campaign}汇总表没有应划拨的保费，"
                "无需登记划拨。"
            )
        if office in shares.transferred:
            raise ValidationError(f"{office.label}已登记过本汇总表的划拨，不能再次登记。")
        if amount != due:
            difference = amount - due
            raise ValidationError(
                f"划拨金额 {format_yuan(amount)} 元与应划拨保费 {format_yuan(due)} 元不符，"
                f"{'多' if difference > 0 else '少'} {format_yuan(abs(difference))} 元。"
                "请按应划拨金额划拨。"
            )
        transfer = FundTransfer.objects.create(
            report=report,
            payer=office,
            transfer_date=transfer_date,
            voucher_no=voucher_no.strip(),
            amount=amount,
            payer_name=payer_name.strip(),
            payer_account=payer_account.strip(),
            payer_bank=payer_bank.strip(),
            payee_name=payee_name.strip(),
            payee_account=payee_account.strip(),
            payee_bank=payee_bank.strip(),
            recorded_by=actor,
        )
        shares.transferred[office] = amount
        changes = {}
        if not shares.awaited:  # the last share due is in: the report is funded
            report.status = REPORT_TRANSITIONS.target("fund")
            report.save(update_fields=["status"])
            changes["status"] = [TownshipReport.Status.REPORTED, TownshipReport.Status.FUNDED]
        audit_record(
            actor=actor,
            action=AuditAction.TRANSFER_RECORD,
            obj=report,
            area=report.township,
            changes={
                **changes,
                "划拨单位": office.label,
                "凭证号": transfer.voucher_no,
                "划拨金额": amount,
                "划拨日期": transfer_date,
                "收款单位": transfer.payee_name,
            },
        )
    return transfer


def report_insurer(report: TownshipReport) -> TownshipInsurer | None:
    return (
        TownshipInsurer.objects.select_related("insurer")
        .filter(campaign=report.campaign_id, township=report.township_id)
        .first()
    )


def policies_issue(
    *, actor, report: TownshipReport, numbers: dict[PolicyKey, str] | None = None
) -> int:
    """Issue a policy for every enrolled household × product of a funded report, numbered by the
    system or by ``numbers`` ({(certificate number, product code): policy number}, every policy
    of the report exactly once). Returns how many were issued: 0 when the report was already
    issued (issuing twice changes nothing)."""
    with transaction.atomic():
        report = _locked_report(report)
        covering = report_insurer(report)
        deny_unless(
            may_issue_policies(actor, covering.insurer_id if covering else None),
            "只有承保本乡镇（园区）的保险公司可以出具保单。",
        )
        if covering is None:
            raise ValidationError(f"{report.township.name}在{report.campaign}没有指定承保公司。")
        if report.status == REPORT_TRANSITIONS.target("issue"):
            return 0  # issued already: issuing again changes nothing
        if not report.allows("issue"):
            raise ValidationError(
                f"汇总表{report.get_status_display()}，保费划拨到账后才能出具保单。"
            )
        rows = report_policy_rows(report)
        if numbers is not None:
            _check_numbers(rows, numbers)
        campaign, insurer = report.campaign, covering.insurer
        policies = []
        for sequence, row in enumerate(rows, start=1):
            number = (
                numbers[row.key]
                if numbers is not None
                else system_policy_number(
                    insurer_code=insurer.code,
                    year=campaign.year,
                    township_code=report.township.code,
                    sequence=sequence,
                    in_county=report.township.county is not None,
                )
            )
            policies.append(
                Policy(
                    campaign=campaign,
                    report=report,
                    entry_product_id=row.entry_product_id,
                    product_id=row.product_id,
                    household_id=row.household_id,
                    village_id=row.village_id,
                    insurer=insurer,
                    number=number,
                    coverage_start=campaign.coverage_start,
                    coverage_end=campaign.coverage_end,
                    issued_by=actor,
                )
            )
        try:
            Policy.objects.bulk_create(policies, batch_size=_BATCH)
        except IntegrityError as error:
            raise ValidationError(
                "保单号与已出具的保单重复，未出具任何保单，请核对后重试。"
            ) from error
        report.status = REPORT_TRANSITIONS.target("issue")
        report.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=AuditAction.POLICIES_ISSUE,
            obj=report,
            area=report.township,
            changes={
                "status": [TownshipReport.Status.FUNDED, TownshipReport.Status.ISSUED],
                "policies": len(policies),
                "编号方式": "系统编号" if numbers is None else "导入保险公司保单号",
                "起始保单号": policies[0].number if policies else "",
                "截止保单号": policies[-1].number if policies else "",
            },
        )
    return len(policies)


def _check_numbers(rows, numbers: dict[PolicyKey, str]) -> None:
    """The uploaded numbers must cover the report's policies exactly and be new."""
    expected = {row.key for row in rows}
    missing, unknown = expected - numbers.keys(), numbers.keys() - expected
    if missing or unknown:
        raise ValidationError(
            "导入的保单号与本乡镇应出具的保单不一致"
            f"（缺 {len(missing)} 份，多 {len(unknown)} 份），未出具任何保单。"
        )
    if len(set(numbers.values())) != len(numbers):
        raise ValidationError("导入的保单号有重复，未出具任何保单。")
    taken = list(
        Policy.objects.filter(number__in=list(numbers.values())).values_list("number", flat=True)[
            :5
        ]
    )
    if taken:
        raise ValidationError(f"保单号已被其他保单使用：{'、'.join(taken)}。未出具任何保单。")
