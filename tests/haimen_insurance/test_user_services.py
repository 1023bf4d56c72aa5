"""Users: created with one role and its scope, deactivated, reset; every change audited."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from haimen_insurance import services
from haimen_insurance.models import AuditEvent, User
from haimen_insurance.roles import Role

pytestmark = pytest.mark.django_db


def test_create_village_cadre_puts_them_in_their_role_group(world):
    user, password = services.user_create(
        actor=world.user("city"),
        username="cadre_new",
        full_name="新专干",
        role=Role.VILLAGE_CADRE,
        area=world.village_a2,
    )
    assert len(password) == 10
    assert user.check_password(password)
    assert list(user.groups.values_list("name", flat=True)) == ["村（社区）计生专干"]
    assert user.has_perm("haimen_insurance.view_area")
    assert not user.has_perm("haimen_insurance.manage_users")
    event = AuditEvent.objects.get(action="user.create", object_id=str(user.pk))
    assert event.actor == world.user("city")
    assert event.area == world.village_a2
    assert event.changes["role"] == "village_cadre"


@pytest.mark.parametrize(
    ("role", "area_key", "insurer_key", "message"),
    [
        (Role.VILLAGE_CADRE, "town_a", None, "村（社区）计生专干必须属于一个村（社区）。"),
        (Role.VILLAGE_CADRE, None, None, "村（社区）计生专干必须属于一个村（社区）。"),
        (Role.TOWNSHIP_OFFICER, "village_a1", None, "乡镇（园区）计生办必须属于一个乡镇（园区）。"),
        (Role.TOWNSHIP_FINANCE, None, None, "镇财政所必须属于一个乡镇（园区）。"),
        (Role.INSURER_STAFF, None, None, "保险公司人员必须属于一家保险公司。"),
        (Role.CITY_OFFICER, "town_a", None, "市级用户覆盖全市，请不要选择区域。"),
        (Role.LEADER, None, "insurer_a", "只有保险公司人员才选择保险公司。"),
    ],
)
def test_create_refuses_a_scope_that_does_not_fit_the_role(
    world, role, area_key, insurer_key, message
):
    with pytest.raises(ValidationError) as error:
        services.user_create(
            actor=world.user("city"),
            username="someone",
            role=role,
            area=area_key and getattr(world, area_key),
            insurer=insurer_key and getattr(world, insurer_key),
        )
    assert message in error.value.messages
    assert not User.objects.filter(username="someone").exists()


def test_database_refuses_a_cadre_without_area(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="orphan", role=Role.VILLAGE_CADRE)


def test_username_is_unique_ignoring_case(world):
    with pytest.raises(ValidationError) as error:
        services.user_create(actor=world.user("city"), username="CITY", role=Role.LEADER)
    assert "该用户名已被使用。" in error.value.messages


def test_deactivated_user_cannot_log_in(world, client):
    cadre = world.user("cadre_a1")
    services.user_deactivate(actor=world.user("city"), user=cadre)
    response = client.post(reverse("login"), {"username": "cadre_a1", "password": "Test-Passw0rd"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.text
    assert AuditEvent.objects.filter(action="user.deactivate", object_id=str(cadre.pk)).exists()


def test_cannot_deactivate_yourself(world):
    city = world.user("city")
    with pytest.raises(ValidationError, match="不能停用自己的账号"):
        services.user_deactivate(actor=city, user=city)


def test_reset_password_gives_a_new_working_password(world, client):
    cadre = world.user("cadre_a1")
    password = services.user_reset_password(actor=world.user("city"), user=cadre)
    response = client.post(reverse("login"), {"username": "cadre_a1", "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_update_audits_only_what_changed(world):
    cadre = world.user("cadre_a1")
    services.user_update(
        actor=world.user("city"),
        user=cadre,
        role=Role.VILLAGE_CADRE,
        full_name=cadre.full_name,
        phone="13800000000",
        area=world.village_a2,
        insurer=None,
    )
    event = AuditEvent.objects.get(action="user.update")
    assert event.changes == {"phone": ["", "13800000000"], "area": ["东兴村", "新河村"]}


def test_login_is_throttled_after_five_failures(world, client):
    for _ in range(5):
        client.post(reverse("login"), {"username": "cadre_a1", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "cadre_a1", "password": "Test-Passw0rd"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.text


def test_login_lands_each_role_on_its_workbench(world, client):
    headings = {
        "city": "海门市人口计生委 工作台",
        "leader": "全市概况",
        "township_a": "海门镇计生办 工作台",
        "finance_a": "海门镇财政所 工作台",
        "cadre_a1": "海门镇 东兴村 工作台",
        "insurer_a": "甲保险公司海门支公司 工作台",
    }
    for username, heading in headings.items():
        client.post(reverse("login"), {"username": username, "password": "Test-Passw0rd"})
        response = client.get(reverse("home"), follow=True)
        assert response.redirect_chain[-1][0] == reverse("workbench")
        assert heading in response.text, username
        client.post(reverse("logout"))


def test_city_officer_creates_a_cadre_in_the_app(world, client_for):
    client = client_for(world.user("city"))
    response = client.post(
        reverse("user_create"),
        {
            "username": "cadre_xinhe",
            "full_name": "王小红",
            "phone": "",
            "role": "village_cadre",
            "area": world.village_a2.pk,
        },
        follow=True,
    )
    created = User.objects.get(username="cadre_xinhe")
    assert "初始密码" in response.text
    assert created.area == world.village_a2
    client.force_login(created)
    # The initial password is the system's: the new cadre changes it before anything else.
    assert client.get(reverse("workbench"))["Location"] == reverse("password_change")
    services.user_password_change(actor=created, password="Xinhe-2013-mima")
    client.force_login(User.objects.get(pk=created.pk))
    page = client.get(reverse("workbench"))
    assert "海门镇 新河村 工作台" in page.text
    assert client.get(reverse("area_detail", args=[world.village_a1.pk])).status_code == 404
    assert client.get(reverse("area_detail", args=[world.village_a2.pk])).status_code == 200


def test_user_form_shows_the_reason_a_scope_is_refused(world, client_for):
    client = client_for(world.user("city"))
    response = client.post(
        reverse("user_create"),
        {"username": "x1", "full_name": "某", "role": "village_cadre", "area": world.town_a.pk},
    )
    assert response.status_code == 200
    assert "村（社区）计生专干必须属于一个村（社区）。" in response.text
