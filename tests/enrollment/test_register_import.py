"""Register import: check, apply, re-import, scope, concurrency; the browser flow; the command."""

import io
import os
import subprocess
import sys
from datetime import date
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from enrollment.models import Household, InsuredPerson, RegisterImport, Roster, RosterEntry
from enrollment.register_files import EXAMPLE_CERTIFICATE_NO, HEADERS
from enrollment.resident_ids import mask
from enrollment.selectors.rosters import roster_households, village_figures
from enrollment.services.register_import import register_import_apply, register_import_check
from enrollment.services.rosters import entry_decide, roster_approve, roster_submit
from haimen_insurance.models import Area, AuditEvent
from haimen_insurance.roles import Role
from tests.conftest import build_area, build_user
from tests.enrollment.conftest import build_household
from tests.enrollment.test_register_files import household_values, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def household_events():
    return AuditEvent.objects.filter(action__startswith="household.import_")


def good_rows():
    return [
        household_values("HM0001"),
        household_values("HM0002", village="新河村", 奖励金发放单位="海门港务有限公司"),
        household_values("HM0003", township="三星镇", village="南星村", 户籍性质="非农业"),
    ]


def import_file(actor, path):
    plan = register_import_check(actor=actor, file=path)
    assert [str(error) for error in plan.errors] == []
    return register_import_apply(actor=actor, plan=plan)


# The service --------------------------------------------------------------------------------


def test_a_good_file_creates_every_household_and_audits_each(world, tmp_path):
    city = world.user("city")
    path = write_xlsx(tmp_path / "登记.xlsx", good_rows())

    plan = register_import_check(actor=city, file=path)
    assert (len(plan.new), len(plan.changed), plan.unchanged) == (3, 0, 0)
    result = register_import_apply(actor=city, plan=plan)

    assert result.message == "导入完成：新增 3 户，更新 0 户，未变 0 户。"
    household = Household.objects.get(certificate_no="HM0002")
    assert household.village == world.village_a2
    assert household.employer_name == "海门港务有限公司"
    assert household.status == Household.Status.VALID
    assert household.child_birth_date == date(2010, 5, 1)
    assert Household.objects.get(certificate_no="HM0003").hukou == Household.Hukou.URBAN
    assert household_events().count() == 3
    event = household_events().get(object_id=str(household.pk))
    assert event.action == "household.import_create"
    assert event.actor == city
    assert event.area == world.village_a2
    assert event.changes["village"] == [None, "海门镇新河村"]
    assert event.changes["employer_name"] == [None, "海门港务有限公司"]
    summary = AuditEvent.objects.get(action="register_import.apply")
    assert summary.changes["new_count"] == 3
    assert result.upload.status == RegisterImport.Status.APPLIED
    assert result.upload.filename == "登记.xlsx"


def test_a_mixed_file_lists_every_bad_row_and_writes_nothing(world, tmp_path):
    city = world.user("city")
    valid_id = household_values()["子女身份证号"]
    mistyped_id = valid_id[:17] + ("0" if valid_id[17] != "0" else "1")
    rows = [
        household_values("HM0001"),
        household_values("HM0002", village="西湖村"),
        household_values("HM0003"),
        household_values("HM0004", 子女身份证号=mistyped_id),
        household_values("HM0005", township="东海镇"),
    ]
    path = write_xlsx(tmp_path / "登记.xlsx", rows)
    households_before, events_before = Household.objects.count(), AuditEvent.objects.count()

    plan = register_import_check(actor=city, file=path)

    assert [str(error) for error in plan.errors] == [
        "第3行 村（社区）：海门镇没有名为“西湖村”的村（社区）",
        f"第5行 子女身份证号：校验码错误：末位应为{valid_id[17]}，请核对身份证号是否输错",
        "第6行 乡镇：没有名为“东海镇”的乡镇",
    ]
    assert plan.error_banner == "文件中有 3 行有错误，未写入任何数据。请修改后重新上传。"
    with pytest.raises(ValidationError) as refused:
        register_import_apply(actor=city, plan=plan)
    assert refused.value.messages == ["文件中有 3 行有错误，未写入任何数据。请修改后重新上传。"]
    assert Household.objects.count() == households_before == 0
    assert AuditEvent.objects.count() == events_before
    assert not RegisterImport.objects.exists()

    rows[1]["村（社区）"] = "新河村"
    rows[3]["子女身份证号"] = valid_id
    rows[4]["乡镇"] = "三星镇"
    rows[4]["村（社区）"] = "南星村"
    corrected = write_xlsx(tmp_path / "登记-改正.xlsx", rows)

    assert import_file(city, corrected).message == "导入完成：新增 5 户，更新 0 户，未变 0 户。"
    events_after_first_import = AuditEvent.objects.count()

    again = register_import_check(actor=city, file=corrected)
    assert (len(again.new), len(again.changed), again.unchanged) == (0, 0, 5)
    result = register_import_apply(actor=city, plan=again)
    assert result.message == "导入完成：新增 0 户，更新 0 户，未变 5 户。"
    assert Household.objects.count() == 5
    assert AuditEvent.objects.count() == events_after_first_import


