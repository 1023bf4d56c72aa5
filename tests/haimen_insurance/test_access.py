"""Who may do what on the floor (haimen_insurance/access.py), per role: areas, users, the
insurer of a township, the audit trail; and the services refuse whom the rules refuse."""

import pytest
from django.core.exceptions import PermissionDenied

from haimen_insurance import access, services
from haimen_insurance.models import Area, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ROLES = ["cadre_a1", "township_a", "finance_a", "insurer_a", "city", "leader"]


def holders(world, may, *args) -> set[str]:
    return {key for key in ROLES if may(world.user(key), *args)}


def test_who_sees_areas_users_and_the_audit_trail(world):
    assert holders(world, access.may_view_areas) == set(ROLES)
    assert holders(world, access.may_view_users) == {"township_a", "city", "leader"}
    assert holders(world, access.may_view_audit) == {"city", "leader"}


def test_only_the_city_officer_manages_users(world):
    cadre = world.user("cadre_a1")
    assert holders(world, access.may_manage_users) == {"city"}
    # The township officer sees the users of its township, and manages none of them.
    assert holders(world, access.may_manage_user, cadre) == {"city"}
    assert holders(world, access.may_manage_user, world.user("township_a")) == {"city"}
    assert access.may_manage_users(None) and access.may_manage_user(None, cadre)


def test_nobody_manages_a_break_glass_account(world):
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    assert holders(world, access.may_manage_user, root) == set()


def test_only_the_city_officer_names_a_townships_insurer(world):
    assert holders(world, access.may_assign_insurer, world.town_a) == {"city"}
    assert access.may_assign_insurer(None, world.town_a)


def test_a_deactivated_city_officer_may_do_nothing(world):
    city = world.user("city")
    city.is_active = False
    for may in (access.may_view_areas, access.may_view_users, access.may_manage_users):
        assert not may(city)
    assert not access.may_manage_user(city, world.user("cadre_a1"))


def test_the_user_services_refuse_whom_the_rules_refuse(world):
    township = world.user("township_a")
    cadre = world.user("cadre_a1")
    for service in (
        services.user_deactivate,
        services.user_activate,
        services.user_reset_password,
    ):
        with pytest.raises(PermissionDenied) as refused:
            service(actor=township, user=cadre)
        assert refused.value.args == ("只有市人口计生委可以管理用户。",)
    with pytest.raises(PermissionDenied):
        services.user_update(
            actor=township,
            user=cadre,
            role=cadre.role,
            full_name="改名",
            phone="",
            area=cadre.area,
            insurer=None,
        )
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=township, username="new_cadre", role=cadre.role, area=world.village_a2
        )
    cadre.refresh_from_db()
    assert cadre.is_active and cadre.full_name == "测试cadre_a1"
    assert not User.objects.filter(username="new_cadre").exists()


def test_assigning_an_insurer_is_refused_to_others_and_done_for_the_city(world):
    for key in ("township_b", "insurer_a", "leader"):
        with pytest.raises(PermissionDenied) as refused:
            services.insurer_assign_townships(
                actor=world.user(key), insurer=world.insurer_a, townships=[world.town_b]
            )
        assert refused.value.args == ("只有市人口计生委可以指定乡镇（园区）的承保公司。",)
    assert Area.objects.get(pk=world.town_b.pk).insurer == world.insurer_b
    services.insurer_assign_townships(
        actor=world.user("city"), insurer=world.insurer_a, townships=[world.town_b]
    )
    assert Area.objects.get(pk=world.town_b.pk).insurer == world.insurer_a
