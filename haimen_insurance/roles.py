"""The roles of docs/design.md section 2: the scope each needs and its group's permissions.

The two county roles exist only where the programme's tree has counties (a prefecture-level
city such as Ji'an); a county-level city such as Haimen has none, and uses the other seven."""

from django.db import models


class Role(models.TextChoices):
    VILLAGE_CADRE = "village_cadre", "村（社区）计生专干"
    TOWNSHIP_OFFICER = "township_officer", "乡镇（园区）计生办"
    TOWNSHIP_FINANCE = "township_finance", "镇财政所"
    COUNTY_OFFICER = "county_officer", "县（区）计生委"
    COUNTY_FINANCE = "county_finance", "县财政局"
    INSURER_STAFF = "insurer_staff", "保险公司"
    CITY_OFFICER = "city_officer", "市人口计生委"
    CITY_FINANCE = "city_finance", "市财政局"
    LEADER = "leader", "市领导 / 审计"


VILLAGE_ROLES = frozenset({Role.VILLAGE_CADRE})
TOWNSHIP_ROLES = frozenset({Role.TOWNSHIP_OFFICER, Role.TOWNSHIP_FINANCE})
COUNTY_ROLES = frozenset({Role.COUNTY_OFFICER, Role.COUNTY_FINANCE})
CITY_ROLES = frozenset({Role.CITY_OFFICER, Role.LEADER})
# The roles whose scope is the whole city (no area, no insurer): the city roles above, and the
# city's finance office, which records the city's share of the premium and reads the reports
# and vouchers (not the city's overview pages nor the dashboards).
CITY_SCOPE_ROLES = frozenset({*CITY_ROLES, Role.CITY_FINANCE})
# The finance offices, which record transfers of the premium (each its own shares).
FINANCE_ROLES = frozenset({Role.TOWNSHIP_FINANCE, Role.COUNTY_FINANCE, Role.CITY_FINANCE})
INSURER_ROLES = frozenset({Role.INSURER_STAFF})

# Roles that see resident ID numbers in full; everyone else sees them masked.
FULL_ID_ROLES = frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICER, Role.INSURER_STAFF})

# Permission codenames ("app_label.codename") each role's group holds.
_HOUSEHOLD_EDIT = [
    "enrollment.view_household",
    "enrollment.add_household",
    "enrollment.change_household",
]
_CAMPAIGN_VIEW = ["enrollment.view_campaign"]
_REPORT_VIEW = ["enrollment.view_campaign", "enrollment.view_townshipreport"]
# The county reports (县级汇总上报): read by the county roles of their county and the city.
_COUNTY_REPORT_VIEW = ["enrollment.view_countyreport"]
_MONEY_VIEW = ["enrollment.view_fundtransfer", "enrollment.view_policy"]
_CLAIM_REPORT = ["claims.view_claim", "claims.report_claim"]
_CITY_VIEW = [
    "haimen_insurance.view_area",
    "haimen_insurance.view_user",
    "haimen_insurance.view_auditevent",
    "enrollment.view_household",
    "enrollment.view_verification",
    "enrollment.view_roster",
    *_REPORT_VIEW,
    *_COUNTY_REPORT_VIEW,
    *_MONEY_VIEW,
    "claims.view_claim",
    "oversight.view_dashboard",
    "oversight.view_assessmentrule",  # the assessment pages (考核) of the city roles
]
ROLE_PERMISSIONS = {
    Role.VILLAGE_CADRE: [
        "haimen_insurance.view_area",
        *_HOUSEHOLD_EDIT,
        *_CAMPAIGN_VIEW,
        "enrollment.view_roster",
        "enrollment.submit_roster",
        "enrollment.view_policy",
        *_CLAIM_REPORT,
    ],
    Role.TOWNSHIP_OFFICER: [
        "haimen_insurance.view_area",
        "haimen_insurance.view_user",
        "enrollment.view_household",
        "enrollment.import_register",
        "enrollment.view_verification",
        "enrollment.view_roster",
        "enrollment.review_roster",
        "enrollment.make_township_report",
        *_REPORT_VIEW,
        *_MONEY_VIEW,
        *_CLAIM_REPORT,
        "oversight.view_dashboard",
    ],
    Role.TOWNSHIP_FINANCE: [
        "haimen_insurance.view_area",
        *_REPORT_VIEW,
        "enrollment.view_fundtransfer",
        "enrollment.record_transfer",
    ],
    # The county officer reads everything under its county, as the township officer one level
    # up (read-only: it neither reviews rosters nor reports them), and manages its county's users;
    # it rolls its townships' reports up into the county report and reports that to the city.
    Role.COUNTY_OFFICER: [
        "haimen_insurance.view_area",
        "haimen_insurance.view_user",
        "haimen_insurance.manage_users",  # the county's township and village users
        "enrollment.view_household",
        "enrollment.view_verification",
        "enrollment.view_roster",
        *_REPORT_VIEW,
        *_COUNTY_REPORT_VIEW,
        "enrollment.make_county_report",
        *_MONEY_VIEW,
        "claims.view_claim",
        "oversight.view_dashboard",
        "oversight.view_assessmentrule",  # its county's assessment (考核 of its townships)
    ],
    # County finance reads what township finance reads, under its county, and records the
    # county's share of the premium of each of its townships' reports.
    Role.COUNTY_FINANCE: [
        "haimen_insurance.view_area",
        *_REPORT_VIEW,
        *_COUNTY_REPORT_VIEW,
        "enrollment.view_fundtransfer",
        "enrollment.record_transfer",
    ],
    Role.INSURER_STAFF: [
        "haimen_insurance.view_area",
        *_REPORT_VIEW,
        *_MONEY_VIEW,
        "enrollment.issue_policy",
        "claims.view_claim",
        "claims.decide_claim",
    ],
    Role.CITY_OFFICER: [
        *_CITY_VIEW,
        "haimen_insurance.manage_users",
        "haimen_insurance.change_area",  # names the insurer of a township
        "enrollment.import_register",
        "enrollment.add_campaign",
        "enrollment.change_campaign",
    ],
    Role.LEADER: _CITY_VIEW,
    # City finance reads every township's reports and vouchers and records the city's share.
    Role.CITY_FINANCE: [
        "haimen_insurance.view_area",
        *_REPORT_VIEW,
        "enrollment.view_fundtransfer",
        "enrollment.record_transfer",
    ],
}


def role_permissions(role: str) -> frozenset[str]:
    """The permissions ``role``'s group holds (``sync_role_groups`` gives it exactly these), read
    without a query: the navigation asks it on every page, the password change page too."""
    return _ROLE_PERMISSION_SETS.get(role, frozenset())


_ROLE_PERMISSION_SETS = {role: frozenset(codenames) for role, codenames in ROLE_PERMISSIONS.items()}


def sync_role_groups(**kwargs):
    """Create one group per role and give it exactly the permissions listed above."""
    from django.contrib.auth.models import Group, Permission

    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.label)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                permissions.append(permission)
        group.permissions.set(permissions)