def test_a_changed_file_updates_by_certificate_number_and_audits_each_change(world, tmp_path):
    city = world.user("city")
    rows = good_rows()
    import_file(city, write_xlsx(tmp_path / "一.xlsx", rows))
    first = Household.objects.get(certificate_no="HM0001")
    rows[0].update({"联系电话": "13800000001", "家庭住址": "东兴村9组"})
    rows[1].update({"村（社区）": "东兴村", "奖励金发放单位": "村集体"})

    plan = register_import_check(actor=city, file=write_xlsx(tmp_path / "二.xlsx", rows))
    assert (len(plan.new), len(plan.changed), plan.unchanged) == (0, 2, 1)
    result = register_import_apply(actor=city, plan=plan)

    assert result.message == "导入完成：新增 0 户，更新 2 户，未变 1 户。"
    assert Household.objects.count() == 3
    first.refresh_from_db()
    assert (first.phone, first.address) == ("13800000001", "东兴村9组")
    second = Household.objects.get(certificate_no="HM0002")
    assert (second.village, second.employer_name) == (world.village_a1, "")
    updates = {
        event.object_id: event.changes
        for event in AuditEvent.objects.filter(action="household.import_update")
    }
    assert updates == {
        str(first.pk): {
            "phone": ["13912345678", "13800000001"],
            "address": ["东兴村8组", "东兴村9组"],
        },
        str(second.pk): {
            "village": ["海门镇新河村", "海门镇东兴村"],
            "employer_name": ["海门港务有限公司", ""],
        },
    }


def test_a_household_edited_between_check_and_write_is_compared_again(world, tmp_path):
    city = world.user("city")
    rows = good_rows()
    import_file(city, write_xlsx(tmp_path / "一.xlsx", rows))
    for row in rows[:2]:
        row["联系电话"] = "13800000009"
    plan = register_import_check(actor=city, file=write_xlsx(tmp_path / "二.xlsx", rows))
    assert len(plan.changed) == 2
    # Meanwhile a cadre types the same new phone into HM0001 and another one into HM0002.
    later = timezone.now()
    Household.objects.filter(certificate_no="HM0001").update(phone="13800000009", updated_at=later)
    Household.objects.filter(certificate_no="HM0002").update(phone="13700000000", updated_at=later)

    result = register_import_apply(actor=city, plan=plan)

    assert (result.changed, result.unchanged) == (1, 2)
    [event] = AuditEvent.objects.filter(action="household.import_update")
    assert event.object_repr.startswith("HM0002")
    assert event.changes == {"phone": ["13700000000", "13800000009"]}
    assert Household.objects.get(certificate_no="HM0002").phone == "13800000009"


def test_a_household_deleted_between_check_and_write_is_left_out(world, tmp_path):
    city = world.user("city")
    rows = good_rows()
    import_file(city, write_xlsx(tmp_path / "一.xlsx", rows))
    for row in rows:
        row["联系电话"] = "13800000009"
    plan = register_import_check(actor=city, file=write_xlsx(tmp_path / "二.xlsx", rows))
    assert len(plan.changed) == 3
    with connection.cursor() as cursor:  # as an administrator would, by hand
        cursor.execute("DELETE FROM enrollment_household WHERE certificate_no = 'HM0003'")

    result = register_import_apply(actor=city, plan=plan)

    assert (result.new, result.changed, result.unchanged) == (0, 2, 1)
    updated = AuditEvent.objects.filter(action="household.import_update")
    assert sorted(event.object_repr[:6] for event in updated) == ["HM0001", "HM0002"]
    assert not Household.objects.filter(certificate_no="HM0003").exists()
    assert set(Household.objects.values_list("phone", flat=True)) == {"13800000009"}


