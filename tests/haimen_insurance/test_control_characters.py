"""Control characters and invisible text, as a class: no request parameter with a control
character reaches a view (a Chinese 400 page instead of a 500), no import stores one (a reason
for its row and column instead), and no name made only of invisible characters is accepted, in
a form or in a file."""

from datetime import date

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import bad_request

from claims.forms import PayForm
from enrollment.forms.households import HouseholdForm
from enrollment.forms.rosters import EntryDecisionForm, RosterReturnForm
from enrollment.models import Household, RosterEntry
from enrollment.policy_numbers import read_policy_numbers
from enrollment.register_files import HEADERS, read_register
from haimen_insurance.forms import UserForm
from haimen_insurance.text import (
    INVISIBLE_MESSAGE,
    control_characters,
    control_message,
    is_invisible,
)
from tests.enrollment.test_household_views import form_data
from tests.enrollment.test_register_files import household_values, write_csv

TODAY = date(2024, 6, 1)
ZERO_WIDTH_SPACE = "\u200b"
RIGHT_TO_LEFT_OVERRIDE = "\u202e"
REFUSED = "您填写或搜索的内容中含有控制字符（U+0000），系统无法处理。"


# The helper --------------------------------------------------------------------------------


def test_control_characters_are_found_and_named():
    assert control_characters("张\x00三\x1f\x85\x00") == ["U+0000", "U+001F", "U+0085"]
    assert control_characters("一\t二\n三\r") == ["U+0009", "U+000A", "U+000D"]
    assert control_characters("一\t二\n三\r", multiline=True) == []
    assert control_characters("张三 李四\u3000") == []
    assert control_message("\x00\x01\x02\x03") == (
        "含有控制字符（U+0000、U+0001、U+0002等），请删除后重新填写。"
    )


@pytest.mark.parametrize(
    "text",
    [
        ZERO_WIDTH_SPACE,
        RIGHT_TO_LEFT_OVERRIDE,
        ZERO_WIDTH_SPACE + RIGHT_TO_LEFT_OVERRIDE + "\u3000 \u200e\u2060\ufeff",
        "\u3164",  # Hangul filler: a letter that draws nothing
        "\u0301",  # a combining accent with nothing to sit on
    ],
)
def test_text_that_shows_nothing_is_invisible(text):
    assert is_invisible(text)


@pytest.mark.parametrize("text", ["", "张三", "张\u200b三", "\u202e李四", "A"])
def test_text_that_shows_something_is_not(text):
    assert not is_invisible(text)


# Imports -----------------------------------------------------------------------------------


def read_csv(tmp_path, rows):
    path = write_csv(tmp_path / "登记.csv", rows)
    return [
        str(error)
        for error in read_register(path.read_bytes(), filename="登记.csv", today=TODAY).errors
    ]


def test_a_nul_in_a_csv_name_is_a_clear_error_of_its_row_and_column(tmp_path):
    rows = [household_values("HM0001"), household_values("HM0002", 子女姓名="张\x00小明")]

    assert read_csv(tmp_path, rows) == ["第3行 子女姓名：含有控制字符（U+0000），请删除后重新填写"]


def test_control_characters_in_any_column_are_named_but_line_breaks_in_an_address_pass(tmp_path):
    rows = [
        household_values("HM0001", 家庭住址="东兴村\n8组"),
        household_values("HM0002", 子女性别="男\x07", 联系电话="139\x1b"),
    ]

    assert read_csv(tmp_path, rows) == [
        "第3行 子女性别：含有控制字符（U+0007），请删除后重新填写",
        "第3行 联系电话：含有控制字符（U+001B），请删除后重新填写",
    ]


def test_a_control_character_in_the_header_is_a_file_error(tmp_path):
    headers = [*HEADERS, "备注\x00"]
    path = write_csv(tmp_path / "登记.csv", [household_values()], headers=headers)

    result = read_register(path.read_bytes(), filename="登记.csv", today=TODAY)

    assert [str(error) for error in result.errors] == [
        "文件：表头（第1行Q列）含有控制字符（U+0000），请删除后重新填写。"
    ]


@pytest.mark.parametrize("invisible", [ZERO_WIDTH_SPACE, RIGHT_TO_LEFT_OVERRIDE])
def test_names_made_only_of_invisible_characters_are_refused_in_the_import(tmp_path, invisible):
    rows = [household_values("HM0001", 子女姓名=invisible, 父亲姓名=invisible * 3)]

    assert read_csv(tmp_path, rows) == [
        f"第2行 父亲姓名：{INVISIBLE_MESSAGE.rstrip('。')}",
        f"第2行 子女姓名：{INVISIBLE_MESSAGE.rstrip('。')}",
    ]


@pytest.mark.django_db
def test_the_upload_of_a_csv_with_a_nul_lists_the_row_and_writes_nothing(
    world, client_for, tmp_path
):
    client = client_for(world.user("city"))
    path = write_csv(tmp_path / "登记.csv", [household_values("HM0001", 子女姓名="张\x00小明")])

    with open(path, "rb") as handle:
        response = client.post(reverse("enrollment:register_import"), {"file": handle}, follow=True)

    assert response.status_code == 200
    assert "第2行" in response.text and "含有控制字符（U+0000）" in response.text
    assert not Household.objects.exists()


