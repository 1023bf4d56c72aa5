"""The navigation bar of each role: the items read the roles' permissions, never a role."""

import pytest

from haimen_insurance.models import User
from haimen_insurance.navigation import NAV_ITEMS, items_for
from haimen_insurance.roles import role_permissions
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ENROLMENT_AND_CLAIMS = [
    "参保名册",
    "独生子女证登记",
    "核查",
    "保单查询",
    "理赔",
]
BARS = {
    "cadre_a1": ["工作台", "参保名册", "独生子女证登记", "保单查询", "理赔"],
    "township_a": [
        "工作台",
        "仪表板",
        "参保年度",
        *ENROLMENT_AND_CLAIMS,
        "区划",
        "用户",
    ],
    "finance_a": ["工作台", "参保年度", "区划"],
    "city_finance": ["工作台", "参保年度", "区划"],
    "insurer_a": ["工作台", "参保年度", "保单查询", "理赔", "区划"],
    "city": [
        "工作台",
        "仪表板",
        "考核",
        "参保年度",
        *ENROLMENT_AND_CLAIMS,
        "区划",
        "用户",
        "审计日志",
    ],
    "leader": [
        "工作台",
        "仪表板",
        "考核",
        "参保年度",
        *ENROLMENT_AND_CLAIMS,
        "区划",
        "审计日志",
    ],
}


@pytest.mark.parametrize("key", list(BARS))
def test_each_role_sees_its_items(world, key):
    assert [item.label for item in items_for(world.user(key))] == BARS[key]


def test_the_cadre_and_the_others_reach_their_own_rosters_page(world):
    def rosters(key):
        return [item.url_name for item in items_for(world.user(key)) if item.label == "参保名册"]

    assert rosters("cadre_a1") == ["enrollment:roster_mine"]
    assert rosters("township_a") == rosters("city") == ["enrollment:rosters_overview"]


def test_a_break_glass_account_has_no_bar(world):
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    assert items_for(root) == []


def test_every_item_names_permissions_that_exist():
    from django.contrib.auth.models import Permission

    named = {p for item in NAV_ITEMS for p in (*item.perms, *item.or_perms)}
    existing = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    assert named <= existing


@pytest.mark.parametrize("key", list(BARS))
def test_the_bar_gives_the_answer_of_has_perm(world, key):
    """The bar reads the roles' declared permissions; the groups hold exactly those."""
    user = User.objects.get(pk=world.user(key).pk)
    held = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in user.groups.get().permissions.select_related("content_type")
    }
    assert held == role_permissions(user.role)
    for item in NAV_ITEMS:
        by_perm = (
            user.has_perms(item.perms) or bool(item.or_perms) and user.has_perms(item.or_perms)
        )
        assert (item in items_for(user)) == by_perm, (key, item.label)
