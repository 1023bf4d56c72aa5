"""The register's writes: add, edit, revoke, move away, restore, each audited and scoped."""

import itertools
import threading
import time
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, transaction

from enrollment.models import Household
from enrollment.resident_ids import check_character
from enrollment.services.households import (
    household_create,
    household_move_away,
    household_restore,
    household_revoke,
    household_update,
)
from haimen_insurance.models import AuditEvent
from tests.enrollment.conftest import build_household, make_id

pytestmark = pytest.mark.django_db

CHILD_BIRTH = date(2006, 3, 15)
_certificates = itertools.count(1)


def entry(**overrides):
    """What a cadre types for one certificate: every field valid."""
    values = {
        "certificate_no": f"SV{next(_certificates):05d}",
        "hukou": Household.Hukou.RURAL,
        "certificate_date": date(2007, 1, 10),
        "receives_reward": True,
        "employer_name": "",
        "phone": "13812345678",
        "address": "东兴村三组12号",
        "child_name": "张小明",
        "child_id_number": make_id(CHILD_BIRTH, male=True),
        "child_birth_date": CHILD_BIRTH,
        "child_sex": Household.Sex.MALE,
        "father_name": "张建国",
        "father_id_number": make_id(date(1978, 5, 4), male=True),
        "mother_name": "李秀英",
        "mother_id_number": make_id(date(1980, 9, 21), male=False),
    }
    values.update(overrides)
    return values


def events_of(household):
    return list(
        AuditEvent.objects.filter(
            object_type="enrollment.household", object_id=str(household.pk)
        ).order_by("pk")
    )


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- create ---


def test_cadre_registers_a_certificate_in_own_village_and_it_is_audited(world):
    cadre = world.user("cadre_a1")
    values = entry(certificate_no="HM-2012-0001")

    household, notices = household_create(actor=cadre, village=world.village_a1, **values)

    household.refresh_from_db()
    assert household.village == world.village_a1
    assert household.status == Household.Status.VALID
    assert household.child_id_number == values["child_id_number"]
    assert notices == []
    [event] = events_of(household)
    assert event.action == "household.create"
    assert event.actor == cadre
    assert event.area == world.village_a1
    assert event.changes["certificate_no"] == [None, "HM-2012-0001"]
    assert event.changes["child_birth_date"] == [None, "2006-03-15"]
    assert event.changes["father_id_number"] == [None, values["father_id_number"]]
    assert "employer_name" not in event.changes  # blank values are not recorded as changes


def test_village_collective_as_payer_is_stored_blank(world):
    household, _ = household_create(
        actor=world.user("cadre_a1"), village=world.village_a1, **entry(employer_name=" 村集体 ")
    )
    assert household.employer_name == ""
    assert household.payer_label == "村集体"


def test_lower_case_x_and_full_width_digits_are_normalised(world):
    body = next(
        body
        for body in (f"32068420060315{seq:03d}" for seq in range(1, 999, 2))
        if check_character(body) == "X"
    )
    number = body + "X"
    typed = number.replace("3", "３")  # full-width digits from a Chinese IME
    household, _ = household_create(
        actor=world.user("cadre_a1"),
        village=world.village_a1,
        **entry(child_id_number=f" {typed.lower()} "),
    )
    assert household.child_id_number == number


def test_a_15_digit_parent_id_is_upgraded_and_the_notice_says_so(world):
    old = "320684780504113"
    body = "32068419780504113"
    household, notices = household_create(
        actor=world.user("cadre_a1"),
        village=world.village_a1,
        **entry(father_id_number=old),
    )
    assert household.father_id_number == body + check_character(body)
    assert notices == [
        f"父亲身份证号 {old} 是15位旧号，已自动升级为18位：{household.father_id_number}。"
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"child_id_number": "32068420060315001"}, "child_id_number", "实际为17位"),
        ({"child_birth_date": date(2006, 3, 16)}, "child_birth_date", "出生日期与身份证号不符"),
        ({"child_sex": Household.Sex.FEMALE}, "child_sex", "性别与身份证号不符（身份证号为男）"),
        ({"child_name": ""}, "child_name", "请填写子女姓名"),
        ({"father_name": ""}, "father_name", "请同时填写父亲姓名"),
        ({"mother_id_number": ""}, "mother_id_number", "请填写母亲身份证号"),
        ({"certificate_date": date(2099, 1, 1)}, "certificate_date", "领证日期晚于今天"),
        ({"hukou": "city"}, "hukou", "户籍性质只能是农业或非农业"),
    ],
)
def test_bad_input_is_refused_with_a_chinese_reason_beside_the_field(
    world, overrides, field, message
):
    with pytest.raises(ValidationError) as excinfo:
        household_create(
            actor=world.user("cadre_a1"), village=world.village_a1, **entry(**overrides)
        )
    assert message in " ".join(errors_of(excinfo)[field])
    assert not Household.objects.exists()


