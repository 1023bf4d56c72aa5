"""Permission-matrix rows for enrollment/views/rosters.py (see tests/permissions.py).

The cadre keeps their village's roster; the township officer of its township reviews it, and
may fill it in and submit it on the village's behalf (乡镇代村填报); the city roles read every
roster, and a county officer those of its county. Finance and the insurer do not see rosters.
"""

from haimen_insurance.roles import Role
from tests.enrollment.routes import OneOf
from tests.permissions import CITY_SCOPE, CITY_WIDE, Row

READERS = frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICER, Role.COUNTY_OFFICER, *CITY_WIDE})
CADRE = frozenset({Role.VILLAGE_CADRE})
REVIEWER = frozenset({Role.TOWNSHIP_OFFICER})
FILLERS = CADRE | REVIEWER


def _campaign():
    from enrollment.models import Campaign
    from tests.enrollment.conftest import build_campaign

    return Campaign.objects.first() or build_campaign()


def a_roster(world, role):
    """The roster of the role's own village (village A2 for the township, B1 for the city) and
    one outside: the neighbouring village for a cadre, township B for the township officer."""
    from enrollment.models import Roster

    campaign = _campaign()
    inside = {
        Role.VILLAGE_CADRE: world.village_a1,
        Role.TOWNSHIP_OFFICER: world.village_a2,
        Role.COUNTY_OFFICER: world.village_a2,
    }.get(role, world.village_b1)
    outside = {Role.VILLAGE_CADRE: world.village_a2}.get(role, world.village_b1)
    roster = Roster.objects.get(campaign=campaign, village=inside)
    other = Roster.objects.get(campaign=campaign, village=outside)
    return {"pk": roster.pk}, (None if role in CITY_SCOPE else {"pk": other.pk})


def a_household_of_a_roster(world, role):
    from tests.enrollment.conftest import build_household

    inside, outside = a_roster(world, role)

    def with_household(kwargs):
        from enrollment.models import Roster

        roster = Roster.objects.select_related("village").get(pk=kwargs["pk"])
        return {**kwargs, "household_pk": build_household(roster.village).pk}

    return with_household(inside), (outside and with_household(outside))


ROWS = {
    "enrollment:roster_mine": Row(CADRE, ok=OneOf(200, 302)),
    "enrollment:roster_detail": Row(READERS, target=a_roster),
    "enrollment:entry_decide": Row(FILLERS, target=a_household_of_a_roster),
    "enrollment:roster_enrol_all": Row(FILLERS, ok=302, method="post", target=a_roster),
    "enrollment:roster_submit": Row(FILLERS, ok=OneOf(200, 302), method="post", target=a_roster),
    "enrollment:roster_approve": Row(REVIEWER, ok=302, method="post", target=a_roster),
    "enrollment:roster_return": Row(REVIEWER, ok=302, method="post", target=a_roster),
}
