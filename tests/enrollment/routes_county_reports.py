"""Permission-matrix rows for enrollment/views/county_reports.py (see tests/permissions.py).

The county report exists only where there are counties (Ji'an's shape): it is read by the
county's officer and finance office and by the city roles, and made and reported by the
county's officer alone; another county's answers 404, every other role 403.
"""

from haimen_insurance.roles import Role
from tests.permissions import CITY_WIDE, Row, a_county

COUNTY_REPORT_READERS = frozenset({Role.COUNTY_OFFICER, Role.COUNTY_FINANCE, *CITY_WIDE})
COUNTY_REPORT_MAKERS = frozenset({Role.COUNTY_OFFICER})


def a_county_report(world, role):
    """A drafted county report of county A (county B for the city) and one of county B."""
    from enrollment.models import CountyReport
    from tests.enrollment.conftest import build_campaign

    campaign = build_campaign()
    inside, outside = a_county(world, role)

    def report(county_pk):
        return CountyReport.objects.create(campaign=campaign, county_id=county_pk)

    return {"pk": report(inside["pk"]).pk}, (outside and {"pk": report(outside["pk"]).pk})


def a_county_with_campaign(world, role):
    """County A (B for the city) and county B, in a campaign."""
    from tests.enrollment.conftest import build_campaign

    build_campaign()
    return a_county(world, role)


ROWS = {
    "enrollment:county_report": Row(
        COUNTY_REPORT_READERS, target=a_county_with_campaign, counties=True
    ),
    "enrollment:county_report_draft": Row(
        COUNTY_REPORT_MAKERS, ok=302, method="post", target=a_county_with_campaign, counties=True
    ),
    # The confirmation page before reporting (the POST with ``confirm`` reports).
    "enrollment:county_report_submit": Row(
        COUNTY_REPORT_MAKERS, target=a_county_report, counties=True
    ),
    "enrollment:county_report_pdf": Row(
        COUNTY_REPORT_READERS, target=a_county_report, counties=True
    ),
    "enrollment:county_report_xlsx": Row(
        COUNTY_REPORT_READERS, target=a_county_report, counties=True
    ),
}