def test_wrong_check_character_names_the_expected_one(world):
    number = make_id(CHILD_BIRTH)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError) as excinfo:
        household_create(
            actor=world.user("cadre_a1"), village=world.village_a1, **entry(child_id_number=wrong)
        )
    assert errors_of(excinfo)["child_id_number"] == [
        f"子女身份证号：校验码错误：末位应为{number[17]}，请核对身份证号是否输错"
    ]


def test_at_least_one_parent(world):
    values = entry(father_name="", father_id_number="", mother_name="", mother_id_number="")
    with pytest.raises(ValidationError) as excinfo:
        household_create(actor=world.user("cadre_a1"), village=world.village_a1, **values)
    assert errors_of(excinfo)["father_id_number"] == ["父亲和母亲至少登记一人（姓名和身份证号）。"]


def test_single_parent_family_is_accepted(world):
    household, _ = household_create(
        actor=world.user("cadre_a1"),
        village=world.village_a1,
        **entry(father_name="", father_id_number=""),
    )
    assert household.parents == [("李秀英", household.mother_id_number)]


def test_father_and_mother_swapped_is_caught(world):
    values = entry()
    values["father_id_number"], values["mother_id_number"] = (
        values["mother_id_number"],
        values["father_id_number"],
    )
    with pytest.raises(ValidationError) as excinfo:
        household_create(actor=world.user("cadre_a1"), village=world.village_a1, **values)
    assert "父亲身份证号显示为女性" in errors_of(excinfo)["father_id_number"][0]


def test_certificate_number_is_unique(world):
    build_household(world.village_b1, certificate_no="HM-DUP")
    with pytest.raises(ValidationError) as excinfo:
        household_create(
            actor=world.user("cadre_a1"), village=world.village_a1, **entry(certificate_no="HM-DUP")
        )
    assert errors_of(excinfo)["certificate_no"] == ["证号 HM-DUP 已经登记过，证号不能重复。"]


def test_child_on_another_valid_certificate_in_scope_names_it(world):
    first = build_household(world.village_a1, certificate_no="HM-FIRST")
    with pytest.raises(ValidationError) as excinfo:
        household_create(
            actor=world.user("cadre_a1"),
            village=world.village_a1,
            **entry(
                child_id_number=first.child_id_number,
                child_birth_date=first.child_birth_date,
                child_sex=first.child_sex,
            ),
        )
    assert errors_of(excinfo)["child_id_number"] == [
        "该子女身份证号已登记在另一本有效证上（证号 HM-FIRST，东兴村）。"
    ]
    assert Household.objects.count() == 1


def test_child_on_another_valid_certificate_out_of_scope_is_not_named(world):
    first = build_household(world.village_a1, certificate_no="HM-FIRST")
    with pytest.raises(ValidationError) as excinfo:
        household_create(
            actor=world.user("cadre_b1"),
            village=world.village_b1,
            **entry(
                child_id_number=first.child_id_number,
                child_birth_date=first.child_birth_date,
                child_sex=first.child_sex,
            ),
        )
    assert errors_of(excinfo)["child_id_number"] == ["该子女身份证号已登记在另一本有效证上。"]


def test_child_of_a_revoked_certificate_may_be_registered_again(world):
    old = build_household(world.village_a1)
    household_revoke(actor=world.user("cadre_a1"), household=old, reason="证件重新办理")
    household, _ = household_create(
        actor=world.user("cadre_a1"),
        village=world.village_a1,
        **entry(
            child_id_number=old.child_id_number,
            child_birth_date=old.child_birth_date,
            child_sex=old.child_sex,
        ),
    )
    assert household.status == Household.Status.VALID


@pytest.mark.parametrize("key", ["cadre_a2", "township_a", "city", "leader", "insurer_a"])
def test_only_the_villages_own_cadre_may_register(world, key):
    with pytest.raises(PermissionDenied):
        household_create(actor=world.user(key), village=world.village_a1, **entry())
    assert not Household.objects.exists()


