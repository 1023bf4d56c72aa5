"""Data that should never have been accepted or kept: weak or published passwords (with the
rules' messages in Chinese), scans left on disk after they were replaced or removed, and pages
with personal data that a browser or proxy may cache. (Certificate dates: test_campaign_bounds.)"""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.claims.conftest import issued, report_claim  # noqa: F401 (fixture)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def change_password(client, new):
    return client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("haimen2013", "不能使用演示系统的公开密码"),
        ("Haimen2013", "不能使用演示系统的公开密码"),
        ("abc12", "密码太短，至少要有 8 个字符。"),
        ("12345678", "密码只包含数字"),
        ("password", "这个密码太常见了"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(world, client_for, password, message):
    client = client_for(world.user("cadre_a1"))
    response = change_password(client, password)
    assert response.status_code == 200
    assert message in response.text
    assert "This password" not in response.text
    cadre = world.user("cadre_a1")
    cadre.refresh_from_db()
    assert cadre.check_password(PASSWORD)


def test_the_password_page_states_the_rules_in_chinese(world, client_for):
    response = client_for(world.user("cadre_a1")).get(reverse("password_change"))
    assert "密码至少要有 8 个字符。" in response.text
    assert "不能使用演示系统的公开密码。" in response.text


def tick_with_scan(client, claim, content: bytes):
    scan = SimpleUploadedFile("发票.pdf", content, content_type="application/pdf")
    client.post(
        reverse("claims:document_tick", args=[claim.pk]),
        {"item": "invoices", "received_on": "2013-05-06", "file": scan},
    )
    return claim.documents.get(item="invoices").file.name


def test_a_replaced_or_removed_scan_leaves_the_disk(
    world,
    issued,  # noqa: F811
    client_for,
    django_capture_on_commit_callbacks,
):
    claim = report_claim("林小雨", actor=world.user("cadre_a1"))
    cadre = client_for(world.user("cadre_a1"))
    with django_capture_on_commit_callbacks(execute=True):
        first = tick_with_scan(cadre, claim, b"%PDF-1.4 first")
    with django_capture_on_commit_callbacks(execute=True):
        second = tick_with_scan(cadre, claim, b"%PDF-1.4 second")
    assert first != second
    assert not default_storage.exists(first)
    assert default_storage.exists(second)
    timeline = cadre.get(reverse("claims:claim_detail", args=[claim.pk])).text
    assert "替换的扫描件" in timeline
    with django_capture_on_commit_callbacks(execute=True):
        cadre.post(reverse("claims:document_remove", args=[claim.pk, "invoices"]))
    assert not claim.documents.exists()
    assert not default_storage.exists(second)
    timeline = cadre.get(reverse("claims:claim_detail", args=[claim.pk])).text
    assert "删除的扫描件" in timeline


@pytest.mark.parametrize(
    "url",
    ["workbench", "user_list", "enrollment:household_list", "claims:claim_list", "audit_export"],
)
def test_pages_with_personal_data_are_not_cached(world, client_for, url):
    user = world.user("city")
    response = client_for(user).get(reverse(url))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_static_files_may_be_cached(world, client_for):
    response = client_for(world.user("city")).get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
