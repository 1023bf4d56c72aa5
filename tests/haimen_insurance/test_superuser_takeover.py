"""Break-glass accounts stay out of the app's reach, and the admin writes nothing.

A superuser (``createsuperuser``) or staff account is never listed, shown or touched by the
app's user management, whoever asks (404, as for a user that does not exist); no role can be
raised beyond the app's six; and the Django admin is read-only for every model it shows, so
no change can bypass the services and their audit events.
"""

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from haimen_insurance import services
from haimen_insurance.models import Area, AuditEvent, User
from haimen_insurance.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(world):
    return User.objects.create_superuser("root", "root@example.org", PASSWORD)


@pytest.fixture
def staff(world):
    return User.objects.create_user("helpdesk", password=PASSWORD, is_staff=True)


@pytest.mark.parametrize("who", ["root", "staff"])
def test_the_city_officer_neither_sees_nor_touches_a_break_glass_account(
    world, client_for, request, who
):
    account = request.getfixturevalue(who)
    before = User.objects.get(pk=account.pk).password
    client = client_for(world.user("city"))
    listing = client.get(reverse("user_list"))
    assert listing.status_code == 200
    shown = {person.username for person in listing.context["table"].data}
    assert account.username not in shown
    assert "cadre_a1" in shown
    for name in ("user_detail", "user_update"):
        assert client.get(reverse(name, args=[account.pk])).status_code == 404
    for name in ("user_reset_password", "user_deactivate", "user_activate", "user_update"):
        response = client.post(reverse(name, args=[account.pk]), {"full_name": "x"})
        assert response.status_code == 404, name
    account.refresh_from_db()
    assert account.password == before
    assert account.is_active
    assert not AuditEvent.objects.filter(object_id=str(account.pk)).exists()


def test_the_services_refuse_a_break_glass_account(world, root):
    for service in (services.user_reset_password, services.user_deactivate):
        with pytest.raises(PermissionDenied):
            service(actor=world.user("city"), user=root)
    with pytest.raises(PermissionDenied):
        services.user_update(
            actor=world.user("city"),
            user=root,
            role=Role.CITY_OFFICER,
            full_name="",
            phone="",
            area=None,
            insurer=None,
        )


def test_no_role_beyond_the_six(world, client_for):
    client = client_for(world.user("city"))
    response = client.post(
        reverse("user_create"), {"username": "boss", "full_name": "某人", "role": "superuser"}
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.text
    assert not User.objects.filter(username="boss").exists()
    with pytest.raises(ValidationError, match="请选择系统中的一个角色"):
        services.user_create(actor=world.user("city"), username="boss", role="superuser")


def test_the_database_refuses_a_role_with_the_admin(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=world.user("city").pk).update(is_superuser=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=world.user("cadre_a1").pk).update(is_staff=True)


def test_a_break_glass_account_does_not_count_in_the_city_workbench(world, root, client_for):
    response = client_for(world.user("city")).get(reverse("workbench"))
    assert response.context["user_count"] == User.objects.with_role().count()
    assert root not in User.objects.for_user(world.user("city"))


def test_every_model_in_the_admin_is_read_only(world, root, rf):
    request = rf.get("/admin/")
    request.user = root
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "axes":
            continue  # login attempts, not domain data: deleting one unlocks a user
        label = model._meta.label
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label


def test_an_admin_edit_of_a_townships_insurer_is_refused(world, root, client):
    client.force_login(root)
    town = world.town_a
    url = reverse("admin:haimen_insurance_area_change", args=[town.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    response = client.post(
        url,
        {
            "code": town.code,
            "name": town.name,
            "kind": town.kind,
            "parent": world.city.pk,
            "insurer": world.insurer_b.pk,
        },
    )
    assert response.status_code == 403
    assert Area.objects.get(pk=town.pk).insurer == world.insurer_a
    assert client.get(reverse("admin:haimen_insurance_area_add")).status_code == 403
    cadre = world.user("cadre_a1")
    password = reverse("admin:auth_user_password_change", args=[cadre.pk])
    response = client.post(password, {"password1": "Zz-9876543210", "password2": "Zz-9876543210"})
    assert response.status_code == 403
    cadre.refresh_from_db()
    assert cadre.check_password(PASSWORD)