def enrolled_in_xinhe(world, campaign, tmp_path):
    """HM0002 imported into 新河村 and enrolled in its 2013 roster; the rows, to change."""
    rows = good_rows()
    import_file(world.user("city"), write_xlsx(tmp_path / "一.xlsx", rows))
    roster = Roster.objects.get(campaign=campaign, village=world.village_a2)
    household = Household.objects.get(certificate_no="HM0002")
    entry_decide(actor=None, roster=roster, household=household, decision="enrolled")
    rows[1]["村（社区）"] = "东兴村"
    return rows, roster, household


def test_a_household_moving_village_leaves_the_roster_still_being_filled_in(
    world, campaign, tmp_path
):
    rows, roster, household = enrolled_in_xinhe(world, campaign, tmp_path)
    city = world.user("city")
    plan = register_import_check(actor=city, file=write_xlsx(tmp_path / "二.xlsx", rows))
    assert [str(notice) for notice in plan.notices] == [
        "第3行 村（社区）：证号 HM0002 迁往海门镇东兴村，其在海门镇新河村2013年度名册中的登记"
        "（参保）将被撤销，由新村（社区）重新登记"
    ]

    register_import_apply(actor=city, plan=plan)

    assert not RosterEntry.objects.filter(household=household).exists()
    assert not InsuredPerson.objects.filter(campaign=campaign).exists()
    [cleared] = AuditEvent.objects.filter(action="roster.clear")
    assert (cleared.area, cleared.changes) == (world.village_a2, {"decision": ["enrolled", ""]})
    assert village_figures(roster).enrolled == 0
    dongxing = Roster.objects.get(campaign=campaign, village=world.village_a1)
    moved = roster_households(dongxing).get(pk=household.pk)
    assert (moved.decision, moved.eligibility) == ("", "eligible")
    entry_decide(actor=None, roster=dongxing, household=household, decision="enrolled")
    assert village_figures(dongxing).policies == 2


def test_a_household_in_a_submitted_roster_cannot_move_village(world, campaign, tmp_path):
    rows, roster, household = enrolled_in_xinhe(world, campaign, tmp_path)
    roster_submit(actor=None, roster=roster)
    city = world.user("city")
    plan = register_import_check(actor=city, file=write_xlsx(tmp_path / "二.xlsx", rows))
    assert [str(error) for error in plan.errors] == [
        "第3行 村（社区）：证号 HM0002 已登记在海门镇新河村2013年度名册中，该名册已提交待审核，"
        "不能迁村。请乡镇（园区）计生办先退回该名册，再导入"
    ]
    with pytest.raises(ValidationError):
        register_import_apply(actor=city, plan=plan)
    household.refresh_from_db()
    assert household.village == world.village_a2
    assert RosterEntry.objects.filter(roster=roster, household=household).exists()


def test_a_roster_submitted_after_the_check_rolls_the_move_back(world, campaign, tmp_path):
    rows, roster, household = enrolled_in_xinhe(world, campaign, tmp_path)
    city = world.user("city")
    plan = register_import_check(actor=city, file=write_xlsx(tmp_path / "二.xlsx", rows))
    assert plan.errors == [] and len(plan.changed) == 1
    roster_submit(actor=None, roster=roster)

    with pytest.raises(ValidationError) as refused:
        register_import_apply(actor=city, plan=plan)

    assert "新河村2013年度名册已提交待审核" in str(refused.value)
    household.refresh_from_db()
    assert household.village == world.village_a2
    assert RosterEntry.objects.filter(roster=roster, household=household).exists()
    assert not AuditEvent.objects.filter(action="household.import_update").exists()


def test_an_approved_roster_keeps_the_years_entry_of_a_household_that_moves(
    world, campaign, tmp_path
):
    rows, roster, household = enrolled_in_xinhe(world, campaign, tmp_path)
    roster_submit(actor=None, roster=roster)
    roster_approve(actor=None, roster=roster)
    city = world.user("city")
    plan = register_import_check(actor=city, file=write_xlsx(tmp_path / "二.xlsx", rows))
    assert (plan.errors, plan.notices, len(plan.changed)) == ([], [], 1)

    register_import_apply(actor=city, plan=plan)

    household.refresh_from_db()
    assert household.village == world.village_a1
    assert RosterEntry.objects.get(household=household).roster == roster


