"""The premium shared between payers (保费分担): set by the city officer, refused when it does
not add up, due per share computed from the report's lines, each finance office's own transfer
(exact to the fen), the report funded with the last share due, and the money by payer shown on
the report, the reconciliation, the workbenches and the dashboards."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from enrollment.models import FundTransfer, PremiumShare, Product, Roster, TownshipReport
from enrollment.selectors.shares import report_shares, reports_shares_due, shares_due
from enrollment.services.campaigns import campaign_open, premium_shares_set
from enrollment.services.policies import transfer_record
from enrollment.services.rosters import (
    entry_decide,
    roster_approve,
    roster_submit,
    township_report_draft,
    township_report_submit,
)
from enrollment.services.shares import ShareInput
from haimen_insurance.models import AuditEvent
from tests.enrollment.conftest import (
    build_campaign,
    build_household,
    build_reported_report,
    transfer_values,
)

pytestmark = pytest.mark.django_db

JIAN = pytest.mark.parametrize("world", ["jian"], indirect=True)
Payer = PremiumShare.Payer


def jian_shares(campaign, world, *, county_a="8.00"):
    """The city 2 yuan a share, the counties 6 (county A ``county_a``), the township the rest,
    on both products."""
    for product in campaign.products.all():
        premium_shares_set(
            actor=None,
            product=product,
            shares=[
                ShareInput(Payer.CITY, Decimal("2.00")),
                ShareInput(
                    Payer.COUNTY,
                    Decimal("6.00"),
                    by_county={world.county_a.pk: Decimal(county_a)},
                ),
                ShareInput(Payer.TOWNSHIP, takes_rest=True),
            ],
        )


@pytest.fixture
def shared(world):
    """A campaign being prepared with Ji'an's shares, then opened."""
    campaign = build_campaign(opened=False)
    jian_shares(campaign, world)
    return campaign_open(actor=None, campaign=campaign)


@pytest.fixture
def shared_report(world, shared):
    """敦厚镇 (county A): two families, one of them with 3 shares of the child's product.

    Child's product: 4 share units (80 yuan), parents' product: 2 (40 yuan): 120 yuan, of which
    the city 2 × 6 = 12, the county (A: 8) 8 × 6 = 48, the township the rest 60."""
    build_household(world.village_a1)
    three = build_household(world.village_a2)
    child = shared.products.get(code=Product.Code.CHILD_SAFETY)
    parents = shared.products.get(code=Product.Code.PARENT_HEALTH)
    for roster in Roster.objects.filter(campaign=shared, village__parent=world.town_a):
        for household in roster.village.households.all():
            entry_decide(
                actor=None,
                roster=roster,
                household=household,
                decision="enrolled",
                shares={child: 3 if household == three else 1, parents: 1},
            )
        roster_submit(actor=None, roster=roster)
        roster_approve(actor=None, roster=roster)
    report = township_report_draft(actor=None, campaign=shared, township=world.town_a)
    return township_report_submit(actor=None, report=report)


# --- the default: Haimen's campaign, unchanged ---


def test_a_new_campaign_has_the_township_take_the_whole_premium(world, campaign):
    for product in campaign.products.all():
        share = product.shares.get()
        assert (share.payer, share.amount, share.takes_rest) == (Payer.TOWNSHIP, None, True)


def test_a_haimen_report_owes_its_premium_to_the_township_alone(world, campaign):
    build_household(world.village_a1)
    report = build_reported_report(campaign, world.town_a)
    due = shares_due(report)
    assert due[Payer.TOWNSHIP] == report.premium == Decimal("40.00")
    assert sum(due.values()) == report.premium
    assert report_shares(report).awaited == ["township"]


def test_city_finance_owes_nothing_on_a_haimen_report_and_is_refused(world, campaign):
    build_household(world.village_a1)
    report = build_reported_report(campaign, world.town_a)
    with pytest.raises(ValidationError, match="市财政局对海门镇2013年度汇总表没有应划拨的保费"):
        transfer_record(
            actor=world.user("city_finance"),
            report=report,
            **transfer_values(report, amount=Decimal("40.00")),
        )
    assert not FundTransfer.objects.exists()
    assert not AuditEvent.objects.filter(action="transfer.record").exists()


# --- setting the shares ---


def test_a_county_share_where_the_city_has_no_counties_is_refused(world):
    campaign = build_campaign(opened=False)
    product = campaign.products.get(code=Product.Code.CHILD_SAFETY)
    with pytest.raises(ValidationError) as refused:
        premium_shares_set(
            actor=world.user("city"),
            product=product,
            shares=[
                ShareInput(Payer.COUNTY, Decimal("6.00")),
                ShareInput(Payer.TOWNSHIP, takes_rest=True),
            ],
        )
    assert refused.value.messages == ["本市不设县（区），不能设置县（区）财政分担。"]
    assert list(product.shares.values_list("payer", flat=True)) == [Payer.TOWNSHIP]
    assert not AuditEvent.objects.filter(action="premium_shares.set").exists()


@JIAN
def test_shares_that_exceed_the_premium_for_one_county_are_refused(world):
    campaign = build_campaign(opened=False)
    product = campaign.products.get(code=Product.Code.CHILD_SAFETY)
    with pytest.raises(ValidationError) as refused:
        premium_shares_set(
            actor=world.user("city"),
            product=product,
            shares=[
                ShareInput(Payer.CITY, Decimal("2.00")),
                ShareInput(
                    Payer.COUNTY, Decimal("6.00"), by_county={world.county_b.pk: Decimal("18.01")}
                ),
                ShareInput(Payer.TOWNSHIP, takes_rest=True),
            ],
        )
    assert refused.value.messages == [
        "独生子女平安保险各方固定分担合计 20.01 元（吉水县）超过每份保费 20.00 元，"
        "分担之和须等于每份保费。"
    ]
    assert product.shares.count() == 1


@JIAN
@pytest.mark.parametrize(
    ("shares", "message"),
    [
        ([ShareInput(Payer.CITY, Decimal("2.00"))], "须有且只有一方承担其余部分"),
        (
            [ShareInput(Payer.CITY, takes_rest=True), ShareInput(Payer.TOWNSHIP, takes_rest=True)],
            "须有且只有一方承担其余部分",
        ),
        (
            [ShareInput(Payer.CITY, Decimal("-1.00")), ShareInput(Payer.TOWNSHIP, takes_rest=True)],
            "市财政每份分担的金额不能为负数",
        ),
        (
            [ShareInput(Payer.CITY), ShareInput(Payer.TOWNSHIP, takes_rest=True)],
            "请填写市财政每份分担的金额",
        ),
    ],
)
def test_shares_without_exactly_one_rest_or_with_a_bad_amount_are_refused(world, shares, message):
    product = build_campaign(opened=False).products.get(code=Product.Code.CHILD_SAFETY)
    with pytest.raises(ValidationError, match=message):
        premium_shares_set(actor=world.user("city"), product=product, shares=shares)
    assert product.shares.count() == 1


@JIAN
def test_only_the_city_officer_sets_the_shares_and_it_is_audited(world):
    product = build_campaign(opened=False).products.get(code=Product.Code.CHILD_SAFETY)
    shares = [ShareInput(Payer.CITY, Decimal("2.00")), ShareInput(Payer.TOWNSHIP, takes_rest=True)]
    for key in ("leader", "city_finance", "county_a", "township_a"):
        with pytest.raises(PermissionDenied):
            premium_shares_set(actor=world.user(key), product=product, shares=shares)
    premium_shares_set(actor=world.user("city"), product=product, shares=shares)
    event = AuditEvent.objects.get(action="premium_shares.set")
    assert event.changes == {"市财政": [None, "2.00"]}
    assert event.actor == world.user("city")


@JIAN
def test_the_shares_are_fixed_once_a_roster_is_submitted(world, shared):
    build_household(world.village_a1)
    roster = Roster.objects.get(campaign=shared, village=world.village_a1)
    from enrollment.services.rosters import roster_enrol_all

    roster_enrol_all(actor=None, roster=roster)
    roster_submit(actor=None, roster=roster)
    product = shared.products.get(code=Product.Code.CHILD_SAFETY)
    with pytest.raises(ValidationError, match="已有村名册提交，保费分担不能再修改"):
        premium_shares_set(
            actor=world.user("city"),
            product=product,
            shares=[ShareInput(Payer.TOWNSHIP, takes_rest=True)],
        )
    assert product.shares.count() == 3


@JIAN
def test_a_premium_below_the_fixed_shares_is_refused(world):
    from enrollment.services.campaigns import product_update

    campaign = build_campaign(opened=False)
    jian_shares(campaign, world)
    product = campaign.products.get(code=Product.Code.CHILD_SAFETY)
    with pytest.raises(ValidationError, match="超过每份保费 9.00 元"):
        product_update(actor=world.user("city"), product=product, premium=Decimal("9.00"))
    product.refresh_from_db()
    assert product.premium == Decimal("20.00")


# --- the dues and the transfers ---


@JIAN
def test_each_share_is_due_by_the_share_units_of_the_lines(world, shared_report):
    assert shared_report.premium == Decimal("120.00")
    assert shares_due(shared_report) == {
        Payer.CITY: Decimal("12.00"),
        Payer.COUNTY: Decimal("48.00"),
        Payer.TOWNSHIP: Decimal("60.00"),
        Payer.VILLAGE: Decimal("0.00"),
        Payer.HOUSEHOLD: Decimal("0.00"),
    }
    offices = report_shares(shared_report).by_office
    assert offices == {
        "township": Decimal("60.00"),
        "county": Decimal("48.00"),
        "city": Decimal("12.00"),
    }


@JIAN
def test_the_set_based_dues_equal_each_report_s(world, shared, shared_report):
    build_household(world.village_b1)
    other = build_reported_report(shared, world.town_b)
    dues = reports_shares_due(TownshipReport.objects.filter(campaign=shared))
    assert dues[shared_report.pk].by_payer == shares_due(shared_report)
    # 吉水县 pays its default 6 yuan on 2 share units; the city 2; the township the rest.
    assert dues[other.pk].by_payer[Payer.COUNTY] == Decimal("12.00")
    assert dues[other.pk].by_payer[Payer.TOWNSHIP] == Decimal("24.00")


@JIAN
def test_each_office_transfers_its_own_shares_and_the_last_funds_the_report(world, shared_report):
    report = shared_report
    transfer_record(
        actor=world.user("finance_a"),
        report=report,
        **transfer_values(report, amount=Decimal("60.00")),
    )
    report.refresh_from_db()
    assert report.status == TownshipReport.Status.REPORTED
    assert report_shares(report).awaited == ["county", "city"]
    transfer_record(
        actor=world.user("county_finance_a"),
        report=report,
        **transfer_values(report, amount=Decimal("48.00"), voucher_no="JAX-1"),
    )
    report.refresh_from_db()
    assert report.status == TownshipReport.Status.REPORTED
    transfer_record(
        actor=world.user("city_finance"),
        report=report,
        **transfer_values(report, amount=Decimal("12.00"), voucher_no="JAS-1"),
    )
    report.refresh_from_db()
    assert report.status == TownshipReport.Status.FUNDED
    assert dict(report.transfers.values_list("payer", "amount")) == {
        "township": Decimal("60.00"),
        "county": Decimal("48.00"),
        "city": Decimal("12.00"),
    }
    events = AuditEvent.objects.filter(action="transfer.record").order_by("pk")
    assert [event.changes.get("status") for event in events] == [None, None, ["reported", "funded"]]
    assert [event.changes["划拨单位"] for event in events] == [
        "乡镇财政所",
        "县（区）财政局",
        "市财政局",
    ]


@JIAN
def test_a_county_transfer_off_by_a_fen_is_refused_with_the_difference(world, shared_report):
    with pytest.raises(
        ValidationError, match="划拨金额 47.99 元与应划拨保费 48.00 元不符，少 0.01 元"
    ):
        transfer_record(
            actor=world.user("county_finance_a"),
            report=shared_report,
            **transfer_values(shared_report, amount=Decimal("47.99")),
        )
    assert not FundTransfer.objects.exists()


@JIAN
def test_another_county_s_finance_office_is_refused(world, shared_report):
    with pytest.raises(PermissionDenied, match="只有本县（区）财政局"):
        transfer_record(
            actor=world.user("county_finance_b"),
            report=shared_report,
            **transfer_values(shared_report, amount=Decimal("48.00")),
        )


@JIAN
def test_an_office_transfers_once(world, shared_report):
    values = transfer_values(shared_report, amount=Decimal("12.00"))
    transfer_record(actor=world.user("city_finance"), report=shared_report, **values)
    with pytest.raises(ValidationError, match="市财政局已登记过本汇总表的划拨"):
        transfer_record(actor=world.user("city_finance"), report=shared_report, **values)
    assert FundTransfer.objects.count() == 1


@JIAN
def test_the_insurer_issues_only_once_every_share_is_in(world, shared_report):
    from enrollment.services.policies import policies_issue

    transfer_record(
        actor=world.user("finance_a"),
        report=shared_report,
        **transfer_values(shared_report, amount=Decimal("60.00")),
    )
    with pytest.raises(ValidationError, match="保费划拨到账后才能出具保单"):
        policies_issue(actor=world.user("insurer_a"), report=shared_report)


# --- the pages ---


def _fund_township_part(world, report):
    transfer_record(
        actor=world.user("finance_a"),
        report=report,
        **transfer_values(report, amount=Decimal("60.00")),
    )


@JIAN
def test_the_report_page_shows_each_payer_s_money_and_what_is_awaited(
    world, shared_report, client_for
):
    _fund_township_part(world, shared_report)
    page = client_for(world.user("county_finance_a")).get(shared_report.get_absolute_url()).text
    assert "保费分担与划拨" in page
    assert "尚待：待县（区）财政划拨、待市财政划拨" in page
    assert "县（区）财政 48.00" in page and "市财政 12.00" in page
    assert reverse("enrollment:transfer_record", args=[shared_report.pk]) in page


@JIAN
def test_county_finance_records_the_county_share_on_its_page(world, shared_report, client_for):
    client = client_for(world.user("county_finance_a"))
    url = reverse("enrollment:transfer_record", args=[shared_report.pk])
    page = client.get(url).text
    assert 'id="amount-due">48.00' in page
    assert "吉安县财政局" in page
    values = transfer_values(shared_report, amount=Decimal("47.00"))
    response = client.post(url, {key: str(value) for key, value in values.items()})
    assert "少 1.00 元" in response.text
    values["amount"] = Decimal("48.00")
    response = client.post(url, {key: str(value) for key, value in values.items()})
    assert response.status_code == 302
    assert FundTransfer.objects.get().payer == "county"
    voucher = client.get(
        reverse("enrollment:transfer_voucher_of", args=[shared_report.pk, "county"])
    )
    assert voucher.status_code == 200 and voucher["Content-Type"] == "application/pdf"


def test_the_transfer_page_of_an_office_that_owes_nothing_says_so(world, campaign, client_for):
    build_household(world.village_a1)
    report = build_reported_report(campaign, world.town_a)
    page = client_for(world.user("city_finance")).get(
        reverse("enrollment:transfer_record", args=[report.pk])
    )
    assert page.status_code == 200
    assert "市财政局对本汇总表没有应划拨的保费，无需登记划拨。" in page.text


@JIAN
def test_the_finance_offices_workbenches_list_what_they_still_owe(world, shared_report, client_for):
    from oversight.todo import todo_list

    _fund_township_part(world, shared_report)
    assert [item.detail for item in todo_list(world.user("county_finance_a")).items] == [
        "应划拨保费 48.00 元"
    ]
    assert [item.detail for item in todo_list(world.user("city_finance")).items] == [
        "应划拨保费 12.00 元"
    ]
    assert todo_list(world.user("finance_a")).items == []
    assert todo_list(world.user("county_finance_b")).items == []
    page = client_for(world.user("city_finance")).get(reverse("workbench")).text
    assert "市财政局 工作台" in page and 'id="waiting-count">1<' in page


@JIAN
def test_the_reconciliation_shows_money_by_payer_and_every_mismatch(
    world, shared_report, client_for
):
    _fund_township_part(world, shared_report)
    client = client_for(world.user("city"))
    page = client.get(reverse("enrollment:reconciliation") + "?campaign=2013").text
    assert "保费核对（按分担方）" in page and 'id="money-clean"' in page
    assert "吉安县小计" in page
    FundTransfer.objects.filter(report=shared_report).update(amount=Decimal("59.00"))
    page = client.get(reverse("enrollment:reconciliation") + "?campaign=2013").text
    assert "乡镇财政所划拨 59.00 元与应划拨 60.00 元不符" in page


@JIAN
def test_the_city_dashboard_shows_the_city_s_subsidy_by_county(world, shared_report, client_for):
    transfer_record(
        actor=world.user("city_finance"),
        report=shared_report,
        **transfer_values(shared_report, amount=Decimal("12.00")),
    )
    page = client_for(world.user("city")).get(reverse("dashboard") + "?campaign=2013").text
    assert "已上报保费按分担方" in page
    assert "市财政补助 应划拨 / 已划拨（元）" in page
    assert "12.00 / 12.00" in page


@JIAN
def test_the_city_officer_sets_the_shares_on_the_campaign_page(world, client_for):
    campaign = build_campaign(opened=False)
    product = campaign.products.get(code=Product.Code.CHILD_SAFETY)
    client = client_for(world.user("city"))
    url = reverse("enrollment:product_shares", args=[product.pk])
    page = client.get(url).text
    assert "吉安县（元）" in page
    response = client.post(
        url,
        {
            "amount_city": "2.00",
            "amount_county": "6.00",
            f"county_{world.county_a.pk}": "10.00",
            "rest": "township",
        },
    )
    assert response.status_code == 302
    assert {share.payer: share.amount for share in product.shares.all()} == {
        "city": Decimal("2.00"),
        "county": Decimal("6.00"),
        "township": None,
    }
    detail = client.get(campaign.get_absolute_url()).text
    assert "县（区）财政：每份 6.00 元（吉安县 10.00 元）" in detail
    response = client.post(
        url, {"amount_city": "15.00", "amount_county": "6.00", "rest": "township"}
    )
    assert "超过每份保费 20.00 元" in response.text


def test_a_haimen_shares_form_has_no_county_share(world, client_for):
    product = build_campaign(opened=False).products.get(code=Product.Code.CHILD_SAFETY)
    page = (
        client_for(world.user("city"))
        .get(reverse("enrollment:product_shares", args=[product.pk]))
        .text
    )
    assert "市财政每份分担" in page and "县（区）财政每份分担" not in page


# --- the city's finance office ---


def test_city_finance_records_the_city_share_anywhere_and_nothing_else(world):
    from enrollment import access

    finance = world.user("city_finance")
    assert access.transfer_office(finance) == "city"
    assert access.may_record_office_transfers(finance, world.town_a, "city")
    assert access.may_record_office_transfers(finance, world.town_b, "city")
    assert not access.may_record_office_transfers(finance, world.town_a, "township")
    assert not access.may_record_office_transfers(world.user("city"), world.town_a, "city")
    assert not access.may_record_office_transfers(world.user("finance_a"), world.town_a, "city")
    assert not access.may_see_city_overview(finance)
    assert not access.may_see_campaigns_being_prepared(finance)
    assert not finance.sees_full_ids


def test_city_finance_works_for_the_whole_city_and_no_area(world):
    from haimen_insurance import services
    from haimen_insurance.models import role_scope_error

    assert role_scope_error("city_finance", world.town_a, None) == {
        "area": "市级用户覆盖全市，请不要选择区域。"
    }
    assert role_scope_error("city_finance", None, None) is None
    made, _ = services.user_create(
        actor=world.user("city"),
        username="cityfin2",
        full_name="市财政",
        role="city_finance",
        area=None,
        insurer=None,
    )
    assert made.scope_label == "海门市"
    with pytest.raises((ValidationError, PermissionDenied)):
        services.user_create(
            actor=world.user("city"),
            username="cityfin3",
            full_name="市财政",
            role="city_finance",
            area=world.town_a,
            insurer=None,
        )


@JIAN
def test_the_roll_over_copies_the_shares(world, shared):
    from enrollment.services.rollover import campaign_roll_over

    new = campaign_roll_over(actor=world.user("city"), campaign=shared).campaign
    product = new.products.get(code=Product.Code.CHILD_SAFETY)
    assert {share.payer: share.amount for share in product.shares.all()} == {
        "city": Decimal("2.00"),
        "county": Decimal("6.00"),
        "township": None,
    }
    county = product.shares.get(payer="county")
    assert dict(county.county_amounts.values_list("county", "amount")) == {
        world.county_a.pk: Decimal("8.00")
    }
