"""Rows of the permission matrix for the enrollment routes (see tests/permissions.py)."""

import itertools
from datetime import date

from enrollment.models import Household
from enrollment.resident_ids import check_character
from enrollment.services.households import household_revoke
from haimen_insurance.roles import Role
from tests.permissions import CITY_SCOPE, CITY_WIDE, Row

# --- verification (核查) ---
# The county officer reads its county as the city roles read the city (read-only).
VERIFIERS = frozenset({Role.TOWNSHIP_OFFICER, Role.COUNTY_OFFICER, Role.CITY_OFFICER, Role.LEADER})


class OneOf:
    """``ok`` for a route whose success differs by role: the city roll-up answers 200 to the city
    roles and redirects (302) a township officer to their own township's page."""

    def __init__(self, *statuses):
        self.statuses = statuses

    def __eq__(self, status):
        return status in self.statuses

    __hash__ = None

    def __repr__(self):
        return " or ".join(map(str, self.statuses))


def a_township(world, role):
    """Township A for its own roles, township B for the city; B is outside township A's scope."""
    inside = world.town_b if role in CITY_WIDE else world.town_a
    outside = None if role in CITY_SCOPE else world.town_b
    return {"pk": inside.pk}, (outside and {"pk": outside.pk})


ROWS = {
    "enrollment:verification": Row(VERIFIERS, ok=OneOf(200, 302)),
    "enrollment:verification_township": Row(VERIFIERS, target=a_township),
    "enrollment:verification_export": Row(VERIFIERS),
}

# --- households (独生子女证登记) ---
REGISTER_VIEWERS = frozenset(
    {Role.VILLAGE_CADRE, Role.TOWNSHIP_OFFICER, Role.COUNTY_OFFICER, Role.CITY_OFFICER, Role.LEADER}
)
REGISTER_KEEPERS = frozenset({Role.VILLAGE_CADRE})
_household_serial = itertools.count(1)


def _a_household_in(world, village, *, revoked=False):
    serial = next(_household_serial)
    body = f"320684{date(2005, 6, 1):%Y%m%d}{(serial % 500) * 2 + 1:03d}"
    mother = f"320684{date(1977, 8, 9):%Y%m%d}{(serial % 500) * 2:03d}"
    household = Household.objects.create(
        certificate_no=f"MATRIX{serial:06d}",
        village=village,
        hukou=Household.Hukou.RURAL,
        mother_name=f"母{serial}",
        mother_id_number=mother + check_character(mother),
        child_name=f"子{serial}",
        child_id_number=body + check_character(body),
        child_birth_date=date(2005, 6, 1),
        child_sex=Household.Sex.MALE,
    )
    if revoked:
        cadre = next(u for u in world.users.values() if u.area_id == village.pk)
        household_revoke(actor=cadre, household=household, reason="矩阵测试")
    return household


def _household_target(world, role, *, revoked=False):
    """A household in the role's scope, and one outside it (none for the city roles)."""
    inside, outside = {
        Role.CITY_OFFICER: (world.village_b1, None),
        Role.LEADER: (world.village_b1, None),
        Role.TOWNSHIP_OFFICER: (world.village_a2, world.village_b1),
        Role.VILLAGE_CADRE: (world.village_a1, world.village_a2),
    }.get(role, (world.village_a1, world.village_b1))
    inside = _a_household_in(world, inside, revoked=revoked)
    outside = outside and _a_household_in(world, outside, revoked=revoked)
    return {"pk": inside.pk}, (outside and {"pk": outside.pk})


def a_household(world, role):
    return _household_target(world, role)


def a_revoked_household(world, role):
    return _household_target(world, role, revoked=True)


ROWS.update(
    {
        "enrollment:household_list": Row(REGISTER_VIEWERS),
        "enrollment:household_detail": Row(REGISTER_VIEWERS, target=a_household),
        "enrollment:household_create": Row(REGISTER_KEEPERS),
        "enrollment:household_update": Row(REGISTER_KEEPERS, target=a_household),
        "enrollment:household_revoke": Row(REGISTER_KEEPERS, target=a_household),
        "enrollment:household_restore": Row(
            REGISTER_KEEPERS, ok=302, method="post", target=a_revoked_household
        ),
        "enrollment:duplicates": Row(REGISTER_VIEWERS),
    }
)

# --- register import (登记文件导入) ---
IMPORTERS = frozenset({Role.TOWNSHIP_OFFICER, Role.CITY_OFFICER})


def an_import(world, role):
    """A file uploaded by the role's actor, and one uploaded by township B (outside: a township
    officer sees only their own uploads; the city officer sees every upload)."""
    from enrollment.models import RegisterImport
    from tests.permissions import ACTORS

    def upload(user):
        return RegisterImport.objects.create(
            uploaded_by=user, filename="登记.csv", content="证号\n".encode()
        )

    inside = upload(world.user(ACTORS[role]))
    outside = None if role in CITY_SCOPE else upload(world.user("township_b"))
    return {"pk": inside.pk}, (outside and {"pk": outside.pk})


ROWS.update(
    {
        "enrollment:register_import": Row(IMPORTERS),
        "enrollment:register_import_preview": Row(IMPORTERS, target=an_import),
        "enrollment:register_import_confirm": Row(
            IMPORTERS, ok=302, method="post", target=an_import
        ),
        "enrollment:register_template": Row(IMPORTERS),
    }
)

# --- campaigns, rosters, township reports and their exports: one module each ---
from tests.enrollment import (  # noqa: E402
    routes_campaigns,
    routes_county_reports,
    routes_policies,
    routes_reports,
    routes_roster_exports,
    routes_rosters,
)

for _module in (
    routes_campaigns,
    routes_rosters,
    routes_reports,
    routes_county_reports,
    routes_roster_exports,
    routes_policies,
):
    ROWS.update(_module.ROWS)
