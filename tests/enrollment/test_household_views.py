"""The register in the browser: list, search, detail, add, edit, revoke, restore."""

import re
from datetime import date

import pytest
from django.urls import reverse

from enrollment.models import Household
from enrollment.resident_ids import check_character
from enrollment.services.households import household_revoke, household_update
from haimen_insurance.models import AuditEvent
from tests.enrollment.conftest import build_household, make_id

pytestmark = pytest.mark.django_db

MASKED = re.compile(r"\d{6}\*{8}[0-9X]{4}")
CHILD_BIRTH = date(2006, 3, 15)


def form_data(**overrides):
    data = {
        "certificate_no": "HM-2012-0101",
        "hukou": "rural",
        "certificate_date": "2007-01-10",
        "receives_reward": "on",
        "employer_name": "",
        "phone": "13812345678",
        "address": "东兴村三组12号",
        "child_name": "张小明",
        "child_id_number": make_id(CHILD_BIRTH, male=True),
        "child_birth_date": "2006-03-15",
        "child_sex": "male",
        "father_name": "张建国",
        "father_id_number": make_id(date(1978, 5, 4), male=True),
        "mother_name": "李秀英",
        "mother_id_number": make_id(date(1980, 9, 21), male=False),
    }
    data.update(overrides)
    return data


def url(name, *args):
    return reverse(f"enrollment:{name}", args=args)


# --- add ---


def test_cadre_adds_a_certificate_for_own_village(world, client_for):
    client = client_for(world.user("cadre_a1"))
    page = client.get(url("household_create"))
    assert page.status_code == 200
    assert "新增独生子女证登记" in page.text
    assert 'type="date"' in page.text
    assert '<option value="rural">农业</option>' in page.text
    assert 'placeholder="村集体"' in page.text

    response = client.post(url("household_create"), form_data(), follow=True)

    household = Household.objects.get(certificate_no="HM-2012-0101")
    assert household.village == world.village_a1
    assert response.redirect_chain[-1][0] == household.get_absolute_url()
    assert "已登记：证号 HM-2012-0101（张小明）。" in response.text


def test_bad_id_shows_the_chinese_reason_and_keeps_every_value(world, client_for):
    good = make_id(CHILD_BIRTH)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    data = form_data(child_id_number=wrong, address="东兴村五组8号")

    response = client_for(world.user("cadre_a1")).post(url("household_create"), data)

    assert response.status_code == 200
    assert f"校验码错误：末位应为{good[17]}，请核对身份证号是否输错" in response.text
    assert "is-invalid" in response.text
    for value in (
        wrong,
        "HM-2012-0101",
        "张小明",
        "东兴村五组8号",
        "2006-03-15",
        data["mother_id_number"],
    ):
        assert f'value="{value}"' in response.text
    assert not Household.objects.exists()


def test_birth_date_disagreeing_with_the_id_is_shown_beside_the_field(world, client_for):
    response = client_for(world.user("cadre_a1")).post(
        url("household_create"), form_data(child_birth_date="2006-03-16")
    )
    assert "出生日期与身份证号不符（身份证号为2006-03-15）" in response.text
    assert 'value="2006-03-16"' in response.text


def test_missing_fields_are_named_in_chinese(world, client_for):
    response = client_for(world.user("cadre_a1")).post(
        url("household_create"), form_data(child_name="", hukou="")
    )
    assert "请填写子女姓名。" in response.text
    assert "请选择户籍性质。" in response.text


def test_a_15_digit_id_is_upgraded_and_the_message_says_so(world, client_for):
    old = "320684780504113"
    body = "32068419780504113"
    upgraded = body + check_character(body)

    response = client_for(world.user("cadre_a1")).post(
        url("household_create"), form_data(father_id_number=old), follow=True
    )

    assert Household.objects.get().father_id_number == upgraded
    assert f"父亲身份证号 {old} 是15位旧号，已自动升级为18位：{upgraded}。" in response.text


def test_child_on_a_second_certificate_is_refused_in_the_form(world, client_for):
    first = build_household(world.village_a1, certificate_no="HM-FIRST")
    data = form_data(
        child_id_number=first.child_id_number, child_birth_date="2005-06-01", child_sex="male"
    )

    response = client_for(world.user("cadre_a1")).post(url("household_create"), data)

    assert response.status_code == 200
    assert "该子女身份证号已登记在另一本有效证上（证号 HM-FIRST，东兴村）。" in response.text
    assert f'value="{first.child_id_number}"' in response.text
    assert Household.objects.count() == 1