def test_unknown_fields_are_a_programming_error(world):
    with pytest.raises(TypeError):
        household_create(
            actor=world.user("cadre_a1"), village=world.village_a1, **entry(status="revoked")
        )


# --- update ---


def test_update_records_only_the_changed_values(world):
    cadre = world.user("cadre_a1")
    household, _ = household_create(actor=cadre, village=world.village_a1, **entry())

    household, _ = household_update(
        actor=cadre, household=household, phone="13900001111", employer_name="海门港务局"
    )

    household.refresh_from_db()
    assert household.phone == "13900001111"
    assert household.payer_label == "海门港务局"
    last = events_of(household)[-1]
    assert last.action == "household.update"
    assert last.changes == {
        "phone": ["13812345678", "13900001111"],
        "employer_name": ["", "海门港务局"],
    }


def test_update_without_changes_writes_no_event(world):
    cadre = world.user("cadre_a1")
    household, _ = household_create(actor=cadre, village=world.village_a1, **entry())
    household_update(actor=cadre, household=household, phone=household.phone)
    assert [event.action for event in events_of(household)] == ["household.create"]


def test_update_checks_ids_like_create(world):
    household = build_household(world.village_a1)
    with pytest.raises(ValidationError) as excinfo:
        household_update(
            actor=world.user("cadre_a1"), household=household, child_birth_date=date(2005, 6, 2)
        )
    assert (
        "出生日期与身份证号不符（身份证号为2005-06-01）"
        in errors_of(excinfo)["child_birth_date"][0]
    )


def test_update_refuses_a_child_already_on_another_certificate(world):
    other = build_household(world.village_a2, certificate_no="HM-OTHER")
    household = build_household(world.village_a1)
    with pytest.raises(ValidationError) as excinfo:
        household_update(
            actor=world.user("cadre_a1"),
            household=household,
            child_id_number=other.child_id_number,
            child_birth_date=other.child_birth_date,
            child_sex=other.child_sex,
        )
    # 新河村 is outside the 东兴村 cadre's scope: the other certificate is not named.
    assert errors_of(excinfo)["child_id_number"] == ["该子女身份证号已登记在另一本有效证上。"]


@pytest.mark.parametrize("key", ["cadre_a2", "township_a", "city"])
def test_update_by_anyone_but_the_villages_cadre_is_refused(world, key):
    household = build_household(world.village_a1)
    with pytest.raises(PermissionDenied):
        household_update(actor=world.user(key), household=household, phone="1")


# --- revoke, move away, restore ---


def test_revoke_keeps_the_reason_and_audits_it(world):
    cadre = world.user("cadre_a1")
    household = build_household(world.village_a1)

    household = household_revoke(actor=cadre, household=household, reason="再生育，证件收回")

    household.refresh_from_db()
    assert household.status == Household.Status.REVOKED
    assert household.status_reason == "再生育，证件收回"
    [event] = events_of(household)
    assert event.action == "household.revoke"
    assert event.changes == {
        "status": ["valid", "revoked"],
        "status_reason": ["", "再生育，证件收回"],
    }


def test_move_away_keeps_the_reason_and_audits_it(world):
    household = build_household(world.village_a1)
    household_move_away(actor=world.user("cadre_a1"), household=household, reason="全家迁往上海")
    household.refresh_from_db()
    assert household.status == Household.Status.MOVED
    [event] = events_of(household)
    assert event.action == "household.move_away"
    assert event.changes["status"] == ["valid", "moved"]


def test_revoke_needs_a_reason(world):
    household = build_household(world.village_a1)
    with pytest.raises(ValidationError) as excinfo:
        household_revoke(actor=world.user("cadre_a1"), household=household, reason="  ")
    assert errors_of(excinfo)["reason"] == ["请填写注销原因。"]


def test_only_a_valid_certificate_can_be_revoked_or_moved(world):
    cadre = world.user("cadre_a1")
    household = build_household(world.village_a1, certificate_no="HM-9")
    household_move_away(actor=cadre, household=household, reason="迁出")
    with pytest.raises(ValidationError) as excinfo:
        household_revoke(actor=cadre, household=household, reason="注销")
    assert excinfo.value.messages == ["证号 HM-9 当前为“已迁出”，只有有效的证才能注销。"]


