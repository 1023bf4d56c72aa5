"""Every figure on a roster page adds up to its total. A household is counted once: 户数 =
符合条件 (参保 + 自愿放弃 + 未处理) + 不符合条件 (as the village cadre decided it, or, while
undecided, as the register says). A household the cadre marks 不符合条件 is no longer 符合条件."""

import re
from datetime import date

import pytest
from django.urls import reverse

from enrollment.models import Roster
from enrollment.services.rosters import entry_decide
from tests.enrollment.conftest import build_campaign, build_household
from tests.enrollment.test_verification import Tables

pytestmark = pytest.mark.django_db


@pytest.fixture
def village(world):
    """东兴村: five households, four eligible by the register and one over age. One enrolled, one
    declined, one marked 不符合条件 by the cadre, one eligible undecided, the over-age one
    undecided. 新河村: one eligible household, undecided."""
    campaign = build_campaign()
    enrolled, declined, marked, _ = (build_household(world.village_a1) for _ in range(4))
    build_household(world.village_a1, child_birth_date=date(1999, 1, 1))
    build_household(world.village_a2)
    roster = Roster.objects.get(campaign=campaign, village=world.village_a1)
    cadre = world.user("cadre_a1")
    entry_decide(actor=cadre, roster=roster, household=enrolled, decision="enrolled")
    entry_decide(actor=cadre, roster=roster, household=declined, decision="declined", reason="外出")
    entry_decide(
        actor=cadre, roster=roster, household=marked, decision="not_eligible", reason="已迁出本市"
    )
    return roster


def _cards(html: str) -> dict[str, str]:
    block = html.split('id="roster-figures"', 1)[1].split("</div>\n\n", 1)[0]
    pairs = re.findall(
        r'hm-card-number[^>]*>([^<]+)</div><div class="small text-muted">([^<]+)<', block
    )
    return {label: number for number, label in pairs}


def test_the_roster_page_counts_each_household_once(world, village, client_for):
    page = client_for(world.user("cadre_a1")).get(village.get_absolute_url()).text
    cards = _cards(page)
    assert cards["户数"] == "5"
    assert (cards["符合条件"], cards["不符合条件"]) == ("3", "2")
    assert (cards["参保户"], cards["自愿放弃"], cards["未处理"]) == ("1", "1", "1")
    assert "户数 = 符合条件（参保 + 自愿放弃 + 未处理）+ 不符合条件" in page


def test_the_township_rosters_add_up(world, village, client_for):
    client = client_for(world.user("township_a"))
    url = reverse("enrollment:township_rosters", args=[world.town_a.pk])
    page = client.get(url).text
    table = Tables(page).tables["township-rosters"]
    head = table["head"][0]
    rows = {row[0]: dict(zip(head, row, strict=True)) for row in table["body"]}
    east = rows["东兴村"]
    assert (east["户数"], east["符合条件"], east["不符合条件"]) == ("5", "3", "2")
    assert (east["已参保"], east["自愿放弃"], east["未登记"]) == ("1", "1", "1")
    total = dict(zip([head[0], *head[3:]], table["foot"][0], strict=True))
    assert (total["户数"], total["符合条件"], total["不符合条件"]) == ("6", "4", "2")
    for row in [*rows.values(), total]:
        n = {
            key: int(row[key])
            for key in ("户数", "符合条件", "不符合条件", "已参保", "自愿放弃", "未登记")
        }
        assert n["户数"] == n["符合条件"] + n["不符合条件"]
        assert n["符合条件"] == n["已参保"] + n["自愿放弃"] + n["未登记"]
    assert "户数 = 符合条件（参保 + 自愿放弃 + 未处理）+ 不符合条件" in page


def test_the_rosters_overview_adds_up(world, village, client_for):
    page = client_for(world.user("city")).get(reverse("enrollment:rosters_overview")).text
    table = Tables(page).tables["township-overview"]
    first, second = table["head"]
    head = first[:2] + second + first[3:]  # 名册 spans the four roster states
    rows = {row[0]: dict(zip(head, row, strict=True)) for row in table["body"]}
    total = dict(zip(head, table["foot"][0], strict=True))
    haimen = rows["海门镇"]
    assert (haimen["符合条件"], haimen["不符合条件"]) == ("4", "2")
    assert (haimen["已参保"], haimen["自愿放弃"], haimen["未登记"]) == ("1", "1", "2")
    for row in [*rows.values(), total]:
        assert int(row["符合条件"]) == sum(int(row[k]) for k in ("已参保", "自愿放弃", "未登记"))
    assert "户数 = 符合条件（参保 + 自愿放弃 + 未处理）+ 不符合条件" in page


def test_the_dashboards_count_a_household_marked_not_eligible_once(world, village, client_for):
    city = client_for(world.user("city")).get(reverse("dashboard")).text
    rows = {row[0]: row for row in Tables(city).tables["dashboard-table"]["body"]}
    assert rows["海门镇"][1:4] == ["4", "1", "25.00%"]
    foot = Tables(city).tables["dashboard-table"]["foot"][0]
    assert foot[1] == str(sum(int(row[1]) for row in rows.values()))
    town = client_for(world.user("township_a")).get(
        reverse("dashboard_township", args=[world.town_a.pk])
    )
    table = Tables(town.text).tables["dashboard-table"]
    villages = {row[0]: row for row in table["body"]}
    assert villages["东兴村"][1:4] == ["3", "1", "33.33%"]
    assert villages["新河村"][1:4] == ["1", "0", "0.00%"]
    assert table["foot"][0][1] == "4"
    assert "符合条件户数不含村里认定不符合条件的户" in city