def test_the_form_stacks_on_a_phone(world, client_for):
    page = client_for(world.user("cadre_a1")).get(url("household_create"))
    assert page.text.count('class="col-12 col-sm-6') == 15  # one column per field on a phone
    assert "<fieldset" in page.text


# --- edit ---


def test_cadre_edits_own_household_and_the_change_is_audited(world, client_for):
    household = build_household(world.village_a1)
    client = client_for(world.user("cadre_a1"))
    page = client.get(url("household_update", household.pk))
    assert f'value="{household.child_id_number}"' in page.text
    assert 'value="2005-06-01"' in page.text

    data = form_data(
        certificate_no=household.certificate_no,
        child_name=household.child_name,
        child_id_number=household.child_id_number,
        child_birth_date="2005-06-01",
        father_name=household.father_name,
        father_id_number=household.father_id_number,
        mother_name=household.mother_name,
        mother_id_number=household.mother_id_number,
        certificate_date="2006-01-10",
        address=household.address,
        phone="13900001111",
    )
    response = client.post(url("household_update", household.pk), data, follow=True)

    assert "已保存修改" in response.text
    household.refresh_from_db()
    assert household.phone == "13900001111"
    event = AuditEvent.objects.get(action="household.update")
    assert event.changes == {"phone": ["13900000000", "13900001111"]}


def test_cadre_cannot_reach_another_villages_household(world, client_for):
    other = build_household(world.village_a2)
    client = client_for(world.user("cadre_a1"))
    assert client.get(url("household_update", other.pk)).status_code == 404
    assert client.post(url("household_update", other.pk), form_data()).status_code == 404
    assert client.get(url("household_detail", other.pk)).status_code == 404


def test_township_officer_views_but_cannot_edit(world, client_for):
    household = build_household(world.village_a1)
    client = client_for(world.user("township_a"))
    page = client.get(url("household_detail", household.pk))
    assert page.status_code == 200
    assert url("household_update", household.pk) not in page.text
    assert client.get(url("household_update", household.pk)).status_code == 403
    assert client.post(url("household_revoke", household.pk), {}).status_code == 403
    assert client.get(url("household_create")).status_code == 403


# --- revoke, move away, restore ---


def test_revoke_page_asks_for_the_kind_and_the_reason(world, client_for):
    household = build_household(world.village_a1, certificate_no="HM-R")
    page = client_for(world.user("cadre_a1")).get(url("household_revoke", household.pk))
    assert page.status_code == 200
    assert "注销" in page.text and "迁出" in page.text
    assert 'data-confirm="确定注销或迁出证号 HM-R' in page.text


def test_move_away_through_the_form(world, client_for):
    household = build_household(world.village_a1, certificate_no="HM-M")
    response = client_for(world.user("cadre_a1")).post(
        url("household_revoke", household.pk),
        {"kind": "move_away", "reason": "全家迁往上海"},
        follow=True,
    )
    household.refresh_from_db()
    assert household.status == Household.Status.MOVED
    assert "已登记迁出：证号 HM-M" in response.text
    assert "已迁出，原因：全家迁往上海" in response.text


def test_revoke_without_a_reason_keeps_the_choice_and_says_why(world, client_for):
    household = build_household(world.village_a1)
    response = client_for(world.user("cadre_a1")).post(
        url("household_revoke", household.pk), {"kind": "move_away", "reason": ""}
    )
    assert response.status_code == 200
    assert "请填写原因。" in response.text
    assert re.search(r'value="move_away"[^>]*checked', response.text)
    household.refresh_from_db()
    assert household.status == Household.Status.VALID


def test_restore_from_the_detail_page(world, client_for):
    cadre = world.user("cadre_a1")
    household = build_household(world.village_a1, certificate_no="HM-X")
    household_revoke(actor=cadre, household=household, reason="误操作")
    client = client_for(cadre)
    page = client.get(url("household_detail", household.pk))
    assert "已注销，原因：误操作" in page.text
    assert 'data-confirm="确定把证号 HM-X 恢复为有效吗？"' in page.text

    response = client.post(url("household_restore", household.pk), follow=True)

    household.refresh_from_db()
    assert household.status == Household.Status.VALID
    assert "证号 HM-X 已恢复为有效的独生子女证。" in response.text


