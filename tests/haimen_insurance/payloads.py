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