def test_text_with_tabs_newlines_and_backslashes_is_stored_as_typed(world, tmp_path):
    address = "东兴村8组\n张家宅\\1\t号"
    row = household_values(家庭住址=address, 父亲姓名="张\\建华")

    import_file(world.user("city"), write_xlsx(tmp_path / "登记.xlsx", [row]))

    household = Household.objects.get()
    assert (household.address, household.father_name) == (address, "张\\建华")
    event = AuditEvent.objects.get(action="household.import_create")
    assert event.changes["address"] == [None, address]


def test_a_column_left_out_of_the_file_keeps_its_value(world, tmp_path):
    city = world.user("city")
    import_file(city, write_xlsx(tmp_path / "一.xlsx", good_rows()))
    headers = [header for header in HEADERS if header != "联系电话"]

    plan = register_import_check(
        actor=city, file=write_xlsx(tmp_path / "二.xlsx", good_rows(), headers=headers)
    )

    assert plan.unchanged == 0  # the new IDs made by good_rows() differ from the first file's
    assert all("phone" not in change.changes for change in plan.changed)


def test_a_child_already_on_another_valid_certificate_is_refused(world, tmp_path):
    existing = build_household(world.village_b1, certificate_no="OLD0001")
    row = household_values(
        "NEW0001", birth=existing.child_birth_date, 子女身份证号=existing.child_id_number
    )

    plan = register_import_check(
        actor=world.user("city"), file=write_xlsx(tmp_path / "登记.xlsx", [row])
    )

    assert [str(error) for error in plan.errors] == [
        "第2行 子女身份证号：子女身份证号已登记在证号 OLD0001 上"
    ]


def test_a_child_on_a_revoked_certificate_may_be_registered_again(world, tmp_path):
    revoked = build_household(
        world.village_b1, certificate_no="OLD0001", status="revoked", status_reason="证件遗失"
    )
    row = household_values(
        "NEW0001", birth=revoked.child_birth_date, 子女身份证号=revoked.child_id_number
    )

    result = import_file(world.user("city"), write_xlsx(tmp_path / "登记.xlsx", [row]))

    assert result.new == 1


def test_a_township_officer_cannot_import_another_townships_village(world, tmp_path):
    rows = [
        household_values("HM0001"),
        household_values("HM0002", township="三星镇", village="南星村"),
    ]

    plan = register_import_check(
        actor=world.user("township_a"), file=write_xlsx(tmp_path / "登记.xlsx", rows)
    )

    assert [str(error) for error in plan.errors] == [
        "第3行 村（社区）：三星镇南星村不在您的管辖范围内，您只能导入海门镇的村（社区）"
    ]


def test_a_township_officer_cannot_take_over_another_townships_certificate(world, tmp_path):
    build_household(world.village_b1, certificate_no="B000001")
    row = household_values("B000001")  # names 海门镇东兴村, inside township A

    plan = register_import_check(
        actor=world.user("township_a"), file=write_xlsx(tmp_path / "登记.xlsx", [row])
    )

    assert [str(error) for error in plan.errors] == [
        "第2行 证号：证号 B000001 已登记在您管辖范围以外的村（社区），不能修改"
    ]


def test_a_role_without_the_permission_cannot_import(world, tmp_path):
    path = write_xlsx(tmp_path / "登记.xlsx", good_rows())

    with pytest.raises(Exception, match="没有导入独生子女证登记的权限"):
        register_import_check(actor=world.user("cadre_a1"), file=path)


def test_a_child_registered_meanwhile_rolls_the_whole_import_back(world, tmp_path):
    """Between the check and the write someone registers the same child: the database
    constraint stops the write, and the update written before it is rolled back too."""
    city = world.user("city")
    existing = build_household(world.village_a1, certificate_no="EXIST01", phone="13900000000")
    changed = household_values(
        "EXIST01",
        birth=existing.child_birth_date,
        子女身份证号=existing.child_id_number,
        子女姓名=existing.child_name,
        父亲姓名=existing.father_name,
        父亲身份证号=existing.father_id_number,
        母亲姓名=existing.mother_name,
        母亲身份证号=existing.mother_id_number,
        联系电话="13811112222",
    )
    new = household_values("HM0001")
    plan = register_import_check(
        actor=city, file=write_xlsx(tmp_path / "登记.xlsx", [changed, new])
    )
    assert (len(plan.new), len(plan.changed)) == (1, 1)
    build_household(
        world.village_b1,
        certificate_no="RACE01",
        child_id_number=new["子女身份证号"],
        child_birth_date=new["子女出生日期"],
    )
    events_before = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        register_import_apply(actor=city, plan=plan)

    assert refused.value.messages == [
        "导入时发现有子女身份证号已登记在另一本有效的独生子女证上（可能有人同时在登记），"
        "未写入任何数据。请重新上传文件核对。"
    ]
    existing.refresh_from_db()
    assert existing.phone == "13900000000"
    assert not Household.objects.filter(certificate_no="HM0001").exists()
    assert AuditEvent.objects.count() == events_before
    assert not RegisterImport.objects.exists()


