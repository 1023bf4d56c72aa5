"""The verification page (核查准备): every number on the township page, the city roll-up and the
spreadsheet, for a register with known numbers; scoping; and fixed query counts."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from enrollment.models import Household
from enrollment.selectors.verification import township_verification
from haimen_insurance.models import Area
from tests.conftest import build_area
from tests.enrollment.conftest import build_household

pytestmark = pytest.mark.django_db

QUERY = "age_date=2013-01-01&age_limit=14"
PORT = "海门港务局"
SANYOU = "江苏三友集团"


@dataclass
class Register:
    village_a3: Area  # a village of township A with no certificates at all


def add(village, count=1, **overrides):
    for _ in range(count):
        build_household(village, **overrides)


def single_parent(**overrides):
    return {"father_name": "", "father_id_number": "", **overrides}


@pytest.fixture
def register(world) -> Register:
    """Known numbers for age date 2013-01-01 and age limit 14 (see the expectations below)."""
    village_a3 = build_area("320684100203", "空村", Area.Kind.VILLAGE, world.town_a)
    a1, a2, b1 = world.village_a1, world.village_a2, world.village_b1
    # 东兴村: 6 eligible (3 paid by 海门港务局, one of them single-parent), 3 not, 1 revoked.
    add(a1, 3)
    add(a1, 2, employer_name=PORT)
    add(a1, **single_parent(employer_name=PORT))
    add(a1, hukou=Household.Hukou.URBAN)
    add(a1, receives_reward=False)
    add(a1, child_birth_date=date(1999, 1, 1))  # turns 14 on the age date
    add(a1, status=Household.Status.REVOKED, status_reason="子女死亡")
    # 新河村: 4 eligible (1 paid by 江苏三友集团, 1 born the day after the 14-year boundary),
    # 2 not, 1 moved away.
    add(a2, 2)
    add(a2, employer_name=SANYOU)
    add(a2, child_birth_date=date(1999, 1, 2))
    add(a2, child_birth_date=date(2013, 1, 2))  # born after the age date
    add(a2, child_birth_date=date(1998, 5, 5))
    add(a2, status=Household.Status.MOVED, status_reason="迁往南通市区")
    # 南星村 (township B): 3 eligible (1 single-parent paid by 江苏三友集团), 1 urban, 1 revoked.
    add(b1, 2)
    add(b1, employer_name=SANYOU, mother_name="", mother_id_number="")
    add(b1, hukou=Household.Hukou.URBAN)
    add(b1, hukou=Household.Hukou.URBAN, status=Household.Status.REVOKED, status_reason="重复")
    # Not eligible employer-paid households never count for the employer.
    add(a1, employer_name=PORT, status=Household.Status.MOVED, status_reason="迁出")
    add(a2, employer_name=SANYOU, child_birth_date=date(1990, 1, 1))
    return Register(village_a3=village_a3)


# Row cells: name, 有效证数, 符合条件, 不符合条件 (小计, 非农业户口, 未领取奖励金, 判定日尚未出生,
# 已满 14 周岁), 企事业单位发放户数, 已注销, 已迁出.
DONGXING = ["东兴村", "9", "6", "3", "1", "1", "0", "1", "3", "1", "1"]
XINHE = ["新河村", "7", "4", "3", "0", "0", "1", "2", "1", "0", "1"]
EMPTY = ["空村", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0"]
TOWN_A = ["海门镇", "16", "10", "6", "1", "1", "1", "3", "4", "1", "2"]
NANXING = ["南星村", "4", "3", "1", "1", "0", "0", "0", "1", "1", "0"]
TOWN_B = ["三星镇", *NANXING[1:]]
CITY = ["合计", "20", "13", "7", "2", "1", "1", "3", "5", "2", "2"]


class Tables(HTMLParser):
    """The text of every cell of every table with an id: {id: {"head"|"body"|"foot": rows}}."""

    SECTIONS = {"thead": "head", "tbody": "body", "tfoot": "foot"}

    def __init__(self, html: str):
        super().__init__()
        self.tables, self.table, self.section, self.row, self.cell = {}, None, None, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self.table = self.tables.setdefault(attrs["id"], {"head": [], "body": [], "foot": []})
        elif self.table is not None and tag in self.SECTIONS:
            self.section = self.SECTIONS[tag]
        elif self.table is not None and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None
        elif tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.table[self.section].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response, Tables(response.text).tables


def xlsx(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def values(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def fen(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


# --- the township page ---


def test_township_page_shows_every_count(world, register, client_for):
    client = client_for(world.user("township_a"))
    url = reverse("enrollment:verification_township", args=[world.town_a.pk])
    response, tables = page(client, f"{url}?{QUERY}")
    text = response.text
    assert "<title>核查准备 — 海门镇" in text
    assert "子女在 2013-01-01 未满 14 周岁" in text
    assert "出生日期在 1999-01-02 至 2013-01-01 之间" in text
    counts = tables["verification-counts"]
    assert counts["head"] == [
        ["村（社区）", "有效证数", "符合条件", "不符合条件", "企事业单位发放户数", "无效证"],
        [
            "小计",
            "非农业户口",
            "未领取奖励金",
            "判定日尚未出生",
            "已满 14 周岁",
            "已注销",
            "已迁出",
        ],
    ]
    assert counts["body"] == [DONGXING, XINHE, EMPTY]
    assert counts["foot"] == [["合计", *TOWN_A[1:]]]
    employers = tables["verification-employers"]
    assert employers["head"] == [["奖励金发放单位", "户数", "参保人数", "应缴保费（元）"]]
    assert employers["body"] == [
        [SANYOU, "1", "3", "40.00"],
        [PORT, "3", "8", "120.00"],  # three families, two policies each
    ]
    assert employers["foot"] == [["合计", "4", "11", "160.00"]]
    assert "应缴保费 = 户数 × 2 份保单（平安险、安康险各 1 份）× 每份保费 20.00 元" in text
    export = reverse("enrollment:verification_export")
    assert f'href="{export}?township={world.town_a.pk}&amp;{QUERY.replace("&", "&amp;")}"' in text


def test_numbers_are_right_aligned_and_the_tables_scroll_on_a_phone(world, register, client_for):
    client = client_for(world.user("township_a"))
    url = reverse("enrollment:verification_township", args=[world.town_a.pk])
    text = client.get(f"{url}?{QUERY}").text
    assert text.count('<div class="table-responsive">') == 2
    assert '<td class="text-end">9</td>' in text
    assert 'style="' not in text and "<script>" not in text


def test_age_conditions_change_the_judgement(world, register, client_for):
    client = client_for(world.user("township_a"))
    url = reverse("enrollment:verification_township", args=[world.town_a.pk])
    # One day earlier: the child born 1999-01-01 is still 13; the one born 2013-01-02 is unborn.
    _, tables = page(client, f"{url}?age_date=2012-12-31&age_limit=14")
    assert tables["verification-counts"]["body"][0][:4] == ["东兴村", "9", "7", "2"]
    _, tables = page(client, f"{url}?age_date=2013-01-01&age_limit=16")
    assert tables["verification-counts"]["foot"][0][:4] == ["合计", "16", "12", "4"]


def test_default_conditions_are_next_new_year_and_14(world, register, client_for):
    client = client_for(world.user("township_a"))
    response = client.get(reverse("enrollment:verification_township", args=[world.town_a.pk]))
    new_year = date(timezone.localdate().year + 1, 1, 1)
    assert f'value="{new_year:%Y-%m-%d}"' in response.text
    assert 'value="14"' in response.text
    assert f"子女在 {new_year:%Y-%m-%d} 未满 14 周岁" in response.text
    assert "只是一个起始值" in response.text


def test_bad_conditions_come_back_as_typed_with_the_error(world, register, client_for):
    client = client_for(world.user("township_a"))
    url = reverse("enrollment:verification_township", args=[world.town_a.pk])
    response = client.get(f"{url}?age_date=2013-13-01&age_limit=30")
    assert response.status_code == 200
    assert 'value="2013-13-01"' in response.text
    assert 'value="30"' in response.text
    assert "输入一个有效的日期。" in response.text
    assert "确保该值小于或等于18。" in response.text
    assert "请先更正上面的核查条件" in response.text
    assert "verification-counts" not in response.text
    export = reverse("enrollment:verification_export")
    response = client.get(f"{export}?township={world.town_a.pk}&age_date=2013-13-01")
    assert response.status_code == 302
    assert response["Location"] == f"{url}?township={world.town_a.pk}&age_date=2013-13-01"


def test_a_date_typed_with_slashes_is_understood(world, register, client_for):
    client = client_for(world.user("township_a"))
    url = reverse("enrollment:verification_township", args=[world.town_a.pk])
    response, tables = page(client, f"{url}?age_date=2013/1/1&age_limit=14")
    assert "子女在 2013-01-01 未满 14 周岁" in response.text
    assert tables["verification-counts"]["foot"] == [["合计", *TOWN_A[1:]]]


def test_premium_per_share_is_a_parameter(world, register):
    verification = township_verification(
        user=world.user("city"),
        township=world.town_a,
        age_date=date(2013, 1, 1),
        age_limit=14,
        premium=Decimal("25.50"),
    )
    amounts = {row.employer: row.amount for row in verification.employers}
    assert amounts == {SANYOU: Decimal("51.00"), PORT: Decimal("153.00")}
    assert verification.employer_total.amount == Decimal("204.00")


# --- the city roll-up ---


def test_city_page_rolls_up_by_township(world, register, client_for):
    client = client_for(world.user("city"))
    response, tables = page(client, f"{reverse('enrollment:verification')}?{QUERY}")
    assert "<title>核查准备 — 海门市" in response.text
    counts = tables["verification-counts"]
    assert counts["head"][0][0] == "乡镇（园区）"
    assert counts["body"] == [TOWN_A, TOWN_B]
    assert counts["foot"] == [CITY]
    township_url = reverse("enrollment:verification_township", args=[world.town_b.pk])
    assert f'href="{township_url}?{QUERY.replace("&", "&amp;")}">三星镇</a>' in response.text
    employers = tables["verification-employers"]
    assert employers["head"] == [
        ["乡镇（园区）", "奖励金发放单位", "户数", "参保人数", "应缴保费（元）"]
    ]
    assert employers["body"] == [
        ["海门镇", SANYOU, "1", "3", "40.00"],
        ["海门镇", PORT, "3", "8", "120.00"],
        ["三星镇", SANYOU, "1", "2", "40.00"],  # a single-parent family: child and father
    ]
    assert employers["foot"] == [["合计", "5", "13", "200.00"]]


def test_leader_sees_the_city_and_any_township(world, register, client_for):
    client = client_for(world.user("leader"))
    _, tables = page(client, f"{reverse('enrollment:verification')}?{QUERY}")
    assert tables["verification-counts"]["foot"] == [CITY]
    url = reverse("enrollment:verification_township", args=[world.town_b.pk])
    _, tables = page(client, f"{url}?{QUERY}")
    assert tables["verification-counts"]["body"] == [NANXING]
    assert tables["verification-employers"]["body"] == [[SANYOU, "1", "2", "40.00"]]


def test_township_officer_is_sent_to_their_own_township(world, client_for):
    client = client_for(world.user("township_b"))
    response = client.get(f"{reverse('enrollment:verification')}?{QUERY}")
    url = reverse("enrollment:verification_township", args=[world.town_b.pk])
    assert response.status_code == 302
    assert response["Location"] == f"{url}?{QUERY}"


# --- scoping ---


def test_township_officer_cannot_open_another_township(world, register, client_for):
    client = client_for(world.user("township_a"))
    url = reverse("enrollment:verification_township", args=[world.town_b.pk])
    assert client.get(url).status_code == 404
    export = reverse("enrollment:verification_export")
    assert client.get(f"{export}?township={world.town_b.pk}&{QUERY}").status_code == 404
    assert client.get(f"{export}?township=abc").status_code == 404


def test_a_village_is_not_a_township(world, client_for):
    client = client_for(world.user("city"))
    url = reverse("enrollment:verification_township", args=[world.village_a1.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("key", ["cadre_a1", "finance_a", "insurer_a"])
def test_other_roles_are_refused(world, client_for, key):
    client = client_for(world.user(key))
    assert client.get(reverse("enrollment:verification")).status_code == 403
    url = reverse("enrollment:verification_township", args=[world.town_a.pk])
    assert client.get(url).status_code == 403
    assert client.get(reverse("enrollment:verification_export")).status_code == 403


# --- the spreadsheet ---

COUNT_HEADERS = [
    "区划代码",
    "有效证数",
    "符合条件",
    "不符合条件",
    "其中：非农业户口",
    "其中：未领取奖励金",
    "其中：判定日尚未出生",
    "其中：已满 14 周岁",
    "企事业单位发放户数",
    "已注销",
    "已迁出",
]


def ints(row):
    return [int(cell) for cell in row[1:]]


def test_township_export(world, register, client_for):
    client = client_for(world.user("township_a"))
    export = reverse("enrollment:verification_export")
    response = client.get(f"{export}?township={world.town_a.pk}&{QUERY}")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    workbook = xlsx(response)
    assert workbook.sheetnames == ["核查汇总", "企事业单位"]
    sheet = workbook["核查汇总"]
    rows = values(sheet)
    assert rows[0][0] == "核查准备 — 海门镇（符合条件：子女在 2013-01-01 未满 14 周岁）"
    assert rows[1] == ["村（社区）", *COUNT_HEADERS]
    assert sheet.freeze_panes == "A3"
    assert rows[2] == ["东兴村", "320684100201", *ints(DONGXING)]
    assert rows[3] == ["新河村", "320684100202", *ints(XINHE)]
    assert rows[4] == ["空村", "320684100203", *ints(EMPTY)]
    assert rows[5] == ["合计", None, *ints(TOWN_A)]
    assert len(rows) == 6
    code = sheet["B3"]
    assert code.data_type == "s" and code.number_format == "@"

    employers = workbook["企事业单位"]
    rows = values(employers)
    assert rows[0][0].endswith("应缴保费 = 户数 × 2 份保单 × 每份保费 20.00 元")
    assert rows[1] == ["奖励金发放单位", "户数", "参保人数", "应缴保费（元）"]
    assert [row[:3] for row in rows[2:]] == [[SANYOU, 1, 3], [PORT, 3, 8], ["合计", 4, 11]]
    assert [fen(row[3]) for row in rows[2:]] == [
        Decimal("40.00"),
        Decimal("120.00"),
        Decimal("160.00"),
    ]
    assert employers["D3"].number_format == "#,##0.00"


def test_township_officer_export_without_a_township_is_their_own(world, register, client_for):
    client = client_for(world.user("township_b"))
    workbook = xlsx(client.get(f"{reverse('enrollment:verification_export')}?{QUERY}"))
    rows = values(workbook["核查汇总"])
    assert rows[2] == ["南星村", "320684101201", *ints(NANXING)]
    assert rows[3] == ["合计", None, *ints(NANXING)]


def test_city_export(world, register, client_for):
    client = client_for(world.user("city"))
    workbook = xlsx(client.get(f"{reverse('enrollment:verification_export')}?{QUERY}"))
    rows = values(workbook["核查汇总"])
    assert rows[0][0] == "核查准备 — 海门市（符合条件：子女在 2013-01-01 未满 14 周岁）"
    assert rows[1] == ["乡镇（园区）", *COUNT_HEADERS]
    assert rows[2:] == [
        ["海门镇", "320684100000", *ints(TOWN_A)],
        ["三星镇", "320684101000", *ints(TOWN_B)],
        ["合计", None, *ints(CITY)],
    ]
    rows = values(workbook["企事业单位"])
    assert rows[1] == ["乡镇（园区）", "奖励金发放单位", "户数", "参保人数", "应缴保费（元）"]
    assert [row[:4] for row in rows[2:]] == [
        ["海门镇", SANYOU, 1, 3],
        ["海门镇", PORT, 3, 8],
        ["三星镇", SANYOU, 1, 2],
        ["合计", None, 5, 13],
    ]
    assert [fen(row[4]) for row in rows[2:]] == [
        Decimal("40.00"),
        Decimal("120.00"),
        Decimal("40.00"),
        Decimal("200.00"),
    ]


# --- a fixed number of queries, whatever the size of the register ---


def grow(world, index: int):
    """One more village in each township, with households of every kind in each."""
    for township in (world.town_a, world.town_b):
        village = build_area(
            f"{township.code[:9]}{300 + index:03d}", f"加{index}村", Area.Kind.VILLAGE, township
        )
        add(village, 3)
        add(village, 2, employer_name=f"单位{index}")
        add(village, **single_parent(employer_name=PORT))
        add(village, hukou=Household.Hukou.URBAN)
        add(village, status=Household.Status.MOVED, status_reason="迁出")


# session, user, the permissions of the user and their groups (3); the current campaign for the
# default conditions (1); the township, its villages, the counts, the employers (4); the
# user's own area for the header (1).
TOWNSHIP_PAGE_QUERIES = 8
TOWNSHIP_EXPORT_QUERIES = 8  # no page header
# session, user, permissions (3); the current campaign (1); the townships, the counts, the
# employers (3).
CITY_PAGE_QUERIES = 7


def test_township_page_queries_do_not_grow(world, register, client_for, django_assert_num_queries):
    client = client_for(world.user("township_a"))
    url = f"{reverse('enrollment:verification_township', args=[world.town_a.pk])}?{QUERY}"
    export = f"{reverse('enrollment:verification_export')}?township={world.town_a.pk}&{QUERY}"
    with django_assert_num_queries(TOWNSHIP_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(TOWNSHIP_EXPORT_QUERIES):
        assert client.get(export).status_code == 200
    for index in range(4):
        grow(world, index)
    with django_assert_num_queries(TOWNSHIP_PAGE_QUERIES):
        response = client.get(url)
    assert len(Tables(response.text).tables["verification-counts"]["body"]) == 3 + 4
    with django_assert_num_queries(TOWNSHIP_EXPORT_QUERIES):
        assert client.get(export).status_code == 200


def test_city_page_queries_do_not_grow(world, register, client_for, django_assert_num_queries):
    client = client_for(world.user("city"))
    url = f"{reverse('enrollment:verification')}?{QUERY}"
    export = f"{reverse('enrollment:verification_export')}?{QUERY}"
    with django_assert_num_queries(CITY_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(CITY_PAGE_QUERIES):
        assert client.get(export).status_code == 200
    for index in range(4):
        grow(world, index)
    build_area("320684102000", "新增镇", Area.Kind.TOWN, world.city)
    with django_assert_num_queries(CITY_PAGE_QUERIES):
        response = client.get(url)
    tables = Tables(response.text).tables
    assert tables["verification-counts"]["foot"][0][:3] == [
        "合计",
        str(20 + 8 * 7),
        str(13 + 8 * 6),
    ]
    assert len(tables["verification-counts"]["body"]) == 3
    with django_assert_num_queries(CITY_PAGE_QUERIES):
        assert client.get(export).status_code == 200
