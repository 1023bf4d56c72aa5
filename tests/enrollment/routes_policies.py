"""Permission-matrix rows for enrollment/views/policies.py (see tests/permissions.py).

Each finance office (the township's, a county's, the city's) records its transfer of its
township reports (the page says when it owes nothing); the vouchers are read by everyone
who follows the money. The insurer downloads the list and issues for the townships it
covers. Policy search and the family's 参保凭证 are for everyone who works with families,
each within their area.
"""

from haimen_insurance.roles import Role
from tests.enrollment.routes_reports import REPORT_READERS, a_township
from tests.permissions import ALL_ROLES, Row

FINANCE = frozenset({Role.TOWNSHIP_FINANCE, Role.COUNTY_FINANCE, Role.CITY_FINANCE})
INSURERS = frozenset({Role.INSURER_STAFF})
MONEY_READERS = frozenset(REPORT_READERS)
POLICY_READERS = frozenset(ALL_ROLES - FINANCE)


def _report(world, role, status, *, transfer=False):
    """A report of township A (B for the city) in ``status``, and one of township B."""
    from enrollment.models import FundTransfer, TownshipReport
    from tests.enrollment.conftest import build_campaign, transfer_values

    campaign = build_campaign()
    inside, outside = a_township(world, role)

    def report(township_pk):
        made = TownshipReport.objects.create(
            campaign=campaign, township_id=township_pk, status=status
        )
        if transfer:
            values = transfer_values(made, amount="40.00")
            FundTransfer.objects.create(report=made, **values)
        return made.pk

    return {"pk": report(inside["pk"])}, (outside and {"pk": report(outside["pk"])})


def a_reported_report(world, role):
    return _report(world, role, "reported")


def a_funded_report(world, role):
    return _report(world, role, "funded", transfer=True)


def a_funded_report_voucher(world, role):
    """The township finance office's voucher of a funded report, by the office's address."""
    inside, outside = a_funded_report(world, role)
    return {**inside, "payer": "township"}, (outside and {**outside, "payer": "township"})


def a_policy(world, role):
    """A policy of 东兴村 (南星村 for the city) and one of 南星村, in its insurer's name."""
    from enrollment.models import Policy, Roster
    from enrollment.services.rosters import roster_enrol_all
    from haimen_insurance.roles import CITY_ROLES
    from tests.enrollment.conftest import build_campaign, build_household

    campaign = build_campaign()

    def policy(village, insurer):
        household = build_household(village)
        roster = Roster.objects.get(campaign=campaign, village=village)
        roster_enrol_all(actor=None, roster=roster)
        entry_product = roster.entries.get(household=household).products.first()
        report = campaign.reports.create(township=village.parent, status="issued")
        return Policy.objects.create(
            campaign=campaign,
            report=report,
            entry_product=entry_product,
            product=entry_product.product,
            household=household,
            village=village,
            insurer=insurer,
            number=f"T{village.code}",
            coverage_start=campaign.coverage_start,
            coverage_end=campaign.coverage_end,
        ).pk

    outside = {"pk": policy(world.village_b1, world.insurer_b)}
    if role in CITY_ROLES:
        return outside, None
    return {"pk": policy(world.village_a1, world.insurer_a)}, outside


ROWS = {
    "enrollment:transfer_record": Row(FINANCE, target=a_reported_report),
    "enrollment:transfer_voucher": Row(MONEY_READERS, target=a_funded_report),
    "enrollment:transfer_voucher_of": Row(MONEY_READERS, target=a_funded_report_voucher),
    "enrollment:employer_dues": Row(REPORT_READERS, target=a_reported_report),
    "enrollment:policy_list_xlsx": Row(INSURERS, target=a_funded_report),
    "enrollment:policy_issue": Row(INSURERS, target=a_funded_report),
    # An upload without a file shows the form again with its error.
    "enrollment:policy_numbers_upload": Row(INSURERS, method="post", target=a_funded_report),
    "enrollment:policy_list": Row(POLICY_READERS),
    "enrollment:policy_certificate": Row(POLICY_READERS, target=a_policy),
}
