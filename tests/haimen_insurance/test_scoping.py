"""One scoping door: each role sees the areas, insurers and users of its own scope only."""

import pytest

from haimen_insurance.models import Area, Insurer, User, area_scope

pytestmark = pytest.mark.django_db


def names(queryset):
    return sorted(str(row) for row in queryset)


def test_city_roles_see_every_area(world):
    for key in ("city", "leader"):
        assert Area.objects.for_user(world.user(key)).count() == 6


def test_township_officer_sees_own_township_and_its_villages(world):
    visible = Area.objects.for_user(world.user("township_a"))
    assert names(visible) == sorted(["海门镇", "东兴村", "新河村"])


def test_finance_sees_own_township_only(world):
    assert names(Area.objects.for_user(world.user("finance_b"))) == sorted(["三星镇", "南星村"])


def test_village_cadre_sees_own_village_only(world):
    assert names(Area.objects.for_user(world.user("cadre_a2"))) == ["新河村"]


def test_insurer_sees_the_townships_it_covers(world):
    assert names(Area.objects.for_user(world.user("insurer_b"))) == sorted(["三星镇", "南星村"])
    assert names(Insurer.objects.for_user(world.user("insurer_b"))) == ["乙保险公司海门支公司"]


def test_inactive_user_sees_nothing(world):
    cadre = world.user("cadre_a1")
    cadre.is_active = False
    assert not Area.objects.for_user(cadre).exists()


def test_users_are_scoped(world):
    assert User.objects.for_user(world.user("city")).count() == 12  # with the city finance office
    assert names(User.objects.for_user(world.user("township_a"))) == sorted(
        ["测试township_a", "测试finance_a", "测试cadre_a1", "测试cadre_a2"]
    )
    assert names(User.objects.for_user(world.user("cadre_b1"))) == ["测试cadre_b1"]
    assert names(User.objects.for_user(world.user("insurer_a"))) == ["测试insurer_a"]


def test_insurer_of_a_village_is_its_townships(world):
    assert names(Insurer.objects.for_user(world.user("cadre_b1"))) == ["乙保险公司海门支公司"]
    assert names(Insurer.objects.for_user(world.user("township_a"))) == ["甲保险公司海门支公司"]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("city", ["东兴村", "新河村", "南星村"]),
        ("township_a", ["东兴村", "新河村"]),
        ("cadre_a1", ["东兴村"]),
        ("insurer_b", ["南星村"]),
    ],
)
def test_area_scope_for_village_level_rows(world, key, expected):
    """area_scope() is what every village-level model's for_user() filters by; the village
    cadres' own rows stand in for such a model here (their ``area`` is a village)."""
    cadres = User.objects.filter(role="village_cadre")
    scoped = cadres.filter(area_scope(world.user(key), village="area")).select_related("area")
    assert sorted(cadre.area.name for cadre in scoped) == sorted(expected)