def test_restore_refused_shows_why(world, client_for):
    cadre = world.user("cadre_a1")
    old = build_household(world.village_a1)
    household_revoke(actor=cadre, household=old, reason="重新办证")
    build_household(
        world.village_a1,
        certificate_no="HM-NEW",
        child_id_number=old.child_id_number,
        child_birth_date=old.child_birth_date,
    )
    response = client_for(cadre).post(url("household_restore", old.pk), follow=True)
    assert "不能恢复为有效：该子女身份证号已登记在另一本有效证上（证号 HM-NEW，东兴村）。" in (
        response.text
    )


def test_restore_is_post_only(world, client_for):
    household = build_household(world.village_a1)
    assert (
        client_for(world.user("cadre_a1")).get(url("household_restore", household.pk)).status_code
        == 405
    )


# --- detail ---


def test_detail_shows_every_field_and_masks_ids_for_the_leader(world, client_for):
    household = build_household(world.village_a1, employer_name="海门港务局")
    page = client_for(world.user("leader")).get(url("household_detail", household.pk))
    text = page.text
    for value in (
        household.certificate_no,
        "海门镇",
        "东兴村",
        household.child_name,
        "2005年",  # the birth year only: the full date is the masked part of the ID
        "农业",
        "海门港务局",
        household.father_name,
        household.mother_name,
        household.address,
        "2006-01-10",
    ):
        assert value in text
    assert household.child_id_number not in text
    assert "2005-06-01" not in text
    assert f"{household.child_id_number[:6]}********{household.child_id_number[-4:]}" in text


def test_detail_history_for_the_city_officer_masked_for_the_leader(world, client_for):
    cadre = world.user("cadre_a1")
    household = build_household(world.village_a1)
    old_phone = household.phone
    household_update(actor=cadre, household=household, phone="13700000000")

    page = client_for(world.user("city")).get(url("household_detail", household.pk))
    assert "操作记录" in page.text
    assert "修改独生子女证登记" in page.text
    assert f"联系电话：{old_phone} → 13700000000" in page.text


def test_the_cadre_sees_the_history_of_a_household_in_full(world, client_for):
    cadre = world.user("cadre_a1")
    household = build_household(world.village_a1)
    old = household.mother_id_number
    new = make_id(date(1981, 2, 3), male=False)
    household_update(actor=cadre, household=household, mother_id_number=new)
    page = client_for(cadre).get(url("household_detail", household.pk))
    assert "操作记录" in page.text
    assert f"母亲身份证号：{old} → {new}" in page.text


def test_history_ids_masked_for_the_leader(world, client_for):
    cadre = world.user("cadre_a1")
    household = build_household(world.village_a1)
    old = household.mother_id_number
    new = make_id(date(1977, 8, 9), male=False)
    household_update(actor=cadre, household=household, mother_id_number=new)
    page = client_for(world.user("leader")).get(url("household_detail", household.pk))
    assert f"母亲身份证号：{old[:6]}********{old[-4:]} → {new[:6]}********{new[-4:]}" in page.text
    assert new not in page.text


# --- list ---


def test_list_shows_full_ids_to_the_cadre_and_masked_to_the_leader(world, client_for):
    household = build_household(world.village_a1)

    cadre_page = client_for(world.user("cadre_a1")).get(url("household_list"))
    assert household.child_id_number in cadre_page.text

    leader_page = client_for(world.user("leader")).get(url("household_list"))
    assert household.child_id_number not in leader_page.text
    assert MASKED.search(leader_page.text)
    number = household.child_id_number
    assert f"{number[:6]}********{number[-4:]}" in leader_page.text


def test_list_is_scoped_per_role(world, client_for):
    a1 = build_household(world.village_a1)
    a2 = build_household(world.village_a2)
    b1 = build_household(world.village_b1)

    def shown(key):
        text = client_for(world.user(key)).get(url("household_list")).text
        return {h.certificate_no for h in (a1, a2, b1) if h.certificate_no in text}

    assert shown("cadre_a1") == {a1.certificate_no}
    assert shown("township_a") == {a1.certificate_no, a2.certificate_no}
    assert shown("city") == {a1.certificate_no, a2.certificate_no, b1.certificate_no}
    assert shown("leader") == {a1.certificate_no, a2.certificate_no, b1.certificate_no}


def test_list_heading_counts_the_households(world, client_for):
    for _ in range(3):
        build_household(world.village_a1)
    page = client_for(world.user("cadre_a1")).get(url("household_list"))
    assert "3 户" in page.text
    assert "table-responsive" in page.text


