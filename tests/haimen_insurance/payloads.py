"""A year of 海门镇 with one hostile string in every field people type, for the tests that
check every printed form and every workbook treats user text as data."""

from dataclasses import dataclass

from enrollment.models import Campaign, Household, Roster, RosterEntry, TownshipReport
from enrollment.services.policies import policies_issue, transfer_record
from enrollment.services.rosters import (
    entry_decide,
    roster_approve,
    roster_enrol_all,
    roster_return,
    roster_submit,
    township_report_draft,
    township_report_submit,
)
from haimen_insurance.models import Area, Insurer
from tests.enrollment.conftest import build_campaign, build_household, transfer_values


@dataclass
class Year:
    payload: str
    campaign: Campaign
    roster: Roster
    report: TownshipReport
    household: Household


def build_year(world, payload: str, *, tagged: bool = True) -> Year:
    """东兴村 (renamed 村<payload>) enrolls two families — one whose names, certificate number
    and employer carry ``payload`` — and one declines with a reason that does; 新河村's roster
    is returned once with such a reason; the township is reported, funded (the transfer's
    accounts carry it too) and issued, by an insurer whose name and phone carry it.

    Each field reads ``<tag><payload>`` (``子<payload>`` for the child's name, and so on) unless
    ``tagged`` is false: then each field is the payload itself, as a formula would start."""

    def f(tag: str, limit: int = 50) -> str:
        return (f"{tag}{payload}" if tagged else payload)[:limit]

    campaign = build_campaign()
    village = world.village_a1
    Area.objects.filter(pk=village.pk).update(name=f("村"))
    Insurer.objects.filter(pk=world.insurer_a.pk).update(name=f("保"), phone=f("电", 30))
    village.refresh_from_db()
    household = build_household(
        village,
        certificate_no=f("证", 40),
        child_name=f("子"),
        father_name=f("父"),
        mother_name=f("母"),
        employer_name=f("海门市某某纺织有限公司"),
        address=f("址"),
    )
    build_household(village)
    declining = build_household(village)
    build_household(world.village_a2)
    roster = Roster.objects.get(campaign=campaign, village=village)
    entry_decide(
        actor=world.user("cadre_a1"),
        roster=roster,
        household=declining,
        decision=RosterEntry.Decision.DECLINED,
        reason=f("原因"),
    )
    returned = Roster.objects.get(campaign=campaign, village=world.village_a2)
    roster_enrol_all(actor=None, roster=returned)
    roster_submit(actor=None, roster=returned)
    roster_return(actor=world.user("township_a"), roster=returned, reason=f("退回"))
    for each in Roster.objects.filter(campaign=campaign, village__parent=world.town_a):
        roster_enrol_all(actor=None, roster=each)
        roster_submit(actor=None, roster=each)
        roster_approve(actor=None, roster=each)
    report = township_report_draft(actor=None, campaign=campaign, township=world.town_a)
    report = township_report_submit(actor=None, report=report)
    transfer_record(
        actor=None,
        report=report,
        **transfer_values(
            report,
            voucher_no=f("凭", 40),
            payer_name=f("付"),
            payer_account=f("账", 40),
            payer_bank=f("行"),
            payee_name=f("收"),
        ),
    )
    policies_issue(actor=None, report=report)
    return Year(payload, campaign, roster, report, household)


# A township's year at the sizes offices print: long employer and township names, every
# assessment rule, decline and return reasons of a full sentence.
EMPLOYERS = [
    "江苏海门经济技术开发区某某纺织印染有限责任公司",
    "海门市三厂工业园区某某精密机械制造有限公司",
    "南通市海门区人民医院（海门市中医院）",
    "海门市某某建筑安装工程有限公司第三分公司",
    "海门市长江纺织机械有限公司",
]
LONG_TOWNSHIPS = ["海门经济技术开发区（滨江街道）", "海门工业园区（包场镇、临江新区）", "三厂街道"]
DECLINE_REASON = (
    "户主常年在外地务工，经村计生专干多次电话联系，本人明确表示今年暂不参加，待明年春节回乡后再议"
)
SHORT_REASON = "已为子女购买商业保险了"  # short enough to print as a plain cell
RETURN_REASON = "3 户子女身份证号与户口簿不一致，请核对后重新提交；另有 1 户放弃原因未写清楚"


@dataclass
class BusyYear:
    campaign: Campaign
    roster: Roster  # 东兴村: employers, declines
    returned: Roster  # 新河村: returned once, then approved
    report: TownshipReport


def build_busy_year(world) -> BusyYear:
    """海门镇 with 24 families in 东兴村 (five employers with long names pay for ten of them,
    two decline with a sentence of reason and one with a short one), 新河村 returned once with
    a long reason; three more townships with long names; all four assessment rules; reported,
    funded and issued."""
    from oversight.models import AssessmentRule
    from oversight.services import assessment_rule_set, assessment_rules_default

    for number, name in enumerate(LONG_TOWNSHIPS, start=2):
        town = Area.objects.create(
            code=f"3206841{number:02d}000", name=name, kind=Area.Kind.TOWN, parent=world.city
        )
        Area.objects.create(
            code=f"3206841{number:02d}201",
            name=f"{name[:2]}村",
            kind=Area.Kind.VILLAGE,
            parent=town,
        )
    campaign = build_campaign()
    assessment_rules_default(actor=None, campaign=campaign)
    assessment_rule_set(
        actor=None,
        campaign=campaign,
        metric=AssessmentRule.Metric.ROSTERS_APPROVED,
        threshold=100,
        points=5,
        pro_rata=True,
    )
    village = world.village_a1
    declining = []
    for number in range(24):
        household = build_household(
            village,
            employer_name=EMPLOYERS[number % len(EMPLOYERS)] if number < 10 else "",
            child_name="欧阳子涵" if number == 0 else f"子{number}",
        )
        if number >= 21:
            declining.append(household)
    roster = Roster.objects.get(campaign=campaign, village=village)
    for household, reason in zip(
        declining, [DECLINE_REASON, DECLINE_REASON, SHORT_REASON], strict=True
    ):
        entry_decide(
            actor=world.user("cadre_a1"),
            roster=roster,
            household=household,
            decision=RosterEntry.Decision.DECLINED,
            reason=reason,
        )
    for _ in range(3):
        build_household(world.village_a2)
    returned = Roster.objects.get(campaign=campaign, village=world.village_a2)
    roster_enrol_all(actor=None, roster=returned)
    roster_submit(actor=None, roster=returned)
    roster_return(actor=world.user("township_a"), roster=returned, reason=RETURN_REASON)
    for each in Roster.objects.filter(campaign=campaign, village__parent=world.town_a):
        roster_enrol_all(actor=None, roster=each)
        roster_submit(actor=None, roster=each)
        roster_approve(actor=world.user("township_a"), roster=each)
    report = township_report_draft(actor=None, campaign=campaign, township=world.town_a)
    report = township_report_submit(actor=None, report=report)
    transfer_record(actor=None, report=report, **transfer_values(report))
    policies_issue(actor=None, report=report)
    roster.refresh_from_db()
    returned.refresh_from_db()
    return BusyYear(campaign, roster, returned, report)
