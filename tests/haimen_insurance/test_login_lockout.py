"""The login lockout sees the client behind the proxy, and locks a username only from the
address that failed: five wrong passwords from a stranger's machine do not lock the finance
clerk out of their own office."""

import pytest
from django.test import override_settings
from django.urls import reverse

from haimen_insurance.settings.base import client_address
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NGINX = "127.0.0.1"
BEHIND_ONE_PROXY = client_address(1)


def attempt(client, username, password, forwarded_for):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        HTTP_X_FORWARDED_FOR=forwarded_for,
        REMOTE_ADDR=NGINX,
    )


@override_settings(**BEHIND_ONE_PROXY)
def test_a_stranger_locks_only_their_own_address(world, client):
    for _ in range(5):
        attempt(client, "finance_a", "wrong-password", "203.0.113.9")
    locked = attempt(client, "finance_a", PASSWORD, "203.0.113.9")
    assert "登录失败次数过多" in locked.text or locked.status_code == 429
    # The clerk in the township office: another client address behind the same nginx.
    office = attempt(client, "finance_a", PASSWORD, "198.51.100.20")
    assert office.status_code == 302
    assert office["Location"] == reverse("home")


@override_settings(**BEHIND_ONE_PROXY)
def test_an_address_the_client_writes_itself_is_not_believed(world, client):
    """nginx appends the address it saw; what the client put in front of it is ignored, so a
    stranger cannot pose as the office (nor escape their own lockout)."""
    for _ in range(5):
        attempt(client, "finance_a", "wrong-password", "198.51.100.20, 203.0.113.9")
    again = attempt(client, "finance_a", PASSWORD, "10.9.9.9, 203.0.113.9")
    assert again.status_code != 302
    office = attempt(client, "finance_a", PASSWORD, "198.51.100.20")
    assert office.status_code == 302


@override_settings(**BEHIND_ONE_PROXY)
def test_another_users_login_from_the_locked_address_still_works(world, client):
    for _ in range(5):
        attempt(client, "finance_a", "wrong-password", "203.0.113.9")
    response = attempt(client, "township_a", PASSWORD, "203.0.113.9")
    assert response.status_code == 302


def test_without_a_proxy_the_header_is_ignored(world, client):
    """The demo server has no proxy in front: an X-Forwarded-For header is the client's own
    words, so five failures lock the username from the connection's address whatever it says."""
    for number in range(5):
        attempt(client, "finance_a", "wrong-password", f"203.0.113.{number}")
    response = attempt(client, "finance_a", PASSWORD, "198.51.100.20")
    assert response.status_code != 302
