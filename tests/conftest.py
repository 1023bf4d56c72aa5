"""Builders shared by every test: a small area tree, insurers, and one user per role."""

from dataclasses import dataclass, field

import pytest

from haimen_insurance import services
from haimen_insurance.models import Area, Insurer, User
from haimen_insurance.roles import Role

pytest_plugins = ["tests.browser", "tests.workers"]

PASSWORD = "Test-Passw0rd"


@dataclass
class World:
    """Two townships, each with its own insurer and villages, and a user per role per area."""

    city: Area
    town_a: Area
    town_b: Area
    village_a1: Area
    village_a2: Area
    village_b1: Area
    insurer_a: Insurer
    insurer_b: Insurer
    users: dict[str, User] = field(default_factory=dict)

    def user(self, key: str) -> User:
        return self.users[key]


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


@pytest.fixture
def world(db) -> World:
    city = build_area("320684000000", "海门市", Area.Kind.CITY)
    insurer_a = Insurer.objects.create(code="INA", name="甲保险公司海门支公司")
    insurer_b = Insurer.objects.create(code="INB", name="乙保险公司海门支公司")
    town_a = build_area("320684100000", "海门镇", Area.Kind.TOWN, city)
    town_b = build_area("320684101000", "三星镇", Area.Kind.TOWN, city)
    services.insurer_assign_townships(actor=None, insurer=insurer_a, townships=[town_a])
    services.insurer_assign_townships(actor=None, insurer=insurer_b, townships=[town_b])
    town_a.refresh_from_db()
    town_b.refresh_from_db()
    w = World(
        city=city,
        town_a=town_a,
        town_b=town_b,
        village_a1=build_area("320684100201", "东兴村", Area.Kind.VILLAGE, town_a),
        village_a2=build_area("320684100202", "新河村", Area.Kind.VILLAGE, town_a),
        village_b1=build_area("320684101201", "南星村", Area.Kind.VILLAGE, town_b),
        insurer_a=insurer_a,
        insurer_b=insurer_b,
    )
    w.users = {
        "city": build_user("city", Role.CITY_OFFICER),
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
    return w


@pytest.fixture
def client_for(client):
    """client_for(user) → the test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login
