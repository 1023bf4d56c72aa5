"""Permission-matrix rows for enrollment/views/reports.py (see tests/permissions.py).

The township side belongs to the township officer and the city roles; the township report is
also read by the township's finance office and its insurer, and a county's officer and finance
office read its townships'. Only the township officer makes and reports it.
"""

from haimen_insurance.roles import Role
from tests.permissions import CITY_SCOPE, CITY_WIDE, Row

TOWNSHIP_SIDE = frozenset(
    {Role.TOWNSHIP_OFFICER, Role.COUNTY_OFFICER, Role.CITY_OFFICER, Role.LEADER}
)
REPORT_READERS = frozenset(
    {
        *TOWNSHIP_SIDE,
        Role.TOWNSHIP_FINANCE,
        Role.COUNTY_FINANCE,
        Role.CITY_FINANCE,
        Role.INSURER_STAFF,
    }
)
REPORT_MAKERS = frozenset({Role.TOWNSHIP_OFFICER})


class _CityOrRedirect:
    """The city pages answer 200 to the city roles and send a township officer (302) to their
    own township's page."""

    def __eq__(self, status):
        return status in (200, 302)

    __hash__ = None

    def __repr__(self):
        return "200 or 302"


def a_township(world, role):
    """Township A for its own roles, township B for the city; B is outside township A's scope."""
    inside = world.town_b if role in CITY_WIDE else world.town_a
    outside = None if role in CITY_SCOPE else world.town_b
    return {"pk": inside.pk}, (outside and {"pk": outside.pk})


def a_report(world, role):
    """A drafted report of township A (township B for the city) and one of township B."""
    from enrollment.models import TownshipReport
    from tests.enrollment.conftest import build_campaign

    campaign = build_campaign()
    inside, outside = a_township(world, role)

    def report(township_pk):
        return TownshipReport.objects.create(campaign=campaign, township_id=township_pk)

    return {"pk": report(inside["pk"]).pk}, (outside and {"pk": report(outside["pk"]).pk})


ROWS = {
    "enrollment:rosters_overview": Row(TOWNSHIP_SIDE, ok=_CityOrRedirect()),
    "enrollment:township_rosters": Row(TOWNSHIP_SIDE, target=a_township),
    # The confirmation page of approving several rosters at once (none chosen: it says so).
    "enrollment:township_rosters_approve": Row(REPORT_MAKERS, target=a_township),
    "enrollment:township_report_draft": Row(
        REPORT_MAKERS, ok=302, method="post", target=a_township
    ),
    "enrollment:township_report": Row(REPORT_READERS, target=a_report),
    "enrollment:township_report_submit": Row(REPORT_MAKERS, ok=302, method="post", target=a_report),
    "enrollment:reconciliation": Row(TOWNSHIP_SIDE, ok=_CityOrRedirect()),
    "enrollment:township_reconciliation": Row(TOWNSHIP_SIDE, target=a_township),
}