def test_a_15_digit_id_is_stored_upgraded(world, tmp_path):
    path = write_csv(
        tmp_path / "登记.csv",
        [household_values(父亲身份证号="320684800315031")],
        encoding="gb18030",
    )

    plan = register_import_check(actor=world.user("city"), file=path)
    register_import_apply(actor=world.user("city"), plan=plan)

    assert len(Household.objects.get().father_id_number) == 18
    assert [notice.old for notice in plan.notices] == ["320684800315031"]


# The browser --------------------------------------------------------------------------------


def upload(client, path):
    with open(path, "rb") as handle:
        return client.post(reverse("enrollment:register_import"), {"file": handle})


def test_the_upload_page_offers_the_templates(world, client_for):
    response = client_for(world.user("township_a")).get(reverse("enrollment:register_import"))

    assert response.status_code == 200
    assert reverse("enrollment:register_template") in response.text
    assert "下载 CSV 模板" in response.text


def test_a_bad_file_shows_every_bad_row_and_cannot_be_confirmed(world, client_for, tmp_path):
    client = client_for(world.user("township_a"))
    rows = [
        household_values("HM0001"),
        household_values("HM0002", 子女性别="未知"),
        household_values("HM0003", township="三星镇", village="南星村"),
    ]

    response = upload(client, write_xlsx(tmp_path / "登记.xlsx", rows))

    upload_row = RegisterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == upload_row.get_absolute_url()
    page = client.get(response["Location"]).text
    assert "文件中有 2 行有错误，未写入任何数据。请修改后重新上传。" in page
    assert "第3行" in page and "只能填“男”或“女”，不能是“未知”" in page
    assert "第4行" in page and "三星镇南星村不在您的管辖范围内" in page
    assert reverse("enrollment:register_import_confirm", args=[upload_row.pk]) not in page

    confirmed = client.post(
        reverse("enrollment:register_import_confirm", args=[upload_row.pk]), follow=True
    )

    assert "这个文件有错误，不能导入。请修改后重新上传。" in confirmed.text
    assert not Household.objects.exists()


def test_a_good_file_is_previewed_then_imported_once(world, client_for, tmp_path):
    client = client_for(world.user("township_a"))
    rows = [household_values("HM0001"), household_values("HM0002", village="新河村")]

    response = upload(client, write_xlsx(tmp_path / "登记.xlsx", rows))
    page = client.get(response["Location"]).text

    upload_row = RegisterImport.objects.get()
    confirm_url = reverse("enrollment:register_import_confirm", args=[upload_row.pk])
    assert "检查通过，还没有写入任何数据" in page
    assert confirm_url in page
    assert 'data-confirm="确定导入吗？将新增 2 户，更新 0 户。"' in page
    assert rows[0]["子女身份证号"] in page  # a township officer sees IDs in full
    assert not Household.objects.exists()

    confirmed = client.post(confirm_url, follow=True)

    assert "导入完成：新增 2 户，更新 0 户，未变 0 户。" in confirmed.text
    assert "已导入：新增 2 户，更新 0 户，未变 0 户。" in confirmed.text
    assert confirm_url not in confirmed.text
    assert Household.objects.count() == 2

    again = client.post(confirm_url, follow=True)

    assert "不能重复导入" in again.text
    assert Household.objects.count() == 2


def test_confirm_checks_the_stored_file_again(world, client_for, tmp_path):
    client = client_for(world.user("township_a"))
    row = household_values("HM0001")
    response = upload(client, write_xlsx(tmp_path / "登记.xlsx", [row]))
    upload_row = RegisterImport.objects.get()
    build_household(
        world.village_a2,
        certificate_no="MEANWHILE",
        child_id_number=row["子女身份证号"],
        child_birth_date=row["子女出生日期"],
    )

    confirmed = client.post(
        reverse("enrollment:register_import_confirm", args=[upload_row.pk]), follow=True
    )

    assert "文件中有 1 行有错误，未写入任何数据。请修改后重新上传。" in confirmed.text
    assert "子女身份证号已登记在证号 MEANWHILE 上" in confirmed.text
    upload_row.refresh_from_db()
    assert upload_row.status == RegisterImport.Status.DISCARDED
    assert not Household.objects.filter(certificate_no="HM0001").exists()
    assert response.status_code == 302