def test_township_officer_cannot_revoke(world):
    household = build_household(world.village_a1)
    with pytest.raises(PermissionDenied):
        household_revoke(actor=world.user("township_a"), household=household, reason="x")


def test_restore_brings_it_back_and_audits_it(world):
    cadre = world.user("cadre_a1")
    household = build_household(world.village_a1)
    household_revoke(actor=cadre, household=household, reason="误注销")

    household = household_restore(actor=cadre, household=household)

    household.refresh_from_db()
    assert household.status == Household.Status.VALID
    assert household.status_reason == ""
    event = events_of(household)[-1]
    assert event.action == "household.restore"
    assert event.changes == {"status": ["revoked", "valid"], "status_reason": ["误注销", ""]}


def test_restore_refuses_when_the_child_is_now_on_another_valid_certificate(world):
    cadre = world.user("cadre_a1")
    old = build_household(world.village_a1)
    household_revoke(actor=cadre, household=old, reason="重新办证")
    build_household(
        world.village_a1,
        certificate_no="HM-NEW",
        child_id_number=old.child_id_number,
        child_birth_date=old.child_birth_date,
    )
    with pytest.raises(ValidationError) as excinfo:
        household_restore(actor=cadre, household=old)
    assert excinfo.value.messages == [
        "不能恢复为有效：该子女身份证号已登记在另一本有效证上（证号 HM-NEW，东兴村）。"
    ]
    old.refresh_from_db()
    assert old.status == Household.Status.REVOKED


def test_restore_of_a_valid_certificate_is_refused(world):
    household = build_household(world.village_a1, certificate_no="HM-V")
    with pytest.raises(ValidationError) as excinfo:
        household_restore(actor=world.user("cadre_a1"), household=household)
    assert excinfo.value.messages == ["证号 HM-V 已经是有效的证。"]


# --- two cadres at the same moment ---


def _in_own_connection(work):
    """Run ``work`` in a thread with its own database connection; return what it returned or
    the ValidationError it raised."""
    outcome = {}

    def run():
        try:
            outcome["result"] = work()
        except ValidationError as error:
            outcome["result"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.django_db(transaction=True)
def test_same_child_registered_at_the_same_moment_only_once(world):
    child = make_id(CHILD_BIRTH)
    barrier = threading.Barrier(2)

    def register(key, village):
        def work():
            values = entry(child_id_number=child)
            barrier.wait(timeout=10)
            household, _ = household_create(actor=world.user(key), village=village, **values)
            return household

        return work

    runs = [
        _in_own_connection(register("cadre_a1", world.village_a1)),
        _in_own_connection(register("cadre_b1", world.village_b1)),
    ]
    for thread, _ in runs:
        thread.join(timeout=30)
    results = [outcome["result"] for _, outcome in runs]

    saved = [r for r in results if isinstance(r, Household)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(saved) == 1
    assert len(refused) == 1
    assert "已登记在另一本有效证上" in refused[0].message_dict["child_id_number"][0]
    assert Household.objects.filter(child_id_number=child).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_constraint_refuses_what_the_check_could_not_see(world):
    """The second cadre's check runs while the first save is not yet committed: the unique
    index makes the second insert wait, then refuses it with the same Chinese message."""
    child = make_id(CHILD_BIRTH)
    first_saved = threading.Event()

    def first():
        with transaction.atomic():
            household, _ = household_create(
                actor=world.user("cadre_a1"),
                village=world.village_a1,
                **entry(certificate_no="HM-A", child_id_number=child),
            )
            first_saved.set()
            time.sleep(1)  # still uncommitted while the second cadre checks and saves
        return household

    def second():
        first_saved.wait(timeout=10)
        household_create(
            actor=world.user("cadre_a2"),
            village=world.village_a2,
            **entry(certificate_no="HM-B", child_id_number=child),
        )

    runs = [_in_own_connection(first), _in_own_connection(second)]
    for thread, _ in runs:
        thread.join(timeout=30)

    assert isinstance(runs[0][1]["result"], Household)
    error = runs[1][1]["result"]
    assert isinstance(error, ValidationError)
    # The first certificate is in 新河村's township but not in its village: not named.
    assert error.message_dict == {"child_id_number": ["该子女身份证号已登记在另一本有效证上。"]}
    assert isinstance(error.__cause__, IntegrityError)  # refused by the database, not the check
    assert list(Household.objects.values_list("certificate_no", flat=True)) == ["HM-A"]
