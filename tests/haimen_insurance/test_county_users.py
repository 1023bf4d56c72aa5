"""The county roles' users, in Ji'an's shape: each tied to a county, refused with a Chinese
message (and nothing written) for a scope that does not fit; the county officer manages its
county's township and village users, nobody else."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from haimen_insurance import access, services
from haimen_insurance.models import AuditEvent, User
from haimen_insurance.roles import Role, role_permissions
from tests.permissions import db_fingerprint

pytestmark = [pytest.mark.django_db, pytest.mark.parametrize("world", ["jian"], indirect=True)]


def create(actor, role, area=None, username="someone", **extra):
    return services.user_create(
        actor=actor, username=username, full_name="某某", role=role, area=area, **extra
    )


@pytest.mark.parametrize(
    ("role", "area_key", "message"),
    [
        (
            Role.TOWNSHIP_OFFICER,
            "county_a",
            "乡镇（园区）计生办属于一个乡镇（园区），不能属于县（区）吉安县。",
        ),
        (
            Role.TOWNSHIP_FINANCE,
            "county_b",
            "镇财政所属于一个乡镇（园区），不能属于县（区）吉水县。",
        ),
        (Role.COUNTY_OFFICER, "town_a", "县（区）计生委必须属于一个县（区）。"),
        (Role.COUNTY_FINANCE, None, "县财政局必须属于一个县（区）。"),
        (Role.COUNTY_OFFICER, "city", "县（区）计生委必须属于一个县（区）。"),
        (Role.VILLAGE_CADRE, "county_a", "村（社区）计生专干必须属于一个村（社区）。"),
        (Role.CITY_OFFICER, "county_a", "市级用户覆盖全市，请不要选择区域。"),
    ],
)
def test_a_scope_that_does_not_fit_the_role_is_refused_and_nothing_written(
    world, role, area_key, message
):
    before = db_fingerprint()
    with pytest.raises(ValidationError) as refused:
        create(world.user("city"), role, area_key and getattr(world, area_key))
    assert message in refused.value.messages
    assert db_fingerprint() == before
    # The model says the same (the admin's and any form's check).
    person = User(username="x", role=role, area=area_key and getattr(world, area_key))
    with pytest.raises(ValidationError) as cleaned:
        person.clean()
    assert message in cleaned.value.messages


def test_the_database_refuses_a_county_role_without_an_area(world):
    with transaction.atomic(), pytest.raises(IntegrityError):
        User.objects.create(username="nobody", role=Role.COUNTY_OFFICER)


def test_the_county_roles_hold_their_groups_permissions(world):
    officer, finance = world.user("county_a"), world.user("county_finance_a")
    assert list(officer.groups.values_list("name", flat=True)) == ["县（区）计生委"]
    for user in (officer, finance):
        assert set(role_permissions(user.role)) == user.get_all_permissions()
        assert not user.sees_full_ids
    assert officer.has_perm("haimen_insurance.manage_users")
    assert officer.has_perm("oversight.view_dashboard")
    assert not officer.has_perm("enrollment.review_roster")
    assert not officer.has_perm("enrollment.make_township_report")
    assert finance.has_perm("enrollment.view_fundtransfer")
    assert finance.has_perm("enrollment.record_transfer")  # the county share of its reports


def test_the_county_officer_creates_its_countys_township_and_village_users(world):
    officer = world.user("county_a")
    cadre, _ = create(officer, Role.VILLAGE_CADRE, world.village_a2, username="cadre_new")
    township, _ = create(officer, Role.TOWNSHIP_FINANCE, world.town_a, username="finance_new")
    finance, _ = create(officer, Role.COUNTY_FINANCE, world.county_a, username="county_fin2")
    assert [user.area for user in (cadre, township, finance)] == [
        world.village_a2,
        world.town_a,
        world.county_a,
    ]
    event = AuditEvent.objects.get(action="user.create", object_id=str(cadre.pk))
    assert event.actor == officer and event.area == world.village_a2


@pytest.mark.parametrize(
    ("role", "area_key", "insurer_key"),
    [
        (Role.VILLAGE_CADRE, "village_b1", None),  # another county's village
        (Role.TOWNSHIP_OFFICER, "town_b", None),
        (Role.COUNTY_FINANCE, "county_b", None),
        (Role.COUNTY_OFFICER, "county_a", None),  # a peer: the city officer's to make
        (Role.CITY_OFFICER, None, None),
        (Role.LEADER, None, None),
        (Role.INSURER_STAFF, None, "insurer_a"),
    ],
)
def test_the_county_officer_gives_no_other_role_or_county(world, role, area_key, insurer_key):
    officer = world.user("county_a")
    before = db_fingerprint()
    with pytest.raises(PermissionDenied) as refused:
        create(
            officer,
            role,
            area_key and getattr(world, area_key),
            insurer=insurer_key and getattr(world, insurer_key),
        )
    assert str(refused.value) == access.COUNTY_USERS_ONLY
    assert db_fingerprint() == before


def test_the_county_officer_manages_only_its_countys_users(world):
    officer = world.user("county_a")
    managed = {key for key, user in world.users.items() if access.may_manage_user(officer, user)}
    assert managed == {"township_a", "finance_a", "cadre_a1", "cadre_a2", "county_finance_a"}
    services.user_reset_password(actor=officer, user=world.user("cadre_a1"))
    for key in ("cadre_b1", "county_a", "county_b", "city", "insurer_a"):
        with pytest.raises(PermissionDenied):
            services.user_deactivate(actor=officer, user=world.user(key))
    # Nor may it move one of its users out of its county.
    with pytest.raises(PermissionDenied):
        services.user_update(
            actor=officer,
            user=world.user("cadre_a1"),
            role=Role.VILLAGE_CADRE,
            full_name="测试cadre_a1",
            phone="",
            area=world.village_b1,
            insurer=None,
        )
    assert User.objects.get(pk=world.user("cadre_a1").pk).area == world.village_a1
    # County finance manages nobody.
    assert not access.may_manage_users(world.user("county_finance_a"))


def test_the_county_officers_user_form_offers_its_roles_and_areas_only(world, client_for):
    client = client_for(world.user("county_a"))
    page = client.get(reverse("user_create"))
    assert page.status_code == 200
    form = page.context["form"]
    assert [value for value, _ in form.fields["role"].choices] == [
        "village_cadre",
        "township_officer",
        "township_finance",
        "county_finance",
    ]
    assert sorted(area.name for area in form.fields["area"].queryset) == sorted(
        ["吉安县", "敦厚镇", "东兴村", "新河村"]
    )
    assert not form.fields["insurer"].queryset.exists()
    # A township role for the county itself: the form says why, nothing is written.
    before = db_fingerprint()
    response = client.post(
        reverse("user_create"),
        {
            "username": "x1",
            "full_name": "某",
            "role": "township_officer",
            "area": world.county_a.pk,
        },
    )
    assert response.status_code == 200
    assert "乡镇（园区）计生办属于一个乡镇（园区），不能属于县（区）吉安县。" in response.text
    # A city role is not among the choices; another county's village is not in the list.
    for data in (
        {"role": "city_officer", "area": ""},
        {"role": "village_cadre", "area": world.village_b1.pk},
    ):
        response = client.post(
            reverse("user_create"), {"username": "x2", "full_name": "某", **data}
        )
        assert response.status_code == 200 and "选择一个有效的选项" in response.text
    assert db_fingerprint() == before
    response = client.post(
        reverse("user_create"),
        {
            "username": "cadre_xh",
            "full_name": "王小红",
            "role": "village_cadre",
            "area": world.village_a2.pk,
        },
        follow=True,
    )
    assert "初始密码" in response.text
    assert User.objects.get(username="cadre_xh").area == world.village_a2


def test_the_county_officer_lists_and_opens_its_countys_users(world, client_for):
    client = client_for(world.user("county_a"))
    listing = client.get(reverse("user_list"))
    assert "cadre_a1" in listing.text and "cadre_b1" not in listing.text
    assert "新建用户" in listing.text
    inside = client.get(reverse("user_update", args=[world.user("cadre_a1").pk]))
    assert inside.status_code == 200
    for key in ("cadre_b1", "township_b", "city"):
        assert client.get(reverse("user_update", args=[world.user(key).pk])).status_code == 404
    # Itself: its page, no edit.
    own = client.get(reverse("user_detail", args=[world.user("county_a").pk]))
    assert own.status_code == 200 and own.context["can_manage"] is False
    response = client.post(reverse("user_deactivate", args=[world.user("county_a").pk]))
    assert response.status_code == 403