def test_search_by_child_name(world, client_for):
    wanted = build_household(
        world.village_a1,
        child_name="王小红",
        child_sex="female",
        child_id_number=make_id(date(2005, 6, 1), male=False),
    )
    other = build_household(world.village_a1, child_name="赵大勇")
    page = client_for(world.user("township_a")).get(url("household_list"), {"q": "小红"})
    assert wanted.certificate_no in page.text
    assert other.certificate_no not in page.text


def test_search_by_parent_id_with_lower_case_x(world, client_for):
    body = next(
        body
        for body in (f"32068419750301{seq:03d}" for seq in range(1, 999, 2))
        if check_character(body) == "X"
    )
    wanted = build_household(world.village_a2, father_id_number=body + "X")
    other = build_household(world.village_a2)
    page = client_for(world.user("township_a")).get(url("household_list"), {"q": body + "x"})
    assert wanted.certificate_no in page.text
    assert other.certificate_no not in page.text


def test_search_by_certificate_number(world, client_for):
    wanted = build_household(world.village_a1, certificate_no="HM-2012-0777")
    other = build_household(world.village_a1)
    page = client_for(world.user("city")).get(url("household_list"), {"q": "0777"})
    assert wanted.certificate_no in page.text
    assert other.certificate_no not in page.text


def test_filter_by_village_status_and_payer(world, client_for):
    a1 = build_household(world.village_a1, employer_name="海门港务局")
    a2 = build_household(world.village_a2)
    moved = build_household(world.village_a2)
    household_revoke(actor=world.user("cadre_a2"), household=moved, reason="迁出")
    client = client_for(world.user("township_a"))

    def shown(**params):
        text = client.get(url("household_list"), params).text
        return {h.certificate_no for h in (a1, a2, moved) if h.certificate_no in text}

    assert shown(village=world.village_a2.pk) == {a2.certificate_no, moved.certificate_no}
    assert shown(status="revoked") == {moved.certificate_no}
    assert shown(payer="employer") == {a1.certificate_no}
    assert shown(payer="village", status="valid") == {a2.certificate_no}


def test_village_filter_offers_only_villages_in_scope(world, client_for):
    page = client_for(world.user("township_a")).get(url("household_list"))
    assert "新河村" in page.text
    assert "南星村" not in page.text
    cadre_page = client_for(world.user("cadre_a1")).get(url("household_list"))
    assert 'name="village"' not in cadre_page.text


@pytest.mark.parametrize(("key", "queries"), [("cadre_a1", 5), ("township_a", 6), ("leader", 6)])
def test_list_query_count_does_not_grow_with_rows(
    world, client_for, django_assert_num_queries, key, queries
):
    client = client_for(world.user(key))
    village = world.village_a1
    for _ in range(3):
        build_household(village)
    with django_assert_num_queries(queries):
        assert client.get(url("household_list")).status_code == 200
    for _ in range(7):
        build_household(village)
    with django_assert_num_queries(queries):
        page = client.get(url("household_list"))
    assert "10 户" in page.text


def test_every_reason_shows_at_once(world, client_for):
    response = client_for(world.user("cadre_a1")).post(
        url("household_create"), form_data(hukou="", child_sex="female", father_name="")
    )
    assert "请选择户籍性质。" in response.text
    assert "性别与身份证号不符（身份证号为男）" in response.text
    assert "填写了父亲身份证号，请同时填写父亲姓名。" in response.text


def test_list_is_paginated(world, client_for):
    for _ in range(51):
        build_household(world.village_a1)
    client = client_for(world.user("cadre_a1"))
    rows = re.compile(r'href="/enrollment/households/\d+/"')
    first = client.get(url("household_list"))
    assert "51 户" in first.text
    assert len(rows.findall(first.text)) == 50
    second = client.get(url("household_list"), {"page": 2})
    assert len(rows.findall(second.text)) == 1


def test_audit_trail_masks_resident_ids_for_the_city(world, client_for):
    household = build_household(world.village_a1)
    old_id = household.mother_id_number
    new_id = make_id(date(1981, 2, 3), male=False)
    household_update(actor=world.user("cadre_a1"), household=household, mother_id_number=new_id)

    page = client_for(world.user("city")).get(reverse("audit_list")).content.decode()
    assert "母亲身份证号" in page
    assert f"{old_id[:6]}********{old_id[-4:]} → {new_id[:6]}********{new_id[-4:]}" in page
    assert new_id not in page and old_id not in page