def test_a_changed_household_shows_old_and_new_values(world, client_for, tmp_path):
    city = world.user("city")
    rows = good_rows()
    import_file(city, write_xlsx(tmp_path / "一.xlsx", rows))
    rows[0]["联系电话"] = "13800000001"
    client = client_for(city)

    response = upload(client, write_xlsx(tmp_path / "二.xlsx", rows))
    page = client.get(response["Location"]).text

    assert "联系电话：13912345678 → 13800000001" in page
    # The city officer does not see resident IDs in full.
    assert mask(rows[1]["子女身份证号"]) not in page  # unchanged rows are not listed
    assert rows[0]["子女身份证号"] not in page


def test_the_upload_form_refuses_other_files(world, client_for):
    client = client_for(world.user("township_a"))
    url = reverse("enrollment:register_import")

    for name, message in [
        ("登记.txt", "只能上传 .xlsx、.xls、.ods 或 .csv 文件。"),
        ("登记.xlsb", "只能上传 .xlsx、.xls、.ods 或 .csv 文件。"),
    ]:
        response = client.post(url, {"file": SimpleUploadedFile(name, b"data")})
        assert response.status_code == 200
        assert message in response.text
    big = SimpleUploadedFile("登记.csv", b"0" * (20 * 1024 * 1024 + 1))
    response = client.post(url, {"file": big})
    assert "文件太大（20.0 MB），不能超过 20 MB。" in response.text
    assert not RegisterImport.objects.exists()


def test_the_preview_query_count_does_not_grow_with_rows(
    world, client_for, tmp_path, django_assert_num_queries
):
    city = world.user("city")
    rows = [household_values(f"HM{n:04d}", 父亲身份证号="320684800315031") for n in range(8)]
    import_file(city, write_xlsx(tmp_path / "一.xlsx", rows[:4]))
    for row in rows[:4]:
        row["家庭住址"] = "新地址"
    rows.append(household_values("HM0001"))  # a duplicate certificate number: one error row
    client = client_for(city)
    response = upload(client, write_xlsx(tmp_path / "二.xlsx", rows))

    with django_assert_num_queries(4):
        page = client.get(response["Location"])

    assert page.status_code == 200
    assert "文件中有 1 行有错误" in page.text
    assert page.text.count("15位旧身份证号已升级为18位") == 8


def test_the_xlsx_template_has_the_headers_an_example_and_text_id_columns(world, client_for):
    response = client_for(world.user("township_a")).get(reverse("enrollment:register_template"))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(HEADERS)
    example = dict(zip(HEADERS, rows[1], strict=True))
    assert example["证号"] == EXAMPLE_CERTIFICATE_NO
    assert (example["乡镇"], example["村（社区）"]) == ("海门镇", "东兴村")
    assert isinstance(example["子女身份证号"], str) and len(example["子女身份证号"]) == 18
    assert sheet.freeze_panes == "A2"
    for column in "EGI":  # the three ID columns
        assert sheet.column_dimensions[column].number_format == "@"
        assert sheet[f"{column}2"].data_type == "s"


def test_the_csv_template_is_utf8_with_a_bom_and_imports_nothing(world, client_for, tmp_path):
    client = client_for(world.user("township_a"))
    response = client.get(reverse("enrollment:register_template") + "?format=csv")

    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig").splitlines()[0] == ",".join(HEADERS)
    path = tmp_path / "模板.csv"
    path.write_bytes(response.content)
    plan = register_import_check(actor=world.user("township_a"), file=path)
    assert plan.errors == []
    assert (len(plan.new), len(plan.changed), plan.unchanged) == (0, 0, 0)
    assert [notice.message for notice in plan.notices] == ["这是模板中的示例行，已跳过"]


def template_example(client) -> dict:
    """The example row of the .xlsx template ``client`` downloads, by header."""
    response = client.get(reverse("enrollment:register_template"))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    return dict(zip(HEADERS, rows[1], strict=True))


