"""The township side as people see it: the city overview, a township's villages, the township
report, and 「一个不多，一个不漏」."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Roster, TownshipReport
from enrollment.selectors.rosters import roster_figures, total
from enrollment.services.households import household_revoke
from enrollment.services.rosters import (
    entry_decide,
    roster_approve,
    roster_enrol_all,
    roster_submit,
    township_report_draft,
)
from haimen_insurance.models import Area
from haimen_insurance.privacy import mask
from tests.conftest import build_area, build_user
from tests.enrollment.conftest import build_household
from tests.enrollment.test_verification import Tables

pytestmark = pytest.mark.django_db

OVER_AGE = date(1999, 1, 1)  # turns 14 on the 2013 age date
EMPLOYER = "海门纺织厂"


def roster_of(campaign, village) -> Roster:
    return Roster.objects.get(campaign=campaign, village=village)


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status
    return response


def tables(response):
    return Tables(response.text).tables


def row_named(table, name):
    return next(row for row in table["body"] if row[0] == name)


@pytest.fixture
def households(world, campaign):
    """东兴村: three eligible families (one paid by an employer, one single-parent) and one over
    age; 新河村: two eligible; 南星村 (三星镇): one eligible."""
    a1 = [
        build_household(world.village_a1),
        build_household(world.village_a1, employer_name=EMPLOYER),
        build_household(world.village_a1, father_name="", father_id_number=""),
        build_household(world.village_a1, child_birth_date=OVER_AGE),
    ]
    a2 = [build_household(world.village_a2), build_household(world.village_a2)]
    b1 = [build_household(world.village_b1)]
    return {"a1": a1, "a2": a2, "b1": b1}


@pytest.fixture
def progress(world, campaign, households):
    """东兴村 enrolled in full and approved (6 policies, 8 persons, 120.00); 新河村 one enrolled
    and one declined, submitted (2 policies, 3 persons, 40.00); 南星村 untouched."""
    officer = world.user("township_a")
    a1, a2 = roster_of(campaign, world.village_a1), roster_of(campaign, world.village_a2)
    roster_enrol_all(actor=world.user("cadre_a1"), roster=a1)
    roster_submit(actor=world.user("cadre_a1"), roster=a1)
    roster_approve(actor=officer, roster=a1)
    cadre = world.user("cadre_a2")
    first, second = households["a2"]
    entry_decide(actor=cadre, roster=a2, household=first, decision="enrolled")
    entry_decide(actor=cadre, roster=a2, household=second, decision="declined", reason="外出务工")
    roster_submit(actor=cadre, roster=a2)
    return {"a1": a1, "a2": a2}


def approve_all(world, progress):
    roster_approve(actor=world.user("township_a"), roster=progress["a2"])


# --- the city overview ---


def test_overview_shows_each_township_with_the_rosters_figures(world, campaign, progress, client):
    client.force_login(world.user("city"))
    table = tables(get(client, reverse("enrollment:rosters_overview")))["township-overview"]
    # 乡镇, 村数, 通过, 待审核, 退回, 填报中, 符合条件, 已参保, 自愿放弃, 未登记, 不符合条件,
    # 保单, 被保险人, 保费, 汇总
    assert row_named(table, "海门镇") == [
        *("海门镇", "2", "1", "1", "0", "0"),
        *("5", "4", "1", "0", "1", "8", "11", "160.00", "未汇总"),
    ]
    assert row_named(table, "三星镇") == [
        *("三星镇", "1", "0", "0", "0", "1"),
        *("1", "0", "0", "1", "0", "0", "0", "0.00", "未汇总"),
    ]
    assert table["foot"][0] == [
        *("合计", "3", "1", "1", "0", "1"),
        *("6", "4", "1", "1", "1", "8", "11", "160.00", ""),
    ]
    # The same numbers the rosters add up to.
    city = total(roster_figures(campaign, Area.objects.villages()).values())
    assert (city.eligible, city.enrolled, city.undecided, city.policies, city.persons) == (
        6,
        4,
        1,
        8,
        11,
    )
    assert city.premium == Decimal("160.00")


def test_overview_sends_a_township_officer_to_their_township(world, campaign, client):
    client.force_login(world.user("township_a"))
    response = get(client, reverse("enrollment:rosters_overview") + "?campaign=2013", 302)
    assert response["Location"] == (
        reverse("enrollment:township_rosters", args=[world.town_a.pk]) + "?campaign=2013"
    )


def test_overview_refuses_the_village_cadre_and_the_insurer(world, campaign, client):
    for key in ("cadre_a1", "insurer_a", "finance_a"):
        client.force_login(world.user(key))
        get(client, reverse("enrollment:rosters_overview"), 403)


def test_pages_without_a_campaign_say_so(world, client):
    client.force_login(world.user("city"))
    for url in (
        reverse("enrollment:rosters_overview"),
        reverse("enrollment:township_rosters", args=[world.town_a.pk]),
        reverse("enrollment:reconciliation"),
    ):
        assert "还没有建立参保年度" in get(client, url).text


def test_a_campaign_is_chosen_by_year(world, campaign, client):
    client.force_login(world.user("city"))
    url = reverse("enrollment:rosters_overview")
    assert "各乡镇名册 — 2013年度" in get(client, f"{url}?campaign=2013").text
    get(client, f"{url}?campaign=2099", 404)
    get(client, f"{url}?campaign=abc", 404)


# --- a township's villages ---


def test_township_page_shows_each_village_roster_and_totals(world, campaign, progress, client):
    client.force_login(world.user("township_a"))
    response = get(client, reverse("enrollment:township_rosters", args=[world.town_a.pk]))
    table = tables(response)["township-rosters"]
    # 村, 状态, 提交时间, 户数, 符合条件, 已参保, 放弃, 不符合, 未登记, 保单, 被保险人, 保费
    dongxing = row_named(table, "东兴村")
    assert dongxing[1] == "审核通过"
    submitted_at = timezone.localtime(roster_of(campaign, world.village_a1).submitted_at)
    assert dongxing[2] == f"{submitted_at:%Y-%m-%d %H:%M}"
    assert dongxing[3:] == ["4", "3", "3", "0", "1", "0", "6", "8", "120.00"]
    xinhe = row_named(table, "新河村")
    assert xinhe[1] == "已提交待审核"
    assert xinhe[3:] == ["2", "2", "1", "1", "0", "0", "2", "3", "40.00"]
    assert table["foot"][0] == ["合计", "6", "5", "4", "1", "1", "0", "8", "11", "160.00"]
    assert [row[0] for row in table["body"]] == ["东兴村", "新河村"]  # not 三星镇's 南星村
    # Not ready: no button, and the page says which village is waiting.
    assert "生成乡镇汇总表</button>" not in response.text
    assert "尚未审核通过：新河村" in response.text
    assert "没有问题" in response.text  # the reconciliation box
    assert reverse("enrollment:township_reconciliation", args=[world.town_a.pk]) in response.text


def test_draft_is_refused_with_the_villages_not_approved(world, campaign, progress, client):
    client.force_login(world.user("township_a"))
    url = reverse("enrollment:township_report_draft", args=[world.town_a.pk])
    response = client.post(url, {"campaign": "2013"}, follow=True)
    assert response.redirect_chain[-1][0] == (
        reverse("enrollment:township_rosters", args=[world.town_a.pk]) + "?campaign=2013"
    )
    assert "全部村（社区）名册审核通过后才能汇总。尚未通过：新河村" in response.text
    assert not TownshipReport.objects.exists()


def test_draft_then_report_locks_the_rosters(world, campaign, progress, client):
    approve_all(world, progress)
    client.force_login(world.user("township_a"))
    page = reverse("enrollment:township_rosters", args=[world.town_a.pk])
    response = get(client, page)
    assert "生成乡镇汇总表</button>" in response.text
    assert 'data-confirm="确定按已审核通过的各村（社区）名册生成海门镇' in response.text

    response = client.post(
        reverse("enrollment:township_report_draft", args=[world.town_a.pk]),
        {"campaign": "2013"},
        follow=True,
    )
    report = TownshipReport.objects.get()
    assert response.redirect_chain[-1][0] == reverse("enrollment:township_report", args=[report.pk])
    assert "已生成海门镇2013年度汇总表：参保 4 户，保单 8 份，被保险人 11 人" in response.text
    assert "保费合计 160.00 元" in response.text
    assert "已汇总待上报" in response.text
    assert "上报财政所和保险公司" in response.text
    assert "上报后各村（社区）名册将被锁定" in response.text  # the data-confirm question

    response = client.post(
        reverse("enrollment:township_report_submit", args=[report.pk]), follow=True
    )
    assert "已上报财政所和保险公司" in response.text
    assert "各村（社区）名册已锁定" in response.text
    report.refresh_from_db()
    assert report.status == TownshipReport.Status.REPORTED
    assert not Roster.objects.filter(campaign=campaign, village__parent=world.town_a).filter(
        locked_at__isnull=True
    )
    assert 'action="' + reverse("enrollment:township_report_submit", args=[report.pk]) not in (
        response.text
    )
    response = get(client, page)
    assert "已上报" in response.text
    assert "已锁定" in response.text
    assert "生成乡镇汇总表</button>" not in response.text
    # The city sees it on the overview.
    client.force_login(world.user("city"))
    table = tables(get(client, reverse("enrollment:rosters_overview")))["township-overview"]
    assert row_named(table, "海门镇")[-1] == "已上报"


# --- the township report ---


@pytest.fixture
def report(world, campaign, progress, client):
    approve_all(world, progress)
    client.force_login(world.user("township_a"))
    client.post(reverse("enrollment:township_report_draft", args=[world.town_a.pk]))
    return TownshipReport.objects.get()


def test_report_totals_equal_the_sum_of_its_lines(world, report, client):
    client.force_login(world.user("township_a"))
    response = get(client, report.get_absolute_url())
    page = tables(response)
    lines = page["report-lines"]
    premium = sum(Decimal(row[6].replace(",", "")) for row in lines["body"])
    assert premium == Decimal("160.00")
    assert lines["foot"][0] == ["合计", "8", "11", "160.00"]
    assert sum(int(row[4]) for row in lines["body"]) == 8
    assert sum(int(row[5]) for row in lines["body"]) == 11
    # By village: households, policies, persons, each product, each payer, total.
    villages = page["report-villages"]
    assert villages["head"][1] == [
        "独生子女平安保险",
        "独生子女父母安康保险",
        "村集体",
        EMPLOYER,
    ]
    assert row_named(villages, "东兴村")[1:] == [
        *("3", "6", "8"),
        *("60.00", "60.00", "80.00", "40.00", "120.00"),
    ]
    assert row_named(villages, "新河村")[1:] == [
        *("1", "2", "3"),
        *("20.00", "20.00", "40.00", "0.00", "40.00"),
    ]
    assert villages["foot"][0] == [
        *("合计", "4", "8", "11"),
        *("80.00", "80.00", "120.00", "40.00", "160.00"),
    ]
    payers = page["report-payers"]
    assert payers["body"] == [
        ["村集体", "3", "6", "8", "120.00"],
        [EMPLOYER, "1", "2", "3", "40.00"],
    ]
    assert payers["foot"][0] == ["合计", "4", "8", "11", "160.00"]
    assert "壹佰陆拾元整" in response.text
    assert "不一致" not in response.text


def test_report_is_read_by_finance_and_the_insurer_of_its_township(world, report, client):
    url = report.get_absolute_url()
    for key in ("finance_a", "insurer_a", "city", "leader"):
        client.force_login(world.user(key))
        response = get(client, url)
        assert "160.00" in response.text
        assert "上报财政所和保险公司</button>" not in response.text  # only the officer reports
    for key in ("finance_b", "insurer_b", "township_b"):
        client.force_login(world.user(key))
        get(client, url, 404)
    client.force_login(world.user("cadre_a1"))
    get(client, url, 403)


def test_finance_cannot_report(world, report, client):
    client.force_login(world.user("finance_a"))
    response = client.post(reverse("enrollment:township_report_submit", args=[report.pk]))
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == TownshipReport.Status.DRAFTED


def test_reporting_twice_is_refused_with_a_message(world, report, client):
    client.force_login(world.user("township_a"))
    url = reverse("enrollment:township_report_submit", args=[report.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "不能重复上报" in response.text


# --- 一个不多，一个不漏 ---


def test_reconciliation_lists_an_undecided_household_until_it_is_decided(
    world, campaign, households, client
):
    nanxing = households["b1"][0]
    url = reverse("enrollment:township_reconciliation", args=[world.town_b.pk])
    client.force_login(world.user("township_b"))
    response = get(client, url)
    assert tables(response)["undecided"]["body"] == [
        [
            "南星村",
            nanxing.certificate_no,
            nanxing.child_name,
            f"{nanxing.father_name} / {nanxing.mother_name}",
        ]
    ]
    assert reverse("enrollment:household_detail", args=[nanxing.pk]) in response.text
    # The city page lists it with its township.
    client.force_login(world.user("city"))
    response = get(client, reverse("enrollment:reconciliation"))
    assert nanxing.certificate_no in response.text
    assert "三星镇" in response.text

    entry_decide(
        actor=world.user("cadre_b1"),
        roster=roster_of(campaign, world.village_b1),
        household=nanxing,
        decision="declined",
        reason="家长不愿参加",
    )
    client.force_login(world.user("township_b"))
    response = get(client, url)
    assert nanxing.certificate_no not in response.text
    assert "没有问题：三星镇符合条件的户都已登记" in response.text
    assert response.text.count("没有问题") == 4  # the page and each of the three sections


def test_reconciliation_shows_a_person_insured_for_two_households(world, campaign, client):
    first = build_household(world.village_a1)
    # The register has the same ID as 东兴村's child and as 新河村's father: two households.
    second = build_household(
        world.village_a2, father_name=first.child_name, father_id_number=first.child_id_number
    )
    roster_enrol_all(actor=world.user("cadre_a1"), roster=roster_of(campaign, world.village_a1))
    roster_enrol_all(actor=world.user("cadre_a2"), roster=roster_of(campaign, world.village_a2))
    url = reverse("enrollment:township_reconciliation", args=[world.town_a.pk])
    client.force_login(world.user("city"))  # sees IDs masked
    response = get(client, url)
    rows = tables(response)["duplicates"]["body"]
    assert len(rows) == 1
    name, shown, product, *holders = rows[0]
    assert shown == mask(first.child_id_number)
    assert first.child_id_number not in response.text
    assert sorted(holders) == sorted(
        [f"东兴村 证号 {first.certificate_no}", f"新河村 证号 {second.certificate_no}"]
    )
    assert name.startswith(first.child_name)
    client.force_login(world.user("township_a"))  # works with full IDs
    assert first.child_id_number in get(client, url).text


def test_reconciliation_shows_an_enrolled_household_no_longer_eligible(
    world, campaign, households, client
):
    cadre = world.user("cadre_a1")
    roster_enrol_all(actor=cadre, roster=roster_of(campaign, world.village_a1))
    revoked = households["a1"][0]
    household_revoke(actor=cadre, household=revoked, reason="再生育")
    client.force_login(world.user("township_a"))
    response = get(client, reverse("enrollment:township_reconciliation", args=[world.town_a.pk]))
    assert "已参保但不再符合条件" in response.text
    assert revoked.certificate_no in response.text
    assert "独生子女证已注销" in response.text
    # The township page counts it and so offers no report.
    page = get(client, reverse("enrollment:township_rosters", args=[world.town_a.pk]))
    assert "已参保但不再符合条件：<strong>1</strong> 户" in page.text


def test_city_reconciliation_sends_a_township_officer_to_theirs(world, campaign, client):
    client.force_login(world.user("township_a"))
    response = get(client, reverse("enrollment:reconciliation"), 302)
    assert response["Location"] == reverse(
        "enrollment:township_reconciliation", args=[world.town_a.pk]
    )


# --- scope ---


def test_another_townships_pages_do_not_exist_for_an_officer(world, report, client):
    client.force_login(world.user("township_b"))
    town_a = world.town_a.pk
    for url in (
        reverse("enrollment:township_rosters", args=[town_a]),
        reverse("enrollment:township_reconciliation", args=[town_a]),
        reverse("enrollment:township_report", args=[report.pk]),
    ):
        get(client, url, 404)
    for url in (
        reverse("enrollment:township_report_draft", args=[town_a]),
        reverse("enrollment:township_report_submit", args=[report.pk]),
    ):
        assert client.post(url).status_code == 404
    report.refresh_from_db()
    assert report.status == TownshipReport.Status.DRAFTED


# --- queries do not grow with villages or households ---

OVERVIEW_QUERIES = 13
TOWNSHIP_QUERIES = 16


def grow(world, campaign, index):
    """Another village in 海门镇 with three households, all enrolled."""
    village = build_area(f"3206841003{index:02d}", f"增村{index}", Area.Kind.VILLAGE, world.town_a)
    cadre = build_user(f"cadre_grow{index}", "village_cadre", area=village)
    roster = Roster.objects.create(campaign=campaign, village=village)
    for _ in range(3):
        build_household(village)
    roster_enrol_all(actor=cadre, roster=roster)


def test_overview_and_township_queries_do_not_grow(
    world, campaign, progress, client, django_assert_num_queries
):
    client.force_login(world.user("city"))
    overview = reverse("enrollment:rosters_overview")
    township = reverse("enrollment:township_rosters", args=[world.town_a.pk])
    with django_assert_num_queries(OVERVIEW_QUERIES):
        get(client, overview)
    with django_assert_num_queries(TOWNSHIP_QUERIES):
        get(client, township)
    for index in range(3):
        grow(world, campaign, index)
    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = get(client, overview)
    assert row_named(tables(response)["township-overview"], "海门镇")[1] == "5"
    with django_assert_num_queries(TOWNSHIP_QUERIES):
        response = get(client, township)
    table = tables(response)["township-rosters"]
    assert len(table["body"]) == 5
    assert table["foot"][0][2:6] == ["14", "13", "1", "1"]


# The reconciliation: one more for the money by payer (its reports with their transfers; two
# more, the shares and the lines, once a township has reported). The report: one more for the
# premium shares (the dues are made from the lines the page reads already).
RECONCILIATION_QUERIES = 11
REPORT_QUERIES = 10


def test_reconciliation_queries_do_not_grow(world, campaign, client, django_assert_num_queries):
    build_household(world.village_a1)
    build_household(world.village_b1)
    client.force_login(world.user("city"))
    url = reverse("enrollment:reconciliation")
    with django_assert_num_queries(RECONCILIATION_QUERIES):
        response = get(client, url)
    assert len(tables(response)["undecided"]["body"]) == 2
    for village in (world.village_a1, world.village_a2, world.village_b1):
        for _ in range(3):
            build_household(village)
    with django_assert_num_queries(RECONCILIATION_QUERIES):
        response = get(client, url)
    assert len(tables(response)["undecided"]["body"]) == 11
    assert "共 <strong>11</strong> 个问题" in response.text


def test_report_queries_do_not_grow(world, campaign, client, django_assert_num_queries):
    """三星镇's report has one household; 海门镇's has nine, five of them paid by units."""
    build_household(world.village_b1)
    for index in range(4):
        build_household(world.village_a1, employer_name=f"单位{index}")
        build_household(world.village_a2)
    build_household(world.village_a2, employer_name="单位0")
    reports = {}
    for township, cadres, officer in (
        (world.town_b, {world.village_b1: "cadre_b1"}, "township_b"),
        (world.town_a, {world.village_a1: "cadre_a1", world.village_a2: "cadre_a2"}, "township_a"),
    ):
        for village, cadre in cadres.items():
            roster = roster_of(campaign, village)
            roster_enrol_all(actor=world.user(cadre), roster=roster)
            roster_submit(actor=world.user(cadre), roster=roster)
            roster_approve(actor=world.user(officer), roster=roster)
        reports[township.name] = township_report_draft(
            actor=world.user(officer), campaign=campaign, township=township
        )
    client.force_login(world.user("city"))
    with django_assert_num_queries(REPORT_QUERIES):
        response = get(client, reports["三星镇"].get_absolute_url())
    assert tables(response)["report-lines"]["foot"][0] == ["合计", "2", "3", "40.00"]
    with django_assert_num_queries(REPORT_QUERIES):
        response = get(client, reports["海门镇"].get_absolute_url())
    assert len(tables(response)["report-payers"]["body"]) == 5
    assert tables(response)["report-lines"]["foot"][0] == ["合计", "18", "27", "360.00"]
