"""First login: a user given an initial or reset password changes it before anything else."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from haimen_insurance import services
from haimen_insurance.models import User
from haimen_insurance.roles import Role

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Haimen-2013-xin"


def test_a_generated_initial_password_must_be_changed(world):
    user, _ = services.user_create(
        actor=world.user("city"),
        username="cadre_new",
        role=Role.VILLAGE_CADRE,
        area=world.village_a2,
    )
    assert user.must_change_password


def test_a_chosen_password_is_not_forced(world):
    """The suite's and the demo's users are made with a password of their own."""
    assert not any(user.must_change_password for user in world.users.values())


def test_a_reset_password_must_be_changed_and_changing_clears_it(world):
    cadre = world.user("cadre_a1")
    services.user_reset_password(actor=world.user("city"), user=cadre)
    cadre.refresh_from_db()
    assert cadre.must_change_password
    services.user_password_change(actor=cadre, password=NEW_PASSWORD)
    cadre.refresh_from_db()
    assert not cadre.must_change_password


def test_create_user_command_forces_a_change(world, capsys):
    call_command("create_user", "city_two", "--role", "city_officer", "--full-name", "王二")
    assert User.objects.get(username="city_two").must_change_password


def test_every_page_sends_the_user_to_the_password_change(world, client):
    cadre = world.user("cadre_a1")
    password = services.user_reset_password(actor=world.user("city"), user=cadre)
    assert (
        client.post(reverse("login"), {"username": "cadre_a1", "password": password}).status_code
        == 302
    )
    change = reverse("password_change")
    for url in (reverse("workbench"), reverse("enrollment:household_list"), "/no-such-page/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == change
    response = client.post(reverse("enrollment:household_create"), {})
    assert response.status_code == 302 and response["Location"] == change
    page = client.get(change)
    assert page.status_code == 200
    assert "请先修改密码" in page.text
    response = client.post(
        change,
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get(reverse("workbench")).status_code == 200


def test_logout_and_static_files_stay_open(world, client, settings):
    cadre = world.user("cadre_a1")
    services.user_reset_password(actor=world.user("city"), user=cadre)
    client.force_login(User.objects.get(pk=cadre.pk))
    assert client.get(f"{settings.STATIC_URL}js/app.js").status_code != 302
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] != reverse("password_change")


def test_seeded_demo_users_are_not_forced(db):
    call_command("seed_demo", "--scale", "demo", verbosity=0)
    assert User.objects.with_role().exists()
    assert not User.objects.filter(must_change_password=True).exists()
