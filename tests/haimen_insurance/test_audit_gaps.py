"""What the audit trail once missed: a user changing their own password, downloads of files
with resident IDs in full (who, when, which file, how many rows), and TRUNCATE of the trail
itself, which the database now refuses as it refuses UPDATE and DELETE. (Admin edits cannot
happen at all: the admin is read-only, see test_superuser_takeover.)"""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from haimen_insurance.audit import audit_record
from haimen_insurance.models import AuditEvent
from tests.conftest import PASSWORD
from tests.haimen_insurance.payloads import build_year

pytestmark = pytest.mark.django_db


def test_changing_ones_own_password_is_recorded(world, client_for):
    cadre = world.user("cadre_a1")
    client = client_for(cadre)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Dongxing-2024-new",
            "new_password2": "Dongxing-2024-new",
        },
    )
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert cadre.check_password("Dongxing-2024-new")
    event = AuditEvent.objects.get(action="user.change_password")
    assert event.actor == cadre and event.object_id == str(cadre.pk)
    assert event.get_action_label() == "修改本人密码"
    # Still signed in after the change.
    assert client.get(reverse("workbench")).status_code == 200


def test_downloads_with_full_ids_are_recorded(world, client_for):
    year = build_year(world, "普通")
    downloads = [
        ("cadre_a1", reverse("enrollment:roster_xlsx", args=[year.roster.pk]), "参保名册（Excel）"),
        ("cadre_a1", reverse("enrollment:roster_pdf", args=[year.roster.pk]), "参保名册（PDF）"),
        (
            "insurer_a",
            reverse("enrollment:policy_list_xlsx", args=[year.report.pk]),
            "保单清单（Excel）",
        ),
        ("insurer_a", reverse("claims:claim_export"), "理赔登记（Excel）"),
    ]
    for who, url, export in downloads:
        response = client_for(world.user(who)).get(url)
        assert response.status_code == 200, url
        event = AuditEvent.objects.filter(action="export.download").first()
        assert event.actor == world.user(who), url
        assert event.changes["文件"] == export
    roster_xlsx = AuditEvent.objects.filter(
        action="export.download", changes__文件="参保名册（Excel）"
    ).get()
    assert roster_xlsx.changes["行数"] == 3  # 东兴村's three families
    assert roster_xlsx.area == world.village_a1
    policies = AuditEvent.objects.filter(
        action="export.download", changes__文件="保单清单（Excel）"
    ).get()
    assert policies.changes["行数"] == 6  # two products × (2 + 1) enrolled families


def test_downloads_with_masked_ids_are_not(world, client_for):
    year = build_year(world, "普通")
    client = client_for(world.user("city"))
    assert client.get(reverse("enrollment:roster_xlsx", args=[year.roster.pk])).status_code == 200
    assert client.get(reverse("claims:claim_export")).status_code == 200
    assert not AuditEvent.objects.filter(action="export.download").exists()


def test_the_database_refuses_truncate(world):
    event = audit_record(actor=None, action="user.update", obj=world.user("cadre_a1"))
    with (
        pytest.raises(DatabaseError, match="审计记录只能追加"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own pending checks first
        cursor.execute("TRUNCATE haimen_insurance_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()
