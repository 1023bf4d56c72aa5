"""The county report (县级汇总上报) of a city with counties (Ji'an's shape): drafted by the
county's officer once every township of the county has reported, naming those that have not;
drafted again with its figures refreshed; reported to the city after a confirmation page, and
fixed from then on. Its page, PDF and workbook show the township reports' figures and their
sums; the county's finance office and the city read it, another county's officer finds nothing
(404), the townships, villages and insurers are refused (403). Haimen has no county report."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from enrollment import access
from enrollment.models import CountyReport, CountyReportLine, Roster, TownshipReport
from enrollment.selectors.shares import county_premium_by_payer
from enrollment.services.county_reports import county_report_draft, county_report_submit
from enrollment.services.rosters import (
    roster_approve,
    roster_enrol_all,
    roster_submit,
    township_report_draft,
)
from haimen_insurance.models import Area, AuditEvent
from oversight.todo import todo_list
from tests.conftest import build_area
from tests.enrollment.conftest import build_campaign, build_household, build_reported_report
from tests.enrollment.test_policy_pdfs import flat, pdf_text
from tests.enrollment.test_verification import Tables

pytestmark = [pytest.mark.django_db, pytest.mark.parametrize("world", ["jian"], indirect=True)]

REFUSED = "只有本县（区）计生委可以汇总和上报县级汇总表。"


@pytest.fixture
def beiyuan(world):
    """A second township of county A, 北源乡, with one village."""
    township = build_area("360821200000", "北源乡", Area.Kind.XIANG, world.county_a)
    build_area("360821200201", "枫林村", Area.Kind.VILLAGE, township)
    return township


@pytest.fixture
def year(world, beiyuan):
    """The 2013 campaign: 敦厚镇 (county A) three families, one paid by an employer; 北源乡
    (county A) one family; 文峰镇 (county B) one family."""
    build_household(world.village_a1)
    build_household(world.village_a1)
    build_household(world.village_a2, employer_name="吉安县人民医院")
    build_household(beiyuan.children.get())
    build_household(world.village_b1)
    return build_campaign()


def officer(world):
    return world.user("county_a")


def both_reported(world, year, beiyuan) -> list[TownshipReport]:
    return [build_reported_report(year, township) for township in (world.town_a, beiyuan)]


def county_page(client, world, year):
    url = reverse("enrollment:county_report", args=[world.county_a.pk])
    response = client.get(f"{url}?campaign={year.year}")
    assert response.status_code == 200
    return response, Tables(response.text).tables


# --- services ---


def test_drafting_is_refused_naming_the_townships_not_reported(world, year, beiyuan):
    build_reported_report(year, world.town_a)
    with pytest.raises(ValidationError) as refused:
        county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    assert refused.value.messages == [
        "全部乡镇（园区）上报汇总表后才能县级汇总。尚未上报：北源乡。"
    ]
    # A township report drafted but not reported does not count either.
    roster = Roster.objects.get(campaign=year, village__parent=beiyuan)
    roster_enrol_all(actor=None, roster=roster)
    roster_submit(actor=None, roster=roster)
    roster_approve(actor=None, roster=roster)
    township_report_draft(actor=None, campaign=year, township=beiyuan)
    with pytest.raises(ValidationError, match="尚未上报：北源乡"):
        county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    assert not CountyReport.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="county_report").exists()


def test_drafting_names_every_township_not_reported(world, year, beiyuan):
    with pytest.raises(ValidationError) as refused:
        county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    assert "尚未上报：敦厚镇、北源乡。" in refused.value.messages[0]


def test_the_draft_copies_each_township_report_and_sums_them(world, year, beiyuan):
    dunhou, north = both_reported(world, year, beiyuan)
    report = county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    assert report.status == CountyReport.Status.DRAFTED
    lines = {line.township.name: line for line in report.lines.select_related("township")}
    assert set(lines) == {"敦厚镇", "北源乡"}  # 文峰镇 is county B's
    for township_report in (dunhou, north):
        line = lines[township_report.township.name]
        assert line.township_report == township_report
        assert (line.households, line.policies, line.persons, line.premium) == (
            township_report.households,
            township_report.policies,
            township_report.persons,
            township_report.premium,
        )
    assert (report.households, report.policies, report.persons) == (4, 8, 12)
    assert report.premium == Decimal("160.00") == dunhou.premium + north.premium
    assert report.drafted_by == officer(world) and report.drafted_at is not None
    event = AuditEvent.objects.get(action="county_report.draft")
    assert event.get_action_label() == "县级汇总"
    assert event.actor == officer(world) and event.area == world.county_a
    assert event.changes["townships"] == 2 and event.changes["households"] == 4


def test_a_drafted_report_is_drafted_again_with_its_figures_refreshed(world, year, beiyuan):
    both_reported(world, year, beiyuan)
    first = county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    CountyReportLine.objects.filter(report=first).delete()  # figures gone stale
    again = county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    assert again.pk == first.pk and again.status == CountyReport.Status.DRAFTED
    assert again.lines.count() == 2 and again.premium == Decimal("160.00")
    assert CountyReport.objects.count() == 1
    assert AuditEvent.objects.filter(action="county_report.draft").count() == 2


def test_a_reported_report_is_fixed(world, year, beiyuan):
    both_reported(world, year, beiyuan)
    report = county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    report = county_report_submit(actor=officer(world), report=report)
    assert report.status == CountyReport.Status.REPORTED
    assert report.reported_by == officer(world) and report.reported_at is not None
    event = AuditEvent.objects.get(action="county_report.report")
    assert event.get_action_label() == "县级上报"
    with pytest.raises(ValidationError) as refused:
        county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    assert refused.value.messages == ["吉安县2013年度县级汇总表已上报，不能重新汇总。"]
    with pytest.raises(ValidationError, match="不能重复上报"):
        county_report_submit(actor=officer(world), report=report)
    report.refresh_from_db()
    assert report.status == CountyReport.Status.REPORTED and report.lines.count() == 2


@pytest.mark.parametrize(
    "key", ["county_b", "county_finance_a", "township_a", "finance_a", "city", "leader"]
)
def test_only_the_countys_own_officer_drafts_and_reports(world, year, beiyuan, key):
    both_reported(world, year, beiyuan)
    with pytest.raises(PermissionDenied, match=REFUSED):
        county_report_draft(actor=world.user(key), campaign=year, county=world.county_a)
    report = county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    with pytest.raises(PermissionDenied, match=REFUSED):
        county_report_submit(actor=world.user(key), report=report)
    report.refresh_from_db()
    assert report.status == CountyReport.Status.DRAFTED


# --- pages ---


def test_the_page_shows_each_township_and_the_sum_of_their_reports(
    world, year, beiyuan, client_for
):
    reports = both_reported(world, year, beiyuan)
    client = client_for(officer(world))
    response, tables = county_page(client, world, year)
    assert "各乡镇（园区）均已上报汇总表" in response.text
    rows = {row[0]: row for row in tables["county-report-townships"]["body"]}
    for report in reports:
        assert rows[report.township.name][2:] == [
            str(report.households),
            str(report.policies),
            str(report.persons),
            f"{report.premium:,.2f}",
        ]
    assert tables["county-report-townships"]["foot"][0][1:] == ["4", "8", "12", "160.00"]

    drafted = client.post(
        reverse("enrollment:county_report_draft", args=[world.county_a.pk]),
        {"campaign": year.year},
        follow=True,
    )
    assert "已生成吉安县2013年度县级汇总表：乡镇（园区）2 个，参保 4 户" in drafted.text
    tables = Tables(drafted.text).tables
    lines = {row[0]: row for row in tables["county-report-lines"]["body"]}
    assert set(lines) == {"敦厚镇", "北源乡"}
    for report in reports:
        assert lines[report.township.name][2:] == [
            str(report.households),
            str(report.policies),
            str(report.persons),
            f"{report.premium:,.2f}",
        ]
    summed = [sum(r.households for r in reports), sum(r.policies for r in reports)]
    assert tables["county-report-lines"]["foot"][0][2:] == [
        *map(str, summed),
        str(sum(r.persons for r in reports)),
        f"{sum(r.premium for r in reports):,.2f}",
    ]
    assert "壹佰陆拾元整" in drafted.text
    assert reverse("enrollment:county_report_submit", args=[CountyReport.objects.get().pk]) in (
        drafted.text
    )


def test_the_page_names_the_townships_not_reported_and_offers_no_draft(
    world, year, beiyuan, client_for
):
    build_reported_report(year, world.town_a)
    response, _ = county_page(client_for(officer(world)), world, year)
    assert "尚未上报：北源乡。" in response.text
    assert reverse("enrollment:county_report_draft", args=[world.county_a.pk]) not in response.text
    refused = client_for(officer(world)).post(
        reverse("enrollment:county_report_draft", args=[world.county_a.pk]),
        {"campaign": year.year},
        follow=True,
    )
    assert "全部乡镇（园区）上报汇总表后才能县级汇总。尚未上报：北源乡。" in refused.text
    assert not CountyReport.objects.exists()


def test_reporting_asks_first_on_a_page_of_its_own(world, year, beiyuan, client_for):
    both_reported(world, year, beiyuan)
    report = county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    client = client_for(officer(world))
    url = reverse("enrollment:county_report_submit", args=[report.pk])
    confirm = client.get(url)
    assert "上报后县级汇总表不能再修改" in confirm.text and "确认上报市计生委" in confirm.text
    assert Tables(confirm.text).tables["county-report-submit-lines"]["foot"][0][1:] == [
        "4",
        "8",
        "12",
        "160.00",
    ]
    # A POST without the confirmation goes back to it, and reports nothing.
    assert client.post(url).url == url
    report.refresh_from_db()
    assert report.status == CountyReport.Status.DRAFTED
    done = client.post(url, {"confirm": "1"}, follow=True)
    assert "吉安县2013年度县级汇总表已上报市计生委，保费合计 160.00 元。" in done.text
    report.refresh_from_db()
    assert report.status == CountyReport.Status.REPORTED
    assert "已上报市计生委，不能再修改" in done.text
    assert url not in done.text  # no button to report again
    assert reverse("enrollment:county_report_draft", args=[world.county_a.pk]) not in done.text
    assert client.get(url).status_code == 302  # the confirmation page is gone


def test_the_pdf_prints_the_townships_totals_and_signature_lines(world, year, beiyuan, client_for):
    both_reported(world, year, beiyuan)
    report = county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    response = client_for(world.user("county_finance_a")).get(
        reverse("enrollment:county_report_pdf", args=[report.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content))
    assert "2013年度独生子女家庭保险县级汇总表" in text
    assert "县（区）：吉安县" in text and "状态：已汇总待上报" in text
    assert "敦厚镇" in text and "北源乡" in text and "文峰镇" not in text
    assert "合计：乡镇（园区）2个，参保4户，保单8份，被保险人12人，保费160.00元" in text
    assert "壹佰陆拾元整" in text
    assert "县（区）计生委负责人" in text and "盖章" in text


def test_the_workbook_has_a_line_per_township_and_a_totals_row(world, year, beiyuan, client_for):
    both_reported(world, year, beiyuan)
    report = county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    response = client_for(world.user("city")).get(
        reverse("enrollment:county_report_xlsx", args=[report.pk])
    )
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == (
        "乡镇（园区）",
        "乡镇汇总状态",
        "参保户数",
        "保单数",
        "被保险人数",
        "保费（元）",
    )
    assert [row[0] for row in rows[2:-1]] == ["敦厚镇", "北源乡"]
    assert rows[-1][0] == "合计" and rows[-1][2:5] == (4, 8, 12) and float(rows[-1][5]) == 160.0


def test_another_countys_officer_finds_nothing(world, year, beiyuan, client_for):
    both_reported(world, year, beiyuan)
    report = county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    for key in ("county_b", "county_finance_b"):
        client = client_for(world.user(key))
        for url in (
            reverse("enrollment:county_report", args=[world.county_a.pk]),
            reverse("enrollment:county_report_pdf", args=[report.pk]),
            reverse("enrollment:county_report_xlsx", args=[report.pk]),
        ):
            assert client.get(url).status_code == 404, (key, url)
    client = client_for(world.user("county_b"))
    assert client.get(reverse("enrollment:county_report_submit", args=[report.pk])).status_code == (
        404
    )
    assert (
        client.post(
            reverse("enrollment:county_report_submit", args=[report.pk]), {"confirm": "1"}
        ).status_code
        == 404
    )
    report.refresh_from_db()
    assert report.status == CountyReport.Status.DRAFTED


@pytest.mark.parametrize("key", ["township_a", "finance_a", "cadre_a1", "insurer_a"])
def test_the_townships_villages_and_insurers_are_refused(world, year, beiyuan, client_for, key):
    both_reported(world, year, beiyuan)
    report = county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    client = client_for(world.user(key))
    assert (
        client.get(reverse("enrollment:county_report", args=[world.county_a.pk])).status_code == 403
    )
    assert client.get(reverse("enrollment:county_report_pdf", args=[report.pk])).status_code == 403


def test_the_county_finance_office_reads_without_buttons(world, year, beiyuan, client_for):
    both_reported(world, year, beiyuan)
    report = county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    response, tables = county_page(client_for(world.user("county_finance_a")), world, year)
    assert tables["county-report-lines"]["foot"][0][2:] == ["4", "8", "12", "160.00"]
    assert reverse("enrollment:county_report_submit", args=[report.pk]) not in response.text
    assert reverse("enrollment:county_report_draft", args=[world.county_a.pk]) not in response.text


# --- where the county report shows: workbench, campaign page, dashboards ---


def test_the_officers_to_do_list_says_when_the_county_report_is_due(world, year, beiyuan):
    def titles():
        return [item.title for item in todo_list(officer(world)).items]

    build_reported_report(year, world.town_a)
    assert not any("县级汇总待上报" in title for title in titles())
    build_reported_report(year, beiyuan)
    assert "2013年度吉安县县级汇总待上报" in titles()
    item = next(i for i in todo_list(officer(world)).items if "县级汇总待上报" in i.title)
    assert item.url.startswith(reverse("enrollment:county_report", args=[world.county_a.pk]))
    assert item.deadline == year.review_deadline and item.action == "去县级汇总"
    report = county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    assert "2013年度吉安县县级汇总待上报" in titles()
    county_report_submit(actor=officer(world), report=report)
    assert not any("县级汇总待上报" in title for title in titles())
    # County B's officer has nothing of county A's.
    assert not any("县级汇总" in item.title for item in todo_list(world.user("county_b")).items)


def test_the_workbench_shows_the_to_do_item(world, year, beiyuan, client_for):
    both_reported(world, year, beiyuan)
    page = client_for(officer(world)).get(reverse("workbench"))
    assert "2013年度吉安县县级汇总待上报" in page.text
    assert reverse("enrollment:county_report", args=[world.county_a.pk]) in page.text


def test_the_campaign_page_lists_each_countys_report(world, year, beiyuan, client_for):
    both_reported(world, year, beiyuan)
    report = county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    county_report_submit(actor=officer(world), report=report)
    page = client_for(world.user("city")).get(year.get_absolute_url())
    rows = {row[0]: row for row in Tables(page.text).tables["campaign-county-reports"]["body"]}
    assert rows["吉安县"][1:5] == ["已上报", "2/2", "8", "160.00"]
    assert rows["吉水县"][1:5] == ["乡镇已上报 0/1", "0/1", "—", "—"]
    assert "尚未上报县级汇总表的县（区）：吉水县。" in page.text
    # A county's own officer sees its own county only.
    own = client_for(officer(world)).get(year.get_absolute_url())
    own_rows = Tables(own.text).tables["campaign-county-reports"]["body"]
    assert [row[0] for row in own_rows] == ["吉安县"]


def test_the_city_dashboard_shows_each_countys_report_status(world, year, beiyuan, client_for):
    both_reported(world, year, beiyuan)
    county_report_draft(actor=officer(world), campaign=year, county=world.county_a)
    page = client_for(world.user("leader")).get(reverse("dashboard"))
    rows = {row[0]: row for row in Tables(page.text).tables["dashboard-counties"]["body"]}
    assert rows["吉安县"][-1] == "已汇总待上报" and rows["吉水县"][-1] == "未汇总"
    assert reverse("enrollment:county_report", args=[world.county_a.pk]) in page.text
    county = client_for(officer(world)).get(reverse("dashboard_county", args=[world.county_a.pk]))
    assert 'id="dashboard-county-report"' in county.text and "已汇总待上报</a>" in county.text


def test_the_city_dashboard_costs_no_query_more(world, year, client_for, django_assert_num_queries):
    """The county reports' status rides on the dashboard's township query (14 queries once a
    township has reported, as in tests/oversight/test_county_dashboard.py)."""
    build_reported_report(year, world.town_a)
    city = client_for(world.user("city"))
    with django_assert_num_queries(14):
        city.get(reverse("dashboard"))


# --- who may ---


def test_the_access_rules_of_the_county_report(world, year, beiyuan):
    people = {key: world.user(key) for key in world.users} | {"system": None}

    def allowed(question) -> set[str]:
        return {key for key, user in people.items() if question(user)}

    readers = {"city", "leader", "county_a", "county_b", "county_finance_a", "county_finance_b"}
    assert allowed(access.may_see_county_reports) == readers
    makers = allowed(lambda user: access.may_make_county_report(user, world.county_a.pk))
    assert makers == {"county_a", "system"}
    both_reported(world, year, beiyuan)
    assert allowed(lambda user: access.may_draft_county_report(user, world.county_a.pk, None)) == (
        makers
    )
    report = county_report_draft(actor=None, campaign=year, county=world.county_a)
    assert allowed(lambda user: access.may_submit_county_report(user, report)) == makers
    # The services refuse exactly the people the access rules refuse.
    for key, user in people.items():
        try:
            with transaction.atomic():
                county_report_draft(actor=user, campaign=year, county=world.county_a)
                county_report_submit(actor=user, report=report)
                transaction.set_rollback(True)
        except PermissionDenied:
            refused = True
        else:
            refused = False
        assert refused == (key not in makers), key
    county_report_submit(actor=None, report=report)
    report.refresh_from_db()
    assert allowed(
        lambda user: access.may_draft_county_report(user, world.county_a.pk, report)
    ) == (set())
    assert allowed(lambda user: access.may_submit_county_report(user, report)) == set()


def test_no_text_of_the_pdf_overprints_or_leaves_its_column(world, year, beiyuan):
    from enrollment.pdf import county_report_pdf
    from tests.haimen_insurance.test_pdf_layout import layout_faults

    both_reported(world, year, beiyuan)
    report = county_report_draft(actor=None, campaign=year, county=world.county_a)
    lines = list(report.lines.select_related("township", "township_report"))
    assert layout_faults(county_report_pdf(report, lines, [])) == []


def test_the_premium_by_payer_is_the_shares_of_the_townships_reports(world, year, beiyuan, client):
    """Ji'an's shares (the city 2 yuan a share, county A 8, the township the rest of 20): the
    county report splits its premium so, on the page, in the PDF and in the workbook."""
    from tests.enrollment.test_premium_shares import jian_shares

    jian_shares(year, world)
    both_reported(world, year, beiyuan)
    report = county_report_draft(actor=None, campaign=year, county=world.county_a)
    premium = report.premium
    expected = [
        ("市财政", premium / 10),
        ("县（区）财政", premium * 8 / 20),
        ("乡镇", premium / 2),
    ]
    assert county_premium_by_payer(report) == expected
    assert sum(amount for _, amount in expected) == premium
    client.force_login(world.user("county_a"))
    page = client.get(
        reverse("enrollment:county_report", args=[world.county_a.pk]) + f"?campaign={year.year}"
    )
    assert "保费按分担主体" in page.text
    for label, amount in expected:
        assert label in page.text and f"{amount:,.2f}" in page.text
    pdf = client.get(reverse("enrollment:county_report_pdf", args=[report.pk])).content
    text = flat(pdf_text(pdf))
    assert "保费按分担主体" in text and "县（区）财政" in text
    response = client.get(reverse("enrollment:county_report_xlsx", args=[report.pk]))
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    sheet = book["保费按分担主体"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2, max_row=4)]
    assert [row[0] for row in rows] == [label for label, _ in expected]
    assert [Decimal(str(row[1])) for row in rows] == [amount for _, amount in expected]


def test_one_payer_paying_it_all_shows_no_split(world, year, beiyuan):
    both_reported(world, year, beiyuan)
    report = county_report_draft(actor=None, campaign=year, county=world.county_a)
    assert county_premium_by_payer(report) == []
