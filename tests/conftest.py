"""Builders shared by every test: a small area tree, insurers, and one user per role.

The tree is Haimen's shape (the city right above its townships) unless a test asks for
``world`` with ``@pytest.mark.parametrize("world", ["jian"], indirect=True)``: Ji'an's shape,
city → county → township → village, with the same names for the same places (township A in
county A, township B in county B) and the county roles' users beside the others."""

from dataclasses import dataclass, field

import pytest

from haimen_insurance import services
from haimen_insurance.models import Area, Insurer, User
from haimen_insurance.roles import Role

pytest_plugins = ["tests.browser", "tests.workers"]

PASSWORD = "Test-Passw0rd"


@dataclass
class World:
    """Two townships, each with its own insurer and villages, and a user per role per area;
    in Ji'an's shape each township in a county of its own, with the county's users."""

    city: Area
    town_a: Area
    town_b: Area
    village_a1: Area
    village_a2: Area
    village_b1: Area
    insurer_a: Insurer
    insurer_b: Insurer
    users: dict[str, User] = field(default_factory=dict)
    county_a: Area | None = None
    county_b: Area | None = None

    def user(self, key: str) -> User:
        return self.users[key]

    @property
    def shape(self) -> str:
        return "jian" if self.county_a is not None else "haimen"

    @property
    def roles(self) -> list[Role]:
        """The roles that have a user here (every role but the county ones in Haimen's shape),
        in ``Role`` order."""
        from tests.permissions import ACTORS

        return [role for role in Role if ACTORS[role] in self.users]


def build_area(code: str, name: str, kind: str, parent: Area | None = None) -> Area:
    return Area.objects.create(code=code, name=name, kind=kind, parent=parent)


def build_user(username: str, role: str, *, area=None, insurer=None) -> User:
    user, _ = services.user_create(
        actor=None,
        username=username,
        full_name=f"测试{username}",
        role=role,
        area=area,
        insurer=insurer,
        password=PASSWORD,
    )
    return user


# (code, name) of each place in each shape: Haimen's, and Ji'an's with two counties.
SHAPES = {
    "haimen": {
        "city": ("320684000000", "海门市"),
        "town_a": ("320684100000", "海门镇"),
        "town_b": ("320684101000", "三星镇"),
        "village_a1": ("320684100201", "东兴村"),
        "village_a2": ("320684100202", "新河村"),
        "village_b1": ("320684101201", "南星村"),
    },
    "jian": {
        "city": ("360800000000", "吉安市"),
        "county_a": ("360821000000", "吉安县"),
        "county_b": ("360822000000", "吉水县"),
        "town_a": ("360821100000", "敦厚镇"),
        "town_b": ("360822100000", "文峰镇"),
        "village_a1": ("360821100201", "东兴村"),
        "village_a2": ("360821100202", "新河村"),
        "village_b1": ("360822100201", "南星村"),
    },
}


def build_world(shape: str = "haimen") -> World:
    places = SHAPES[shape]
    city = build_area(*places["city"], Area.Kind.CITY)
    counties = {}
    for key in ("county_a", "county_b"):
        if key in places:
            counties[key] = build_area(*places[key], Area.Kind.COUNTY, city)
    insurer_a = Insurer.objects.create(code="INA", name="甲保险公司海门支公司")
    insurer_b = Insurer.objects.create(code="INB", name="乙保险公司海门支公司")
    town_a = build_area(*places["town_a"], Area.Kind.TOWN, counties.get("county_a", city))
    town_b = build_area(*places["town_b"], Area.Kind.TOWN, counties.get("county_b", city))
    services.insurer_assign_townships(actor=None, insurer=insurer_a, townships=[town_a])
    services.insurer_assign_townships(actor=None, insurer=insurer_b, townships=[town_b])
    town_a.refresh_from_db()
    town_b.refresh_from_db()
    w = World(
        city=city,
        town_a=town_a,
        town_b=town_b,
        village_a1=build_area(*places["village_a1"], Area.Kind.VILLAGE, town_a),
        village_a2=build_area(*places["village_a2"], Area.Kind.VILLAGE, town_a),
        village_b1=build_area(*places["village_b1"], Area.Kind.VILLAGE, town_b),
        insurer_a=insurer_a,
        insurer_b=insurer_b,
        **counties,
    )
    w.users = {
        "city": build_user("city", Role.CITY_OFFICER),
        "city_finance": build_user("city_finance", Role.CITY_FINANCE),
        "leader": build_user("leader", Role.LEADER),
        "township_a": build_user("township_a", Role.TOWNSHIP_OFFICER, area=town_a),
        "township_b": build_user("township_b", Role.TOWNSHIP_OFFICER, area=town_b),
        "finance_a": build_user("finance_a", Role.TOWNSHIP_FINANCE, area=town_a),
        "finance_b": build_user("finance_b", Role.TOWNSHIP_FINANCE, area=town_b),
        "cadre_a1": build_user("cadre_a1", Role.VILLAGE_CADRE, area=w.village_a1),
        "cadre_a2": build_user("cadre_a2", Role.VILLAGE_CADRE, area=w.village_a2),
        "cadre_b1": build_user("cadre_b1", Role.VILLAGE_CADRE, area=w.village_b1),
        "insurer_a": build_user("insurer_a", Role.INSURER_STAFF, insurer=insurer_a),
        "insurer_b": build_user("insurer_b", Role.INSURER_STAFF, insurer=insurer_b),
    }
    if counties:
        for side in ("a", "b"):
            county = counties[f"county_{side}"]
            w.users[f"county_{side}"] = build_user(
                f"county_{side}", Role.COUNTY_OFFICER, area=county
            )
            w.users[f"county_finance_{side}"] = build_user(
                f"county_finance_{side}", Role.COUNTY_FINANCE, area=county
            )
    return w


@pytest.fixture
def world(db, request) -> World:
    """Haimen's shape; Ji'an's when parametrized indirectly with "jian"."""
    return build_world(getattr(request, "param", "haimen"))


@pytest.fixture
def client_for(client):
    """client_for(user) → the test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login
