"""The audit trail is append-only: not the model, not a queryset, not the admin, not SQL."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from haimen_insurance.audit import audit_record
from haimen_insurance.models import AuditEvent, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(world):
    return audit_record(
        actor=world.user("city"), action="user.update", obj=world.user("cadre_a1"), changes={}
    )


def test_saving_again_is_refused(event):
    event.action = "forged"
    with pytest.raises(PermissionDenied):
        event.save()


def test_deleting_is_refused(event):
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")


def test_the_database_refuses_update_and_delete(event):
    for sql in (
        "UPDATE haimen_insurance_auditevent SET action = 'forged'",
        "DELETE FROM haimen_insurance_auditevent",
    ):
        with (
            pytest.raises(DatabaseError, match="审计记录只能追加"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).action == "user.update"


def test_admin_offers_no_change_or_delete(world, event, client):
    admin = User.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    change = client.get(reverse("admin:haimen_insurance_auditevent_change", args=[event.pk]))
    assert change.status_code == 200
    assert "保存" not in change.text or 'name="_save"' not in change.text
    delete = client.get(reverse("admin:haimen_insurance_auditevent_delete", args=[event.pk]))
    assert delete.status_code == 403
    assert client.get(reverse("admin:haimen_insurance_auditevent_add")).status_code == 403


def test_audit_list_shows_the_event_in_chinese(world, event, client_for):
    response = client_for(world.user("leader")).get(reverse("audit_list"))
    assert "修改用户" in response.text
    assert "测试cadre_a1" in response.text


def test_every_action_the_services_record_reads_in_chinese():
    """The audit trail shows action labels, never codes such as ``roster.submit``: the code names
    the members of ``AuditAction`` (each with its Chinese label), never a string of its own."""
    import re
    from pathlib import Path

    from haimen_insurance.audit_labels import AuditAction

    root = Path(__file__).resolve().parents[2]
    strings, members = set(), set()
    for app in ("haimen_insurance", "enrollment", "claims", "oversight", "scripts"):
        for source in (root / app).rglob("*.py"):
            text = source.read_text()
            strings.update(re.findall(r'action="([a-z_]+\.[a-z_]+)"', text))
            members.update(re.findall(r"AuditAction\.([A-Z_]+)", text))
    assert strings == set()
    assert {"ROSTER_SUBMIT", "POLICIES_ISSUE", "EXPORT_DOWNLOAD"} <= members
    assert members - set(AuditAction.names) == set()
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in AuditAction.labels)


@pytest.fixture
def trail(world):
    """A household added by the 东兴村 cadre, one by the 南星村 cadre, and a user change."""
    from enrollment.services.households import household_revoke
    from tests.enrollment.conftest import build_household

    first = build_household(world.village_a1)
    second = build_household(world.village_b1)
    household_revoke(actor=world.user("cadre_a1"), household=first, reason="重复办证")
    household_revoke(actor=world.user("cadre_b1"), household=second, reason="证件作废")
    audit_record(
        actor=world.user("city"), action="user.update", obj=world.user("cadre_a1"), changes={}
    )
    return first, second


def test_auditors_filter_by_user_area_type_action_and_date(world, trail, client_for):
    from django.utils import timezone

    client = client_for(world.user("leader"))
    url = reverse("audit_list")

    def count(**query):
        return client.get(url, query).context["table"].paginator.count

    everything = count()  # the world's users were created and audited too
    assert everything > 3
    assert count(actor=world.user("cadre_a1").pk) == 1
    assert (
        count(area=world.town_a.pk, object_type="enrollment.household") == 1
    )  # 东兴村 is under 海门镇
    assert count(area=world.village_b1.pk, object_type="enrollment.household") == 1
    assert count(object_type="enrollment.household") == 2
    assert count(action="user.update", actor=world.user("city").pk) == 1
    today = timezone.localdate().isoformat()
    assert count(date_from=today, date_to=today) == everything
    assert count(date_to="2000-01-01") == 0
    page = client.get(url, {"object_type": "enrollment.household"}).text
    assert "注销独生子女证" in page and "重复办证" in page


def test_a_large_audit_export_is_a_job_with_the_same_rows(world, trail, client_for, settings):
    import io

    from openpyxl import load_workbook

    from haimen_insurance.jobs.models import Job

    settings.JOBS_IMMEDIATE_ROWS = 1
    client = client_for(world.user("leader"))
    page = client.get(
        reverse("audit_export"), {"object_type": "enrollment.household"}, follow=True
    ).text
    job = Job.objects.get()
    assert (job.kind, job.status, job.result_note) == ("audit_export", "done", "共 2 条。")
    assert "后台任务" in page and "导出审计日志" in page and "共 2 条。" in page
    response = client.get(reverse("job_download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(rows) == 2 and {row[3] for row in rows} == {"注销独生子女证"}


def test_the_audit_export_has_the_filtered_events_in_chinese(world, trail, client_for):
    import io

    from openpyxl import load_workbook

    response = client_for(world.user("leader")).get(
        reverse("audit_export"), {"object_type": "enrollment.household"}
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header[:4] == ["时间", "操作人", "角色", "操作"]
    assert len(rows) == 2
    assert {row[3] for row in rows} == {"注销独生子女证"}
    assert {row[4] for row in rows} == {"独生子女证登记"}
    assert any("重复办证" in row[7] for row in rows)