def test_the_policy_number_file_refuses_control_characters_by_row_and_column():
    content = "证号,险种,保单号\nHM0001,平安险,P-1\nHM\x1f0002,平安险,P-2\nHM0003,平安险,P\x00-3\n"

    result = read_policy_numbers(
        content.encode(), filename="保单号.csv", expected=set(), taken=set()
    )

    assert [str(error) for error in result.errors if error.line] == [
        "第2行 证号：本乡镇汇总中没有证号 HM0001 的平安险",
        "第3行 证号：含有控制字符（U+001F），请删除后重新填写",
        "第4行 保单号：含有控制字符（U+0000），请删除后重新填写",
    ]
    assert result.numbers == {}


# Requests ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "user"),
    [
        ("claims:person_search", "cadre_a1"),
        ("claims:claim_list", "city"),
        ("enrollment:household_list", "city"),
        ("enrollment:policy_list", "city"),
        ("user_list", "city"),
        ("audit_list", "city"),
    ],
)
def test_a_nul_in_a_search_box_is_a_chinese_400(world, client_for, route, user):
    response = client_for(world.user(user)).get(reverse(route) + "?q=%00")

    assert response.status_code == 400
    assert REFUSED in response.text
    assert "返回工作台" in response.text


@pytest.mark.django_db
def test_any_parameter_name_or_value_and_the_path_are_checked(world, client_for):
    client = client_for(world.user("city"))
    url = reverse("enrollment:household_list")

    assert client.get(url + "?a%01b=1").status_code == 400
    assert client.get(url, {"village": "\x7f"}).status_code == 400
    assert client.get(url, {"q": "\x9b"}).status_code == 400
    assert client.get(url + "%00/").status_code == 400
    assert client.get(url, {"q": "张\t三"}).status_code == 200


def test_the_login_page_refuses_them_too(client):
    response = client.get(reverse("login") + "?next=%00")

    assert response.status_code == 400
    assert REFUSED in response.text


@pytest.mark.django_db
def test_a_post_with_a_nul_is_a_400_and_writes_nothing(world, client_for):
    client = client_for(world.user("cadre_a1"))

    response = client.post(reverse("enrollment:household_create"), form_data(child_name="张\x00"))

    assert response.status_code == 400
    assert REFUSED in response.text
    assert not Household.objects.exists()


def test_djangos_own_400_page_is_the_chinese_one():
    response = bad_request(RequestFactory().get("/"), Exception())

    assert response.status_code == 400
    assert "无法处理您的请求" in response.content.decode()


# Forms -------------------------------------------------------------------------------------


@pytest.mark.parametrize("invisible", [ZERO_WIDTH_SPACE, RIGHT_TO_LEFT_OVERRIDE])
@pytest.mark.parametrize(
    "field", ["child_name", "father_name", "mother_name", "employer_name", "certificate_no"]
)
def test_household_names_of_only_invisible_characters_are_refused(db, field, invisible):
    form = HouseholdForm(form_data(**{field: invisible * 2}))

    assert not form.is_valid()
    assert form.errors[field] == [INVISIBLE_MESSAGE]


@pytest.mark.django_db
def test_the_household_page_shows_the_message_and_writes_nothing(world, client_for):
    client = client_for(world.user("cadre_a1"))

    response = client.post(
        reverse("enrollment:household_create"), form_data(child_name=ZERO_WIDTH_SPACE)
    )

    assert response.status_code == 200
    assert INVISIBLE_MESSAGE in response.text
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_a_users_full_name_of_only_invisible_characters_is_refused(world):
    data = {"username": "cadre_x", "full_name": RIGHT_TO_LEFT_OVERRIDE, "role": "city_officer"}
    form = UserForm(data, actor=world.user("city"))

    assert not form.is_valid()
    assert form.errors["full_name"] == [INVISIBLE_MESSAGE]


@pytest.mark.parametrize("invisible", [ZERO_WIDTH_SPACE, RIGHT_TO_LEFT_OVERRIDE])
def test_claim_peoples_names_and_reasons_of_only_invisible_characters_are_refused(invisible):
    pay = PayForm({"received_by_family": invisible, "delivered_by": invisible})
    decline = EntryDecisionForm(
        {"decision": RosterEntry.Decision.DECLINED, "reason": invisible}, products=[]
    )
    back = RosterReturnForm({"reason": invisible})

    for form, field in [
        (pay, "received_by_family"),
        (pay, "delivered_by"),
        (decline, "reason"),
        (back, "reason"),
    ]:
        assert not form.is_valid()
        assert INVISIBLE_MESSAGE in form.errors[field]


def test_a_multi_line_reason_may_have_line_breaks_but_a_name_may_not():
    back = RosterReturnForm({"reason": "第一行\r\n第二行\t完"})
    pay = PayForm({"received_by_family": "张\n三"})

    assert back.is_valid()
    assert "含有控制字符（U+000A），请删除后重新填写。" in pay.errors["received_by_family"]


@pytest.mark.django_db
def test_a_page_that_does_not_exist_is_the_404_page_for_a_signed_in_user(world, client_for):
    # The 400 page of a path with a control character resolves to nothing, as a 404 does.
    response = client_for(world.user("city")).get("/no-such-page/")

    assert response.status_code == 404
    assert "找不到您要的页面" in response.text