@pytest.mark.parametrize("world", ["jian"], indirect=True)
def test_a_jian_template_names_a_jian_township_and_village(world, client_for, settings):
    settings.PROGRAMME = "jian"
    example = template_example(client_for(world.user("township_a")))

    assert (example["乡镇"], example["村（社区）"]) == ("敦厚镇", "东兴村")
    assert example["家庭住址"] == "敦厚镇东兴村8组"
    assert example["子女身份证号"].startswith("360821")  # 吉安县's code, where 敦厚镇 lies


@pytest.mark.parametrize("world", ["jian"], indirect=True)
def test_a_township_without_villages_gives_its_own_name(world, client_for, settings):
    settings.PROGRAMME = "jian"
    town = build_area("360822101000", "阜田镇", Area.Kind.TOWN, world.county_b)
    officer = build_user("township_new", Role.TOWNSHIP_OFFICER, area=town)

    example = template_example(client_for(officer))

    assert (example["乡镇"], example["村（社区）"]) == ("阜田镇", "罗坊村")
    assert example["父亲身份证号"].startswith("360822")  # 吉水县's


def test_without_any_area_the_programmes_example_is_given(db, client_for, settings):
    settings.PROGRAMME = "jian"
    city = build_user("city", Role.CITY_OFFICER)  # before the areas are loaded

    example = template_example(client_for(city))

    assert (example["乡镇"], example["村（社区）"]) == ("敦厚镇", "罗坊村")
    assert example["母亲身份证号"].startswith("360821")
    assert "海门" not in "".join(str(value) for value in example.values())


# The command --------------------------------------------------------------------------------


def test_the_command_imports_and_prints_the_counts(world, tmp_path):
    path = write_xlsx(tmp_path / "登记.xlsx", good_rows())
    out = StringIO()

    call_command("import_register", str(path), stdout=out, stderr=StringIO())

    assert "导入完成：新增 3 户，更新 0 户，未变 0 户。" in out.getvalue()
    assert Household.objects.count() == 3
    upload_row = RegisterImport.objects.get()
    assert (upload_row.uploaded_by, upload_row.status) == (None, RegisterImport.Status.APPLIED)


def test_the_command_dry_run_writes_nothing(world, tmp_path):
    path = write_csv(tmp_path / "登记.csv", good_rows(), encoding="utf-8-sig")
    out = StringIO()

    call_command("import_register", str(path), "--dry-run", stdout=out, stderr=StringIO())

    assert "检查通过（试运行，未写入任何数据）：新增 3 户，更新 0 户，未变 0 户。" in out.getvalue()
    assert not Household.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="register_import").exists()


def test_the_command_reports_each_bad_row_and_fails(world, tmp_path):
    rows = good_rows()
    rows[1]["子女身份证号"] = 320684201005010010
    err = StringIO()

    with pytest.raises(CommandError) as failed:
        call_command(
            "import_register",
            str(write_xlsx(tmp_path / "登记.xlsx", rows)),
            stdout=StringIO(),
            stderr=err,
        )

    assert str(failed.value) == "文件中有 1 行有错误，未写入任何数据。请修改后重新上传。"
    assert "第3行 子女身份证号：身份证号被Excel存成了数字" in err.getvalue()
    assert not Household.objects.exists()


def test_the_command_refuses_a_missing_file(world, tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_register", str(tmp_path / "没有.xlsx"))


@pytest.mark.django_db(transaction=True)
def test_the_command_exit_status_in_a_real_process(world, tmp_path):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "haimen_insurance.settings.test",
        "TEST_DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
    }
    good = write_xlsx(tmp_path / "好.xlsx", good_rows())
    bad_rows = good_rows()
    bad_rows[0]["子女性别"] = "?"
    bad = write_xlsx(tmp_path / "坏.xlsx", bad_rows)

    def run(path):
        return subprocess.run(
            [sys.executable, "manage.py", "import_register", str(path), "--dry-run"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    passed, failed = run(good), run(bad)

    assert passed.returncode == 0, passed.stderr
    assert "新增 3 户" in passed.stdout
    assert failed.returncode != 0
    assert "第2行 子女性别：只能填“男”或“女”，不能是“?”" in failed.stderr
    assert failed.stderr.strip().splitlines()[-1] == (
        "CommandError: 文件中有 1 行有错误，未写入任何数据。请修改后重新上传。"
    )
    assert not Household.objects.exists()
